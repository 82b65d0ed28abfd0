#!/usr/bin/env bash
# The agent's own configuration and its command-line faces:
#  - a bad configuration: the agent refuses to start, exit status 1, the
#    error names the file, line and column (run directly, and as a unit);
#  - SIGHUP with a broken configuration keeps the old one (config-invalid)
#    and the agent keeps working; SIGHUP with a changed one (a new target)
#    renders the installed material into it (config-reloaded);
#  - `certconfd apply`: 0 on a good store, 1 on a rejected upload, and a
#    clear refusal while the agent holds the state directory's lock;
#  - idle, the agent makes no system call at all (strace, 3 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib-failures.sh"

pki=$WORK/pki
make_ca "$pki" || fatal "make_ca"
for s in a b c; do
        make_leaf "$pki" "xcap-$s" "DNS:xcap.test.example" || fatal "make_leaf $s"
done
store=$WORK/store state=$WORK/state tgt=$WORK/targets
mkdir -p "$store" "$tgt" && give_user "$store" "$tgt" || fatal "mkdir"

# its restart takes half a second: SIGHUP can arrive while it is signalled
user_unit_install xcap.service "[Service]
ExecStartPre=/bin/sleep 0.5
ExecStart=/bin/sleep infinity" || fatal "xcap.service"
user_systemctl start xcap.service || fatal "start xcap.service"

# good_config FILE [EXTRA_TARGET_LINES]
good_config() {
        cat >"$1" <<EOF
store_dir: store
state_dir: state
settle_ms: 200
trust: [ pki/ca.crt ]
services:
  xcap:
    units: [ xcap.service ]
    action: restart
    targets:
      - { format: pem-chain, path: targets/chain.pem }
      - { format: pem-key, path: targets/key.pem }
${2:-}
EOF
        give_user "$1"
}

# ---- a bad configuration: refused at start ---------------------------------------------
# bad NAME LINE:COLUMN TEXT_ERE YAML: the agent run directly on YAML refuses
# to start with exit status 2 and "FILE:LINE:COLUMN: ... TEXT".
bad() {
        local name=$1 where=$2 ere=$3 file=$WORK/bad-$1.yaml out rc
        printf '%s\n' "$4" >"$file" && give_user "$file"
        out=$(af_certconfd agent --config "$file" --user --log-target stderr 2>&1)
        rc=$?
        check_eq "$name: the agent refuses to start, exit status 2" 2 "$rc"
        check_match "$name: the error names the file, line $where and says why" \
                "$(printf '%s' "$file" | sed 's/[.]/[.]/g'):$where: error CONFIG_INVALID: .*$ere" "$out"
        check_match "$name: and that it refuses to start" "refusing to start: fix" "$out"
        check_eq "$name: nothing was made" "" "$(ls "$state" 2>/dev/null)"
}
bad unknown-key 3:1 "unknown key 'setle_ms'.*did you mean 'settle_ms'" "store_dir: store
state_dir: state
setle_ms: 200
services:
  xcap:
    targets:
      - { format: pem-chain, path: targets/chain.pem }"
bad tab 7:1 "tabs" "store_dir: store
state_dir: state
services:
  xcap:
    action: none
    targets:
	- { format: pem-chain, path: targets/chain.pem }"
bad key-mode 9:15 "mode 0644 gives other users access to the private key" "store_dir: store
state_dir: state
services:
  xcap:
    action: none
    targets:
      - format: pem-key
        path: targets/key.pem
        mode: \"0644\""
bad action 5:13 "restart-please" "store_dir: store
state_dir: state
services:
  xcap:
    action: restart-please
    targets:
      - { format: pem-chain, path: targets/chain.pem }"
bad empty 1:1 "no services configured" ""
out=$(af_certconfd agent --config "$WORK/missing.yaml" --user --log-target stderr 2>&1)
check_eq "a missing configuration: exit status 2" 2 "$?"
check_match "the error names the file and why" "missing[.]yaml: error CONFIG_INVALID: cannot read .*: No such file" "$out"

# As a unit: the start job fails, the journal has the entry.
af_agent_unit "$WORK/bad-unknown-key.yaml" bad-agent.service || fatal "bad-agent unit"
check_fails "as a Type=notify unit, the start job fails" af_agent_start bad-agent.service
check_eq "its exit status is 2" 2 "$(unit_prop bad-agent.service ExecMainStatus)"
# (by CERTCONF_FILE: journald may not know the unit of a process that is gone)
entry=$(af_wait_event config-invalid CERTCONF_CODE=CONFIG_INVALID CERTCONF_FILE="$WORK/bad-unknown-key.yaml")
check_match "a config-invalid entry names file, line and column" "bad-unknown-key[.]yaml:3:1: " \
        "$(journal_field "$entry" MESSAGE)"
