#!/bin/sh
# Boots the Debian guest (tools/mkguest) non-interactively on the deterministic clock,
# twice, and checks its console: the test script's markers and results, the P6 model and
# its flags in /proc/cpuinfo, no platform warnings. The second boot is cut in two: it stops
# at instruction $SPLIT mid-boot and saves the machine (-stop-at, -savestate), and a fresh
# process restores it (-loadstate) and runs on. Both runs must print exactly the same bytes
# (guest time derives from instructions, so the kernel's timestamps match too) and end in
# the same state: every register, device and byte of RAM (-savestate at exit).
#   tests/boot/linux.sh ORRERY SOURCE_DIR
set -eu
orrery=$1
src=$2
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

sh "$src/tools/mkguest" >"$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }

# About half of the boot's instructions: the kernel has started its drivers by then.
SPLIT=${SPLIT:-3000000000}

boot() { # console file, more options...
    out=$1
    shift
    rc=0
    timeout $((900 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 256 -icount shift=2 -display none \
        -kernel "$cache/bzImage" -initrd "$cache/initramfs.cpio.gz" \
        -append "console=ttyS0 orrery.script=test" -serial "file:$out" "$@" 2>"$out.err" ||
        rc=$?
    echo "$rc" >"$out.rc"
    return "$rc"
}

fail=0
check() { # description, grep pattern
    if grep -q -- "$2" "$dir/one.txt"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
absent() { # description, grep -i pattern
    if grep -qi -- "$2" "$dir/one.txt"; then
        echo "FAIL $1:"; grep -i -- "$2" "$dir/one.txt"; fail=1
    else
        echo "ok   $1"
    fi
}

boot "$dir/one.txt" -savestate "$dir/one.state" &
{ boot "$dir/two-a.txt" -stop-at "$SPLIT" -savestate "$dir/split.state" &&
  boot "$dir/two-b.txt" -loadstate "$dir/split.state" -savestate "$dir/two.state"; } &
wait
cat "$dir/one.txt.err" "$dir/two-a.txt.err" "$dir/two-b.txt.err" >&2
cat "$dir/two-a.txt" "$dir/two-b.txt" > "$dir/two.txt"
check "the kernel booted" "Linux version 6"
check "the test script began" "^orrery-test: begin"
check "uname" "^Linux .* i686"
check "the P6 model" "model name.*Pentium II (Deschutes)"
check "CPU flags" "^flags.*fpu.*tsc.*cx8.*cmov.*mmx.*fxsr"
check "shell arithmetic" "orrery-test: sum=332833500"
check "the script ended" "^orrery-test: end"
check "poweroff" "reboot: System halted"
if [ "$(cat "$dir/one.txt.rc" "$dir/two-a.txt.rc" "$dir/two-b.txt.rc" 2>&1)" = "$(printf '0\n0\n0')" ]
then
    echo "ok   orrery exited with status 0 (poweroff, -stop-at, poweroff)"
else
    echo "FAIL orrery's exit status: $(cat "$dir"/*.rc 2>&1 | tr '\n' ' ')"; fail=1
fi
check "TSC clocksource" "Switched to clocksource tsc"
absent "timer warnings" "timer doesn't work\|IO-APIC + timer\|falling back to jiffies"
absent "spurious interrupts" "spurious 8259A interrupt"
absent "the watchdog keeps the TSC" "Marking clocksource 'tsc' as unstable"
if grep -q "stopped after $SPLIT instructions" "$dir/two-a.txt.err" && [ -s "$dir/two-b.txt" ]
then
    echo "ok   the second boot was saved at instruction $SPLIT and restored" \
         "($(wc -c <"$dir/two-a.txt") + $(wc -c <"$dir/two-b.txt") bytes of output)"
else
    echo "FAIL the second boot did not stop at $SPLIT with output left to print"; fail=1
fi
if cmp -s "$dir/one.txt" "$dir/two.txt"; then
    echo "ok   both -icount boots printed identical output ($(wc -c <"$dir/one.txt") bytes)"
else
    echo "FAIL the two -icount boots differ:"; diff "$dir/one.txt" "$dir/two.txt" | head -20
    fail=1
fi
# The final states, decompressed (the compressed bytes could differ only in gzip's header).
if [ -s "$dir/one.state" ] && [ -s "$dir/two.state" ] &&
   gzip -dc "$dir/one.state" > "$dir/one.raw" && gzip -dc "$dir/two.state" > "$dir/two.raw" &&
   cmp -s "$dir/one.raw" "$dir/two.raw"; then
    echo "ok   both ended in the same state after" \
         "$(sed -n 's/.*saved the machine to .* after \([0-9]*\) instructions/\1/p' \
            "$dir/one.txt.err") instructions ($(wc -c <"$dir/one.raw") bytes)"
else
    echo "FAIL the final states differ:"
    "$(dirname "$orrery")/orrery-state" diff "$dir/one.state" "$dir/two.state" | head -20
    fail=1
fi
[ "$fail" = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
