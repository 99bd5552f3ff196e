#!/bin/sh
# Boots the Debian guest (tools/mkguest) non-interactively on the deterministic clock,
# twice, and checks its console: the test script's markers and results, the P6 model and
# its flags in /proc/cpuinfo, no platform warnings, and that both runs printed exactly the
# same bytes (guest time derives from instructions, so the kernel's timestamps match too).
#   tests/boot/linux.sh ORRERY SOURCE_DIR
set -eu
orrery=$1
src=$2
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

sh "$src/tools/mkguest" >"$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }

boot() {
    timeout 900 "$orrery" -m 256 -icount shift=2 -display none \
        -kernel "$cache/bzImage" -initrd "$cache/initramfs.cpio.gz" \
        -append "console=ttyS0 orrery.script=test" -serial "file:$1" 2>"$1.err"
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

boot "$dir/one.txt" &
boot "$dir/two.txt" &
wait
cat "$dir/one.txt.err" >&2
check "the kernel booted" "Linux version 6"
check "the test script began" "^orrery-test: begin"
check "uname" "^Linux .* i686"
check "the P6 model" "model name.*Pentium II (Deschutes)"
check "CPU flags" "^flags.*fpu.*tsc.*cx8.*cmov.*mmx.*fxsr"
check "shell arithmetic" "orrery-test: sum=332833500"
check "the script ended" "^orrery-test: end"
check "poweroff" "reboot: System halted"
check "TSC clocksource" "Switched to clocksource tsc"
absent "timer warnings" "timer doesn't work\|IO-APIC + timer\|falling back to jiffies"
absent "spurious interrupts" "spurious 8259A interrupt"
absent "the watchdog keeps the TSC" "Marking clocksource 'tsc' as unstable"
if cmp -s "$dir/one.txt" "$dir/two.txt"; then
    echo "ok   two -icount boots printed identical output ($(wc -c <"$dir/one.txt") bytes)"
else
    echo "FAIL two -icount boots differ:"; diff "$dir/one.txt" "$dir/two.txt" | head -20; fail=1
fi
[ "$fail" = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
