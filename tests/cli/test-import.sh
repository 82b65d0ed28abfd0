#!/usr/bin/env bash
# certconfd import, and inspect of PKCS#7 and PKCS#12: what operators get
# from CAs, made with the openssl command line (a .pfx, modern and -legacy;
# a shuffled PEM chain with a DER leaf and an encrypted PKCS#8 key), imported
# into a store that `certconfd check` accepts; every refusal names the file
# and writes nothing. Then the independent vectors of Debian's
# python3-cryptography-vectors: each PKCS#12, PKCS#7, key and PEM oddity must
# give the result or the error stated next to it. A vector missing is a
# FAIL ("make deps"), never a skip.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/cli/lib.sh"

VEC=${CRYPTOGRAPHY_VECTORS:-/usr/lib/python3/dist-packages/cryptography_vectors}

# ---- helpers ------------------------------------------------------------------

mkdir -p store state targets
cat >certconf.yaml <<'YAML'
store_dir: store
state_dir: state
services:
  rem:
    action: none
    targets:
      - format: pem-chain
        path: targets/rem.pem
YAML
cat >store/deployment.yaml <<'YAML'
services:
  rem:
    hosts: [rem.example.com]
YAML

pw() { # pw NAME PASSWORD: a password file
        printf '%s\n' "$2" >"$1"
}

# imp DESC WANT_RC PATTERN ARGS...: certconfd import (this directory's
# configuration), exit status and PATTERN (fixed string) in its output.
imp() {
        local desc=$1 want=$2 pat=$3
        shift 3
        "$CERTCONFD" import --config certconf.yaml "$@" >imp.out 2>&1
        local rc=$?
        if [ "$rc" -ne "$want" ]; then
                not_ok "$desc: exit $rc, wanted $want: $(head -c 1500 imp.out)"
        elif [ -n "$pat" ] && ! grep -qF -- "$pat" imp.out; then
                not_ok "$desc: no '$pat' in: $(head -c 1500 imp.out)"
        else
                ok "$desc"
        fi
}

# insp DESC WANT_RC PATTERN ARGS...: certconfd inspect.
insp() {
        local desc=$1 want=$2 pat=$3
        shift 3
        "$CERTCONFD" inspect "$@" >insp.out 2>&1
        local rc=$?
        if [ "$rc" -ne "$want" ]; then
                not_ok "$desc: exit $rc, wanted $want: $(head -c 800 insp.out)"
        elif [ -n "$pat" ] && ! grep -qF -- "$pat" insp.out; then
                not_ok "$desc: no '$pat' in: $(head -c 800 insp.out)"
        else
                ok "$desc"
        fi
}

fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 2>/dev/null; }

# The fingerprints of the certificates of a PEM file, in order, one a line.
fps() {
        awk '/-----BEGIN CERTIFICATE-----/{n++} {print > ("split." n ".pem")}' "$1"
        local i
        for i in $(seq 1 "$(grep -c 'BEGIN CERTIFICATE' "$1")"); do fp "split.$i.pem"; done
        rm -f split.*.pem
}

same_key() { # same_key KEYFILE CERTFILE
        [ "$(openssl pkey -in "$1" -pubout 2>/dev/null | sha256sum)" = \
                "$(openssl x509 -in "$2" -noout -pubkey 2>/dev/null | sha256sum)" ]
}

# The store holds rem's files as written: modes, order, key, and check accepts it.
store_ok() { # store_ok DESC STORE
        local desc=$1 s=$2 want
        want=$(printf '%s\n%s\n%s' "$(fp rem.crt)" "$(fp inter.crt)" "$(fp root.crt)")
        if [ "$(stat -c %a "$s/rem-cert.key")" != 600 ] || [ "$(stat -c %a "$s/rem-cert.crt")" != 644 ]; then
                not_ok "$desc: modes $(stat -c %a "$s/rem-cert.key") $(stat -c %a "$s/rem-cert.crt")"
        elif [ "$(fps "$s/rem-cert.crt")" != "$want" ]; then
                not_ok "$desc: the chain is not leaf, intermediate, root: $(fps "$s/rem-cert.crt")"
        elif ! same_key "$s/rem-cert.key" rem.crt || grep -q ENCRYPTED "$s/rem-cert.key"; then
                not_ok "$desc: the key is not rem's, unencrypted"
        elif ! "$CERTCONFD" check "$s" >check.out 2>&1; then
                not_ok "$desc: certconfd check refuses the store: $(head -c 800 check.out)"
        else
                ok "$desc"
        fi
}

