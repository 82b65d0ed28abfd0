#!/usr/bin/env bash
# Every rejection case of the checks, arriving as an upload to a running
# agent (one agent, one TLS unit serving REM and XCAP from PEM files, uploads
# one after the other, the store cleared between them). For each: a finding
# entry with its CERTCONF_CODE, an upload-rejected entry for the service, no
# target file rewritten, the unit not restarted (ExecMainStartTimestamp and
# its start count unchanged), no installed or unit-signalled entry. At the
# end a good upload is installed and restarts the unit once, so the "not
# restarted" checks can fail.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"
CASE_T0=$(now_ms)

UNIT=tls.service
RPORT=8443
XPORT=8444
STARTS=$WORK/tls.starts
TG=$AGENT_TARGETS
TARGETS=("$TG/rem/rem-chain.pem" "$TG/rem/rem.key" "$TG/xcap/xcap-chain.pem" "$TG/xcap/xcap.key")

agent_deployment || fatal "deployment.yaml"
mkdir -p "$TG/rem" "$TG/xcap" && give_user "$TG"
agent_config <<EOF || fatal "agent_config"
services:
  rem:
    units: [ $UNIT ]
    action: restart
    targets:
      - format: pem-chain
        path: targets/rem/rem-chain.pem
      - format: pem-key
        path: targets/rem/rem.key
  xcap:
    units: [ $UNIT ]
    action: restart
    targets:
      - format: pem-chain
        path: targets/xcap/xcap-chain.pem
      - format: pem-key
        path: targets/xcap/xcap.key
EOF
agent_unit_install || fatal "agent_unit_install"
tls_unit "$UNIT" "$STARTS" "$RPORT" "$TG/rem/rem-chain.pem" "$TG/rem/rem.key" \
        "$XPORT" "$TG/xcap/xcap-chain.pem" "$TG/xcap/xcap.key" || fatal "tls_unit"

# ---- the uploads, made as an operator makes them -----------------------------------
p=$WORK/pki
make_ca "$p" && make_inter "$p" inter || fatal "make_ca"
make_leaf "$p" rem "DNS:$AGENT_REM_HOST,IP:$AGENT_REM_IP" inter && make_upload "$p" rem || fatal "rem"
make_leaf "$p" xcap "DNS:$AGENT_XCAP_HOST" inter && make_upload "$p" xcap || fatal "xcap"
make_leaf "$p" soon "DNS:$AGENT_REM_HOST,IP:$AGENT_REM_IP" inter 10 || fatal "soon"
make_leaf "$p" nosan "" inter || fatal "nosan"
make_leaf "$p" other "DNS:other.test.example,IP:$AGENT_REM_IP" inter || fatal "other"
make_leaf "$p" xbad "DNS:$AGENT_XCAP_HOST,DNS:www.test.example" inter || fatal "xbad"
# An expired certificate: `openssl ca` sets dates in the past.
mkdir -p "$p/newcerts" && : >"$p/index.txt" && echo 1000 >"$p/serial"
cat >"$p/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $p
database = $p/index.txt
new_certs_dir = $p/newcerts
serial = $p/serial
default_md = sha256
policy = policy_any
unique_subject = no
[ policy_any ]
countryName = optional
organizationName = optional
commonName = supplied
EOF
openssl ca -batch -config "$p/ca.cnf" -cert "$p/inter.crt" -keyfile "$p/inter.key" -in "$p/rem.csr" \
        -out "$p/expired.crt" -startdate 20200101000000Z -enddate 20200301000000Z -extfile "$p/rem.ext" \
        -notext -preserveDN >/dev/null 2>&1 || fatal "openssl ca (expired)"
chain_of() { cat "$1" "$p/inter.crt" "$p/ca.crt"; }
chain_of "$p/soon.crt" >"$p/soon-cert.crt"
chain_of "$p/nosan.crt" >"$p/nosan-cert.crt"
chain_of "$p/other.crt" >"$p/other-cert.crt"
chain_of "$p/xbad.crt" >"$p/xbad-cert.crt"
chain_of "$p/expired.crt" >"$p/expired-cert.crt"
cat "$p/rem.crt" "$p/ca.crt" "$p/inter.crt" >"$p/order-cert.crt"
cat "$p/rem.crt" "$p/inter.crt" >"$p/noroot-cert.crt"
openssl x509 -in "$p/rem.crt" -outform DER -out "$p/rem.der" || fatal "DER"
openssl pkey -in "$p/rem.key" -aes256 -passout pass:secret -out "$p/rem-enc.key" || fatal "encrypted key"
{ cat "$p/rem-cert.crt"; yes 'padding padding padding padding padding padding padding' | head -c 1200000; } \
        >"$p/big-cert.crt"
give_user "$p"
check "the good REM pair passes certconfd check" "$CERTCONFD" check --service rem \
        --deployment "$AGENT_STORE/deployment.yaml" "$p/rem-cert.crt" "$p/rem-cert.key"
check "the good XCAP pair passes certconfd check" "$CERTCONFD" check --service xcap \
        --deployment "$AGENT_STORE/deployment.yaml" "$p/xcap-cert.crt" "$p/xcap-cert.key"

