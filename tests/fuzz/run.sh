#!/usr/bin/env bash
# run.sh BUILD_DIR RUNS: runs each fuzz target RUNS iterations from a fixed
# seed, starting from a seed corpus made here (a real chain and key, the demo
# deployment.yaml, the agent configurations), so the run is repeatable. A crash, leak or sanitizer
# report fails it and leaves the input in BUILD_DIR/fuzz-artifacts/.
set -euo pipefail
O=${1:?usage: run.sh BUILD_DIR RUNS}
RUNS=${2:?usage: run.sh BUILD_DIR RUNS}
top=$(cd "$(dirname "$0")/../.." && pwd)
work="$O/fuzz-work"
rm -rf "$work" && mkdir -p "$work/bundle" "$work/deploy" "$work/check" "$work/agentconf" "$work/loader" \
        "$O/fuzz-artifacts"

# Seeds: a small CA, a leaf and its key, in the layouts operators upload.
(
        cd "$work"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
                -out ca.crt -days 30 -subj "/CN=fuzz root" >/dev/null 2>&1
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
                -out leaf.csr -subj "/CN=leaf" >/dev/null 2>&1
        openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
                -out leaf.crt >/dev/null 2>&1
        cat leaf.crt ca.crt >bundle/chain.pem
        cat leaf.key leaf.crt ca.crt >bundle/combined.pem
        openssl pkey -in leaf.key -traditional -out bundle/trad.key >/dev/null 2>&1 || true
        sed 's/$/\r/' bundle/chain.pem >bundle/crlf.pem
        openssl x509 -in leaf.crt -outform der -out bundle/leaf.der
        # check: a profile byte, then the chain in DER.
        openssl x509 -in ca.crt -outform der -out ca.der
        printf '\000' | cat - bundle/leaf.der ca.der >check/chain-default
        printf '\001' | cat - bundle/leaf.der ca.der >check/chain-strict
        printf '\005' | cat - bundle/leaf.der >check/leaf-xcap
        # loader: a password byte (0 none, 1 empty, 2 "pass"), then files
        # split at "\n--8<--\n": PKCS#12 (modern and legacy), PKCS#7, DER,
        # an encrypted PKCS#8 key, PEM.
        echo pass >pw
        openssl pkcs12 -export -in leaf.crt -inkey leaf.key -certfile ca.crt -passout file:pw \
                -out p12-modern >/dev/null 2>&1
        openssl pkcs12 -export -legacy -in leaf.crt -inkey leaf.key -passout file:pw \
                -out p12-legacy >/dev/null 2>&1 || true
        openssl crl2pkcs7 -nocrl -certfile bundle/chain.pem -outform DER -out p7b >/dev/null 2>&1
        openssl pkcs8 -topk8 -in leaf.key -passout file:pw -outform DER -out p8 >/dev/null 2>&1
        printf '\002' | cat - p12-modern >loader/p12-modern
        [ -s p12-legacy ] && printf '\002' | cat - p12-legacy >loader/p12-legacy
        printf '\000' | cat - p7b >loader/p7b
        printf '\002' | cat - p8 >loader/p8-encrypted
        { printf '\000'; cat bundle/combined.pem; printf '\n--8<--\n'; cat bundle/leaf.der; } >loader/pem-and-der
)
cp "$top/etc/demo/deployment.yaml" "$work/deploy/"
printf 'subject:\n  organisation: x\nmcc: 1000\nservices:\n  rem: {hosts: [1.2.3.4]}\n' >"$work/deploy/bad.yaml"

cp "$top/etc/certconf.yaml" "$work/agentconf/"
cp "$top/etc/demo/certconf.yaml" "$work/agentconf/demo.yaml"

status=0
for t in bundle deploy check agentconf loader; do
        echo "fuzz: $t, $RUNS runs"
        if ! "$O/tests/fuzz_$t" -seed=1 -runs="$RUNS" -max_len=65536 -timeout=10 \
                -artifact_prefix="$O/fuzz-artifacts/$t-" "$work/$t" >"$O/fuzz-$t.log" 2>&1; then
                tail -n 40 "$O/fuzz-$t.log"
                echo "fuzz: FAIL: $t (input saved under $O/fuzz-artifacts/)"
                status=1
        fi
done
exit $status