check_eq "with CERTCONF_FILE" "$WORK/bad-unknown-key.yaml" "$(journal_field "$entry" CERTCONF_FILE)"

# ---- SIGHUP ------------------------------------------------------------------------------------
cfg=$WORK/certconf.yaml
good_config "$cfg"
af_agent_unit "$cfg" || fatal "agent unit"
af_upload "$store" xcap "$pki/xcap-a-chain.pem" "$pki/xcap-a.key" || fatal "upload a"
check "the agent starts on a good configuration" af_agent_start
check "and installs the upload" af_wait_event installed CERTCONF_SERVICE=xcap
pid=$(af_agent_pid)

printf 'store_dir: store\nstate_dir: state\nservices:\n  xcap:\n    targets: [ { format: pem-chain } ]\n' >"$cfg"
kill -HUP "$pid"
entry=$(af_wait_event config-invalid _PID="$pid")
check_ne "SIGHUP with a broken configuration: config-invalid" "" "$entry"
check_match "it names the file, line and column" "certconf[.]yaml:5:[0-9]+: error CONFIG_INVALID" \
        "$(af_events config-invalid _PID="$pid" | jq -r .MESSAGE)"
check_match "and says the configuration in use is kept" "keeping the configuration in use" \
        "$(af_events config-invalid _PID="$pid" | jq -r .MESSAGE)"
check_eq "the agent still runs" "active $pid" \
        "$(unit_prop certconfd.service ActiveState) $(af_agent_pid)"
n=$(af_count installed CERTCONF_SERVICE=xcap)
af_upload "$store" xcap "$pki/xcap-b-chain.pem" "$pki/xcap-b.key" || fatal "upload b"
check "a later upload is still installed (old configuration)" af_wait_count $((n + 1)) installed CERTCONF_SERVICE=xcap
check_eq "into the old configuration's target" "$(cert_fp "$pki/xcap-b.crt")" "$(af_fp "$tgt/chain.pem")"

good_config "$cfg" "      - { format: pem-cert, path: targets/new-cert.pem, mode: \"0640\" }"
kill -HUP "$pid"
check "SIGHUP with a changed configuration: config-reloaded" af_wait_event config-reloaded _PID="$pid"
check "the installed certificate is rendered into the new target" wait_until 10 test -s "$tgt/new-cert.pem"
check "the re-render is done (its unit restarted)" af_wait_count $((n + 2)) installed CERTCONF_SERVICE=xcap
check_eq "it is the installed leaf" "$(cert_fp "$pki/xcap-b.crt")" "$(af_fp "$tgt/new-cert.pem")"
check_eq "with the configured mode" 640 "$(stat -c %a "$tgt/new-cert.pem")"
check_eq "the other targets are unchanged" "$(cert_fp "$pki/xcap-b.crt")" "$(af_fp "$tgt/chain.pem")"
check_eq "the agent still runs" "active $pid" "$(unit_prop certconfd.service ActiveState) $(af_agent_pid)"

# SIGHUP while the unit is being restarted: applied once that is done.
n_inst=$(af_count installed CERTCONF_SERVICE=xcap)
n_rel=$(af_count config-reloaded)
n_inv=$(af_count config-invalid _PID="$pid")
n_acc=$(af_count upload-accepted CERTCONF_SERVICE=xcap)
af_upload "$store" xcap "$pki/xcap-c-chain.pem" "$pki/xcap-c.key" || fatal "upload c"
check "an upload is accepted" af_wait_count $((n_acc + 1)) upload-accepted CERTCONF_SERVICE=xcap
sleep 0.3 # the restart job is running
good_config "$cfg" "      - { format: pem-cert, path: targets/new-cert.pem, mode: \"0640\" }
      - { format: pem-cert, path: targets/newer-cert.pem }"
kill -HUP "$pid"
check "SIGHUP while the unit restarts: the install finishes" \
        af_wait_count $((n_inst + 1)) installed CERTCONF_SERVICE=xcap
check "then the configuration is reloaded" af_wait_count $((n_rel + 1)) config-reloaded
t_inst=$(af_events installed CERTCONF_SERVICE=xcap | tail -n 1 | jq -r .__MONOTONIC_TIMESTAMP)
t_rel=$(af_events config-reloaded | tail -n 1 | jq -r .__MONOTONIC_TIMESTAMP)
check "after the install, not before" test "$t_rel" -gt "$t_inst"
check "the new target is rendered" wait_until 10 test -s "$tgt/newer-cert.pem"
check_eq "with the leaf just installed" "$(cert_fp "$pki/xcap-c.crt")" "$(af_fp "$tgt/newer-cert.pem")"
check_eq "no config-invalid entry for it" "$n_inv" "$(af_count config-invalid _PID="$pid")"
check "the re-render is done (its unit restarted)" af_wait_count $((n_inst + 2)) installed CERTCONF_SERVICE=xcap
agent_active() { [ "$(unit_prop certconfd.service ActiveState)" = active ]; }
check "the agent is active (not left reloading)" wait_until 5 agent_active

