# shellcheck shell=bash disable=SC2034,SC2153 # variables for the cases; AGENT_BIN is from inner.sh
# Helpers for the cases that run the agent itself (source after lib.sh):
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/agent-lib.sh"
# The agent runs as the test user in a user unit, $AGENT_UNIT, Type=notify
# (its start job ends at READY=1, so a start that fails or never gets ready
# fails the job), --user (it signals the case's user manager), its entries
# in the journal and its stderr (sanitizer reports, fallback lines) in
# $AGENT_STDERR. Everything it reads and writes is under $AGENT_DIR.
#
# API (stable: other cases copy it):
#   agent_config [KEY=VALUE...] <SERVICES_YAML   the configuration
#   agent_deployment [-]                          $AGENT_STORE/deployment.yaml
#   agent_unit_install [LINE...]                  the unit (extra [Service] lines)
#   agent_start, agent_stop, agent_restart, agent_reload (SIGHUP), agent_pid,
#   agent_kill [SIGNAL]
#   agent_stderr, agent_sanitizer_clean
#   agent_mark; agent_events/agent_count/agent_wait EVENT [FIELD=value...]
#   agent_upload SVC CHAIN KEY, agent_store_clear, agent_quiet [MS]
#   agent_status_json, make_upload DIR SVC [ROOT], file_id PATH, unit_started UNIT
#   tls_unit NAME COUNT_FILE PORT CHAIN KEY [PORT CHAIN KEY...], unit_starts COUNT_FILE

AGENT_UNIT=certconfd.service
AGENT_DIR=$WORK/agent
AGENT_CONF=$AGENT_DIR/certconf.yaml
AGENT_STORE=$AGENT_DIR/store
AGENT_STATE=$AGENT_DIR/state
AGENT_TARGETS=$AGENT_DIR/targets
AGENT_STDERR=$AGENT_DIR/stderr.log
AGENT_SETTLE_MS=${AGENT_SETTLE_MS:-300}
AGENT_MARK=${JOURNAL_CURSOR:-}
# The names of the default deployment (agent_deployment).
AGENT_REM_HOST=rem.test.example
AGENT_REM_IP=127.0.0.1
AGENT_XCAP_HOST=xcap.ims.mnc001.mcc001.pub.3gppnetwork.org
AGENT_BSF_HOST=bsf.ims.mnc001.mcc001.pub.3gppnetwork.org

# agent_setup: $AGENT_DIR with store/, targets/ (state/ is the agent's to
# make), owned by the test user. agent_config calls it.
agent_setup() {
        mkdir -p "$AGENT_STORE" "$AGENT_TARGETS" || return 1
        chmod 0700 "$AGENT_STORE" && give_user "$AGENT_DIR"
}

