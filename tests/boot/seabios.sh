#!/bin/sh
# SeaBIOS (Debian's seabios package, found by orrery itself: no -bios, no -kernel) runs its
# POST on the deterministic clock, headless, with its debug log on port 0x402, and within
# a fixed instruction budget reaches "No bootable device." (there are no disks yet). The
# log must show what the machine gives it — the i440FX it was built for, fw_cfg with DMA,
# the memory map from etc/e820 — and the state at the end that it shadowed itself and
# write-protected the copy (PAM 0x10 over 0xF0000-0xFFFFF, 0x11 over 0xC0000-0xE7FFF),
# that it built ACPI tables for the PIIX4 PM function and relocated SMBASE through an SMI.
# A run saved mid-POST and restored in a fresh process ends exactly the same. With
# -nographic, SeaBIOS's screen output appears on COM1.
# Exits 77 (skipped) when bios-256k.bin is not installed.
#   tests/boot/seabios.sh ORRERY ORRERY_STATE
set -u
orrery=$1
state_tool=$2
if [ ! -f /usr/share/seabios/bios-256k.bin ] && [ ! -f /usr/share/qemu/bios-256k.bin ]; then
    echo "skipped: SeaBIOS (bios-256k.bin) is not installed: apt-get install seabios"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# About 10 million instructions reach the message; three times that for slack.
timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 64 -display none -icount 3 -no-reboot -stop-at 30000000 \
    -debugcon "file:$dir/log" -global isa-debugcon.iobase=0x402 \
    -savestate "$dir/end.state" 2>"$dir/err"
rc=$?
echo "--- SeaBIOS's debug log (port 0x402):"
cat "$dir/log"
echo "--- orrery:"
cat "$dir/err"
fail=0
if [ "$rc" -ne 0 ]; then
    echo "FAIL orrery exited $rc"
    fail=1
fi
expect() { # text in the log
    if grep -qF -- "$1" "$dir/log"; then
        echo "ok   log: $1"
    else
        echo "FAIL log lacks: $1"
        fail=1
    fi
}
expect "SeaBIOS (version"
expect "Running on QEMU (i440fx)"
expect "Found QEMU fw_cfg"
expect "QEMU fw_cfg DMA interface supported"
expect "qemu/e820: addr 0x0000000000100000 len 0x0000000003f00000 [RAM]"
expect "Found 5 PCI devices"
expect "PCI: init bdf=00:01.3 id=8086:7113"
expect "Using pmtimer, ioport 0xb008"
expect "ACPI DSDT="
expect "Copying ACPI RSDP"
expect "Booting from Hard Disk..."
expect "No bootable device."
for bad in "Unable to unlock ram" "Unable to lock ram" "WARNING" "panic"; do
    if grep -qiF -- "$bad" "$dir/log"; then
        echo "FAIL log has: $bad"
        fail=1
    fi
done
"$state_tool" show "$dir/end.state" >"$dir/state.txt" || fail=1
pam=$(grep -E '^i440fx\.b\[(89|9[0-4])\] = ' "$dir/state.txt" | sed 's/.* = //' | tr '\n' ' ')
if [ "$pam" = "0x10 0x11 0x11 0x11 0x11 0x11 " ]; then
    echo "ok   PAM0-5 at the end: $pam(shadowed, write-protected)"
else
    echo "FAIL PAM0-5 at the end: $pam(want 0x10 then 0x11 x5)"
    fail=1
fi
# SMM: SeaBIOS relocated SMBASE from 0x30000 to 0xA0000 through an SMI from APMC (its
# relocation handler wrote the field), left SMM and closed SMRAM (G_SMRAME, C_BASE_SEG).
smm=$(sed -n -e 's/^cpu\.smbase = //p' -e 's/^cpu\.smm = //p' -e 's/^i440fx\.b\[114\] = //p' \
      "$dir/state.txt" | tr '\n' ' ')
if [ "$smm" = "0x00 0x000a0000 0x0a " ]; then
    echo "ok   SMM at the end: smm, SMBASE, SMRAM = $smm"
else
    echo "FAIL SMM at the end: smm, SMBASE, SMRAM = $smm(want 0x00 0x000a0000 0x0a)"
    fail=1
fi
# Cut in two mid-POST (shadow RAM writable, PAM 0x30): a fresh process restores the
# state and runs on; the log and the final state equal the uninterrupted run's.
run() { # log, more options
    log=$1
    shift
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 64 -display none -icount 3 -no-reboot \
        -debugcon "file:$log" -global isa-debugcon.iobase=0x402 "$@" 2>>"$dir/err2"
}
run "$dir/log1" -stop-at 1000000 -savestate "$dir/mid.state" || fail=1
run "$dir/log2" -stop-at 30000000 -loadstate "$dir/mid.state" -savestate "$dir/split.state" ||
    fail=1
mid_pam=$("$state_tool" show "$dir/mid.state" | sed -n 's/^i440fx\.b\[89\] = //p')
if [ "$mid_pam" = 0x30 ] && cat "$dir/log1" "$dir/log2" | cmp -s - "$dir/log" &&
   "$state_tool" diff "$dir/end.state" "$dir/split.state" >"$dir/diff.txt"; then
    echo "ok   saved at 1,000,000 instructions (PAM0 $mid_pam) and restored: same log, same end"
else
    echo "FAIL split run (PAM0 at the split: $mid_pam):"
    cat "$dir/err2" "$dir/diff.txt" 2>/dev/null
    fail=1
fi
# -nographic: no display, so SeaBIOS's screen comes out of COM1 (etc/sercon-port).
timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 64 -nographic -serial "file:$dir/com1" -icount 3 -no-reboot \
    -stop-at 30000000 </dev/null 2>>"$dir/err3" || fail=1
if grep -qF "SeaBIOS (version" "$dir/com1" && grep -qF "No bootable device." "$dir/com1"; then
    echo "ok   -nographic: SeaBIOS's banner and \"No bootable device.\" on COM1"
else
    echo "FAIL -nographic: COM1 has: $(cat -v "$dir/com1")"
    cat "$dir/err3"
    fail=1
fi
[ "$fail" -eq 0 ] && echo "ok   SeaBIOS's POST reached \"No bootable device.\""
exit "$fail"