mkroot root
mkinter inter root
mkleaf rem inter "DNS:rem.example.com" 400
mkleaf xcap inter "DNS:xcap.example.com" 400
pw pfx.pw "pfx secret"
pw wrong.pw "not it"

# ---- a .pfx from the CA -----------------------------------------------------------

openssl pkcs12 -export -in rem.crt -inkey rem.key -certfile <(cat root.crt inter.crt) \
        -passout "file:pfx.pw" -out rem.pfx 2>/dev/null
openssl pkcs12 -export -legacy -in rem.crt -inkey rem.key -certfile <(cat inter.crt root.crt) \
        -passout "file:pfx.pw" -out rem-legacy.pfx 2>/dev/null

imp "import of a modern .pfx: written" 0 "store/rem-cert.key (0600) and " \
        --service rem --password-file pfx.pw rem.pfx
store_ok "the store from the modern .pfx: key 0600, chain 0644 leaf first, check accepts it" store
grep -qF "rem.pfx: PKCS#12 (the password from --password-file): 3 certificates (bags" imp.out &&
        ok "import says what the .pfx held" || not_ok "import's description of rem.pfx: $(head -3 imp.out)"

sum=$(cat store/rem-cert.* | sha256sum)
imp "import again without --force: refused (exit 2)" 2 "give --force" \
        --service rem --password-file pfx.pw rem.pfx
[ "$(cat store/rem-cert.* | sha256sum)" = "$sum" ] && ok "... and the store is unchanged" ||
        not_ok "the store changed without --force"

imp "import of a -legacy .pfx (RC2, 3DES) with --force" 0 "through OpenSSL's legacy provider" \
        --service rem --password-file pfx.pw --force rem-legacy.pfx
store_ok "the store from the legacy .pfx" store

# The refusals below go to store2, a real (empty) store: it must stay empty.
mkdir -p store2
OPENSSL_MODULES=/nonexistent-certconf imp "legacy .pfx without the legacy provider: ALGORITHM_UNAVAILABLE" 1 \
        "legacy provider cannot be loaded" --service rem --out store2 --password-file pfx.pw rem-legacy.pfx

imp "a wrong password: exit 1, in certconf's words" 1 \
        "wrong password for rem.pfx (the PKCS#12 MAC does not verify): give the right one with --password-file" \
        --service rem --out store2 --password-file wrong.pw rem.pfx
grep -q "MAC verify error" imp.out && not_ok "OpenSSL's 'MAC verify error' reached the operator" ||
        ok "no 'MAC verify error' in the output"
grep -qF "rem.pfx: PKCS#12 (not opened: the password from --password-file is wrong): 0 certificates" imp.out &&
        ok "... and the file's description says the password is wrong (not 'not protected')" ||
        not_ok "description of rem.pfx with the wrong password: $(head -2 imp.out)"
imp "no password for a protected .pfx: exit 1" 1 "rem.pfx needs a password" --service rem --out store2 rem.pfx
grep -qF "rem.pfx: PKCS#12 (not opened: it needs a password" imp.out &&
        ok "... and the file's description says it needs one" || not_ok "description of rem.pfx without a password: $(head -2 imp.out)"

# The password from a pipe (bash's <(...)) or from standard input.
mkdir -p storeP storeQ
cp store/deployment.yaml storeP/
cp store/deployment.yaml storeQ/
imp "--password-file <(cat pfx.pw): a pipe is read" 0 "rem.pfx: PKCS#12 (the password from --password-file)" \
        --service rem --out storeP --password-file <(cat pfx.pw) rem.pfx
store_ok "... the store from the .pfx opened with a piped password" storeP
imp "--password-file /dev/stdin: standard input is read" 0 "rem.pfx: PKCS#12 (the password from --password-file)" \
        --service rem --out storeQ --password-file /dev/stdin rem.pfx <pfx.pw
insp "inspect --password-file <(cat pfx.pw)" 0 "rem.pfx: PKCS#12 (the password from --password-file): 3 certificates" \
        --password-file <(cat pfx.pw) rem.pfx
