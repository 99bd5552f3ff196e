#!/bin/sh
# The cross-host check on Linux: the Debian guest (tools/mkguest) boots on the
# deterministic clock (-icount) on both builds, through the test script's first shell
# marker ("orrery-test: begin") to its poweroff, each saving its state at the end. Console
# output and final state (every register, x87 included, device and byte of RAM) must be
# identical. Under qemu-user the emulated build needs about half an hour of CPU time.
#   linux.sh NATIVE_ORRERY OTHER_ORRERY SOURCE_DIR
# STOP_AT=N stops both at instruction N instead (a shorter check: no marker expected);
# SCRIPT=bench runs the guest's compute benchmark, x87 part included, instead of the test
# script (much longer).
native=$1 other=$2 src=$3
state_tool=$(dirname "$native")/orrery-state
other_state_tool=$(dirname "$other")/orrery-state
. "$(dirname "$0")/lib.sh"
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
if ! ORRERY_CACHE=$cache sh "$src/tools/mkguest" --check; then
    sh "$src/tools/mkguest" >"$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }
fi

stop=""
[ -n "${STOP_AT:-}" ] && stop="-stop-at $STOP_AT"
# shellcheck disable=SC2086 # $stop is empty or two words
same linux -m 256 -icount shift=2 -display none -kernel "$cache/bzImage" \
    -initrd "$cache/initramfs.cpio.gz" -append "console=ttyS0 orrery.script=${SCRIPT:-test}" \
    -serial "file:@OUT@" $stop
if [ -z "${STOP_AT:-}" ]; then
    for marker in "^orrery-${SCRIPT:-test}: begin" "^orrery-${SCRIPT:-test}: end" \
                  "reboot: System halted"; do
        if grep -q "$marker" "$dir/linux.native.out"; then
            echo "ok   the console has '$marker'"
        else
            echo "FAIL the console lacks '$marker'"; fail=1
        fi
    done
fi
echo "console: $(wc -c <"$dir/linux.native.out") bytes, last line: $(tail -n 1 "$dir/linux.native.out")"
if [ "$fail" = 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
