#!/bin/sh
# Runs each benchmark ROM on orrery and on qemu-system-i386 (TCG) in the same run and
# prints the wall times and their ratio. Both boot the same 64 KiB image with -bios; the
# ROM reports on the debug console (port 0xE9), then writes port 0xF4 (QEMU's
# isa-debug-exit) and halts (orrery exits). A run counts only if the ROM reported its
# PASS line on both.
#   tests/bench/run-rom-bench.sh [BUILD_DIR]
# ENGINE=interp (or block, lockstep) in the environment picks orrery's -accel.
set -eu
build=${1:-build}
qemu=$(command -v qemu-system-i386 || true)
if [ -z "$qemu" ]; then
    echo "run-rom-bench: qemu-system-i386 is missing; run: apt-get install qemu-system-x86" >&2
    exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

now() { date +%s.%N; }

printf '%-12s %10s %10s %8s\n' rom orrery_s qemu_s ratio
for rom in "$build"/roms/bench/*.bin; do
    name=$(basename "$rom" .bin)
    t0=$(now)
    "$build/orrery" -bios "$rom" -cpu pentium2 ${ENGINE:+-accel "$ENGINE"} -display none \
        -debugcon "file:$dir/o.txt" \
        -no-reboot 2>/dev/null
    t1=$(now)
    "$qemu" -accel tcg -cpu pentium2 -bios "$rom" -display none -nodefaults -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=1 -debugcon "file:$dir/q.txt" || true
    t2=$(now)
    for who in o q; do
        if ! grep -q "^PASS bench_${name}_ran" "$dir/$who.txt"; then
            echo "run-rom-bench: $name did not finish on $( [ $who = o ] && echo orrery || echo qemu)" >&2
            exit 1
        fi
    done
    o=$(echo "$t1 - $t0" | bc -l)
    q=$(echo "$t2 - $t1" | bc -l)
    printf '%-12s %10.3f %10.3f %7.2fx\n' "$name" "$o" "$q" "$(echo "$o / $q" | bc -l)"
done
echo "ratio = orrery time / qemu-system-i386 (TCG) time; above 1 means orrery is slower"