imp "--password-file a directory: exit 2, says what to give" 2 \
        "--password-file .: is a directory: give a file whose first line is the password" \
        --service rem --out store2 --password-file . rem.pfx
printf 'pfx secret\0\n' >nul.pw
insp "inspect --password-file with a NUL byte: exit 2, not a shortened password" 2 "holds a NUL byte" \
        --password-file nul.pw rem.pfx

# A .pfx or a DER certificate cut short: said so, by import and inspect.
head -c 1000 rem.pfx >cut.pfx
openssl x509 -in rem.crt -outform DER | head -c 500 >cut.der
insp "inspect of a truncated .pfx: exit 2, 'truncated or damaged: get the file again'" 2 \
        "cut.pfx is truncated or damaged: it looks like a PKCS#12 file of" --password-file pfx.pw cut.pfx
grep -qF "get the file again" insp.out && ! grep -q NOT_PEM insp.out &&
        ok "... not NOT_PEM, not 'provide PEM'" || not_ok "inspect of cut.pfx: $(cat insp.out)"
insp "inspect of a truncated DER certificate: exit 2, truncated" 2 "cut.der is truncated or damaged" cut.der
imp "import of a truncated .pfx: the same words" 1 "cut.pfx is truncated or damaged: it looks like a PKCS#12 file" \
        --service rem --out store2 --password-file pfx.pw cut.pfx
[ -z "$(ls -A store2)" ] && ok "nothing was written to store2 for the refusals" ||
        not_ok "store2 is not empty: $(ls -A store2)"

# A .pfx with an empty password, given no --password-file.
openssl pkcs12 -export -in rem.crt -inkey rem.key -certfile <(cat root.crt inter.crt) -passout pass: \
        -out empty.pfx 2>/dev/null
mkdir -p store3
imp "a .pfx with the empty password, no --password-file" 0 "the empty password" \
        --service rem --out store3 empty.pfx
store_ok "the store from the empty-password .pfx" store3

# ---- a shuffled PEM chain, a DER leaf, an encrypted PKCS#8 key ---------------------

pw key.pw "key secret"
openssl pkcs8 -topk8 -in rem.key -v2 aes-256-cbc -passout "file:key.pw" -out rem-enc.p8 2>/dev/null
openssl x509 -in rem.crt -outform DER -out rem.der
{
        printf 'Your chain, as requested:\r\n'
        sed 's/$/\r/' root.crt | head -c -2 # CR LF, and no line end after the root's END marker
        cat inter.crt
        printf 'Regards, the CA\n'
} >shuffled.pem
grep -qF -- "-----END CERTIFICATE----------BEGIN CERTIFICATE-----" shuffled.pem &&
        grep -qc $'\r' shuffled.pem && ok "shuffled.pem: root first, CR LF, END and BEGIN on one line" ||
        not_ok "shuffled.pem is not as odd as meant"
mkdir -p store4
imp "a shuffled PEM chain (CR LF, text, markers sharing lines) + DER leaf + encrypted PKCS#8" 0 "wrote" \
        --service rem --out store4 --password-file key.pw shuffled.pem rem-enc.p8 rem.der
store_ok "the store from the shuffled chain" store4
grep -qF "layout normalised" imp.out && ok "the PEM layout was normalised (and said so)" ||
        not_ok "no word about the PEM layout: $(head -5 imp.out)"
imp "the encrypted key without --password-file: PASSWORD" 1 "is encrypted: give its password with --password-file" \
        --service rem --out store4 --force shuffled.pem rem-enc.p8 rem.der

# ---- completing, pairing, refusing -------------------------------------------------

mkdir -p store5
cat rem.crt inter.crt >noroot.pem
imp "a chain without its root, --trust root.crt: the root is completed and said so" 0 \
        "was missing: completed from the trust anchors in root.crt" \
        --service rem --out store5 --trust root.crt noroot.pem rem.key
store_ok "the store with the completed root" store5

mkdir -p store6 state/csr
cp store/deployment.yaml store6/
chmod 0700 state/csr
openssl pkcs8 -topk8 -nocrypt -in rem.key -out state/csr/rem.key
chmod 0600 state/csr/rem.key
imp "the key from the CSR key store (state/csr/rem.key)" 0 "state/csr/rem.key (kept there since its certificate request was made)" \
        --service rem --out store6 rem.crt inter.crt root.crt
