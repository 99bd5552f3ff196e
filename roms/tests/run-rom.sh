#!/bin/sh
# Boots one test ROM and judges its report on the debug console.
#   run-rom.sh ORRERY ROM.bin NAME CPU TIMEOUT [XFAIL_MESSAGE [REASON]]
# ROM_ENGINE in the environment picks orrery's -accel (default: orrery's default); with
# lockstep the run must also have compared blocks (orrery's last line says how many).
# Passes when orrery exits 0 and the output has "DONE NAME: N passed, 0 failed" (N > 0)
# and no FAIL line. With XFAIL_MESSAGE the ROM is expected not to get there and orrery's
# stderr must contain that message; a ROM that passes anyway fails the test, so the
# expectation is removed as soon as the feature works.
set -u
orrery=$1 rom=$2 name=$3 cpu=$4 limit=$5 xfail=${6:-} reason=${7:-}
# A cross build's tests run under an emulator, more slowly (tools/cmake/test-programs.cmake).
limit=$((limit * ${ORRERY_TIMEOUT_SCALE:-1}))

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
timeout "$limit" "$orrery" -bios "$rom" -cpu "$cpu" ${ROM_ENGINE:+-accel "$ROM_ENGINE"} \
    -display none -debugcon stdio -no-reboot \
    >"$dir/out" 2>"$dir/err"
rc=$?
cat "$dir/out"
cat "$dir/err" >&2

summary=$(grep -E "^DONE $name: [0-9]+ passed, [0-9]+ failed\$" "$dir/out" | tail -n 1)
passed=$(printf '%s\n' "$summary" | sed -n 's/^DONE [^:]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
failed=$(printf '%s\n' "$summary" | sed -n 's/^DONE [^:]*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
ok=0
if [ "$rc" -eq 0 ] && [ -n "$summary" ] && [ "$failed" = 0 ] && [ "${passed:-0}" -gt 0 ] &&
   ! grep -q '^FAIL' "$dir/out"; then
    ok=1
fi
if [ "${ROM_ENGINE:-}" = lockstep ] &&
   ! grep -Eq "^orrery: lockstep compared [1-9][0-9]* blocks" "$dir/err"; then
    echo "FAIL $name: lockstep compared no block"
    ok=0
fi

if [ -n "$xfail" ]; then
    if [ "$ok" -eq 1 ]; then
        echo "XPASS $name: the ROM passes now; remove its XFAIL in roms/tests/CMakeLists.txt"
        exit 1
    fi
    if grep -qF "$xfail" "$dir/err"; then
        echo "XFAIL $name (expected: $reason)"
        exit 0
    fi
    echo "FAIL $name: expected to stop with \"$xfail\", but it did not (exit $rc)"
    exit 1
fi

if [ "$ok" -eq 1 ]; then
    echo "ok $name on $cpu: $passed checks passed"
    exit 0
fi
if [ "$rc" -eq 124 ]; then
    echo "FAIL $name on $cpu: no summary within ${limit}s (timeout)"
elif [ -z "$summary" ]; then
    echo "FAIL $name on $cpu: no DONE line (orrery exit $rc)"
else
    echo "FAIL $name on $cpu: $summary (orrery exit $rc)"
fi
exit 1
