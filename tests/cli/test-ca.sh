#!/usr/bin/env bash
# certconfd ca init|sign|renew|export and certconfd csr, as an operator runs
# them: a root CA, a request from a store's deployment.yaml (the 3GPP XCAP
# name from MCC/MNC), a wildcard certificate that `certconfd check` and
# `openssl verify` accept and a real TLS client accepts for a host under the
# wildcard but not two labels down, clientAuth, renewal with the same key,
# export, and every bad input with its exit status and the file it names.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/cli/lib.sh"

C=$CERTCONFD

# run ARGS...: certconfd's exit status in $RC, stdout in out, stderr in err.
run() {
        "$C" "$@" >out 2>err
        RC=$?
}

# expect_refusal DESCRIPTION EXIT TEXT... -- ARGS...: the exit status, and
# stderr holds every TEXT.
expect_refusal() {
        local desc=$1 want=$2 missing=""
        shift 2
        local texts=()
        while [ "$1" != "--" ]; do
                texts+=("$1")
                shift
        done
        shift
        run "$@"
        for t in "${texts[@]}"; do
                grep -qF -- "$t" err || missing="$missing '$t'"
        done
        if [ "$RC" -eq "$want" ] && [ -z "$missing" ]; then
                ok "$desc: exit $want, names$(printf " '%s'" "${texts[@]}")"
        else
                not_ok "$desc: exit $RC (wanted $want), missing:$missing; stderr: $(head -c 400 err)"
        fi
}

# ---- ca init ----------------------------------------------------------------

run ca init ca --subject "/C=SE/O=Example/CN=Example Root CA"
text=$(openssl x509 -in ca/ca.crt -noout -text 2>/dev/null)
if [ "$RC" -eq 0 ] && printf '%s' "$text" | grep -A1 "Basic Constraints: critical" | grep -q "CA:TRUE" &&
        printf '%s' "$text" | grep -A1 "Key Usage: critical" | grep -qx " *Certificate Sign, CRL Sign" &&
        printf '%s' "$text" | grep -q "Subject Key Identifier" &&
        printf '%s' "$text" | grep -q "Public-Key: (3072 bit)" &&
        printf '%s' "$text" | grep -q "Signature Algorithm: sha256WithRSAEncryption" &&
        printf '%s' "$text" | grep -q "Subject: C = SE, O = Example, CN = Example Root CA"; then
        ok "ca init: a root CA (CA:TRUE critical, keyCertSign+cRLSign critical, SKI, rsa:3072, SHA-256)"
else
        not_ok "ca init: rc=$RC $(cat err) $text"
fi
ski=$(printf '%s' "$text" | grep -A1 "Subject Key Identifier" | tail -n 1 | tr -d ' ')
aki=$(printf '%s' "$text" | grep -A1 "Authority Key Identifier" | tail -n 1 | tr -d ' ' | sed 's/^keyid://')
[ -n "$ski" ] && [ "$ski" = "$aki" ] && ok "ca init: AKI = SKI ($ski)" || not_ok "ca init: SKI $ski AKI $aki"
if [ "$(stat -c %a ca)" = 700 ] && [ "$(stat -c %a ca/ca.key)" = 600 ] &&
        openssl pkey -in ca/ca.key -noout 2>/dev/null && ! grep -q ENCRYPTED ca/ca.key; then
        ok "ca init: DIR 0700, ca.key 0600, unencrypted"
else
        not_ok "ca init: modes $(stat -c '%a %n' ca ca/*)"
fi
end=$(date -d "$(openssl x509 -in ca/ca.crt -noout -enddate | cut -d= -f2)" +%s)
days=$(((end - $(date +%s)) / 86400))
[ "$days" -ge 3649 ] && [ "$days" -le 3650 ] && ok "ca init: valid 3650 days" || not_ok "ca init: $days days"

run ca init ecca --subject "CN=Example EC CA,O=Example,C=SE" --key ec:p256 --days 100
if [ "$RC" -eq 0 ] && openssl x509 -in ecca/ca.crt -noout -text | grep -q "ASN1 OID: prime256v1" &&
        openssl x509 -in ecca/ca.crt -noout -subject | grep -q "subject=C = SE, O = Example, CN = Example EC CA"; then
        ok "ca init --key ec:p256 with an RFC 4514 subject"
else
        not_ok "ca init ec: rc=$RC $(cat err)"
fi

