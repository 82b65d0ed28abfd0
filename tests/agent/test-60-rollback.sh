#!/usr/bin/env bash
# A unit that fails to start with a new certificate: the agent's check
# accepts the upload (its chain ends at a trust anchor of the agent), but the
# XCAP unit only trusts the operator's CA and refuses a certificate from
# another one in its ExecStartPre=. With action restart the agent installs,
# the restart job fails, the agent puts the previous files back (byte for
# byte), restarts again and the unit serves the old leaf; the journal says
# unit-failed (UNIT=) and rolled-back. The failed upload is not tried again
# (touched, or after an agent restart); a good upload afterwards is installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib-failures.sh"

pki=$WORK/pki
make_ca "$pki" ca && make_ca "$pki" other-ca || fatal "make_ca"
make_leaf "$pki" old "DNS:xcap.test.example" ca && # in service at first
        make_leaf "$pki" foreign "DNS:xcap.test.example" other-ca && # the unit refuses it
        make_leaf "$pki" new "DNS:xcap.test.example" ca || # good, comes last
        fatal "make_leaf"

store=$WORK/store state=$WORK/state tgt=$WORK/targets
mkdir -p "$store" "$tgt/xcap" && give_user "$store" "$tgt" || fatal "mkdir"

# The unit: the s_server of lib.sh, plus a check that the installed leaf is
# issued by the one CA it trusts.
cat >"$WORK/trusts-ca.sh" <<'EOF'
#!/bin/sh
# trusts-ca.sh CAFILE SNAPSHOT_DIR: the snapshot's leaf chains up to CAFILE.
set -u
ca=$1 dir=$2
set -- -CAfile "$ca"
[ -s "$dir/chain.pem" ] && set -- "$@" -untrusted "$dir/chain.pem"
openssl verify "$@" "$dir/leaf.pem" >/dev/null 2>&1 && exit 0
echo "xcap: refusing $(openssl x509 -in "$dir/leaf.pem" -noout -issuer): not issued by the CA this service trusts" >&2
exit 1
EOF
chmod 0755 "$WORK/trusts-ca.sh" && give_user "$WORK/trusts-ca.sh"
user_unit_install xcap.service "[Unit]
Description=XCAP stand-in: openssl s_server trusting one CA

[Service]
Type=simple
RuntimeDirectory=%N
RuntimeDirectoryMode=0700
ExecStartPre=$AGENT_BIN/sserver check $tgt/xcap/xcap-chain.pem $tgt/xcap/xcap.key %t/%N
ExecStartPre=$WORK/trusts-ca.sh $pki/ca.crt %t/%N
ExecStart=$AGENT_BIN/sserver serve 8444 %t/%N
ExecStartPost=$AGENT_BIN/wait-tls 127.0.0.1 8444 30
TimeoutStartSec=60" || fatal "xcap.service"

cat >"$WORK/certconf.yaml" <<EOF
store_dir: store
state_dir: state
settle_ms: 300
unit_timeout_s: 30
trust: [ pki/ca.crt, pki/other-ca.crt ]
services:
  xcap:
    action: restart
    units: [ xcap.service ]
    targets:
      - format: pem-chain
        path: targets/xcap/xcap-chain.pem
      - format: pem-key
        path: targets/xcap/xcap.key
EOF
give_user "$WORK/certconf.yaml"
af_agent_unit "$WORK/certconf.yaml" || fatal "agent unit"

# ---- the old certificate in service -------------------------------------------
af_upload "$store" xcap "$pki/old-chain.pem" "$pki/old.key" || fatal "upload old"
t0=$(now_ms)
check "the agent starts (READY=1 after its first reconcile)" af_agent_start
timing "agent-start-first-install" $(($(now_ms) - t0))
check "the first upload is installed" af_wait_event installed CERTCONF_SERVICE=xcap
check "and the restart started xcap" wait_active xcap.service
check "xcap serves the old certificate" tls_probe 127.0.0.1 8444 "$pki/ca.crt" xcap.test.example
old_fp=$(cert_fp "$pki/old.crt")
check_eq "its leaf is the old one" "$old_fp" "$TLS_FP"
before=$(af_snapshot "$tgt" "$state/material")
ts_before=$(unit_prop xcap.service ExecMainStartTimestampMonotonic)

# ---- the upload the unit refuses -------------------------------------------------
t0=$(now_ms)
af_upload "$store" xcap "$pki/foreign-chain.pem" "$pki/foreign.key" || fatal "upload foreign"
check "the agent accepts the foreign-CA upload (its check trusts that CA)" \
        af_wait_event upload-accepted CERTCONF_SERVICE=xcap
rb=$(af_wait_event rolled-back 60)
check_ne "the agent rolls back" "" "$rb"
timing "upload-to-rolled-back" $(($(now_ms) - t0))
check_eq "the rolled-back entry is an error, not critical (the unit works again)" 3 \
        "$(journal_field "$rb" PRIORITY)"