# ---- the agent and the unit on the self-signed certificates ------------------------------
timing "setup" "$(($(now_ms) - CASE_T0))"
check "the agent starts (READY=1)" agent_start
check "the TLS unit is started on the self-signed certificates" agent_wait unit-signalled UNIT="$UNIT" 60
check_eq "started once" 1 "$(unit_starts "$STARTS")"
ids() { for f in "${TARGETS[@]}"; do file_id "$f"; done; }
IDS0=$(ids)
TS0=$(unit_started "$UNIT")
AGENT_MARK=
PHASE_MARK=
agent_mark
PHASE_MARK=$AGENT_MARK

# up SVC CHAIN KEY: a pair into the store (KEY may be "").
up() { agent_upload "$@"; }

# rejected NAME CODE SERVICES SETUP...: clears the store, runs SETUP (which
# fills it), then checks the rejection. SERVICES is SVC (the finding and the
# upload-rejected entry are SVC's) or FSVC:SVC (the finding is FSVC's, or
# the store's as a whole for "store"; SVC's upload is rejected with it).
rejected() {
        local name=$1 code=$2 svc=$3 fsvc e t0
        shift 3
        fsvc=${svc%%:*} svc=${svc#*:}
        [ "$fsvc" = store ] && fsvc=
        agent_mark
        agent_store_clear
        t0=$(now_ms)
        "$@" || { not_ok "$name: cannot make the upload"; return; }
        e=$(agent_wait upload-rejected CERTCONF_SERVICE="$svc")
        # The finding: a "finding" entry, or "file-refused" for a store file
        # the agent would not read (a link, a device, too large).
        local f=(CERTCONF_CODE="$code")
        [ -n "$fsvc" ] && f+=(CERTCONF_SERVICE="$fsvc")
        check_match "$name: a finding (or file-refused) entry with CERTCONF_CODE=$code" '^(finding|file-refused)$' \
                "$(agent_events "" "${f[@]}" | jq -r '.CERTCONF_EVENT // "-"')"
        timing "reject-$code" "$(($(now_ms) - t0))"
        check_eq "$name: one upload-rejected entry for $svc" 1 "$(printf '%s' "$e" | grep -c .)"
        check_eq "$name: upload-rejected has its MESSAGE_ID and priority err" \
                "fbc1b64360b64dd893665860bf2a80b5 3" "$(journal_field "$e" MESSAGE_ID) $(journal_field "$e" PRIORITY)"
        if [ -n "$fsvc" ] && [ "$svc" = "$fsvc" ]; then
                check_eq "$name: upload-rejected carries CERTCONF_CODE=$code" "$code" "$(journal_field "$e" CERTCONF_CODE)"
        fi
        sleep 0.3 # an install would follow the rejection entry at once
        check_eq "$name: no target rewritten" "$IDS0" "$(ids)"
        check_eq "$name: the unit not restarted (ExecMainStartTimestamp)" "$TS0" "$(unit_started "$UNIT")"
        e=$(agent_events "" | jq -r '.CERTCONF_EVENT // "-"')
        check_eq "$name: no installed, unit-signalled or accepted entry" "0 0 0" \
                "$(grep -cx installed <<<"$e") $(grep -cx unit-signalled <<<"$e") $(grep -cx upload-accepted <<<"$e")"
}

rejected "not PEM (DER)" NOT_PEM rem up rem "$p/rem.der" "$p/rem-cert.key"
rejected "key of another certificate" KEY_MISMATCH rem up rem "$p/rem-cert.crt" "$p/xcap-cert.key"
rejected "chain in the wrong order" CHAIN_ORDER rem up rem "$p/order-cert.crt" "$p/rem-cert.key"
rejected "chain without its root" CHAIN_INCOMPLETE rem up rem "$p/noroot-cert.crt" "$p/rem-cert.key"
rejected "expired" CERT_EXPIRING rem up rem "$p/expired-cert.crt" "$p/rem-cert.key"
rejected "expires in 10 days (< min_valid_days 30)" CERT_EXPIRING rem up rem "$p/soon-cert.crt" "$p/soon.key"
rejected "no subjectAltName" SAN_MISSING rem up rem "$p/nosan-cert.crt" "$p/nosan.key"
rejected "the deployment's name not covered" SAN_NOT_COVERED rem up rem "$p/other-cert.crt" "$p/other.key"
rejected "an XCAP name not starting with xcap." XCAP_NAME xcap up xcap "$p/xbad-cert.crt" "$p/xbad.key"
sed 's/$/\r/' "$p/rem-cert.crt" >"$p/crlf-cert.crt" # PEM_LAYOUT, a warning, comes first
rejected "CRLF line ends (a warning) and a key of another certificate" KEY_MISMATCH rem \
        up rem "$p/crlf-cert.crt" "$p/xcap-cert.key"
rejected "only the .crt of the pair" PAIR_INCOMPLETE rem up rem "$p/rem-cert.crt" ""
only_key() { install -o "$TEST_UID" -g "$TEST_GID" -m 0600 "$p/rem-cert.key" "$AGENT_STORE/rem-cert.key"; }
rejected "only the .key of the pair" PAIR_INCOMPLETE rem only_key
rejected "an encrypted key" KEY_ENCRYPTED rem up rem "$p/rem-cert.crt" "$p/rem-enc.key"
rejected "over the size limit" FILE_TOO_LARGE rem up rem "$p/big-cert.crt" "$p/rem-cert.key"

outside_id=$(file_id "$p/rem-cert.crt")
link_out() {
        ln -s "$p/rem-cert.crt" "$AGENT_STORE/rem-cert.crt" &&
                install -o "$TEST_UID" -g "$TEST_GID" -m 0600 "$p/rem-cert.key" "$AGENT_STORE/rem-cert.key"
}
rejected "a symlink out of the store" FILE_UNREADABLE rem link_out
check_eq "the link's target outside the store is untouched" "$outside_id" "$(file_id "$p/rem-cert.crt")"
check_match "the finding names the link" "rem-cert.crt" \
        "$(agent_events "" CERTCONF_CODE=FILE_UNREADABLE CERTCONF_SERVICE=rem | jq -r '.CERTCONF_FILE // .MESSAGE')"
dir_crt() {
        mkdir "$AGENT_STORE/rem-cert.crt" &&
                install -o "$TEST_UID" -g "$TEST_GID" -m 0600 "$p/rem-cert.key" "$AGENT_STORE/rem-cert.key"
}
rejected "a directory where the .crt should be" FILE_UNREADABLE rem dir_crt
fifo_crt() {
        mkfifo "$AGENT_STORE/rem-cert.crt" &&
                install -o "$TEST_UID" -g "$TEST_GID" -m 0600 "$p/rem-cert.key" "$AGENT_STORE/rem-cert.key"
}
rejected "a FIFO where the .crt should be (never blocks the agent)" FILE_UNREADABLE rem fifo_crt

# Store-wide errors and a second service with errors reject the good part too.
misnamed() {
        install -o "$TEST_UID" -g "$TEST_GID" -m 0644 "$p/rem-cert.crt" "$AGENT_STORE/REM-cert.crt" &&
                install -o "$TEST_UID" -g "$TEST_GID" -m 0600 "$p/rem-cert.key" "$AGENT_STORE/REM-cert.key" &&
                up xcap "$p/xcap-cert.crt" "$p/xcap-cert.key"
}
rejected "a misnamed pair (REM-cert.crt) beside a good XCAP pair" FILE_IGNORED store:xcap misnamed
check_match "the finding names REM-cert.crt and the name meant" "rem-cert\.crt" \
        "$(agent_events finding CERTCONF_CODE=FILE_IGNORED | jq -r .MESSAGE)"
two() { up rem "$p/rem-cert.crt" "$p/xcap-cert.key" && up xcap "$p/xcap-cert.crt" "$p/xcap-cert.key"; }
rejected "a good XCAP pair with a bad REM pair (all or nothing)" KEY_MISMATCH rem:xcap two
e=$(agent_events upload-rejected CERTCONF_SERVICE=xcap)
check_match "XCAP's rejection says another part of the upload has errors" "another part of the upload" \
        "$(journal_field "$e" MESSAGE)"
check_eq "... and REM's rejection is there too" 1 "$(agent_count upload-rejected CERTCONF_SERVICE=rem)"
st=$(agent_status_json)
check_eq "status: the last upload was rejected" rejected "$(jq -r .last_upload.result <<<"$st")"
check_eq "status: both services still on their self-signed certificates" "self-signed self-signed" \
        "$(jq -r '[.services[].source] | join(" ")' <<<"$st")"

timing "rejections" "$(($(now_ms) - CASE_T0))"
# ---- the whole phase, and a good upload at the end ----------------------------------------
AGENT_MARK=$PHASE_MARK
check_eq "during all the rejections: no installed, unit-signalled or unit-failed entry" "0 0 0" \
        "$(agent_count installed) $(agent_count unit-signalled) $(agent_count unit-failed)"
check_eq "... and no error entry" 0 "$(agent_count error)"
check_eq "the unit started only once (on the self-signed certificates)" 1 "$(unit_starts "$STARTS")"
check_eq "the agent still runs" active "$(unit_prop "$AGENT_UNIT" ActiveState)"

agent_mark
agent_store_clear
up xcap "$p/xcap-cert.crt" "$p/xcap-cert.key"
check "the good XCAP pair alone is installed" agent_wait installed CERTCONF_SERVICE=xcap 30
check "the unit is signalled" agent_wait unit-signalled UNIT="$UNIT" 30
check_eq "and restarted once" 2 "$(unit_starts "$STARTS")"
check_ne "ExecMainStartTimestamp changed" "$TS0" "$(unit_started "$UNIT")"
check_eq "the XCAP chain file holds the upload" "$(cert_fp "$p/xcap.crt")" "$(cert_fp "$TG/xcap/xcap-chain.pem")"
check "XCAP serves it" tls_probe 127.0.0.1 "$XPORT" "$p/ca.crt" "$AGENT_XCAP_HOST"

check "the agent stops cleanly" agent_stop
check "no sanitizer report on the agent's stderr" agent_sanitizer_clean
