#!/usr/bin/env bash
# make run: the demo. Builds a throwaway private CA and the three MAG
# certificates (REM, XCAP, BSF) with the openssl command line under ./run/,
# puts them in a config store beside etc/demo/deployment.yaml, and runs
# `certconfd check` on that store, then on a broken upload, so a newcomer sees
# both answers. Nothing outside ./run/ is touched.
set -euo pipefail

CERTCONFD=$(realpath "${1:?usage: run.sh CERTCONFD}")
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
run=run
ca="$run/demo-ca"
store="$run/store"

mkdir -p "$ca" "$store"
chmod 700 "$run" "$ca" "$store"
cp "$top/etc/demo/deployment.yaml" "$store/deployment.yaml"

q() { "$@" >/dev/null 2>&1; }

if [ ! -f "$ca/root.crt" ]; then
        echo "demo: making a private CA in $ca/"
        q openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ca/root.key" -out "$ca/root.crt" \
                -days 3650 -subj "/C=NZ/O=SomeTelco/CN=SomeTelco Demo Root CA" \
                -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
fi

leaf() { # service SAN
        local svc=$1 san=$2
        [ -f "$store/$svc-cert.crt" ] && return 0
        echo "demo: issuing $svc-cert.crt for $san"
        q openssl req -new -newkey rsa:2048 -nodes -keyout "$ca/$svc.key" -out "$ca/$svc.csr" \
                -subj "/C=NZ/O=SomeTelco/OU=SomeCity Network Operations Center/CN=$svc"
        printf '%s\n' "basicConstraints=critical,CA:FALSE" \
                "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
                "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" "subjectAltName=$san" >"$ca/$svc.ext"
        q openssl x509 -req -in "$ca/$svc.csr" -CA "$ca/root.crt" -CAkey "$ca/root.key" -CAcreateserial \
                -days 730 -sha256 -extfile "$ca/$svc.ext" -out "$ca/$svc.crt"
        cat "$ca/$svc.crt" "$ca/root.crt" >"$store/$svc-cert.crt"
        install -m 600 "$ca/$svc.key" "$store/$svc-cert.key"
}
leaf rem "DNS:rem.sometelco.com,IP:192.168.10.10"
leaf xcap "DNS:xcap.ims.mnc001.mcc001.pub.3gppnetwork.org"
leaf bsf "DNS:bsf.ims.mnc001.mcc001.pub.3gppnetwork.org"

echo
echo "\$ certconfd check run/store"
"$CERTCONFD" check "$store" && echo "(exit status 0: the agent would install these)"

echo
echo "Now the same REM upload with the chain reversed and the key of the XCAP certificate:"
bad="$run/store-bad"
rm -rf "$bad" && mkdir -p "$bad" && chmod 700 "$bad"
cp "$store/deployment.yaml" "$bad/"
cat "$ca/root.crt" "$ca/rem.crt" >"$bad/rem-cert.crt"
install -m 600 "$ca/xcap.key" "$bad/rem-cert.key"
echo "\$ certconfd check run/store-bad"
set +e
"$CERTCONFD" check "$bad"
echo "(exit status $?: the agent would refuse the whole upload and keep what is installed)"
echo
echo "Try: certconfd inspect run/store/rem-cert.crt; certconfd check --json run/store | jq ."
echo "The agent that watches the store and installs certificates comes next (issue 3)."
