#!/usr/bin/env bash
# A write that fails in the middle of an upload with several targets across
# three services: (1) one service's target directory is read-only (root's,
# 0555; the agent runs as the test user), (2) the last service's target
# directory is a small tmpfs that is full. Each time: nothing is
# half-installed (every target and the agent's own copies byte-identical to
# before, no temp or backup file left, no install journal), one
# install-failed entry naming the path, no unit restarted, status unchanged.
# After the directory is fixed, touching the same files installs everything
# and restarts each unit once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib-failures.sh"

full=
# the tmpfs goes at the end, whatever happens (lib.sh's exit trap after it)
finish() {
        local rc=$?
        [ -n "$full" ] && umount "$full" 2>/dev/null
        (exit $rc)
        lib_finish
}
trap finish EXIT

pki=$WORK/pki
make_ca "$pki" || fatal "make_ca"
for set in a b c; do
        make_leaf "$pki" "xcap-$set" "DNS:xcap.test.example" &&
                make_leaf "$pki" "bsf-$set" "DNS:bsf.test.example" &&
                make_leaf "$pki" "rem-$set" "DNS:rem.test.example" || fatal "make_leaf $set"
done

store=$WORK/store state=$WORK/state tgt=$WORK/targets
mkdir -p "$store" "$tgt"/{xcap,bsf,rem} || fatal "mkdir"
echo 'k3y-st0re pass' >"$WORK/rem.pass" && chmod 0600 "$WORK/rem.pass"
give_user "$store" "$tgt" "$WORK/rem.pass"
# rem's directory: a 256 KiB tmpfs (filled later)
full=$tgt/rem
mount -t tmpfs -o "size=256k,mode=0755,uid=$TEST_UID,gid=$TEST_GID" tmpfs "$full" || fatal "tmpfs"

for u in xcap bsf rem; do
        user_unit_install "$u.service" "[Service]
ExecStart=/bin/sleep infinity" || fatal "$u.service"
        user_systemctl start "$u.service" || fatal "start $u.service"
done

cat >"$WORK/certconf.yaml" <<EOF
store_dir: store
state_dir: state
settle_ms: 200
unit_timeout_s: 30
trust: [ pki/ca.crt ]
services:
  xcap:
    units: [ xcap.service ]
    action: restart
    profile: generic
    targets:
      - { format: pem-chain, path: targets/xcap/chain.pem }
      - { format: pem-key, path: targets/xcap/key.pem }
      - { format: pem-cert, path: targets/xcap/cert.pem }
  bsf:
    units: [ bsf.service ]
    action: restart
    profile: generic
    targets:
      - { format: pem-chain, path: targets/bsf/chain.pem }
      - { format: pem-key, path: targets/bsf/key.pem }
  rem:
    units: [ rem.service ]
    action: restart
    profile: generic
    targets:
      - { format: pem-cert, path: targets/rem/cert.pem }
      - format: pkcs12
        path: targets/rem/rem.p12
        password_file: rem.pass
EOF
give_user "$WORK/certconf.yaml"
af_agent_unit "$WORK/certconf.yaml" || fatal "agent unit"

