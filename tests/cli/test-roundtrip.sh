#!/usr/bin/env bash
# The operator's whole path with no CA of their own (issue 5's round trip):
# `ca init`, `csr` from the store's deployment.yaml, `ca sign --wildcard`,
# `import` (which finds the CSR's key by itself), then `certconfd apply`
# installs it into every layout the seeds describe: the MAG files, MX-ONE's
# eri_sn_cert.pem (key first) and innovaphone's combined PEM (key last),
# byte for byte in the order each document asks for. A real client
# (openssl s_client -verify_hostname, against the exported root) accepts
# the served certificate for a host under the wildcard and refuses it for a
# host two labels down. Without a CA at all: `ca init` and `ca issue`, two
# commands, give a store the agent accepts.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/cli/lib.sh"

# expect_rc NAME WANT CMD...: CMD exits WANT; its output is kept in $OUT.
expect_rc() {
        local name=$1 want=$2
        shift 2
        OUT=$("$@" 2>&1)
        local rc=$?
        if [ "$rc" -eq "$want" ]; then
                ok "$name"
        else
                not_ok "$name: exit $rc, want $want: $(printf '%s' "$OUT" | tail -n 8)"
        fi
}

mkdir -p store state targets/mag targets/mx targets/ipva
cat >certconf.yaml <<'YAML'
store_dir: store
state_dir: state
services:
  mx:
    action: none
    targets:
      - format: pem-chain
        path: targets/mag/mx-chain.pem
      - format: pem-key
        path: targets/mag/mx.key
      - format: pem-bundle-key-first
        path: targets/mx/eri_sn_cert.pem
      - format: pem-bundle-key-last
        path: targets/ipva/ipva.pem
YAML
cat >store/deployment.yaml <<'YAML'
subject:
  country: SE
  organization: Example Corp
  organizational_unit: Telephony
services:
  mx:
    hosts: [mx1.mx.corp.example, pbx.mx.corp.example]
    addresses: [127.0.0.1]
YAML

# ---- 1. the private CA -------------------------------------------------------------
expect_rc "ca init makes a root" 0 \
        "$CERTCONFD" ca init ca --subject "/C=SE/O=Example Corp/CN=Example Corp Root CA" --key ec:p256
[ "$(stat -c %a ca/ca.key 2>/dev/null)" = 600 ] && ok "the CA key is 0600" ||
        not_ok "the CA key is $(stat -c %a ca/ca.key 2>&1)"
expect_rc "ca export writes the root for the clients" 0 "$CERTCONFD" ca export ca --out ca.pem
if cmp -s ca.pem ca/ca.crt || [ "$(openssl x509 -in ca.pem -noout -fingerprint -sha256 2>&1)" = \
        "$(openssl x509 -in ca/ca.crt -noout -fingerprint -sha256 2>&1)" ]; then
        ok "the exported root is the CA certificate"
else
        not_ok "the exported root is not the CA certificate"
fi

# ---- 2. the request, from the deployment ---------------------------------------------
expect_rc "csr --service mx makes a request from deployment.yaml" 0 \
        "$CERTCONFD" csr --service mx --config certconf.yaml --out mx.csr
if openssl req -in mx.csr -noout -verify 2>&1 | grep -q "verify OK"; then
        ok "the request's signature verifies"
else
        not_ok "the request's signature: $(openssl req -in mx.csr -noout -verify 2>&1)"
fi
req=$(openssl req -in mx.csr -noout -text 2>&1)
for n in "DNS:mx1.mx.corp.example" "DNS:pbx.mx.corp.example" "IP Address:127.0.0.1" "O *= *Example Corp"; do
        if printf '%s\n' "$req" | grep -qE "$n"; then ok "the request carries $n"; else not_ok "the request lacks $n"; fi
done
if [ -f state/csr/mx.key ] && [ "$(stat -c %a state/csr/mx.key)" = 600 ] && ! grep -q "PRIVATE KEY" mx.csr; then
        ok "the key stays in the state directory (0600), not in the request"
else
        not_ok "the CSR key: $(ls -l state/csr 2>&1)"
fi

# ---- 3. the CA signs it for the wildcard ----------------------------------------------
expect_rc "ca sign --wildcard mx.corp.example" 0 \
        "$CERTCONFD" ca sign ca mx.csr --wildcard mx.corp.example --name mx1.mx.corp.example \
        --name 127.0.0.1 --out signed.pem