store_ok "the store with the CSR store's key" store6
rm state/csr/rem.key

imp "a key that matches nothing: KEY_MISMATCH naming it" 1 "private key 0 of xcap.key belongs to no certificate given" \
        --service rem --out store6 --force rem.crt inter.crt root.crt xcap.key
imp "no key anywhere: KEY_MISSING" 1 "no private key for the server certificate" \
        --service rem --out store6 --force rem.crt inter.crt root.crt
imp "two candidate server certificates: LEAF_AMBIGUOUS naming both" 1 "2 certificates could be the server certificate" \
        --service rem --out store6 --force rem.crt xcap.crt inter.crt root.crt
grep -qF "(certificate 0 of xcap.crt)" imp.out && grep -qF "(certificate 0 of rem.crt)" imp.out && ok "... both are named" ||
        not_ok "LEAF_AMBIGUOUS does not name both: $(cat imp.out)"
imp "xcap's files as rem: the check refuses (SAN_NOT_COVERED), nothing written" 1 "SAN_NOT_COVERED" \
        --service rem --out store6 --force xcap.crt inter.crt root.crt xcap.key
[ "$(fps store6/rem-cert.crt | head -1)" = "$(fp rem.crt)" ] && ok "... store6 still holds rem's certificate" ||
        not_ok "store6 was overwritten by a refused import"
# The check's findings name the input, not store6/rem-cert.crt (which holds rem's chain).
grep -qF "SAN_NOT_COVERED  xcap.crt, certificate 0" imp.out &&
        grep -qF "(certificate 0 of the chain import would write to store6/rem-cert.crt)" imp.out &&
        ok "... the finding names xcap.crt, and the file import would write" ||
        not_ok "SAN_NOT_COVERED does not name its input: $(grep -A2 SAN_NOT_COVERED imp.out)"
cat rem.crt inter.crt >expired-test.pem
imp "--now after notAfter: CERT_EXPIRING from the check" 1 "CERT_EXPIRING" \
        --service rem --out store6 --force --now 2099-01-01T00:00:00Z expired-test.pem rem.key

# ---- cross-signed roots (Let's Encrypt's shape), in any order ----------------------

# root-x: the root's subject and key, signed by another root not given.
mkroot rootB "Other Root"
openssl req -new -key root.key -subj "/C=NZ/O=Test CA/CN=root" -out root-x.csr 2>/dev/null
printf '%s\n' "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
        "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" >root-x.ext
openssl x509 -req -in root-x.csr -CA rootB.crt -CAkey rootB.key -CAcreateserial -days 1000 -sha256 \
        -extfile root-x.ext -out root-x.crt 2>/dev/null
n=0
for order in "rem.crt inter.crt root.crt root-x.crt" "rem.crt inter.crt root-x.crt root.crt" \
        "root-x.crt root.crt inter.crt rem.crt" "inter.crt root-x.crt rem.crt root.crt"; do
        n=$((n + 1))
        mkdir -p "xstore$n"
        cp store/deployment.yaml "xstore$n/"
        # shellcheck disable=SC2086 # the order is a list of files
        imp "a cross-signed root, given as $order: written" 0 "wrote" --service rem --out "xstore$n" $order rem.key
        grep -qF "(a cross-certificate?)" imp.out && ok "... the cross-certificate left out, said to be one" ||
                not_ok "cross-certificate, $order: $(grep -A2 CHAIN_UNRELATED imp.out)"
        store_ok "... the chain ends at the self-signed root" "xstore$n"
done
mkdir -p xstore9
cp store/deployment.yaml xstore9/
imp "only the cross-certificate, --trust root.crt: the root comes from the anchors" 0 \
        "completed from the trust anchors in root.crt" --service rem --out xstore9 --trust root.crt \
        root-x.crt rem.crt inter.crt rem.key
grep -qF "warning CHAIN_UNRELATED  root-x.crt" imp.out && ok "... and the cross-certificate is left out (a warning)" ||
        not_ok "root-x.crt with --trust root.crt: $(grep -A2 CHAIN_UNRELATED imp.out)"
store_ok "... the store passes the check" xstore9

# ---- the pair is replaced as one ---------------------------------------------------