# ---- idle: no system calls ----------------------------------------------------------------
command -v strace >/dev/null || fatal "strace is missing (make deps)"
sleep 0.5 # nothing is pending (the last install was logged after its unit settled)
# Attaching interrupts the epoll_wait the agent sleeps in: sd-event goes
# round its loop once (a gettid()) and sleeps again. Counted: every call
# after that first epoll_wait (the detach shows it as "<detached ...>").
calls_after_sleep() {
        sed -n '/ epoll_p\{0,1\}wait(/,$p' "$1" | sed 1d | grep -vE '<(detached|unfinished) \.\.\.>$' |
                grep -cE '^[0-9]+ +[a-z_0-9]+\('
}
timeout -s INT 3 strace -f -qq -p "$pid" -o "$WORK/strace.out" 2>"$WORK/strace.err"
calls=$(calls_after_sleep "$WORK/strace.out")
echo "time idle-syscalls (3 s, strace -f -p): $calls; the whole trace: $(sed -E 's/^[0-9]+ +//; s/\(.*//' "$WORK/strace.out" | tr '\n' ' ')"
check_match "strace attached and saw the agent sleep in epoll_wait" "epoll_p?wait\(.*<detached \.\.\.>" \
        "$(cat "$WORK/strace.out")"
check_eq "idle for 3 s, the agent makes no system call" 0 "$calls"
# For the record: another unit's restart wakes it (it is subscribed to the
# manager's signals).
(timeout -s INT 2 strace -f -qq -p "$pid" -o "$WORK/strace2.out" 2>/dev/null) &
sleep 0.5
user_systemctl restart xcap.service
wait
echo "time syscalls-during-another-units-restart (2 s): $(calls_after_sleep "$WORK/strace2.out")"

# ---- certconfd apply ------------------------------------------------------------------------------
out=$(af_certconfd apply --config "$cfg" --user --log-target stderr 2>&1)
rc=$?
check_eq "apply while the agent runs: refused (exit status 1)" 1 "$rc"
check_match "with a clear message naming the lock" "another certconfd already works on $state \(it holds $state/lock\)" "$out"
n=$(af_count error)
out=$(af_certconfd apply --config "$cfg" --user 2>&1)
rc=$?
check_eq "the same from a script (log target auto): exit status 1" 1 "$rc"
check "and the refusal is in the journal" af_wait_count $((n + 1)) error
check_match "naming the lock" "another certconfd already works" "$(af_events error | tail -n 1 | jq -r .MESSAGE)"
check "the agent stops" af_agent_stop
check_eq "exit status 0" 0 "$(unit_prop certconfd.service ExecMainStatus)"

acfg=$WORK/apply.yaml
mkdir -p "$WORK/apply-targets" "$WORK/good-store" "$WORK/bad-store" && give_user "$WORK"/{apply-targets,good-store,bad-store}
cat >"$acfg" <<EOF
store_dir: good-store
state_dir: apply-state
trust: [ pki/ca.crt ]
services:
  xcap:
    action: none
    targets:
      - { format: pem-chain, path: apply-targets/chain.pem }
      - { format: pem-key, path: apply-targets/key.pem }
EOF
give_user "$acfg"
af_upload "$WORK/good-store" xcap "$pki/xcap-c-chain.pem" "$pki/xcap-c.key" || fatal "upload good"
out=$(af_certconfd apply --config "$acfg" --log-target stderr "$WORK/good-store" 2>&1)
check_eq "apply STORE_DIR on a good store: exit status 0" 0 "$?"
check_eq "it installed the upload" "$(cert_fp "$pki/xcap-c.crt")" "$(af_fp "$WORK/apply-targets/chain.pem")"
before=$(af_snapshot "$WORK/apply-targets")
# a rejected upload: the key of another certificate
af_upload "$WORK/bad-store" xcap "$pki/xcap-a-chain.pem" "$pki/xcap-b.key" || fatal "upload bad"
out=$(af_certconfd apply --config "$acfg" --log-target stderr "$WORK/bad-store" 2>&1)
check_eq "apply STORE_DIR on a rejected upload: exit status 1" 1 "$?"
check_match "it says why (KEY_MISMATCH)" "KEY_MISMATCH" "$out"
check_eq "and installs nothing" "$before" "$(af_snapshot "$WORK/apply-targets")"
out=$(af_certconfd apply --config "$acfg" --log-target stderr "$WORK/good-store" 2>&1)
check_eq "apply on the good store again: exit status 0" 0 "$?"
check_eq "and changes nothing" "$before" "$(af_snapshot "$WORK/apply-targets")"
check "no sanitizer report (the agent unit, and every certconfd run directly)" af_sanitizer_clean