leaf=$(openssl x509 -in signed.pem -noout -text 2>&1)
printf '%s\n' "$leaf" | grep -q "Subject:.*CN *= *\*\.mx\.corp\.example" &&
        ok "the CN is the wildcard" || not_ok "the CN: $(printf '%s\n' "$leaf" | grep Subject:)"
printf '%s\n' "$leaf" | grep -q "DNS:\*\.mx\.corp\.example" && ok "the wildcard is a SAN" ||
        not_ok "no wildcard SAN"
if openssl verify -CAfile ca.pem signed.pem >/dev/null 2>&1; then
        ok "openssl verify accepts it against the exported root"
else
        not_ok "openssl verify: $(openssl verify -CAfile ca.pem signed.pem 2>&1)"
fi

# ---- 4. import pairs it with the CSR's key, without the operator touching it ---------
expect_rc "import --service mx finds the CSR's key" 0 \
        "$CERTCONFD" import --service mx --config certconf.yaml signed.pem
[ -f store/mx-cert.crt ] && [ -f store/mx-cert.key ] && ok "store/mx-cert.crt and .key are written" ||
        not_ok "the store holds: $(ls store)"
[ "$(stat -c %a store/mx-cert.key 2>/dev/null)" = 600 ] && ok "the key in the store is 0600" ||
        not_ok "the key in the store is $(stat -c %a store/mx-cert.key 2>&1)"
expect_rc "certconfd check accepts the store" 0 "$CERTCONFD" check store
expect_rc "import again without --force refuses (exit 2)" 2 \
        "$CERTCONFD" import --service mx --config certconf.yaml signed.pem
printf '%s' "$OUT" | grep -q -- "--force" && ok "and says --force" || not_ok "no --force hint: $OUT"

# ---- 5. the agent installs it ---------------------------------------------------------
expect_rc "certconfd apply installs the upload" 0 \
        "$CERTCONFD" apply --config certconf.yaml --log-target stderr

# The pieces, as OpenSSL writes them: the key (PKCS#8), leaf, root.
openssl pkey -in state/csr/mx.key -out want-key.pem 2>/dev/null
openssl x509 -in signed.pem -out want-leaf.pem 2>/dev/null
openssl x509 -in ca/ca.crt -out want-root.pem 2>/dev/null
cat want-leaf.pem want-root.pem >want-chain.pem
cat want-key.pem want-chain.pem >want-mx.pem
cat want-chain.pem want-key.pem >want-ipva.pem
cmp -s targets/mag/mx-chain.pem want-chain.pem && ok "MAG: the chain file is leaf, root" ||
        not_ok "MAG: the chain file differs"
cmp -s targets/mag/mx.key want-key.pem && ok "MAG: the key file is the CSR's key" ||
        not_ok "MAG: the key file differs"
cmp -s targets/mx/eri_sn_cert.pem want-mx.pem &&
        ok "MX-ONE: eri_sn_cert.pem is key, server certificate, root, byte for byte" ||
        not_ok "MX-ONE: eri_sn_cert.pem differs: $(grep -- '-----BEGIN' targets/mx/eri_sn_cert.pem 2>&1 | tr '\n' ' ')"
cmp -s targets/ipva/ipva.pem want-ipva.pem &&
        ok "innovaphone: the PEM is server certificate, chain, then the key, byte for byte" ||
        not_ok "innovaphone: the PEM differs: $(grep -- '-----BEGIN' targets/ipva/ipva.pem 2>&1 | tr '\n' ' ')"
for f in targets/mx/eri_sn_cert.pem targets/ipva/ipva.pem; do
        [ "$(stat -c %a "$f" 2>/dev/null)" = 600 ] && ok "$f is 0600" || not_ok "$f is $(stat -c %a "$f" 2>&1)"
done

# ---- 6. a real client ---------------------------------------------------------------------
port=$((20000 + RANDOM % 20000))
openssl s_server -accept "127.0.0.1:$port" -cert targets/ipva/ipva.pem -key targets/ipva/ipva.pem \
        -cert_chain targets/ipva/ipva.pem -www -quiet >s_server.log 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
done
probe() {
        openssl s_client -connect "127.0.0.1:$port" -CAfile ca.pem -verify_hostname "$1" \
                -servername "$1" -verify_return_error </dev/null >"probe-$1.log" 2>&1
}
if probe host.mx.corp.example; then
        ok "s_client accepts the served certificate for host.mx.corp.example (under the wildcard)"