# The chain cannot be written (a directory in its place): the previous key
# stays as it was, owner, mode and inode; no temporary file is left.
mkdir -p store7
cp store/deployment.yaml store7/
cp store/rem-cert.key store7/rem-cert.key
chmod 0640 store7/rem-cert.key
# As root, another owner than the importer's (which a rewritten file would get).
[ "$(id -u)" -eq 0 ] && chown 65534:65534 store7/rem-cert.key
mkdir store7/rem-cert.crt
before="$(stat -c '%i %u:%g %a' store7/rem-cert.key) $(sha256sum <store7/rem-cert.key)"
imp "the chain's path is a directory: exit 2, nothing written" 2 "nothing written" \
        --service rem --out store7 --force rem.crt inter.crt root.crt rem.key
after="$(stat -c '%i %u:%g %a' store7/rem-cert.key) $(sha256sum <store7/rem-cert.key)"
[ "$after" = "$before" ] && ok "... the previous key is untouched: inode, owner, mode 0640, contents" ||
        not_ok "the previous key changed: before '$before', after '$after'"
[ "$(ls -A store7 | sort | tr '\n' ' ')" = "deployment.yaml rem-cert.crt rem-cert.key " ] &&
        ok "... and no temporary file or backup is left" || not_ok "store7 holds: $(ls -A store7)"
[ ! -e state/import.journal ] && ok "... nor a journal" || not_ok "state/import.journal was left behind"

# An import killed after it renamed the new pair in (its journal still
# there): the next import puts the previous pair back first.
mkdir -p store8
cp store/deployment.yaml store8/
printf 'previous key\n' >store8/rem-cert.key
printf 'previous chain\n' >store8/rem-cert.crt
chmod 0640 store8/rem-cert.key
ln store8/rem-cert.key store8/.rem-cert.key.certconf-old
ln store8/rem-cert.crt store8/.rem-cert.crt.certconf-old
printf 'new key\n' >store8/new && mv -f store8/new store8/rem-cert.key
printf 'new chain\n' >store8/new && mv -f store8/new store8/rem-cert.crt
abs=$(cd store8 && pwd -P)
printf 'certconf-install-journal 1\n+ %s/rem-cert.key\n+ %s/rem-cert.crt\nend\n' "$abs" "$abs" >state/import.journal
imp "an interrupted import is rolled back by the next one (refused here: no key)" 1 \
        "an earlier import was interrupted; the files it was writing were put back" \
        --service rem --out store8 rem.crt inter.crt root.crt
[ "$(cat store8/rem-cert.key store8/rem-cert.crt)" = "$(printf 'previous key\nprevious chain')" ] &&
        [ "$(stat -c %a store8/rem-cert.key)" = 640 ] && [ ! -e state/import.journal ] &&
        [ ! -e store8/.rem-cert.key.certconf-old ] && ok "... the previous pair is back, mode 0640, the journal gone" ||
        not_ok "after recovery: $(cat store8/rem-cert.key) $(stat -c %a store8/rem-cert.key); $(ls -A state store8)"
imp "and the import then replaces the pair (--force)" 0 "wrote" --service rem --out store8 --force \
        rem.crt inter.crt root.crt rem.key
store_ok "... the store holds the new pair" store8
[ ! -e state/import.journal ] && [ -z "$(find store8 -name '*certconf*')" ] &&
        ok "... no journal, temporary file or backup left" || not_ok "left behind: $(ls -A state store8)"

imp "a missing input: exit 2, named" 2 "nope.pfx does not exist" --service rem --out store6 nope.pfx
imp "no --service: exit 2" 2 "--service NAME is required" rem.pfx
imp "a bad service name: exit 2" 2 "is not a service name" --service ../etc rem.pfx
imp "no store directory: exit 2" 2 "is not a directory" --service rem --out no-such-store rem.crt inter.crt root.crt rem.key
[ "$("$CERTCONFD" --help | grep -c '^import:')" -eq 1 ] && ok "certconfd --help has one 'import:' paragraph" ||
        not_ok "certconfd --help: $("$CERTCONFD" --help | grep -c '^import:') 'import:' paragraphs"
"$CERTCONFD" import --config missing.yaml --service rem rem.pfx >imp.out 2>&1
[ $? -eq 2 ] && grep -qF "missing.yaml" imp.out && ok "--config that does not exist: exit 2, named" ||
        not_ok "--config missing.yaml: $(cat imp.out)"