mkdir -m 755 loose
run ca init loose --subject "/CN=Loose CA"
[ "$RC" -eq 0 ] && [ "$(stat -c %a loose)" = 700 ] && grep -q "loose was mode 0755, now 0700" err &&
        ok "ca init in an existing directory open to others: closed to 0700, said so" ||
        not_ok "ca init loose: rc=$RC $(stat -c %a loose) $(cat err)"

sum=$(cat ca/ca.crt ca/ca.key | sha256sum)
expect_refusal "ca init over an existing CA without --force" 2 "ca/ca.key" "--force" -- \
        ca init ca --subject "/CN=Other"
[ "$(cat ca/ca.crt ca/ca.key | sha256sum)" = "$sum" ] && ok "  ...and the CA is unchanged" || not_ok "the CA changed"
expect_refusal "ca init with a subject without CN" 2 "no CN" -- ca init ca2 --subject "/C=SE/O=x"
[ ! -e ca2 ] && ok "  ...and nothing was made" || not_ok "ca2 was made"
expect_refusal "ca init --key rsa:2048" 2 "rsa:2048" -- ca init ca2 --subject "/CN=x" --key rsa:2048

# ---- csr from the store's deployment.yaml -----------------------------------

mkdir store
cp "$top/etc/demo/deployment.yaml" store/
run csr --service xcap --store store --state-dir state --out xcap.csr
req=$(openssl req -in state/csr/xcap.csr -noout -text 2>/dev/null)
if [ "$RC" -eq 0 ] && openssl req -in xcap.csr -noout -verify 2>&1 | grep -q "verify OK" &&
        cmp -s xcap.csr state/csr/xcap.csr &&
        printf '%s' "$req" | grep -q "DNS:xcap.ims.mnc001.mcc001.pub.3gppnetwork.org" &&
        printf '%s' "$req" | grep -q "Subject: C = NZ, O = SomeTelco, OU = SomeCity Network Operations Center, CN = xcap.ims.mnc001.mcc001.pub.3gppnetwork.org"; then
        ok "csr --service xcap: subject and the 3GPP name from deployment.yaml, signature verifies"
else
        not_ok "csr xcap: rc=$RC $(cat err) $req"
fi
if [ "$(stat -c %a state/csr)" = 700 ] && [ "$(stat -c %a state/csr/xcap.key)" = 600 ] &&
        [ "$(openssl pkey -in state/csr/xcap.key -pubout | sha256sum)" = "$(openssl req -in xcap.csr -noout -pubkey | sha256sum)" ] &&
        head -n 1 state/csr/xcap.key | grep -q "BEGIN PRIVATE KEY"; then
        ok "csr: the key kept in <state>/csr/xcap.key (PKCS#8, 0600, dir 0700), matching the request"
else
        not_ok "csr key store: $(stat -c '%a %n' state/csr state/csr/*)"
fi

run csr --service rem --store store --state-dir state --key-type ec:p256
if [ "$RC" -eq 0 ] && grep -q "BEGIN CERTIFICATE REQUEST" out &&
        openssl req -in out -noout -text | grep -q "DNS:rem.sometelco.com, IP Address:192.168.10.10" &&
        openssl pkey -in state/csr/rem.key -noout -text | grep -q "prime256v1"; then
        ok "csr --service rem to stdout: DNS and IP names, an ec:p256 key"
else
        not_ok "csr rem: rc=$RC $(cat err)"
fi

pub_before=$(openssl pkey -in state/csr/rem.key -pubout)
expect_refusal "csr --key new when a key exists, without --force" 2 "state/csr/rem.key" "--key existing" -- \
        csr --service rem --store store --state-dir state
run csr --service rem --store store --state-dir state --key existing --out rem.csr
[ "$RC" -eq 0 ] && [ "$(openssl req -in rem.csr -noout -pubkey)" = "$pub_before" ] &&
        [ "$(openssl pkey -in state/csr/rem.key -pubout)" = "$pub_before" ] &&
        ok "csr --key existing: the same key again" || not_ok "csr --key existing: rc=$RC $(cat err)"

expect_refusal "csr for a service deployment.yaml does not name" 1 "store/deployment.yaml" "'voicemail'" -- \
        csr --service voicemail --store store --state-dir state
expect_refusal "csr without a deployment.yaml" 2 "nostore/deployment.yaml" -- \
        csr --service rem --store nostore --state-dir state
