#!/usr/bin/env bash
# The agent's integration tests, against real parts: a real `systemd --user`
# manager and its D-Bus, a real systemd-journald, Debian's Tomcat 10 and
# `openssl s_server` units. Usage: tests/agent/run.sh BUILD_DIR
#
# As root: makes the test user (certconf-test) and a cgroup under
# /sys/fs/cgroup/unified, then enters private mount and network namespaces
# (unshare) where inner.sh starts journald and, for every test-*.sh case, a
# fresh user manager, a fresh home and work dir. Prints one line per case and
# closes with exactly "agent: N passed, M failed" (N and M count checks).
# Not root: every case is skipped, loudly, and the run exits 0. As root, a
# setup failure is a failure, never a skip.
set -uo pipefail

O=${1:?usage: tests/agent/run.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
case $O in /*) ;; *) O=$top/$O ;; esac

TEST_USER=${CERTCONF_TEST_USER:-certconf-test}
cases=()
# CERTCONF_AGENT_CASES="test-20* test-3*": only the cases matching one of
# these shell patterns (for development; CI runs them all).
for c in tests/agent/test-*.sh; do
        [ -f "$c" ] || continue
        n=$(basename "$c" .sh)
        if [ -n "${CERTCONF_AGENT_CASES:-}" ]; then
                keep=
                read -ra pats <<<"$CERTCONF_AGENT_CASES"
                for pat in "${pats[@]}"; do
                        # shellcheck disable=SC2053 # a pattern on purpose
                        [[ $n == $pat ]] && keep=1
                done
                [ -n "$keep" ] || continue
        fi
        cases+=("$n")
done

skip_all() {
        echo "agent: SKIPPED ($1): ${cases[*]}"
        echo "agent: these cases did not run; CI runs them as root"
        echo "agent: 0 passed, 0 failed (skipped: ${#cases[@]} cases, $1)"
        exit 0
}

CG=
CGV1=
RUNDIR=
setup_failed() {
        [ -n "$CG" ] && rmdir "$CG/harness" "$CG" 2>/dev/null
        [ -n "$CGV1" ] && rmdir "$CGV1" 2>/dev/null
        [ -n "$RUNDIR" ] && rm -rf "$RUNDIR"
        echo "FAIL agent setup: $*"
        echo "agent: 0 passed, 1 failed"
        exit 1
}

if [ "$(id -u)" -ne 0 ]; then
        skip_all "needs root for a private mount namespace, a cgroup and a test user"
fi

for tool in unshare setpriv useradd systemctl journalctl busctl openssl keytool ip \
        /lib/systemd/systemd /lib/systemd/systemd-journald /usr/bin/dbus-daemon \
        /usr/share/tomcat10/bin/catalina.sh; do
        command -v "$tool" >/dev/null 2>&1 || setup_failed "$tool is missing (make deps)"
done
[ -f /usr/lib/systemd/user/dbus.socket ] || setup_failed "dbus.socket user unit missing (dbus-user-session; make deps)"
[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] ||
        [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] ||
        setup_failed "no cgroup2 hierarchy at /sys/fs/cgroup/unified or /sys/fs/cgroup"

# The test user: idempotent. Its home stays empty on the host: each case gets
# a fresh one bind-mounted over it inside the namespace.
if ! getent passwd "$TEST_USER" >/dev/null; then
        useradd --system --user-group --create-home --home-dir "/var/lib/$TEST_USER" \
                --shell /usr/sbin/nologin --comment "certconf agent tests" "$TEST_USER" ||
                getent passwd "$TEST_USER" >/dev/null || setup_failed "useradd $TEST_USER failed"
fi
user_home=$(getent passwd "$TEST_USER" | cut -d: -f6)
[ -d "$user_home" ] || { mkdir -p "$user_home" && chown "$TEST_USER:" "$user_home"; } ||
        setup_failed "no home directory $user_home"

# The cgroup: on a hybrid host (this one) cgroup2 is at /sys/fs/cgroup/unified;
# on a pure cgroup2 host at /sys/fs/cgroup.
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        cgroot=/sys/fs/cgroup/unified
else
        cgroot=/sys/fs/cgroup
fi
RUNDIR=$(mktemp -d /tmp/certconf-agent-XXXXXX) || setup_failed "mktemp failed"
chmod 0755 "$RUNDIR"
# jobwait: the agent's restart path (sd-bus, Subscribe, JobRemoved).
# shellcheck disable=SC2046 # pkg-config's words are separate arguments
mkdir "$RUNDIR/bin" &&
        cc -std=gnu17 -Wall -Wextra -Werror -Wno-unused-parameter -O1 -o "$RUNDIR/bin/jobwait" \
                tests/agent/bin/jobwait.c $(pkg-config --cflags --libs libsystemd) ||
        setup_failed "cannot build tests/agent/bin/jobwait.c"
mkdir "$cgroot/certconf-agent-$$.slice" || setup_failed "cannot make a cgroup under $cgroot"
CG=$cgroot/certconf-agent-$$.slice
mkdir "$CG/harness" || setup_failed "cannot make cgroup $CG/harness"
# Hybrid hosts also have the named v1 hierarchy systemd mirrors its tree
# into ("compat"); without a place there the manager logs three warnings
# for every unit it starts.
if [ "$cgroot" = /sys/fs/cgroup/unified ] &&
        findmnt -rn -t cgroup -O name=systemd /sys/fs/cgroup/systemd >/dev/null; then
        mkdir "/sys/fs/cgroup/systemd/certconf-agent-$$.slice" ||
                setup_failed "cannot make cgroup /sys/fs/cgroup/systemd/certconf-agent-$$.slice"
        CGV1=/sys/fs/cgroup/systemd/certconf-agent-$$.slice
fi

# Kills everything in cgroup $1 and removes it, depth first. Returns 0 when
# the cgroup is gone (so no process of ours is left).
cgroup_remove() {
        local cg=$1
        [ -d "$cg" ] || return 0
        if [ -w "$cg/cgroup.kill" ]; then
                echo 1 >"$cg/cgroup.kill" 2>/dev/null
        else # kernels before 5.14
                for _ in 1 2 3; do
                        # shellcheck disable=SC2038 # pids only
                        find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
                        sleep 0.1
                done
        fi
        for _ in $(seq 100); do
                grep -q '^populated 0' "$cg/cgroup.events" 2>/dev/null && break
                sleep 0.05
        done
        find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
        [ ! -d "$cg" ]
}

trap 'cgroup_remove "$CG"; [ -z "$CGV1" ] || find "$CGV1" -depth -type d -exec rmdir {} + 2>/dev/null
      echo "agent: interrupted; kept $RUNDIR"; exit 130' INT TERM
export -f cgroup_remove
start=$(date +%s%N)
export TOP=$top BUILD_DIR=$O CERTCONFD=$O/certconfd TEST_USER CG CGV1 RUNDIR
results=$RUNDIR/results
unshare --mount --net --propagation private \
        bash "$top/tests/agent/inner.sh" "$results" "${cases[@]}"
inner_rc=$?

# Safety net: whatever inner.sh left (it should have left nothing).
leftover=()
if [ -d "$CG" ]; then
        procs=$(find "$CG" -name cgroup.procs -exec cat {} + 2>/dev/null | tr '\n' ' ')
        [ -n "${procs// /}" ] && leftover+=("processes in $CG: $procs")
        cgroup_remove "$CG" || leftover+=("cgroup $CG could not be removed")
fi
if [ -n "$CGV1" ] && [ -d "$CGV1" ]; then
        find "$CGV1" -depth -type d -exec rmdir {} + 2>/dev/null
        [ -d "$CGV1" ] && leftover+=("cgroup $CGV1 could not be removed")
fi
if findmnt -rn -o TARGET,SOURCE | grep -q "$RUNDIR"; then
        leftover+=("mounts of $RUNDIR on the host: $(findmnt -rn -o TARGET,SOURCE | grep "$RUNDIR" | tr '\n' ' ')")
fi

passed=0
failed=0
if [ -f "$results" ]; then
        read -r passed failed <"$results"
else
        echo "FAIL agent setup: inner.sh exited $inner_rc without results (see above)"
        failed=1
fi
if [ "${#leftover[@]}" -gt 0 ]; then
        for l in "${leftover[@]}"; do echo "FAIL agent teardown: left behind: $l"; done
        failed=$((failed + 1))
fi
if [ "$failed" -eq 0 ] && [ -z "${CERTCONF_AGENT_KEEP:-}" ]; then
        rm -rf "$RUNDIR"
else
        echo "agent: kept $RUNDIR for inspection (cases/*/: home, work, manager.log; journal: journalctl -D $RUNDIR/runlog/journal)"
fi
echo "agent: total $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "agent: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