# agent_config [KEY=VALUE...] <SERVICES_YAML: writes $AGENT_CONF, owned by
# the test user: store_dir, state_dir, settle_ms ($AGENT_SETTLE_MS),
# unit_timeout_s (60) and self_signed (1826 days, rsa:2048) unless given as
# KEY=VALUE (any other top-level key too, e.g. min_valid_days=30), then
# stdin verbatim (the "services:" map; relative paths are relative to
# $AGENT_DIR).
agent_config() {
        local kv k v keys=() vals=() i found
        agent_setup || return 1
        for kv in store_dir=store state_dir=state "settle_ms=$AGENT_SETTLE_MS" unit_timeout_s=60 \
                "self_signed={ days: 1826, key: \"rsa:2048\" }" "$@"; do
                k=${kv%%=*} v=${kv#*=} found=
                for i in "${!keys[@]}"; do
                        [ "${keys[$i]}" = "$k" ] && vals[i]=$v found=1
                done
                [ -n "$found" ] || { keys+=("$k") && vals+=("$v"); }
        done
        {
                echo "# written by tests/agent/agent-lib.sh for $CASE_NAME"
                for i in "${!keys[@]}"; do
                        printf '%s: %s\n' "${keys[$i]}" "${vals[$i]}"
                done
                cat
        } >"$AGENT_CONF" || return 1
        give_user "$AGENT_CONF"
}

# agent_deployment [-]: $AGENT_STORE/deployment.yaml, from stdin with "-",
# else the default: MCC 001/MNC 001, REM on $AGENT_REM_HOST and
# $AGENT_REM_IP, XCAP and BSF on their 3GPP names.
agent_deployment() {
        agent_setup || return 1
        if [ "${1:-}" = - ]; then
                cat >"$AGENT_STORE/deployment.yaml"
        else
                cat >"$AGENT_STORE/deployment.yaml" <<EOF
subject:
  country: NZ
  organization: certconf tests
  organizational_unit: agent cases
mcc: 1
mnc: 1
services:
  rem:
    hosts: [ $AGENT_REM_HOST ]
    addresses: [ $AGENT_REM_IP ]
  xcap:
    hosts: [ $AGENT_XCAP_HOST ]
  bsf:
    hosts: [ $AGENT_BSF_HOST ]
EOF
        fi
        give_user "$AGENT_STORE/deployment.yaml"
}

# agent_unit_install [LINE...]: the agent's user unit, with the real unit's
# [Service] settings (agent_unit_hardening) and the test's own; LINEs are
# added to [Service] (e.g. "Environment=FOO=1"). Should a user manager apply
# the mount namespace settings: PrivateTmp= would hide /tmp, where the case
# lives (its directory is bound back in with BindPaths=), and
# ProtectSystem=strict needs $WORK writable. Sanitizer reports go to
# $AGENT_STDERR and do not abort the agent (agent_sanitizer_clean finds them);
# LeakSanitizer stops the world with ptrace() at exit, which the real unit's
# SystemCallFilter=@system-service refuses (a "fatal error" and exit 23):
# the test allows @debug on top of it, nothing else.
agent_unit_install() {
        local extra="" hardening
        [ $# -gt 0 ] && extra=$(printf '%s\n' "$@")
        hardening=$(agent_unit_hardening) || return 1
        user_unit_install "$AGENT_UNIT" "[Unit]
Description=certconf agent under test ($CASE_NAME)

[Service]
# from systemd/certconfd.service.in
$hardening
# the test's own
SystemCallFilter=@debug
BindPaths=$CASE_DIR
ReadWritePaths=$WORK
Type=notify
NotifyAccess=main
ExecStart=$CERTCONFD agent --config $AGENT_CONF --user --log-target journal
StandardOutput=append:$AGENT_STDERR
StandardError=append:$AGENT_STDERR
Environment=ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=0:print_summary=1
Environment=UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=0
Environment=LSAN_OPTIONS=exitcode=23
TimeoutStartSec=60
TimeoutStopSec=30
Restart=no
$extra"
}

# agent_start: starts the unit; 0 only when the agent sent READY=1 (the job
# of a Type=notify unit ends then). Prints how long it took.
agent_start() {
        local t0 rc
        t0=$(now_ms)
        user_systemctl start "$AGENT_UNIT"
        rc=$?
        AGENT_START_MS=$(($(now_ms) - t0))
        echo "agent start job: exit $rc after $AGENT_START_MS ms"
        if [ "$rc" -ne 0 ]; then
                user_systemctl status --no-pager -n 20 "$AGENT_UNIT" 2>&1
                tail -n 20 "$AGENT_STDERR" 2>/dev/null
        fi
        return $rc
}

# agent_stop: stops it (SIGTERM); 0 when it exited cleanly (status 0).
agent_stop() {
        user_systemctl stop "$AGENT_UNIT" || return 1
        local res
        res=$(unit_prop "$AGENT_UNIT" Result)
        echo "agent stopped: Result=$res ExecMainStatus=$(unit_prop "$AGENT_UNIT" ExecMainStatus)"
        [ "$res" = success ]
}

agent_restart() { agent_stop && agent_start; }

# agent_pid: the agent's MainPID (0 when not running).
agent_pid() { unit_prop "$AGENT_UNIT" MainPID; }

# agent_kill [SIGNAL=KILL]: sends SIGNAL to the agent's main process only.
agent_kill() { user_systemctl kill -s "${1:-KILL}" --kill-who=main "$AGENT_UNIT"; }

# agent_reload: SIGHUP; waits for the config-reloaded (or config-invalid)
# entry after the mark it sets.
agent_reload() {
        agent_mark
        user_systemctl kill -s HUP --kill-who=main "$AGENT_UNIT" || return 1
        local deadline=$(($(now_ms) + 10000))
        until [ -n "$(agent_events config-reloaded)$(agent_events config-invalid)" ]; do
                [ "$(now_ms)" -ge "$deadline" ] && { echo "no config-reloaded entry"; return 1; }
                sleep 0.1
        done
}

# agent_stderr: what the agent wrote to stderr (and stdout).
agent_stderr() { cat "$AGENT_STDERR" 2>/dev/null; }

# agent_sanitizer_clean: 0 when $AGENT_STDERR holds no ASan/LSan/UBSan report.
agent_sanitizer_clean() {
        if grep -nE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer' \
                "$AGENT_STDERR" 2>/dev/null; then
                head -n 60 "$AGENT_STDERR"
                return 1
        fi
        return 0
}

# ---- the agent's journal entries ------------------------------------------------

# agent_mark: later agent_events/agent_count/agent_wait see only entries
# after this point.
agent_mark() {
        AGENT_MARK=$(journalctl -D "$JOURNAL_DIR" -n 1 --show-cursor --no-pager -q 2>/dev/null |
                sed -n 's/^-- cursor: //p')
}

# agent_events EVENT [FIELD=value...]: the agent's entries of that event
# (CERTCONF_EVENT=, e.g. installed, upload-rejected, finding) after the mark,
# JSON lines. EVENT "" or "*": every entry of the agent.
agent_events() {
        local ev=$1
        shift
        local args=(_SYSTEMD_USER_UNIT="$AGENT_UNIT")
        [ -n "$ev" ] && [ "$ev" != "*" ] && args+=(CERTCONF_EVENT="$ev")
        JOURNAL_CURSOR=$AGENT_MARK journal_json "${args[@]}" "$@"
}

# agent_count EVENT [FIELD=value...]: how many.
agent_count() { agent_events "$@" | grep -c .; }

# agent_wait EVENT [FIELD=value...] [SECS=15]: until such an entry follows
# the mark; prints them. On timeout, the agent's entries since the mark.
agent_wait() {
        local timeout=15 args=("$@") deadline out
        if [ $# -gt 1 ] && [[ ${args[-1]} =~ ^[0-9]+$ ]]; then
                timeout=${args[-1]}
                unset 'args[-1]'
        fi
        deadline=$(($(now_ms) + timeout * 1000))
        while :; do
                out=$(agent_events "${args[@]}" 2>/dev/null)
                if [ -n "$out" ]; then
                        printf '%s\n' "$out"
                        return 0
                fi
                if [ "$(now_ms)" -ge "$deadline" ]; then
                        echo "agent_wait ${args[*]}: nothing after ${timeout} s; the agent's entries since the mark:"
                        agent_events "" | jq -r '"\(.CERTCONF_EVENT // "-") \(.MESSAGE)"' | tail -n 20
                        tail -n 5 "$AGENT_STDERR" 2>/dev/null
                        return 1
                fi
                sleep 0.1
        done
}

# ---- the store -------------------------------------------------------------------

# make_upload DIR SVC [ROOT=ca]: DIR/SVC-cert.crt (DIR/SVC-chain.pem from
# make_leaf, then DIR/ROOT.crt) and DIR/SVC-cert.key, as an operator makes
# the pair.
make_upload() {
        local dir=$1 svc=$2 root=${3:-ca}
        cat "$dir/$svc-chain.pem" "$dir/$root.crt" >"$dir/$svc-cert.crt" &&
                cp "$dir/$svc.key" "$dir/$svc-cert.key" && chmod 0600 "$dir/$svc-cert.key" &&
                give_user "$dir/$svc-cert.crt" "$dir/$svc-cert.key"
}

# agent_upload SVC CHAIN [KEY]: copies CHAIN to $AGENT_STORE/SVC-cert.crt and
# KEY to SVC-cert.key (0600), owned by the test user, one after the other
# as an operator's copy does.
agent_upload() {
        local svc=$1 chain=$2 key=${3:-}
        install -o "$TEST_UID" -g "$TEST_GID" -m 0644 "$chain" "$AGENT_STORE/$svc-cert.crt" || return 1
        [ -z "$key" ] || install -o "$TEST_UID" -g "$TEST_GID" -m 0600 "$key" "$AGENT_STORE/$svc-cert.key"
}

# agent_store_clear: removes everything from the store but deployment.yaml.
agent_store_clear() {
        find "$AGENT_STORE" -mindepth 1 -maxdepth 1 ! -name deployment.yaml -exec rm -rf {} +
}

# agent_quiet [MS]: waits long enough for the agent to have handled the
# last change to the store (settle time + MS, default 1200 ms); for checks
# that something did NOT happen.
agent_quiet() { sleep "$(awk -v a="$AGENT_SETTLE_MS" -v b="${1:-1200}" 'BEGIN { printf "%.3f", (a + b) / 1000 }')"; }

# agent_status_json: `certconfd status --json` on the agent's configuration.
agent_status_json() { as_user "$CERTCONFD" status --config "$AGENT_CONF" --json; }

# ---- observations ------------------------------------------------------------------

# file_id PATH: "inode mtime(ns) size sha256": changes when the file is
# rewritten or replaced.
file_id() {
        local st
        st=$(stat -c '%i %.9Y %s' "$1") || return 1
        echo "$st $(sha256sum <"$1" | cut -c1-64)"
}

# unit_started UNIT: ExecMainStartTimestampMonotonic (changes at each start).
unit_started() { unit_prop "$1" ExecMainStartTimestampMonotonic; }

# ---- a TLS unit serving several services ----------------------------------------

# tls_unit NAME COUNT_FILE PORT CHAIN KEY [PORT CHAIN KEY...]: user unit NAME
# serving each CHAIN/KEY pair with `openssl s_server` on 127.0.0.1:PORT (as
# sserver_unit does for one pair: ExecStartPre= validates and snapshots each,
# a bad pair fails the start; the job ends when every port serves). Each
# start first appends a line to COUNT_FILE, so that starts can be counted
# exactly (NRestarts counts only Restart= restarts): unit_starts COUNT_FILE.
tls_unit() {
        local name=$1 count=$2 pre="" serve="" post="" i=0
        shift 2
        while [ $# -ge 3 ]; do
                i=$((i + 1))
                pre+="ExecStartPre=$AGENT_BIN/sserver check $2 $3 %t/%N/$i"$'\n'
                serve+="$AGENT_BIN/sserver serve $1 %t/%N/$i & "
                post+="ExecStartPost=$AGENT_BIN/wait-tls 127.0.0.1 $1 30"$'\n'
                shift 3
        done
        if [ $# -ne 0 ] || [ "$i" -eq 0 ]; then
                echo "usage: tls_unit NAME COUNT_FILE PORT CHAIN KEY [PORT CHAIN KEY...]"
                return 1
        fi
        user_unit_install "$name" "[Unit]
Description=TLS servers (openssl s_server) for certconf tests

[Service]
Type=simple
RuntimeDirectory=%N
RuntimeDirectoryMode=0700
ExecStartPre=/bin/sh -c 'date +%%s.%%N >>$count'
${pre}ExecStart=/bin/sh -c '${serve}wait'
${post}TimeoutStartSec=60"
}

# unit_starts COUNT_FILE: how many times a tls_unit started.
unit_starts() { if [ -f "$1" ]; then grep -c . "$1"; else echo 0; fi; }