failed=$(af_events unit-failed UNIT=xcap.service)
check_match "a unit-failed entry names the unit and the failed job" \
        '"UNIT":"xcap.service".*job failed|job failed.*"UNIT":"xcap.service"' "$failed"
check_match "the unit's own log says why it refused" "not issued by the CA this service trusts" \
        "$(journal_messages_wait "not issued by the CA this service trusts" SYSLOG_IDENTIFIER=trusts-ca.sh)"
check_match "a unit-failed entry says the previous certificates are restored" \
        "restoring the previous ones" "$(af_events unit-failed | jq -r .MESSAGE)"
check_eq "the previous files are back, byte for byte (targets and the agent's copy)" \
        "$before" "$(af_snapshot "$tgt" "$state/material")"
check_eq "no temp or backup file is left" "" "$(af_leftovers "$tgt" "$state")"
check_eq "no install journal is left" "" "$(ls "$state/install.journal" 2>/dev/null)"
check "xcap is active again" wait_active xcap.service
check_ne "it was restarted (again)" "$ts_before" "$(unit_prop xcap.service ExecMainStartTimestampMonotonic)"
check "it serves" tls_probe 127.0.0.1 8444 "$pki/ca.crt" xcap.test.example
check_eq "the old leaf" "$old_fp" "$TLS_FP"
check_eq "one installed entry so far (the first upload)" 1 "$(af_count installed CERTCONF_SERVICE=xcap)"
st=$(af_certconfd status --config "$WORK/certconf.yaml" --json 2>&1)
check_eq "status shows the old certificate" "$old_fp" \
        "$(printf '%s' "$st" | jq -r '.services[] | select(.service == "xcap") | .sha256' 2>/dev/null)"
check_eq "status says an upload failed" true \
        "$(printf '%s' "$st" | jq -r '.services[] | select(.service == "xcap") | .failed_upload' 2>/dev/null)"

# ---- the same upload again: not retried --------------------------------------
ts_rb=$(unit_prop xcap.service ExecMainStartTimestampMonotonic)
n_signalled=$(af_count unit-signalled)
n_failed=$(af_count unit-failed)
not_retried() { af_events upload-rejected CERTCONF_SERVICE=xcap | grep -c "not tried again"; }
more_not_retried() { [ "$(not_retried)" -gt "$1" ]; }
n_not_retried=$(not_retried)
touch "$store/xcap-cert.crt" "$store/xcap-cert.key"
check "touching it: the agent says it is not tried again" wait_until 10 more_not_retried "$n_not_retried"
sleep 1 # anything else the reconcile would do
check_eq "touching the failed upload restarts nothing" "$ts_rb" \
        "$(unit_prop xcap.service ExecMainStartTimestampMonotonic)"
check_eq "no unit is signalled" "$n_signalled" "$(af_count unit-signalled)"
check_eq "no new unit failure" "$n_failed" "$(af_count unit-failed)"
check_eq "the files are still the old ones" "$before" "$(af_snapshot "$tgt" "$state/material")"

check "the agent stops" af_agent_stop
n_not_retried=$(not_retried)
check "and starts again" af_agent_start
check "it says the failed upload is not tried again" wait_until 10 more_not_retried "$n_not_retried"
sleep 1
check_eq "after an agent restart the failed upload is still not tried" "$ts_rb" \
        "$(unit_prop xcap.service ExecMainStartTimestampMonotonic)"
check_eq "the files are still the old ones" "$before" "$(af_snapshot "$tgt" "$state/material")"

# ---- a good upload afterwards ------------------------------------------------------
n_inst=$(af_count installed CERTCONF_SERVICE=xcap)
t0=$(now_ms)
af_upload "$store" xcap "$pki/new-chain.pem" "$pki/new.key" || fatal "upload new"
check "a new good upload is installed" af_wait_count $((n_inst + 1)) installed CERTCONF_SERVICE=xcap
timing "upload-to-installed" $(($(now_ms) - t0))
check_eq "the installed entry carries the new fingerprint" "$(cert_fp "$pki/new.crt")" \
        "$(journal_field "$(af_events installed CERTCONF_SERVICE=xcap)" CERTCONF_SHA256)"
check "xcap is active" wait_active xcap.service
check "it serves" tls_probe 127.0.0.1 8444 "$pki/ca.crt" xcap.test.example
check_eq "the new leaf" "$(cert_fp "$pki/new.crt")" "$TLS_FP"
check_eq "the key target holds the new key" "$(af_key_fp "$pki/new.key")" "$(af_key_fp "$tgt/xcap/xcap.key")"
check_eq "no temp or backup file is left" "" "$(af_leftovers "$tgt" "$state")"
check "the agent stops cleanly" af_agent_stop
check_eq "exit status 0" 0 "$(unit_prop certconfd.service ExecMainStatus)"
check "no sanitizer report" af_sanitizer_clean