upload_set() {
        af_upload "$store" xcap "$pki/xcap-$1-chain.pem" "$pki/xcap-$1.key" bsf "$pki/bsf-$1-chain.pem" \
                "$pki/bsf-$1.key" rem "$pki/rem-$1-chain.pem" "$pki/rem-$1.key"
}
# holds SET: every target holds the leaf (and key) of SET.
holds() {
        local set=$1 svc bad=()
        for svc in xcap bsf; do
                [ "$(af_fp "$tgt/$svc/chain.pem")" = "$(cert_fp "$pki/$svc-$set.crt")" ] || bad+=("$svc/chain.pem")
                [ "$(af_key_fp "$tgt/$svc/key.pem")" = "$(af_key_fp "$pki/$svc-$set.key")" ] || bad+=("$svc/key.pem")
        done
        [ "$(af_fp "$tgt/xcap/cert.pem")" = "$(cert_fp "$pki/xcap-$set.crt")" ] || bad+=(xcap/cert.pem)
        [ "$(af_fp "$tgt/rem/cert.pem")" = "$(cert_fp "$pki/rem-$set.crt")" ] || bad+=(rem/cert.pem)
        [ "$(af_fp "$tgt/rem/rem.p12" "$WORK/rem.pass")" = "$(cert_fp "$pki/rem-$set.crt")" ] || bad+=(rem/rem.p12)
        [ ${#bad[@]} -eq 0 ] || { echo "not set $set: ${bad[*]}"; return 1; }
}
starts() {
        local u
        for u in xcap bsf rem; do printf '%s ' "$(unit_prop "$u.service" ExecMainStartTimestampMonotonic)"; done
}
status_fps() { af_certconfd status --config "$WORK/certconf.yaml" --json | jq -r '.services[] | "\(.service) \(.sha256)"'; }

# ---- set a installed ----------------------------------------------------------------
upload_set a || fatal "upload a"
check "the agent starts" af_agent_start
check "set a is installed" af_wait_count 3 installed
check "every target holds set a" holds a

# phase OLD NEW FAILING_PATH_ERE NAME REASON_ERE SERVICE: set NEW uploaded while
# FAILING_PATH cannot be written: nothing changes, OLD stays.
phase() {
        local old=$1 new=$2 path=$3 name=$4 why=$5 svc=$6 n_inst n_sig n_fail entry before starts0 status0
        before=$(af_snapshot "$tgt" "$state/material" "$state/installed")
        starts0=$(starts)
        status0=$(status_fps)
        n_inst=$(af_count installed)
        n_sig=$(af_count unit-signalled)
        n_fail=$(af_count install-failed)
        upload_set "$new" || fatal "upload $new"
        check "$name: install-failed is logged" af_wait_count $((n_fail + 1)) install-failed
        entry=$(af_events install-failed | tail -n 1)
        check_match "$name: it names the path and the reason" "$path: ($why)" "$(journal_field "$entry" MESSAGE)"
        check_eq "$name: at priority err" 3 "$(journal_field "$entry" PRIORITY)"
        check_match "$name: CERTCONF_FILE is the path" "^$path\$" "$(journal_field "$entry" CERTCONF_FILE)"
        check_eq "$name: CERTCONF_SERVICE its service" "$svc" "$(journal_field "$entry" CERTCONF_SERVICE)"
        sleep 1.5 # anything the agent would still do after the failure
        check_eq "$name: every target and the agent's copies are byte-identical to before" \
                "$before" "$(af_snapshot "$tgt" "$state/material" "$state/installed")"
        check "$name: every target still holds set $old" holds "$old"
        check_eq "$name: no temp or backup file is left" "" "$(af_leftovers "$tgt" "$state")"
        check_eq "$name: no install journal is left" "" "$(ls "$state/install.journal" 2>/dev/null)"
        check_eq "$name: nothing is logged as installed" "$n_inst" "$(af_count installed)"
        check_eq "$name: no unit is signalled" "$n_sig" "$(af_count unit-signalled)"
        check_eq "$name: no unit is restarted" "$starts0" "$(starts)"
        check_eq "$name: status still shows set $old" "$status0" "$(status_fps)"
        check_eq "$name: the agent still runs" active "$(unit_prop certconfd.service ActiveState)"
}

# fixed NEW NAME: after the fix, the same files touched install NEW
# everywhere and restart each unit once.
fixed() {
        local new=$1 name=$2 n_inst n_sig starts0 starts1 i
        n_inst=$(af_count installed)
        n_sig=$(af_count unit-signalled)
        starts0=$(starts)
        touch "$store"/*-cert.*
        check "$name fixed: touching the upload installs it" af_wait_count $((n_inst + 3)) installed
        check "$name fixed: every target holds set $new" holds "$new"
        check_eq "$name fixed: no temp or backup file is left" "" "$(af_leftovers "$tgt" "$state")"
        check "$name fixed: three units signalled" af_wait_count $((n_sig + 3)) unit-signalled
        starts1=$(starts)
        for i in 1 2 3; do
                check_ne "$name fixed: unit $i restarted" "$(echo "$starts0" | cut -d' ' -f$i)" \
                        "$(echo "$starts1" | cut -d' ' -f$i)"
        done
}

# ---- (1) a read-only directory (bsf, the second service) -----------------------------
chown root:root "$tgt/bsf" && chmod 0555 "$tgt/bsf" || fatal "chmod bsf"
phase a b "$tgt/bsf/chain.pem" "read-only directory" "Permission denied" bsf
chown "$TEST_UID:$TEST_GID" "$tgt/bsf" && chmod 0755 "$tgt/bsf" || fatal "chmod back"
fixed b "read-only directory"

# ---- (2) a full file system (rem, the last service) -------------------------------------
dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null # until ENOSPC
check_eq "the tmpfs is full" 0 "$(stat -f -c %a "$full")"
phase b c "$tgt/rem/[a-z.0-9]+" "full tmpfs" "No space left on device" rem
rm -f "$full/filler"
fixed c "full tmpfs"

check "the agent stops cleanly" af_agent_stop
check_eq "exit status 0" 0 "$(unit_prop certconfd.service ExecMainStatus)"
check "no sanitizer report" af_sanitizer_clean