expect_refusal "csr --config that does not exist" 2 "missing.yaml" -- \
        csr --service rem --config missing.yaml
printf 'store_dir: store\nservices:\n  rem:\n    targets: [ {format: pem-chainz, path: /tmp/x} ]\n' >bad.yaml
expect_refusal "csr --config that does not parse: file:line:column" 2 "bad.yaml:4:" -- \
        csr --service rem --config bad.yaml
printf 'store_dir: store\nstate_dir: cstate\nservices:\n  rem:\n    targets:\n      - format: pem-chain\n        path: t/chain.pem\n' >good.yaml
run csr --service bsf --config good.yaml
[ "$RC" -eq 0 ] && [ -s cstate/csr/bsf.key ] &&
        openssl req -in cstate/csr/bsf.csr -noout -text | grep -q "DNS:bsf.ims.mnc001.mcc001.pub.3gppnetwork.org" &&
        ok "csr --config: store_dir and state_dir from the configuration" || not_ok "csr --config: rc=$RC $(cat err)"

# ---- ca sign --wildcard --name ---------------------------------------------

run ca sign ca state/csr/rem.csr --wildcard sometelco.com --name lim1.sometelco.com \
        --name a.b.sometelco.com --name 192.168.10.11 --out rem.chain
crt=$(openssl x509 -in rem.chain -noout -text 2>/dev/null)
if [ "$RC" -eq 0 ] && [ "$(grep -c "BEGIN CERTIFICATE" rem.chain)" = 2 ] &&
        printf '%s' "$crt" | grep -q "Subject: C = NZ, O = SomeTelco, OU = SomeCity Network Operations Center, CN = \*.sometelco.com" &&
        printf '%s' "$crt" | grep -q "DNS:rem.sometelco.com, IP Address:192.168.10.10, DNS:lim1.sometelco.com, DNS:a.b.sometelco.com, IP Address:192.168.10.11, DNS:\*.sometelco.com" &&
        printf '%s' "$crt" | grep -A1 "Basic Constraints: critical" | grep -q "CA:FALSE" &&
        printf '%s' "$crt" | grep -A1 "Key Usage: critical" | grep -qx " *Digital Signature" &&
        printf '%s' "$crt" | grep -A1 "Extended Key Usage" | grep -qx " *TLS Web Server Authentication" &&
        printf '%s' "$crt" | grep -A1 "Authority Key Identifier" | tail -n 1 | tr -d ' ' | grep -q "$ski"; then
        ok "ca sign --wildcard --name: CN *.sometelco.com, the CSR's names and each --name, CA:FALSE, AKI, serverAuth"
else
        not_ok "ca sign: rc=$RC $(cat err) $crt"
fi
grep -q "warning SAN_NOT_COVERED: 'a.b.sometelco.com' is two or more labels below sometelco.com" err &&
        ok "ca sign: a --name two labels below the wildcard is reported" || not_ok "no SAN_NOT_COVERED: $(cat err)"
end=$(date -d "$(openssl x509 -in rem.chain -noout -enddate | cut -d= -f2)" +%s)
days=$(((end - $(date +%s)) / 86400))
[ "$days" -ge 729 ] && [ "$days" -le 730 ] && ok "ca sign: valid 730 days by default" || not_ok "ca sign: $days days"

run check --service rem --deployment store/deployment.yaml rem.chain state/csr/rem.key
[ "$RC" -eq 0 ] && grep -q "^rem: OK" out && ok "certconfd check --service rem accepts it (with the deployment's names)" ||
        not_ok "check: rc=$RC $(cat out err)"
openssl verify -CAfile ca/ca.crt rem.chain >verify.out 2>&1 && ok "openssl verify -CAfile ca/ca.crt accepts it" ||
        not_ok "openssl verify: $(cat verify.out)"

# A real client against a real server: the wildcard covers one label.
openssl s_server -accept 127.0.0.1:0 -cert rem.chain -cert_chain rem.chain -key state/csr/rem.key \
        -www </dev/null >server.out 2>&1 &
spid=$!
trap 'kill "$spid" 2>/dev/null; rm -rf "$T"' EXIT
port=""
for _ in $(seq 50); do
        port=$(sed -nE 's/^ACCEPT .*:([0-9]+)$/\1/p' server.out)
        [ -n "$port" ] && break
        sleep 0.1
