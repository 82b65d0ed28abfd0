#!/usr/bin/env bash
# The same upload again changes nothing and restarts nothing: after a good
# upload of REM (PKCS#12, whose bytes differ at each rendering: random salts)
# and XCAP (PEM), copying the same files into the store again, touching
# them, rewriting them in place, removing them, uploading them again after
# the removal, and restarting the agent: no target rewritten (inode, mtime,
# bytes), no second installed, upload-accepted or unit-signalled entry, the
# unit not restarted. Then a new XCAP upload is installed at once and
# restarts the unit once (so the checks above can fail), leaving REM alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"

UNIT=tls.service
XPORT=8444
STARTS=$WORK/tls.starts
TG=$AGENT_TARGETS
PASS_FILE=$AGENT_DIR/rem.pass
TARGETS=("$TG/rem.p12" "$TG/xcap-chain.pem" "$TG/xcap.key" "$AGENT_STATE/installed"
        "$AGENT_STATE/material/rem.crt" "$AGENT_STATE/material/xcap.key")

agent_deployment || fatal "deployment.yaml"
agent_config <<EOF || fatal "agent_config"
services:
  rem:
    units: [ $UNIT ]
    action: restart
    targets:
      - format: pkcs12
        path: targets/rem.p12
        password_file: rem.pass
  xcap:
    units: [ $UNIT ]
    action: restart
    targets:
      - format: pem-chain
        path: targets/xcap-chain.pem
      - format: pem-key
        path: targets/xcap.key
EOF
echo 'same upload pass' >"$PASS_FILE" && chmod 0600 "$PASS_FILE" && give_user "$PASS_FILE"
agent_unit_install || fatal "agent_unit_install"
tls_unit "$UNIT" "$STARTS" "$XPORT" "$TG/xcap-chain.pem" "$TG/xcap.key" || fatal "tls_unit"

p=$WORK/pki
make_ca "$p" || fatal "make_ca"
make_leaf "$p" rem "DNS:$AGENT_REM_HOST,IP:$AGENT_REM_IP" && make_upload "$p" rem || fatal "rem"
make_leaf "$p" xcap "DNS:$AGENT_XCAP_HOST" && make_upload "$p" xcap || fatal "xcap"
make_leaf "$p" xcap2 "DNS:$AGENT_XCAP_HOST" && make_upload "$p" xcap2 || fatal "xcap2"

check "the agent starts (READY=1)" agent_start
check "the unit is started on the self-signed certificates" agent_wait unit-signalled UNIT="$UNIT" 60

# ---- the first upload ------------------------------------------------------------------
agent_mark
upload_both() {
        agent_upload rem "$p/rem-cert.crt" "$p/rem-cert.key" &&
                agent_upload xcap "$p/xcap-cert.crt" "$p/xcap-cert.key"
}
upload_both || fatal "upload"
check "the upload restarts the unit" agent_wait unit-signalled UNIT="$UNIT" 60
check "both are installed" wait_until 10 test "$(agent_count installed)" -ge 2
check_eq "the unit has started twice (self-signed, upload)" 2 "$(unit_starts "$STARTS")"
check_eq "XCAP's chain file is the upload" "$(cert_fp "$p/xcap.crt")" "$(cert_fp "$TG/xcap-chain.pem")"
ids() { for f in "${TARGETS[@]}"; do file_id "$f"; done; }
IDS0=$(ids)
TS0=$(unit_started "$UNIT")
sleep 1.1 # a rewrite would now show in the mtime even on a coarse clock

# nothing_happened LABEL: after the store settled, nothing was installed or
# restarted since the mark.
nothing_happened() {
        local label=$1 e
        agent_quiet 1000
        e=$(agent_events "" | jq -r '.CERTCONF_EVENT // "-"')
        check_eq "$label: no installed, upload-accepted or unit-signalled entry" "0 0 0" \
                "$(grep -cx installed <<<"$e") $(grep -cx upload-accepted <<<"$e") $(grep -cx unit-signalled <<<"$e")"
        check_eq "$label: no rejection, self-signed or error entry" "0 0 0" \
                "$(grep -cx upload-rejected <<<"$e") $(grep -cx self-signed <<<"$e") $(grep -cx error <<<"$e")"
        check_eq "$label: no target or state file rewritten" "$IDS0" "$(ids)"
        check_eq "$label: the unit not restarted (ExecMainStartTimestamp)" "$TS0" "$(unit_started "$UNIT")"
        check_eq "$label: the unit not restarted (start count)" 2 "$(unit_starts "$STARTS")"
        if grep -qx upload-seen <<<"$e"; then
                echo "note: $label: the agent logged upload-seen"
        fi
}

agent_mark
upload_both || fatal "upload again"
nothing_happened "the same files copied again"

agent_mark
touch "$AGENT_STORE"/*-cert.*
nothing_happened "the same files touched"

agent_mark
for f in "$AGENT_STORE"/*-cert.*; do
        data=$(cat "$f") && printf '%s\n' "$data" >"$f"
done
nothing_happened "the same files rewritten in place"

agent_mark
agent_store_clear
nothing_happened "the files removed from the store (the installed ones stay)"
check_eq "status: REM and XCAP still the upload" "uploaded uploaded" \
        "$(agent_status_json | jq -r '[.services[].source] | join(" ")')"

agent_mark
upload_both || fatal "upload after removal"
nothing_happened "the same files uploaded again after their removal"

agent_mark
check "the agent restarts" agent_restart
nothing_happened "the agent restarted on the same store"

# ---- a new XCAP upload: installed at once, one restart, REM untouched --------------------
rem_id=$(file_id "$TG/rem.p12")
agent_mark
agent_upload xcap "$p/xcap2-cert.crt" "$p/xcap2-cert.key" || fatal "xcap2 upload"
check "a new XCAP upload is installed" agent_wait installed CERTCONF_SERVICE=xcap 30
check "the unit is signalled" agent_wait unit-signalled UNIT="$UNIT" 30
agent_quiet 500
check_eq "one installed entry (XCAP), one unit-signalled entry" "1 1" \
        "$(agent_count installed) $(agent_count unit-signalled)"
check_eq "the unit restarted once" 3 "$(unit_starts "$STARTS")"
check_eq "REM's keystore is not rewritten" "$rem_id" "$(file_id "$TG/rem.p12")"
check "XCAP serves the new certificate" tls_probe 127.0.0.1 "$XPORT" "$p/ca.crt" "$AGENT_XCAP_HOST"
check_eq "its leaf" "$(cert_fp "$p/xcap2.crt")" "$TLS_FP"

check "the agent stops cleanly" agent_stop
check "no sanitizer report on the agent's stderr" agent_sanitizer_clean