# ---- inspect reads PKCS#7 and PKCS#12 ----------------------------------------------

insp "inspect of a .pfx: each certificate with its bag, the key" 0 "PKCS#12 bag:" --password-file pfx.pw rem.pfx
grep -qF "belongs to certificate" insp.out && ok "inspect pairs the .pfx's key with its certificate" ||
        not_ok "inspect of rem.pfx: $(cat insp.out)"
insp "inspect of a .pfx, wrong password: exit 2, certconf's words" 2 "wrong password for rem.pfx" \
        --password-file wrong.pw rem.pfx
openssl crl2pkcs7 -nocrl -certfile rem.crt -certfile inter.crt -outform DER -out chain.p7b 2>/dev/null
insp "inspect of a DER .p7b" 0 "chain.p7b: PKCS#7: 2 certificates" chain.p7b
insp "inspect of a DER certificate" 0 "rem.der: DER certificate: 1 certificate" rem.der
insp "inspect of an encrypted PKCS#8 with --password-file" 0 "1 private key (1 decrypted with the password)" \
        --password-file key.pw rem-enc.p8
insp "inspect of PEM keeps its output" 0 "shuffled.pem: 2 certificates, 0 private keys" shuffled.pem

# ---- the cryptography vectors --------------------------------------------------------

# vec PATH: the vector's full path, or a FAIL saying to run make deps.
vec() {
        if [ -f "$VEC/$1" ]; then
                printf '%s' "$VEC/$1"
                return 0
        fi
        not_ok "vector $VEC/$1 is missing: run make deps (Debian package python3-cryptography-vectors)"
        return 1
}

pw cryptography.pw cryptography
pw password.pw password
pw 123456.pw 123456
pw a123456.pw a123456
pw foobar.pw foobar
pw baz.pw baz

# PKCS#12, passwords from pyca/cryptography's tests/hazmat/primitives/test_pkcs12.py.
# Protected with "cryptography": the CA of x509/custom/ca (EC P-256) and its key.
for v in cert-key-aes256cbc cert-none-key-none; do
        p=$(vec "pkcs12/$v.p12") || continue
        insp "vector $v.p12: 1 certificate, 1 key" 0 ": 1 certificate (bag 0), 1 private key (bag 1)" \
                --password-file cryptography.pw "$p"
        insp "vector $v.p12 without a password: PASSWORD" 2 "needs a password (the PKCS#12 MAC does not verify" "$p"
        insp "vector $v.p12, wrong password: PASSWORD" 2 "(the PKCS#12 MAC does not verify): give the right one" \
                --password-file password.pw "$p"
done
if p=$(vec pkcs12/cert-rc2-key-3des.p12); then
        insp "vector cert-rc2-key-3des.p12: RC2 through the legacy provider" 0 \
                "legacy encryption, through OpenSSL's legacy provider; the password from --password-file): 1 certificate" \
                --password-file cryptography.pw "$p"
        OPENSSL_MODULES=/nonexistent-certconf insp "vector cert-rc2-key-3des.p12 without the legacy provider" 2 \
                "pbeWithSHA1And40BitRC2-CBC, a legacy algorithm, and OpenSSL's legacy provider cannot be loaded" \
                --password-file cryptography.pw "$p"
        # A full set (certificate and key) inside its validity: the check refuses a CA as a server certificate.
        mkdir -p vstore
        imp "vector cert-rc2-key-3des.p12 imported at 2020-01-01: the check refuses the CA certificate" 1 \
                "CHAIN_CA_FLAGS" --service rem --out vstore --now 2020-01-01T00:00:00Z \
                --password-file cryptography.pw "$p"
fi
if p=$(vec pkcs12/no-password.p12); then
        insp "vector no-password.p12: no password, legacy RC2" 0 "(legacy encryption, through OpenSSL's legacy provider; no password): 1 certificate" "$p"
fi
if p=$(vec pkcs12/cert-aes256cbc-no-key.p12); then
        insp "vector cert-aes256cbc-no-key.p12: a certificate, no key" 0 ": 1 certificate (bag 0), 0 private keys" \
                --password-file cryptography.pw "$p"
        imp "vector cert-aes256cbc-no-key.p12 imported: KEY_MISSING naming it" 1 \
                "cert-aes256cbc-no-key.p12 is a PKCS#12 file without a private key" \
                --service rem --out vstore --password-file cryptography.pw "$p"
