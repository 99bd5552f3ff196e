#!/bin/sh
# Boots the Debian guest (tools/mkguest) on the real-time clock (no -icount) and checks
# that guest seconds are host seconds: with orrery.script=sleep the guest prints
# "orrery-sleep: begin", runs `sleep 5` and prints "orrery-sleep: end"; the console comes
# through a pipe, a line at a time, and each marker is stamped with the host clock as it
# arrives. Passes when the two stamps are 5 s +- 10 % apart and the kernel log has no
# warning caused by the platform. Real time keeps guest time on the host clock even when
# orrery gets less than a core (it catches up rather than slowing down), so a busy host
# must not matter.
#   tests/boot/realtime.sh ORRERY SOURCE_DIR
set -eu
orrery=$1
src=$2
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

sh "$src/tools/mkguest" >"$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }

log=$dir/console.txt
: >"$log"
{ timeout $((900 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 256 -display none \
      -kernel "$cache/bzImage" -initrd "$cache/initramfs.cpio.gz" \
      -append "console=ttyS0 orrery.script=sleep" -serial stdio </dev/null 2>"$dir/err"
  echo $? >"$dir/rc"; } |
while IFS= read -r line; do
    case $line in
    "orrery-sleep: begin"*) date +%s.%N >"$dir/begin" ;;
    "orrery-sleep: end"*) date +%s.%N >"$dir/end" ;;
    esac
    printf '%s\n' "$line" >>"$log"
done
cat "$dir/err" >&2

fail=0
check() { # description, grep pattern
    if grep -q -- "$2" "$log"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
absent() { # description, grep pattern (case matters: "WARNING:" is the kernel's own)
    if grep -q -- "$2" "$log"; then
        echo "FAIL $1:"; grep -A 4 -- "$2" "$log"; fail=1
    else
        echo "ok   $1"
    fi
}

check "the kernel booted" "Linux version 6"
check "the sleep script began" "^orrery-sleep: begin"
check "the sleep script ended" "^orrery-sleep: end"
check "poweroff" "reboot: System halted"
if [ "$(cat "$dir/rc")" = 0 ]; then
    echo "ok   poweroff -f ended orrery with status 0"
else
    echo "FAIL orrery's exit status after poweroff -f: $(cat "$dir/rc")"; fail=1
fi
if [ -s "$dir/begin" ] && [ -s "$dir/end" ]; then
    took=$(awk -v a="$(cat "$dir/begin")" -v b="$(cat "$dir/end")" 'BEGIN { printf "%.3f", b - a }')
    if awk -v d="$took" 'BEGIN { exit !(d >= 4.5 && d <= 5.5) }'; then
        echo "ok   sleep 5 took $took s of host time (5 s +- 10 %)"
    else
        echo "FAIL sleep 5 took $took s of host time, not 5 s +- 10 %"; fail=1
    fi
else
    echo "FAIL no host timing: a marker line never arrived"; fail=1
fi
absent "timer warnings" "timer doesn't work\|IO-APIC + timer\|MP-BIOS bug"
absent "spurious interrupts" "spurious 8259A interrupt"
absent "clocksource fallbacks" "falling back to jiffies\|Marking clocksource\|clocksource.*unstable\|Marking TSC unstable"
absent "kernel warnings and traces" "WARNING:\|Call Trace"
[ "$fail" = 0 ] && echo "1 passed, 0 failed" || { echo "--- the console:"; cat "$log"; echo "0 passed, 1 failed"; }
exit $fail