done
client() {
        timeout 20 openssl s_client -connect "127.0.0.1:$port" -CAfile ca/ca.crt -verify_hostname "$1" \
                -verify_return_error </dev/null >client.out 2>&1
}
if [ -n "$port" ] && client lim2.sometelco.com && grep -q "Verification: OK" client.out; then
        ok "s_client -verify_hostname lim2.sometelco.com accepts it (under the wildcard)"
else
        not_ok "s_client lim2: port=$port $(tail -n 5 client.out) $(cat server.out)"
fi
if [ -n "$port" ] && ! client x.lim2.sometelco.com && grep -q "hostname mismatch" client.out; then
        ok "s_client -verify_hostname x.lim2.sometelco.com refuses it (two labels down)"
else
        not_ok "s_client x.lim2: $(tail -n 5 client.out)"
fi
if [ -n "$port" ] && client a.b.sometelco.com && grep -q "Verification: OK" client.out; then
        ok "s_client -verify_hostname a.b.sometelco.com accepts it (its own SAN)"
else
        not_ok "s_client a.b: $(tail -n 5 client.out)"
fi
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

# ---- --client, renew, export ------------------------------------------------

run ca sign ecca xcap.csr --client --out xcap.chain
[ "$RC" -eq 0 ] && openssl x509 -in xcap.chain -noout -ext extendedKeyUsage | grep -q "TLS Web Server Authentication, TLS Web Client Authentication" &&
        openssl x509 -in xcap.chain -noout -ext keyUsage | grep -qx " *Digital Signature, Key Encipherment" &&
        openssl verify -CAfile ecca/ca.crt -purpose sslclient xcap.chain >/dev/null 2>&1 &&
        ok "ca sign --client: clientAuth too (802.1x); EC CA, RSA key: keyEncipherment" || not_ok "--client: rc=$RC $(cat err)"

run ca renew ca rem.chain --days 400 --out rem-renewed.chain
if [ "$RC" -eq 0 ] &&
        [ "$(openssl x509 -in rem-renewed.chain -noout -subject)" = "$(openssl x509 -in rem.chain -noout -subject)" ] &&
        [ "$(openssl x509 -in rem-renewed.chain -noout -pubkey)" = "$(openssl x509 -in rem.chain -noout -pubkey)" ] &&
        [ "$(openssl x509 -in rem-renewed.chain -noout -ext subjectAltName,keyUsage,extendedKeyUsage,basicConstraints)" = "$(openssl x509 -in rem.chain -noout -ext subjectAltName,keyUsage,extendedKeyUsage,basicConstraints)" ] &&
        [ "$(openssl x509 -in rem-renewed.chain -noout -serial)" != "$(openssl x509 -in rem.chain -noout -serial)" ] &&
        openssl verify -CAfile ca/ca.crt rem-renewed.chain >/dev/null 2>&1; then
        ok "ca renew: the same key, subject and extensions, a new serial"
else
        not_ok "ca renew: rc=$RC $(cat err)"
fi
end=$(date -d "$(openssl x509 -in rem-renewed.chain -noout -enddate | cut -d= -f2)" +%s)
days=$(((end - $(date +%s)) / 86400))
[ "$days" -ge 399 ] && [ "$days" -le 400 ] && ok "ca renew --days 400" || not_ok "ca renew: $days days"
expect_refusal "ca renew of a certificate another CA issued" 1 "xcap.chain" "CHAIN_UNRELATED" -- \
        ca renew ca xcap.chain

run ca export ca
[ "$RC" -eq 0 ] && cmp -s ca.pem ca/ca.crt && [ "$(stat -c %a ca.pem)" = 644 ] &&
        ok "ca export: ./ca.pem, the CA certificate" || not_ok "ca export: rc=$RC $(cat err)"
run ca export ca --der
[ "$RC" -eq 0 ] && [ "$(openssl x509 -inform DER -in ca.der -noout -fingerprint -sha256)" = "$(openssl x509 -in ca/ca.crt -noout -fingerprint -sha256)" ] &&
        ok "ca export --der: ./ca.der" || not_ok "ca export --der: rc=$RC $(cat err)"
expect_refusal "ca export over an existing file without --force" 2 "ca.pem" "--force" -- ca export ca
run ca export ca --force
[ "$RC" -eq 0 ] && ok "ca export --force replaces it" || not_ok "export --force: $(cat err)"

# ---- bad input ---------------------------------------------------------------

