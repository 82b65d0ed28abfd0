#!/usr/bin/env bash
# Runs the whole suite against the binaries in build dir $1 (made by
# `make check`): every Check unit test, every CLI test script, the agent's
# integration cases (tests/agent; root only, else skipped loudly), the
# packages (tests/pkg: make deb and make rpm, checked), the x509-limbo core
# set against its floor and, with FUZZ_DIR set, a short fixed-seed fuzz run
# of the parsers. Prints one line per part and a
# closing "N passed, N failed". Exits nonzero if anything failed.
set -uo pipefail

O=${1:?usage: run-all.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export CERTCONFD="$top/$O/certconfd"

passed=0
failed=0
failed_parts=()

n_unit=0
for t in "$O"/tests/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        n_unit=$((n_unit + 1))
        out=$("$t" 2>&1)
        rc=$?
        line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1)
        checks=$(printf '%s' "$line" | sed -nE 's/.*Checks: ([0-9]+).*/\1/p')
        fails=$(printf '%s' "$line" | sed -nE 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1+\2/p')
        fails=$(( ${fails:-0} ))
        if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
                printf '%s\n' "$out"
                echo "FAIL $name (exit $rc)"
                failed=$((failed + (fails > 0 ? fails : 1)))
                passed=$((passed + ${checks:-0} - (fails > 0 ? fails : 0)))
                failed_parts+=("$name")
        else
                echo "ok   $name: $line"
                passed=$((passed + checks))
        fi
done

if [ "$n_unit" -lt "$(ls tests/unit/test_*.c | wc -l)" ]; then
        echo "FAIL unit: only $n_unit test binaries in $O/tests for $(ls tests/unit/test_*.c | wc -l) test files"
        failed=$((failed + 1))
        failed_parts+=("unit-build")
fi

for s in tests/cli/test-*.sh; do
        [ -f "$s" ] || continue
        name=$(basename "$s")
        out=$(bash "$s" 2>&1)
        rc=$?
        p=$(printf '%s\n' "$out" | sed -nE 's/^cli: ([0-9]+) passed, ([0-9]+) failed$/\1/p' | tail -n 1)
        f=$(printf '%s\n' "$out" | sed -nE 's/^cli: ([0-9]+) passed, ([0-9]+) failed$/\2/p' | tail -n 1)
        if [ "$rc" -ne 0 ] || [ -z "$p" ]; then
                printf '%s\n' "$out"
                echo "FAIL $name (exit $rc)"
                failed=$((failed + (${f:-0} > 0 ? ${f:-0} : 1)))
                passed=$((passed + ${p:-0}))
                failed_parts+=("$name")
        else
                echo "ok   $name: $p passed"
                passed=$((passed + p))
        fi
done

# The agent's integration cases (real systemd --user, journald, Tomcat):
# root only; not root, they are skipped loudly and count nothing.
out=$(bash tests/agent/run.sh "$O" 2>&1)
rc=$?
p=$(printf '%s\n' "$out" | sed -nE 's/^agent: ([0-9]+) passed, ([0-9]+) failed.*$/\1/p' | tail -n 1)
f=$(printf '%s\n' "$out" | sed -nE 's/^agent: ([0-9]+) passed, ([0-9]+) failed.*$/\2/p' | tail -n 1)
if [ "$rc" -ne 0 ] || [ -z "$p" ] || [ "${f:-0}" -ne 0 ]; then
        printf '%s\n' "$out"
        echo "FAIL agent (exit $rc)"
        failed=$((failed + (${f:-0} > 0 ? ${f:-0} : 1)))
        passed=$((passed + ${p:-0}))
        failed_parts+=("agent")
elif printf '%s\n' "$out" | grep -q '^agent: SKIPPED'; then
        printf '%s\n' "$out" | grep '^agent: SKIPPED'
        echo "SKIP agent: not root (CI runs these as root)"
else
        printf '%s\n' "$out" | grep -E '^(ok   |     time )'
        echo "ok   agent: $p passed"
        passed=$((passed + p))
fi

# The packages (tests/pkg): make deb and make rpm from the working tree, the
# .deb unpacked and checked, its unit verified and scored, lintian. Not
# root, the capability checks are skipped loudly (CI runs as root).
out=$(bash tests/pkg/run.sh 2>&1)
rc=$?
p=$(printf '%s\n' "$out" | sed -nE 's/^pkg: ([0-9]+) passed, ([0-9]+) failed.*$/\1/p' | tail -n 1)
f=$(printf '%s\n' "$out" | sed -nE 's/^pkg: ([0-9]+) passed, ([0-9]+) failed.*$/\2/p' | tail -n 1)
if [ "$rc" -ne 0 ] || [ -z "$p" ] || [ "${f:-0}" -ne 0 ]; then
        printf '%s\n' "$out"
        echo "FAIL pkg (exit $rc)"
        failed=$((failed + (${f:-0} > 0 ? ${f:-0} : 1)))
        passed=$((passed + ${p:-0}))
        failed_parts+=("pkg")
else
        printf '%s\n' "$out" | grep -E '^(SKIP |ok   (make (deb|rpm)|systemd-analyze|lintian))|^    exposed: '
        echo "ok   pkg: $p passed"
        passed=$((passed + p))
fi

if [ ! -x "$O/tests/limbo-harness" ]; then
        echo "FAIL limbo core: $O/tests/limbo-harness was not built"
        failed=$((failed + 1))
        failed_parts+=("limbo-core")
else
        if tests/limbo/run.sh "$O/tests/limbo-harness" tests/data/limbo-core.json.gz core; then
                passed=$((passed + 1))
        else
                echo "FAIL limbo core (below the floor in tests/limbo/floor, or the harness failed)"
                failed=$((failed + 1))
                failed_parts+=("limbo-core")
        fi
fi

if [ -n "${FUZZ_DIR:-}" ]; then
        if ASAN_OPTIONS=detect_leaks=1 tests/fuzz/run.sh "$FUZZ_DIR" "${FUZZ_RUNS:-20000}"; then
                passed=$((passed + 1))
        else
                failed=$((failed + 1))
                failed_parts+=("fuzz")
        fi
fi

echo
if [ "$failed" -ne 0 ]; then
        echo "failed: ${failed_parts[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