else
        not_ok "s_client refused host.mx.corp.example: $(grep -iE 'verify|error' probe-host.mx.corp.example.log | head -3)"
fi
if probe mx1.mx.corp.example; then
        ok "s_client accepts it for mx1.mx.corp.example"
else
        not_ok "s_client refused mx1.mx.corp.example"
fi
if probe deep.host.mx.corp.example; then
        not_ok "s_client accepted deep.host.mx.corp.example, two labels below the wildcard"
else
        grep -q "hostname mismatch" probe-deep.host.mx.corp.example.log &&
                ok "s_client refuses deep.host.mx.corp.example (two labels down): hostname mismatch" ||
                not_ok "s_client refused deep.host.mx.corp.example for another reason: $(grep -iE 'verify|error' probe-deep.host.mx.corp.example.log | head -3)"
fi
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null

# ---- 7. no CA at all: two commands, `ca init` and `ca issue` ---------------------------
mkdir -p two/store two/state two/targets
cat >two/certconf.yaml <<'YAML'
store_dir: store
state_dir: state
services:
  rem:
    action: none
    targets:
      - {format: pem-chain, path: targets/rem-chain.pem}
      - {format: pem-key, path: targets/rem.key}
YAML
cat >two/store/deployment.yaml <<'YAML'
subject: {country: SE, organization: Example Corp, organizational_unit: Telephony}
services:
  rem: {hosts: [rem.corp.example], addresses: [127.0.0.1]}
YAML
expect_rc "two commands: ca init" 0 \
        "$CERTCONFD" ca init two/ca --subject "/C=SE/O=Example Corp/CN=Example Corp Root CA"
mkdir -p two/tmp
expect_rc "two commands: ca issue --service rem (csr, sign, import)" 0 \
        env TMPDIR="$T/two/tmp" "$CERTCONFD" ca issue two/ca --service rem --config two/certconf.yaml
for step in "1/3 csr" "2/3 ca sign" "3/3 import"; do
        printf '%s' "$OUT" | grep -qF "ca issue: $step" && ok "ca issue ran step $step" ||
                not_ok "ca issue did not say step $step"
done
expect_rc "the agent accepts the store" 0 "$CERTCONFD" apply --config two/certconf.yaml --log-target stderr
if openssl verify -CAfile two/ca/ca.crt -verify_hostname rem.corp.example two/targets/rem-chain.pem >/dev/null 2>&1; then
        ok "the installed chain verifies against the CA for rem.corp.example"
else
        not_ok "the installed chain: $(openssl verify -CAfile two/ca/ca.crt -verify_hostname rem.corp.example two/targets/rem-chain.pem 2>&1)"
fi
[ -z "$(ls -A two/tmp)" ] && ok "ca issue leaves nothing in \$TMPDIR" ||
        not_ok "ca issue left in \$TMPDIR: $(ls -A two/tmp)"
sum=$(cat two/store/rem-cert.crt two/store/rem-cert.key | sha256sum)
expect_rc "ca issue again without --force: refused (exit 2)" 2 \
        "$CERTCONFD" ca issue two/ca --service rem --config two/certconf.yaml
printf '%s' "$OUT" | grep -q "1/3 csr.*failed" && ok "and says which step refused" ||
        not_ok "no failed step named: $OUT"
[ "$(cat two/store/rem-cert.crt two/store/rem-cert.key | sha256sum)" = "$sum" ] &&
        ok "the store is unchanged" || not_ok "the store changed without --force"
key_before=$(openssl pkey -in two/store/rem-cert.key -pubout 2>/dev/null | sha256sum)
expect_rc "a year later: ca issue --key existing --force" 0 \
        "$CERTCONFD" ca issue two/ca --service rem --config two/certconf.yaml --key existing --force
[ "$(openssl pkey -in two/store/rem-cert.key -pubout 2>/dev/null | sha256sum)" = "$key_before" ] &&
        [ "$(cat two/store/rem-cert.crt | sha256sum)" != "$(printf '%s' "$sum")" ] &&
        ok "the same key, a new certificate" || not_ok "--key existing: the key or the certificate is not as expected"
expect_rc "ca issue without --service: exit 2" 2 "$CERTCONFD" ca issue two/ca --config two/certconf.yaml
printf '%s' "$OUT" | grep -q -- "--service" && ok "and says --service" || not_ok "no --service hint: $OUT"

finish