fi
if p=$(vec pkcs12/no-cert-key-aes256cbc.p12); then
        insp "vector no-cert-key-aes256cbc.p12: a key, no certificate" 0 ": 0 certificates, 1 private key (bag 0)" \
                --password-file cryptography.pw "$p"
        imp "vector no-cert-key-aes256cbc.p12 imported: CERT_MISSING naming it" 1 \
                "no-cert-key-aes256cbc.p12 is a PKCS#12 file without a certificate" \
                --service rem --out vstore --password-file cryptography.pw "$p"
fi
# The name-* files: the CA with its key and two more certificates (cryptography.io, Let's Encrypt X3).
for v in no-name name-1 name-2 name-3 name-2-3 name-all name-unicode; do
        p=$(vec "pkcs12/$v-pwd.p12") || continue
        insp "vector $v-pwd.p12 (password 'password'): 3 certificates, 1 key" 0 ": 3 certificates (bags 0, 1, 2), 1 private key (bag 3)" \
                --password-file password.pw "$p"
        p=$(vec "pkcs12/$v-no-pwd.p12") || continue
        insp "vector $v-no-pwd.p12 (no password): 3 certificates, 1 key" 0 "(no password): 3 certificates (bags 0, 1, 2), 1 private key (bag 3)" "$p"
done
for v in no-name name-2 name-3 name-all name-unicode; do
        p=$(vec "pkcs12/no-cert-$v-pwd.p12") || continue
        insp "vector no-cert-$v-pwd.p12: 2 certificates, no key" 0 ": 2 certificates (bags 0, 1), 0 private keys" \
                --password-file password.pw "$p"
        p=$(vec "pkcs12/no-cert-$v-no-pwd.p12") || continue
        insp "vector no-cert-$v-no-pwd.p12: 2 certificates, no key" 0 "(no password): 2 certificates (bags 0, 1), 0 private keys" "$p"
done
if p=$(vec pkcs12/name-all-no-pwd.p12); then
        # The key is the CA's; the server certificate (www.cryptography.io) has none.
        imp "vector name-all-no-pwd.p12 imported: the CA's key is left out, KEY_MISSING" 1 "KEY_MISSING" \
                --service rem --out vstore "$p"
        grep -qF "belongs to 'CN=cryptography CA,C=US'" imp.out && ok "... and the CA's key is named as such" ||
                not_ok "name-all-no-pwd.p12: the CA's key is not reported: $(head -c 1500 imp.out)"
fi

# PKCS#7.
for v in amazon-roots.der amazon-roots.p7b; do
        p=$(vec "pkcs7/$v") || continue
        insp "vector $v: PKCS#7 with 2 certificates (Amazon Root CA 3 and 2)" 0 "$v: PKCS#7: 2 certificates" "$p"
        grep -qF "Amazon Root CA 2" insp.out && ok "... Amazon Root CA 2 among them" || not_ok "$v: $(cat insp.out)"
        imp "vector $v imported: two roots, LEAF_AMBIGUOUS" 1 "2 certificates could be the server certificate" \
                --service rem --out vstore "$p"
done
if p=$(vec pkcs7/isrg.pem); then
        insp "vector isrg.pem: PEM PKCS#7 with ISRG Root X1" 0 "isrg.pem: PEM (PKCS#7): 1 certificate" "$p"
fi
if p=$(vec pkcs7/enveloped.pem); then
        insp "vector enveloped.pem: a PKCS#7 without certificates" 2 "is a PKCS#7 file (pkcs7-envelopedData) without certificates" "$p"
        imp "vector enveloped.pem imported: INPUT_FORMAT" 1 "INPUT_FORMAT" --service rem --out vstore "$p"
fi

# Keys under asymmetric/ (passwords from pyca/cryptography's test_serialization.py).
A=asymmetric
while read -r file pass want; do
        p=$(vec "$A/$file") || continue
        if [ "$pass" = - ]; then
                insp "vector $file: $want" 0 "$want" "$p"
        else
                insp "vector $file (password $pass): $want" 0 "$want" --password-file "$pass.pw" "$p"
        fi
