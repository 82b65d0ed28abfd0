# shellcheck shell=bash
# Helpers for the agent's failure cases (test-60 rollback, test-70 write
# failure, test-80 SIGKILL, test-90 configuration): the agent as a Type=notify
# user unit, uploads into the store, journal events by name, and snapshots
# of install targets. Sourced after lib.sh; every name starts with "af_".
#
# The agent runs as the test user (its targets, state and store are the
# test user's), talks to the case's user manager (--user) and logs to the
# journal; its events are found by CERTCONF_EVENT= (daemon/log.h).

# Sanitizer builds (make check): reports go to stderr, i.e. the unit's
# journal stream; af_sanitizer_clean looks for them.
AF_SAN_ENV='Environment=ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:exitcode=66
Environment=UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=66'

# af_agent_unit CONFIG [UNIT=certconfd.service]: the agent as a Type=notify
# unit (its start job ends at READY=1, after the first reconcile), with the
# real unit's hardening as far as a user manager applies it.
af_agent_unit() {
        local config=$1 unit=${2:-certconfd.service} hardening
        hardening=$(agent_unit_hardening) || return 1
        user_unit_install "$unit" "[Unit]
Description=certconf agent under test ($config)
StartLimitIntervalSec=0

[Service]
# from systemd/certconfd.service.in (see agent_unit_hardening in lib.sh)
$hardening
# the test's own (as agent_unit_install in agent-lib.sh)
SystemCallFilter=@debug
BindPaths=$CASE_DIR
ReadWritePaths=$WORK
Type=notify
NotifyAccess=main
ExecStart=$CERTCONFD agent --config $config --user --log-target journal
ExecReload=/bin/kill -HUP \$MAINPID
$AF_SAN_ENV
TimeoutStartSec=60
TimeoutStopSec=20"
}

# af_agent_start [UNIT]: starts it; returns when READY=1 came (or it failed).
af_agent_start() { user_systemctl start "${1:-certconfd.service}"; }
af_agent_stop() { user_systemctl stop "${1:-certconfd.service}"; }
af_agent_pid() { unit_prop "${1:-certconfd.service}" MainPID; }

# af_upload STORE SVC CHAIN KEY [SVC CHAIN KEY]...: one upload, as an
# operator's tool makes it: the files are staged next to the store, owned by
# the test user (the agent must read the key), then renamed into the store
# by one `mv` (microseconds apart: one upload even under load, whatever
# settle_ms is).
af_upload() {
        local store=$1 stage
        shift
        stage=$(dirname "$store")/.af-stage
        rm -rf "$stage" && mkdir "$stage" || return 1
        while [ $# -ge 3 ]; do
                install -m 0644 -o "$TEST_UID" -g "$TEST_GID" "$2" "$stage/$1-cert.crt" &&
                        install -m 0600 -o "$TEST_UID" -g "$TEST_GID" "$3" "$stage/$1-cert.key" || return 1
                shift 3
        done
        [ $# -eq 0 ] || return 1
        mv -f -t "$store" "$stage"/* && rmdir "$stage"
}

# af_events EVENT [FIELD=value...]: this case's journal entries of the
# agent's event EVENT (JSON lines); af_count EVENT ...: how many.
af_events() {
        local ev=$1
        shift
        journal_json CERTCONF_EVENT="$ev" "$@"
}
af_count() { af_events "$@" | grep -c . ; }

# af_wait_event EVENT [FIELD=value...] [TIMEOUT_S=10]: until such an entry
# exists (prints them).
af_wait_event() {
        local ev=$1
        shift
        journal_wait CERTCONF_EVENT="$ev" "$@"
}

# af_wait_count N EVENT [FIELD=value...]: polls (20 s) until at least N such
# entries exist.
af_wait_count() {
        local n=$1 deadline
        shift
        deadline=$(($(now_ms) + 20000))
        until [ "$(af_count "$@")" -ge "$n" ]; do
                if [ "$(now_ms)" -ge "$deadline" ]; then
                        echo "af_wait_count: fewer than $n '$*' entries after 20 s; the journal's tail:"
                        journal_tail 25
                        return 1
                fi
                sleep 0.1
        done
}

# af_certconfd ARGS...: certconfd run directly as the test user (status,
# apply, a refused start), at most 60 s; its stderr is also kept for
# af_sanitizer_clean.
AF_DIRECT_LOG=$CASE_DIR/certconfd-direct.stderr
af_certconfd() {
        local rc err=$CASE_DIR/.af-stderr
        as_user timeout 60 "$CERTCONFD" "$@" 2>"$err"
        rc=$?
        cat "$err" >&2
        cat "$err" >>"$AF_DIRECT_LOG"
        return $rc
}

# af_sanitizer_clean [UNIT]: no AddressSanitizer/UBSan/LeakSanitizer report
# in the unit's output, nor from certconfd run by af_certconfd.
af_sanitizer_clean() {
        local out
        out=$({
                journal_json _SYSTEMD_USER_UNIT="${1:-certconfd.service}" | jq -r '.MESSAGE // empty'
                cat "$AF_DIRECT_LOG" 2>/dev/null
        } | grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' | head -n 20)
        [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

# af_fp FILE [PASSFILE]: SHA-256 fingerprint of the leaf (first certificate)
# in a PEM file, or in a PKCS#12 keystore (with PASSFILE). Empty if none.
af_fp() {
        local f=$1 pass=${2:-}
        if [ -n "$pass" ]; then
                openssl pkcs12 -in "$f" -passin "file:$pass" -nokeys -clcerts 2>/dev/null |
                        openssl x509 -noout -fingerprint -sha256 2>/dev/null | sed 's/^.*=//'
        else
                openssl x509 -in "$f" -noout -fingerprint -sha256 2>/dev/null | sed 's/^.*=//'
        fi
}

# af_key_fp FILE: SHA-256 of the public key of a PEM private key.
af_key_fp() {
        openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1
}

# af_snapshot DIR...: every file under DIR (hidden ones too), with its
# SHA-256, mode and owner: equal snapshots = byte-identical trees.
af_snapshot() {
        find "$@" -type f -printf '%p %m %U:%G\n' | sort | while read -r p m o; do
                printf '%s %s %s %s\n' "$(sha256sum <"$p" | cut -d' ' -f1)" "$m" "$o" "$p"
        done
}

# af_leftovers DIR...: the agent's temp and backup files (none expected).
af_leftovers() { find "$@" \( -name '*.certconf-new' -o -name '*.certconf-old' -o -name '*.tmp*' \) -print; }