# A request whose signature does not verify: one bit of it flipped.
openssl req -in rem.csr -outform DER -out rem.der
size=$(stat -c %s rem.der)
last=$(od -An -tu1 -j $((size - 1)) -N 1 rem.der | tr -d ' ')
{ head -c $((size - 1)) rem.der; printf '%b' "\\$(printf '%03o' $((last ^ 1)))"; } >flipped.der
expect_refusal "ca sign of a request whose signature does not verify" 1 "flipped.der" "does not verify" -- \
        ca sign ca flipped.der --out flipped.chain
[ ! -e flipped.chain ] && ok "  ...and nothing was written" || not_ok "flipped.chain was written"

# A CA key that does not match the CA certificate.
mkdir -m 700 mixed
cp ca/ca.crt mixed/ && cp ecca/ca.key mixed/
expect_refusal "ca sign with a CA key that does not match the CA certificate" 1 \
        "mixed/ca.key" "mixed/ca.crt" "KEY_MISMATCH" -- ca sign mixed rem.csr --out mixed.chain
[ ! -e mixed.chain ] && ok "  ...and nothing was written" || not_ok "mixed.chain was written"

expect_refusal "ca sign --name that is neither a host name nor an address" 1 "'bad_name!'" "NAME_INVALID" -- \
        ca sign ca rem.csr --name 'bad_name!' --out bad.chain
expect_refusal "ca sign --wildcard over a public suffix" 1 "'co.uk'" -- ca sign ca rem.csr --wildcard co.uk
openssl req -new -newkey rsa:2048 -nodes -keyout odd.key -subj "/CN=odd.example" \
        -addext "subjectAltName=DNS:odd_name.example" -out odd.csr 2>/dev/null
expect_refusal "ca sign of a request asking for a name that is none" 1 "odd.csr" "'odd_name.example'" -- \
        ca sign ca odd.csr
expect_refusal "ca sign over an existing --out without --force" 2 "rem.chain" "--force" -- \
        ca sign ca rem.csr --out rem.chain
expect_refusal "ca sign with a DIR that holds no CA" 2 "store/ca.crt" -- ca sign store rem.csr
expect_refusal "ca sign of a file that is no request" 1 "ca/ca.crt" "CERT_INVALID" -- ca sign ca ca/ca.crt
expect_refusal "ca sign of a request that does not exist" 2 "nothere.csr" -- ca sign ca nothere.csr
expect_refusal "ca with an unknown command" 2 "'frobnicate'" -- ca frobnicate
run ca sign ca rem.csr --out forced.chain --force --days 10
[ "$RC" -eq 0 ] && [ -s forced.chain ] && ok "ca sign --out with --force on a new file" || not_ok "forced: $(cat err)"

# ---- keys the agent refuses, CA certificates, Ed25519 CAs -------------------

# The check's key rule, for requests and for renewals: a P-224 or DSA key is
# refused as `certconfd check` refuses it, before anything is written.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-224 -nodes -keyout p224.key \
        -subj "/CN=rem.sometelco.com" -out p224.csr 2>/dev/null
expect_refusal "ca sign of a request for an EC P-224 key" 1 "p224.csr" "WEAK_KEY" "224" -- \
        ca sign ca p224.csr --out p224.chain
[ ! -e p224.chain ] && ok "  ...and nothing was written" || not_ok "p224.chain was written"
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsa.param 2>/dev/null
openssl req -new -newkey param:dsa.param -nodes -keyout dsa.key -subj "/CN=rem.sometelco.com" \
        -out dsa.csr 2>/dev/null
expect_refusal "ca sign of a request for a DSA-2048 key" 1 "dsa.csr" "WEAK_KEY" "DSA" -- ca sign ca dsa.csr

# A request asking for CA:TRUE gets a server certificate, and is told so.
openssl req -new -key state/csr/rem.key -subj "/CN=rem.sometelco.com" \
        -addext "basicConstraints=critical,CA:TRUE" -out asks-ca.csr 2>/dev/null
run ca sign ca asks-ca.csr --out asks-ca.chain
[ "$RC" -eq 0 ] && grep -q "warning CHAIN_CA_FLAGS: asks-ca.csr asks for a CA certificate" err &&
        openssl x509 -in asks-ca.chain -noout -ext basicConstraints | grep -q "CA:FALSE" &&
        ok "ca sign of a request asking for CA:TRUE: CA:FALSE, with a warning" ||
        not_ok "asks-ca: rc=$RC $(cat err)"

