#!/usr/bin/env bash
# Runs inside run.sh's private mount and network namespaces, as root:
# inner.sh RESULTS_FILE CASE... (env from run.sh: TOP BUILD_DIR CERTCONFD
# TEST_USER CG RUNDIR). Starts journald on private /run/systemd and /run/log,
# then for each case a fresh `systemd --user` (own cgroup, home, runtime dir)
# and the case itself; tears each case down with cgroup.kill. Writes
# "PASSED FAILED" to RESULTS_FILE.
set -uo pipefail

results=$1
shift
cases=("$@")

passed=0
failed=0
now_ms() { echo $(($(date +%s%N) / 1000000)); }
die() {
        echo "FAIL agent setup: $*"
        echo "0 $((failed + 1))" >"$results"
        exit 1
}

# Every process started here (journald too) lives under $CG.
echo $$ >"$CG/harness/cgroup.procs" || die "cannot enter cgroup $CG/harness"

uid=$(id -u "$TEST_USER") && gid=$(id -g "$TEST_USER") || die "no user $TEST_USER"
# Each case's manager lives in $CG/user@UID.service, the name journald
# looks for to fill in _SYSTEMD_USER_UNIT (and --user-unit) for its units.
ucg_name=user@$uid.service
ucg=$CG/$ucg_name
home=$(getent passwd "$TEST_USER" | cut -d: -f6)

