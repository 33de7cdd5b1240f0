#!/bin/sh
# stress-tests.sh — run the timing-sensitive test suites again and again
# on a machine made busy on purpose, to find tests that wait on the clock
# instead of on the state they need.
#
#   ./scripts/stress-tests.sh [-n RUNS] [-j PROCESSES] [-l HOGS] [-s SUITES] [-b BUILDDIR]
#
#   -n RUNS       how many times to run the suites (default 20)
#   -j PROCESSES  meson test --num-processes: more than the cores (default 4)
#   -l HOGS       stress-ng CPU hogs running meanwhile (default 2; 0 = none)
#   -s SUITES     comma-separated meson suites (default unit,integration,screen)
#   -b BUILDDIR   the build to test (default build; built first)
#
# stress-ng (Debian's) is installed when missing. Every failure is reported
# with its test's output as it happens; each run's log stays in
# BUILDDIR/meson-logs/stress-N.txt. At the end: runs, tests run, failures
# (and which tests), and the total time. Exits 1 if any test failed.
set -eu

cd "$(dirname "$0")/.."

runs=20
procs=4
hogs=2
suites=unit,integration,screen
builddir=build

usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while getopts n:j:l:s:b:h opt; do
    case "$opt" in
    n) runs=$OPTARG ;;
    j) procs=$OPTARG ;;
    l) hogs=$OPTARG ;;
    s) suites=$OPTARG ;;
    b) builddir=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage

if [ "$hogs" -gt 0 ]; then
    ./scripts/install-packages.sh stress-ng
fi

if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" --buildtype=debugoptimized
fi
ninja -C "$builddir"

suite_args=""
for s in $(echo "$suites" | tr ',' ' '); do
    suite_args="$suite_args --suite $s"
done

hog_pid=""
stop_hogs() {
    if [ -n "$hog_pid" ]; then
        kill "$hog_pid" 2>/dev/null || true
        wait "$hog_pid" 2>/dev/null || true
        hog_pid=""
    fi
}
trap 'stop_hogs' EXIT
trap 'stop_hogs; exit 130' INT TERM

if [ "$hogs" -gt 0 ]; then
    stress-ng --cpu "$hogs" --timeout 0 --quiet &
    hog_pid=$!
fi

echo "stress-tests: $runs run(s) of suites $suites, --num-processes $procs," \
    "$hogs CPU hog(s), on $(nproc) core(s)"

# report JSON: one line per failed test, "name<TAB>result", and the
# test's output after it, for this run's log.
report() {
    python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        t = json.loads(line)
    except ValueError:
        continue
    if t.get("result") in ("OK", "SKIP", "EXPECTEDFAIL"):
        continue
    print("=== FAILED: %s (%s, %.1fs)" % (t.get("name"), t.get("result"), t.get("duration", 0)))
    print(t.get("stdout") or "")
    if t.get("stderr"):
        print("--- stderr:")
        print(t["stderr"])
PY
}

count() {
    python3 - "$1" <<'PY'
import json, sys
n = bad = 0
for line in open(sys.argv[1], errors="replace"):
    try:
        t = json.loads(line)
    except ValueError:
        continue
    n += 1
    bad += t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL")
print(n, bad)
PY
}

start=$(date +%s)
total=0
failures=0
failed_runs=0
failed_names=""
i=1
while [ "$i" -le "$runs" ]; do
    t0=$(date +%s)
    rc=0
    # shellcheck disable=SC2086
    meson test -C "$builddir" --no-rebuild --num-processes "$procs" $suite_args \
        --logbase "stress-$i" >/dev/null 2>&1 || rc=$?
    json="$builddir/meson-logs/stress-$i.json"
    if [ ! -f "$json" ]; then
        echo "stress-tests: run $i: meson test wrote no log (exit $rc)" >&2
        exit 1
    fi
    set -- $(count "$json")
    total=$((total + $1))
    t1=$(date +%s)
    if [ "$2" -gt 0 ] || [ "$rc" -ne 0 ]; then
        failures=$((failures + $2))
        failed_runs=$((failed_runs + 1))
        echo "run $i/$runs: $2 of $1 test(s) FAILED ($((t1 - t0))s); log: $builddir/meson-logs/stress-$i.txt"
        report "$json"
        names=$(report "$json" | sed -n 's/^=== FAILED: \(.*\) (.*/\1/p')
        failed_names="$failed_names
  run $i: $(echo "$names" | tr '\n' ' ')"
    else
        echo "run $i/$runs: $1 test(s) ok ($((t1 - t0))s)"
    fi
    i=$((i + 1))
done
stop_hogs

elapsed=$(($(date +%s) - start))
echo
echo "stress-tests: $runs run(s), $total test(s) run, $failures failure(s) in $failed_runs run(s);" \
    "total time $((elapsed / 60))m$((elapsed % 60))s" \
    "(suites $suites, --num-processes $procs, $hogs CPU hog(s))"
if [ "$failures" -gt 0 ]; then
    echo "failed:$failed_names"
    exit 1
fi
