#!/bin/sh
# SeaBIOS's POST in lockstep: real firmware (PCI, PAM shadowing, fw_cfg DMA, SMM through
# an SMI, ACPI tables) with every block of the translator checked against the
# interpreter, on the deterministic clock to 12 million instructions ("No bootable
# device." comes at about 10 million). No difference may be found, lockstep must have
# compared blocks, and the machine must end exactly as on the block translator alone
# (orrery-state diff): lockstep changes nothing the guest sees.
# Exits 77 (skipped) when bios-256k.bin is not installed.
#   tests/boot/seabios-lockstep.sh ORRERY ORRERY_STATE
set -u
orrery=$1
state_tool=$2
if [ ! -f /usr/share/seabios/bios-256k.bin ] && [ ! -f /usr/share/qemu/bios-256k.bin ]; then
    echo "skipped: SeaBIOS (bios-256k.bin) is not installed: apt-get install seabios"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

fail=0
for accel in lockstep block; do
    timeout $((120 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -accel "$accel" -m 64 \
        -display none -icount 3 -no-reboot -stop-at 12000000 \
        -savestate "$dir/$accel.state" 2>"$dir/$accel.err"
    rc=$?
    cat "$dir/$accel.err"
    if [ "$rc" -ne 0 ]; then
        echo "FAIL -accel $accel: exit $rc"
        fail=1
    fi
done
if grep -Eq "^orrery: lockstep compared [1-9][0-9]* blocks" "$dir/lockstep.err"; then
    echo "ok   lockstep compared blocks and found no difference"
else
    echo "FAIL lockstep compared nothing"
    fail=1
fi
if "$state_tool" diff "$dir/lockstep.state" "$dir/block.state" >"$dir/diff" 2>&1; then
    echo "ok   the same final state as on the translator alone"
else
    echo "FAIL the final states differ:"
    head -20 "$dir/diff"
    fail=1
fi
if [ "$fail" = 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
