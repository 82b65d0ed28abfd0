# Shared helpers for the CLI tests: make certificates the way an operator
# does, with the openssl command line, and assert on certconfd's answers.
# Sourced by tests/cli/test-*.sh. Needs $CERTCONFD (set by tests/run-all.sh).

set -uo pipefail

: "${CERTCONFD:?set CERTCONFD to the certconfd binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/certconf-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }

finish() {
        echo "cli: $PASS passed, $FAIL failed"
        [ "$FAIL" -eq 0 ]
}

# ---- making certificates as an operator would ---------------------------

# mkroot NAME [CN] — self-signed root CA (openssl req -x509 gives CA:TRUE).
mkroot() {
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" -days 3650 \
                -subj "/C=NZ/O=Test CA/CN=${2:-$1}" \
                -addext "basicConstraints=critical,CA:TRUE" \
                -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# mkinter NAME ISSUER [extra extension lines...] — an intermediate CA.
mkinter() {
        local name=$1 issuer=$2
        shift 2
        openssl req -new -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" \
                -subj "/C=NZ/O=Test CA/CN=$name" 2>/dev/null
        {
                echo "basicConstraints=critical,CA:TRUE"
                echo "keyUsage=critical,keyCertSign,cRLSign"
                echo "subjectKeyIdentifier=hash"
                echo "authorityKeyIdentifier=keyid:always"
                for l in "$@"; do echo "$l"; done
        } >"$name.ext"
        openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" \
                -CAcreateserial -days 1825 -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
}

# mkleaf NAME ISSUER SAN [days] [keyspec] [digest] [extra extension lines...]
# SAN like "DNS:rem.example.com,IP:192.0.2.10" or "" for none.
mkleaf() {
        local name=$1 issuer=$2 san=$3 days=${4:-365} keyspec=${5:-rsa:2048} md=${6:-sha256}
        shift 6 2>/dev/null || shift $#
        openssl req -new -newkey "$keyspec" -nodes -keyout "$name.key" -out "$name.csr" \
                -subj "/C=NZ/O=SomeTelco/OU=SomeCity Network Operations Center/CN=$name" 2>/dev/null
        {
                echo "basicConstraints=critical,CA:FALSE"
                echo "keyUsage=critical,digitalSignature,keyEncipherment"
                echo "extendedKeyUsage=serverAuth"
                echo "subjectKeyIdentifier=hash"
                echo "authorityKeyIdentifier=keyid:always"
                [ -n "$san" ] && echo "subjectAltName=$san"
                for l in "$@"; do echo "$l"; done
        } >"$name.ext"
        openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" \
                -CAcreateserial -days "$days" "-$md" -extfile "$name.ext" -out "$name.crt" 2>/dev/null
}

# ---- assertions ------------------------------------------------------------

# run_check ARGS... — runs certconfd check --json, keeps stdout in $OUT, exit in $RC.
run_check() {
        OUT=$("$CERTCONFD" check --json "$@" 2>"$T/stderr")
        RC=$?
}

codes() {
        printf '%s' "$OUT" | jq -r '[.findings[]?, (.services[]?.findings[]?)] | .[] | .code' 2>/dev/null | sort -u | tr '\n' ' '
}

# expect DESCRIPTION EXIT CODE|- [ARGS...]: the exit status and (unless "-")
# that CODE is among the findings.
expect() {
        local desc=$1 want_rc=$2 code=$3
        shift 3
        run_check "$@"
        if [ "$RC" -ne "$want_rc" ]; then
                not_ok "$desc: exit $RC, wanted $want_rc (codes: $(codes)) $(head -c 300 "$T/stderr")"
                return
        fi
        if [ "$code" != "-" ] && ! printf '%s' "$OUT" | jq -e --arg c "$code" \
                '[.findings[]?, (.services[]?.findings[]?)] | any(.code == $c)' >/dev/null 2>&1; then
                not_ok "$desc: no $code finding (codes: $(codes))"
                return
        fi
        ok "$desc${code:+ -> $code}"
}

# expect_not DESCRIPTION CODE ARGS...: CODE is not among the findings.
expect_not() {
        local desc=$1 code=$2
        shift 2
        run_check "$@"
        if [ "$RC" -ge 2 ]; then
                not_ok "$desc: exit $RC $(head -c 300 "$T/stderr")"
        elif printf '%s' "$OUT" | jq -e --arg c "$code" \
                '[.findings[]?, (.services[]?.findings[]?)] | any(.code == $c)' >/dev/null 2>&1; then
                not_ok "$desc: unexpected $code (codes: $(codes))"
        else
                ok "$desc (no $code)"
        fi
}

# expect_field DESCRIPTION CODE JQ_FIELD SUBSTRING ARGS...: the first CODE finding's field contains SUBSTRING.
expect_field() {
        local desc=$1 code=$2 field=$3 sub=$4
        shift 4
        run_check "$@"
        local v
        v=$(printf '%s' "$OUT" | jq -r --arg c "$code" \
                "[.findings[]?, (.services[]?.findings[]?)] | map(select(.code == \$c)) | .[0].$field // empty" 2>/dev/null)
        case "$v" in
        *"$sub"*) ok "$desc" ;;
        *) not_ok "$desc: $code $field is '$v', wanted it to contain '$sub'" ;;
        esac
}