# A sub-CA the CA signed is not renewed.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout sub.key \
        -subj "/CN=Sub CA" -out sub.csr 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >sub.ext
openssl x509 -req -in sub.csr -CA ca/ca.crt -CAkey ca/ca.key -days 30 -extfile sub.ext \
        -out sub.crt 2>/dev/null
expect_refusal "ca renew of a sub-CA the CA signed" 1 "sub.crt" "CHAIN_CA_FLAGS" -- \
        ca renew ca sub.crt --out sub-renewed.crt
[ ! -e sub-renewed.crt ] && ok "  ...and nothing was written" || not_ok "sub-renewed.crt was written"

# An operator's own CA with an Ed25519 key: it signs with no digest; a
# warning-only run never ends in exit 2 without a word.
mkdir -m 700 edca
openssl genpkey -algorithm ed25519 -out edca/ca.key 2>/dev/null
chmod 600 edca/ca.key
openssl req -x509 -key edca/ca.key -subj "/CN=Ed CA" -days 100 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out edca/ca.crt 2>/dev/null
run ca sign edca rem.csr --wildcard sometelco.com --name a.b.sometelco.com --out ed.chain
[ "$RC" -eq 0 ] && grep -q "warning SAN_NOT_COVERED" err &&
        openssl verify -CAfile edca/ca.crt ed.chain >/dev/null 2>&1 &&
        openssl x509 -in ed.chain -noout -text | grep -q "Signature Algorithm: ED25519" &&
        ok "ca sign with an Ed25519 CA: signed (ED25519), openssl verify accepts it" ||
        not_ok "ed25519 CA: rc=$RC $(cat err)"

# ---- names that do not fit, names that are none --------------------------------

long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sometelco.com
run ca sign ca rem.csr --wildcard "$long" --out long.chain
if [ "$RC" -eq 0 ] && openssl x509 -in long.chain -noout -subject | grep -q "CN = rem.sometelco.com$" &&
        openssl x509 -in long.chain -noout -ext subjectAltName | grep -qF "DNS:*.$long" &&
        grep -q "warning SUBJECT_FIELDS" err; then
        ok "ca sign --wildcard of ${#long} characters: CN rem.sometelco.com, the wildcard a subjectAltName"
else
        not_ok "long wildcard: rc=$RC $(cat err)"
fi
openssl req -new -key state/csr/rem.key -subj "/CN=*.com" -addext "subjectAltName=DNS:rem.sometelco.com" \
        -out star-com.csr 2>/dev/null
expect_refusal "ca sign of a request whose CN is *.com" 1 "star-com.csr" "'*.com'" "NAME_INVALID" -- \
        ca sign ca star-com.csr --out star.chain

# ---- ca init --force: both files or neither ----------------------------------

sum=$(cat ca/ca.crt ca/ca.key | sha256sum)
mkdir ca/.ca.crt.certconf-new
expect_refusal "ca init --force with a directory where ca.crt's temp goes" 2 "ca" "nothing there changed" -- \
        ca init ca --subject "/CN=New CA" --force
[ "$(cat ca/ca.crt ca/ca.key | sha256sum)" = "$sum" ] && ok "  ...and the old ca.key and ca.crt are both unchanged" ||
        not_ok "ca init --force left a changed pair"
run ca sign ca rem.csr --out after.chain
[ "$RC" -eq 0 ] && ok "  ...and the old CA still signs" || not_ok "old CA after failed init: $(cat err)"
rmdir ca/.ca.crt.certconf-new

cp -a ca ca-copy
run ca init ca-copy --subject "/CN=New CA" --force
[ "$RC" -eq 0 ] && openssl x509 -in ca-copy/ca.crt -noout -subject | grep -q "CN = New CA" &&
        [ "$(openssl x509 -in ca-copy/ca.crt -noout -pubkey)" = "$(openssl pkey -in ca-copy/ca.key -pubout)" ] &&
        [ "$(stat -c %a ca-copy/ca.key)" = 600 ] && [ "$(ls -A ca-copy)" = "$(printf 'ca.crt\nca.key')" ] &&
        ok "ca init --force: a new matching pair, nothing else left in DIR" ||
        not_ok "init --force: rc=$RC $(cat err) $(ls -A ca-copy)"

# ---- the CA's directory and key file --------------------------------------------

