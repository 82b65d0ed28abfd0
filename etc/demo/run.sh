#!/usr/bin/env bash
# make run: the demo. Starts the agent in the foreground on etc/demo/, with
# its store, state and install targets under ./run/ and its log on stderr. It
# makes the three self-signed certificates (REM, XCAP, BSF) at once, then
# waits for uploads. To give it one, this script also prepares a CA-issued
# REM pair in ./run/upload/ (made with the openssl command line, as an
# operator would); in another terminal:
#
#   cp run/upload/rem-cert.crt run/upload/rem-cert.key run/store/
#
# and watch the agent check it and install it into run/targets/rem/rem.p12.
# Nothing outside ./run/ is touched. Ctrl-C stops it.
set -euo pipefail

CERTCONFD=$(realpath "${1:?usage: run.sh CERTCONFD}")
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
run=run
ca="$run/demo-ca"

mkdir -p "$run" "$ca" "$run/store" "$run/upload" "$run/targets/rem" "$run/targets/xcap" "$run/targets/bsf"
chmod 700 "$run" "$ca" "$run/store" "$run/upload"
cp etc/demo/certconf.yaml "$run/certconf.yaml"
cp etc/demo/deployment.yaml "$run/store/deployment.yaml"
[ -f "$run/targets/rem/keystore.pass" ] || (umask 077; echo "demo-keystore-password" >"$run/targets/rem/keystore.pass")

q() { "$@" >/dev/null 2>&1; }

if [ ! -f "$ca/root.crt" ]; then
        q openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ca/root.key" -out "$ca/root.crt" \
                -days 3650 -subj "/C=NZ/O=SomeTelco/CN=SomeTelco Demo Root CA" \
                -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
fi
if [ ! -f "$run/upload/rem-cert.crt" ]; then
        q openssl req -new -newkey rsa:2048 -nodes -keyout "$ca/rem.key" -out "$ca/rem.csr" \
                -subj "/C=NZ/O=SomeTelco/OU=SomeCity Network Operations Center/CN=rem.sometelco.com"
        printf '%s\n' "basicConstraints=critical,CA:FALSE" \
                "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
                "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" \
                "subjectAltName=DNS:rem.sometelco.com,IP:192.168.10.10" >"$ca/rem.ext"
        q openssl x509 -req -in "$ca/rem.csr" -CA "$ca/root.crt" -CAkey "$ca/root.key" -CAcreateserial \
                -days 730 -sha256 -extfile "$ca/rem.ext" -out "$ca/rem.crt"
        cat "$ca/rem.crt" "$ca/root.crt" >"$run/upload/rem-cert.crt"
        install -m 600 "$ca/rem.key" "$run/upload/rem-cert.key"
fi

cat <<MSG
demo: starting the agent on $run/certconf.yaml (store $run/store, targets $run/targets).
demo: to upload a CA-issued REM certificate, in another terminal:
demo:     cp $run/upload/rem-cert.crt $run/upload/rem-cert.key $run/store/
demo: then: $CERTCONFD status --config $run/certconf.yaml     (Ctrl-C stops the agent)

MSG
exec "$CERTCONFD" agent --config "$run/certconf.yaml" --log-target stderr