mkdir -p "$RUNDIR"/{run-systemd/system,runlog,empty,bin,cases} || die "mkdir $RUNDIR"
cp "$TOP"/tests/agent/bin/wait-tls "$TOP"/tests/agent/bin/sserver "$RUNDIR/bin/" &&
        chmod 0755 "$RUNDIR"/bin/* || die "copy helpers"

# Private /run/systemd (with system/, else `systemd --user` refuses to run),
# /run/log for the runtime journal, and an empty /var/log/journal so that
# nothing can reach the host's persistent journal.
mkdir -p /run/systemd /run/log || die "mkdir /run/systemd /run/log"
mount --bind "$RUNDIR/run-systemd" /run/systemd || die "bind /run/systemd"
mount --bind "$RUNDIR/runlog" /run/log || die "bind /run/log"
if [ -d /var/log/journal ]; then
        mount --bind "$RUNDIR/empty" /var/log/journal || die "bind /var/log/journal"
fi
mkdir -p /run/systemd/journald.conf.d
cat >/run/systemd/journald.conf.d/certconf-tests.conf <<'EOF'
# certconf agent tests: volatile, no rate limit, no kernel log, nothing forwarded
[Journal]
Storage=volatile
RateLimitIntervalSec=0
RateLimitBurst=0
ReadKMsg=no
Audit=no
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
RuntimeMaxUse=64M
EOF

ip link set lo up || die "ip link set lo up (private network namespace)"

/lib/systemd/systemd-journald >"$RUNDIR/journald.log" 2>&1 &
journald_pid=$!
for _ in $(seq 200); do
        [ -S /run/systemd/journal/socket ] && [ -S /run/systemd/journal/stdout ] && break
        kill -0 "$journald_pid" 2>/dev/null || break
        sleep 0.05
done
[ -S /run/systemd/journal/socket ] || die "journald did not start: $(tail -n 5 "$RUNDIR/journald.log")"
export JOURNAL_DIR=/run/log/journal

stop_journald() {
        kill -TERM "$journald_pid" 2>/dev/null
        wait "$journald_pid" 2>/dev/null
}

as_test_user() {
        setpriv --reuid="$uid" --regid="$gid" --init-groups \
                env XDG_RUNTIME_DIR="$rt" DBUS_SESSION_BUS_ADDRESS="unix:path=$rt/bus" \
                HOME="$home" USER="$TEST_USER" LOGNAME="$TEST_USER" "$@"
}

# start_manager: a fresh `systemd --user` for case $name, in cgroup $ucg.
start_manager() {
        local t0
        t0=$(now_ms)
        mkdir "$ucg" && chown -R "$uid:$gid" "$ucg" || return 1
        if [ -n "$CGV1" ]; then
                mkdir "$CGV1/$ucg_name" && chown -R "$uid:$gid" "$CGV1/$ucg_name" || return 1
        fi
        (
                echo "$BASHPID" >"$ucg/cgroup.procs" || exit 1
                [ -z "$CGV1" ] || echo "$BASHPID" >"$CGV1/$ucg_name/cgroup.procs" || exit 1
                exec setpriv --reuid="$uid" --regid="$gid" --init-groups \
                        env -i HOME="$home" USER="$TEST_USER" LOGNAME="$TEST_USER" SHELL=/bin/sh \
                        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
                        XDG_RUNTIME_DIR="$rt" SYSTEMD_LOG_TARGET=journal \
                        /lib/systemd/systemd --user
        ) >"$cdir/manager.log" 2>&1 &
        manager_pid=$!
        # cgroup.kill ends it; no "Killed" job report from this shell.
        disown "$manager_pid"
        for _ in $(seq 400); do
                [ -S "$rt/bus" ] && [ -S "$rt/systemd/private" ] && break
                kill -0 "$manager_pid" 2>/dev/null || break
                sleep 0.05
        done
        if ! [ -S "$rt/bus" ]; then
                echo "no $rt/bus: manager log:"
                tail -n 20 "$cdir/manager.log"
                journalctl -D "$JOURNAL_DIR" -o short-monotonic --no-pager -n 20 _PID="$manager_pid" 2>/dev/null
                return 1
        fi
        local state
        state=$(as_test_user timeout 30 systemctl --user is-system-running --wait 2>&1)
        case $state in
        running) ;;
        *)
                echo "user manager is '$state':"
                as_test_user systemctl --user --failed --no-legend 2>&1
                return 1
                ;;
        esac
        manager_ms=$(($(now_ms) - t0))
}

# stop_case: kill the case's cgroup (manager, units, dbus), remove it, unmount
# the home. Returns nonzero if anything is left.
stop_case() {
        local rc=0
        if [ -d "$ucg" ]; then
                cgroup_remove "$ucg" || { echo "cgroup $ucg could not be removed: $(find "$ucg" -name cgroup.procs -exec cat {} +)"; rc=1; }
        fi
        if [ -n "$CGV1" ] && [ -d "$CGV1/$ucg_name" ]; then
                find "$CGV1/$ucg_name" -depth -type d -exec rmdir {} + 2>/dev/null
                [ -d "$CGV1/$ucg_name" ] && { echo "cgroup $CGV1/$ucg_name could not be removed"; rc=1; }
        fi
        if mountpoint -q "$home"; then
                umount "$home" || { echo "cannot unmount $home"; rc=1; }
        fi
        if mountpoint -q "$rt"; then
                umount "$rt" || { echo "cannot unmount $rt"; rc=1; }
        fi
        return $rc
}

for name in "${cases[@]}"; do
        cdir=$RUNDIR/cases/$name
        rt=$cdir/rt
        manager_pid=
        manager_ms=0
        mkdir -p "$cdir"/{home,rt,work} && chown "$uid:$gid" "$cdir"/{home,rt,work} &&
                chmod 0700 "$cdir/rt" "$cdir/home" && chmod 0755 "$cdir" || die "mkdir $cdir"
        mount --bind "$cdir/home" "$home" || die "bind $cdir/home over $home"
        # A tmpfs, as /run/user/UID is: the manager removes RuntimeDirectory=
        # only from tmpfs ("Attempted to remove disk file system ...").
        mount -t tmpfs -o "mode=0700,uid=$uid,gid=$gid,size=64m,nosuid,nodev" tmpfs "$rt" ||
                die "tmpfs on $rt"

        # The journal's last entry before the case: lib.sh shows entries after it.
        cursor=$(journalctl -D "$JOURNAL_DIR" -n 1 --show-cursor --no-pager -q 2>/dev/null |
                sed -n 's/^-- cursor: //p')
        if ! start_manager >"$cdir/setup.log" 2>&1; then
                echo "FAIL $name: setup: the user manager did not start"
                sed 's/^/    /' "$cdir/setup.log"
                failed=$((failed + 1))
                stop_case | sed 's/^/    /'
                continue
        fi
        cursor=$(journalctl -D "$JOURNAL_DIR" -n 1 --show-cursor --no-pager -q 2>/dev/null |
                sed -n 's/^-- cursor: //p')

        t0=$(now_ms)
        (
                cd "$cdir/work" || exit 1
                exec env CASE_NAME="$name" CASE_DIR="$cdir" WORK="$cdir/work" AGENT_BIN="$RUNDIR/bin" \
                        TEST_UID="$uid" TEST_GID="$gid" TEST_HOME="$home" USER_RUNTIME_DIR="$rt" \
                        CASE_CGROUP="$ucg" JOURNAL_CURSOR="$cursor" \
                        timeout -k 10 "${CERTCONF_AGENT_CASE_TIMEOUT:-600}" \
                        bash "$TOP/tests/agent/$name.sh"
        ) >"$cdir/output" 2>&1
        rc=$?
        ms=$(($(now_ms) - t0))

        line=$(grep -E '^checks: [0-9]+ passed, [0-9]+ failed$' "$cdir/output" | tail -n 1)
        p=$(printf '%s' "$line" | sed -nE 's/^checks: ([0-9]+) passed.*/\1/p')
        f=$(printf '%s' "$line" | sed -nE 's/.*passed, ([0-9]+) failed$/\1/p')
        p=${p:-0}
        f=${f:-0}
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
                f=1 # died, timed out, or exited nonzero without a failed check
        fi
        teardown=$(stop_case 2>&1) || f=$((f + 1))
        passed=$((passed + p))
        failed=$((failed + f))
        secs=$(printf '%d.%01d' $((ms / 1000)) $((ms % 1000 / 100)))
        if [ "$f" -eq 0 ]; then
                echo "ok   $name: $p checks (${secs} s, user manager up in ${manager_ms} ms)"
                grep -E '^time ' "$cdir/output" | sed 's/^/     /'
        else
                echo "FAIL $name: $f of $((p + f)) checks failed (exit $rc, ${secs} s)"
                [ "$rc" -eq 124 ] && echo "     (timed out after ${CERTCONF_AGENT_CASE_TIMEOUT:-600} s)"
                # The failed checks first: a CI log may show only the start.
                grep -E '^FAIL ' "$cdir/output" | sed 's/^/     /'
                sed 's/^/    | /' "$cdir/output"
                [ -n "$teardown" ] && printf '%s\n' "$teardown" | sed 's/^/    teardown: /'
        fi
done

stop_journald
echo "$passed $failed" >"$results"