mkdir -m 755 realdir
ln -s realdir linkdir
expect_refusal "ca init into a symbolic link to a directory" 2 "linkdir is a symbolic link" -- \
        ca init linkdir --subject "/CN=Link CA"
[ "$(stat -c %a realdir)" = 755 ] && [ -z "$(ls -A realdir)" ] &&
        ok "  ...and the directory it points to is untouched (mode 0755, empty)" ||
        not_ok "realdir changed: $(stat -c %a realdir) $(ls -A realdir)"
ln -s nowhere dangling
expect_refusal "ca init into a dangling symbolic link" 2 "dangling is a symbolic link to nothing" -- \
        ca init dangling --subject "/CN=Link CA"
if [ "$(id -u)" = 0 ]; then
        mkdir -m 700 theirs
        chown 65534 theirs
        expect_refusal "ca init into a directory another user owns" 2 "theirs belongs to uid 65534" -- \
                ca init theirs --subject "/CN=Their CA"
        [ -z "$(ls -A theirs)" ] && ok "  ...and nothing was written there" || not_ok "theirs: $(ls -A theirs)"
fi

cp -a ca keyca
chmod 644 keyca/ca.key
expect_refusal "ca sign with a ca.key open to others" 1 "keyca/ca.key" "0644" "chmod 600" -- \
        ca sign keyca rem.csr --out open.chain
chmod 600 keyca/ca.key
mv keyca/ca.key keyca/real.key
ln -s real.key keyca/ca.key
expect_refusal "ca sign with a symbolic link as ca.key" 2 "keyca/ca.key" "symbolic link" -- \
        ca sign keyca rem.csr --out link.chain
rm keyca/ca.key
(umask 077 && openssl pkey -in keyca/real.key -aes256 -passout pass:secret -out keyca/ca.key)
expect_refusal "ca sign with an encrypted ca.key" 1 "keyca/ca.key" "ca.key must be unencrypted" -- \
        ca sign keyca rem.csr --out enc.chain

# ---- --out: checked before anything, never the CA's own files ---------------------

sum=$(cat ca/ca.crt ca/ca.key | sha256sum)
expect_refusal "ca sign --out DIR/ca.key --force" 2 "ca/ca.key" "never replaced" -- \
        ca sign ca rem.csr --out ca/ca.key --force
expect_refusal "ca export --der --out ./ca/../ca/ca.crt --force" 2 "ca.crt" "never replaced" -- \
        ca export ca --der --out ./ca/../ca/ca.crt --force
[ "$(cat ca/ca.crt ca/ca.key | sha256sum)" = "$sum" ] && ok "  ...and the CA's files are unchanged" ||
        not_ok "the CA's files changed"
expect_refusal "ca sign --out in a directory that does not exist" 2 "nodir/x.chain" "make the directory" -- \
        ca sign ca rem.csr --out nodir/x.chain

expect_refusal "csr --out in a directory that does not exist" 2 "nodir/fresh.csr" -- \
        csr --service rem --store store --state-dir fresh --out nodir/fresh.csr
[ ! -e fresh/csr/rem.key ] && [ ! -e fresh/csr/rem.csr ] && ok "  ...and no key or request was written" ||
        not_ok "csr wrote $(ls fresh/csr 2>&1)"
run csr --service rem --store store --state-dir fresh --out fresh.csr
[ "$RC" -eq 0 ] && [ -s fresh/csr/rem.key ] && ok "  ...and the rerun needs no --force" || not_ok "csr rerun: $(cat err)"
expect_refusal "csr --out the key store's own key --force" 2 "never replaced" -- \
        csr --service rem --store store --state-dir fresh --key existing --out fresh/csr/rem.key --force
openssl pkey -in fresh/csr/rem.key -noout 2>/dev/null && ok "  ...and the key is still a key" || not_ok "key replaced"

# --key existing: a key the agent would refuse makes no request.
mkdir -m 700 weak weak/csr
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out weak/csr/rem.key 2>/dev/null
chmod 600 weak/csr/rem.key
expect_refusal "csr --key existing with an RSA-1024 key" 1 "weak/csr/rem.key" "1024" "--key new" -- \
        csr --service rem --store store --state-dir weak --key existing --out weak.csr
[ ! -e weak.csr ] && [ ! -e weak/csr/rem.csr ] && ok "  ...and no request was written" || not_ok "weak.csr written"

finish