done <<'EOF'
Traditional_OpenSSL_Serialization/key1.pem 123456 1 private key (1 decrypted with the password)
Traditional_OpenSSL_Serialization/key2.pem a123456 1 private key (1 decrypted with the password)
Traditional_OpenSSL_Serialization/testrsa-encrypted.pem password 1 private key (1 decrypted with the password)
PKCS8/enc-rsa-pkcs8.pem foobar 1 private key (1 decrypted with the password)
PKCS8/enc2-rsa-pkcs8.pem baz 1 private key (1 decrypted with the password)
PKCS8/ec_private_key_encrypted.pem 123456 1 private key (1 decrypted with the password)
PEM_Serialization/ec_private_key_encrypted.pem 123456 1 private key (1 decrypted with the password)
PKCS8/pkcs12_s2k_pem-X_9607.pem 123456 1 private key (1 decrypted with the password)
PKCS8/pkcs12_s2k_pem-X_9671.pem 123456 1 private key (1 decrypted with the password)
PKCS8/pkcs12_s2k_pem-X_9925.pem 123456 1 private key (1 decrypted with the password)
PKCS8/pkcs12_s2k_pem-X_9932.pem 123456 1 private key (1 decrypted with the password)
DER_Serialization/enc-rsa-pkcs8.der foobar DER encrypted private key: 0 certificates, 1 private key
DER_Serialization/enc2-rsa-pkcs8.der baz DER encrypted private key: 0 certificates, 1 private key
DER_Serialization/ec_private_key_encrypted.der 123456 DER encrypted private key: 0 certificates, 1 private key
DER_Serialization/unenc-rsa-pkcs8.der - DER private key: 0 certificates, 1 private key
DER_Serialization/testrsa.der - DER private key: 0 certificates, 1 private key
DER_Serialization/ec_private_key.der - DER private key: 0 certificates, 1 private key
Traditional_OpenSSL_Serialization/testrsa.pem - 0 certificates, 1 private key
PKCS8/unenc-rsa-pkcs8.pem - 0 certificates, 1 private key
EOF
while read -r file pass want; do
        p=$(vec "$A/$file") || continue
        insp "vector $file, password $pass: $want" 2 "$want" --password-file "$pass.pw" "$p"
done <<'EOF'
Traditional_OpenSSL_Serialization/testrsa-encrypted.pem foobar wrong password for
PKCS8/enc-rsa-pkcs8.pem baz wrong password for
DER_Serialization/ec_private_key_encrypted.der foobar wrong password for
PKCS8/bad-encryption-oid.pem password encrypted with the unknown algorithm
EOF
if p=$(vec "$A/DER_Serialization/enc-rsa-pkcs8.der"); then
        insp "vector enc-rsa-pkcs8.der without a password: PASSWORD" 2 "is encrypted: give its password with --password-file" "$p"
fi

# PEM oddities under x509/.
if p=$(vec x509/cryptography.io.old_header.pem); then
        insp "vector cryptography.io.old_header.pem: the old X509 CERTIFICATE header" 0 "1 certificate" "$p"
        imp "vector cryptography.io.old_header.pem imported: read, no key (KEY_MISSING)" 1 \
                "cryptography.io.old_header.pem: PEM: 1 certificate" --service rem --out vstore "$p"
        grep -qF KEY_MISSING imp.out && ok "... KEY_MISSING" || not_ok "old_header: $(head -c 800 imp.out)"
fi
if p=$(vec x509/cryptography.io.with_garbage.pem); then
        # Text before the blocks; its two PRIVATE KEY blocks hold a URL, not a key.
        imp "vector cryptography.io.with_garbage.pem: the certificate read, the fake keys KEY_INVALID" 1 \
                "layout normalised (line ends, text around blocks or markers): 1 certificate" \
                --service rem --out vstore "$p"
        grep -qF "private key 0 (PRIVATE KEY) of" imp.out && grep -qF KEY_INVALID imp.out &&
                ok "... KEY_INVALID for the fake key blocks" || not_ok "with_garbage: $(head -c 800 imp.out)"
fi
if p=$(vec x509/e-trust.ru.der); then
        insp "vector e-trust.ru.der: a DER certificate" 0 "e-trust.ru.der: DER certificate: 1 certificate" "$p"
fi
[ ! -e vstore/rem-cert.crt ] && ok "no vector import wrote anything" || not_ok "a vector import wrote vstore/rem-cert.crt"

finish
