#!/bin/sh
# -boot order= and once= through SeaBIOS with three bootable drives: the project's hard
# disk (roms/boot/disk-boot.asm), El Torito CD (cdrom-boot.asm) and floppy
# (floppy-boot.asm), headless on the deterministic clock. Each order boots the drive it
# names first (the first line of the boot image's report on port 0xE9 names it), and
# SeaBIOS's log (port 0x402) lists fw_cfg's bootorder file as the device paths it
# matches. once=a with a floppy that resets the machine (reset-boot.asm) boots the
# floppy once, then the hard disk of order=c; without once= the floppy boots again at
# every reset. strict=on keeps SeaBIOS from trying a CD not named after a blank disk;
# reboot-timeout=0 has it reset the machine when nothing boots.
# Exits 77 (skipped) when bios-256k.bin or xorriso is not installed.
#   tests/boot/bootorder.sh ORRERY BOOT_BIN_DIR
set -u
orrery=$1
bins=$2
. "$(dirname "$0")/../cli/checks.sh"
need_seabios
need_tools xorriso xorriso

mkdir "$dir/iso"
cp "$bins/cdrom-boot.bin" "$dir/iso/boot.bin"
xorriso -as mkisofs -quiet -o "$dir/cd.iso" -b boot.bin -no-emul-boot -boot-load-size 4 \
    -c boot.cat "$dir/iso" 2>"$dir/xorriso.err" || { cat "$dir/xorriso.err"; exit 1; }
cp "$bins/disk-boot.bin" "$dir/disk.img" && truncate -s 2M "$dir/disk.img" || exit 1
cp "$bins/floppy-boot.bin" "$dir/fd.img" && truncate -s 1440K "$dir/fd.img" || exit 1
cp "$bins/reset-boot.bin" "$dir/reset.img" && truncate -s 1440K "$dir/reset.img" || exit 1

run() { # log, more options
    log=$1
    shift
    rm -f "$log"
    timeout "$limit" "$orrery" -m 16 -display none -icount 3 -stop-at 100000000 \
        "$@" -debugcon "file:$log" 2>>"$dir/err"
}
all="-hda $dir/disk.img -cdrom $dir/cd.iso -fda $dir/fd.img"

# Which drive boots: the first line of the report names the program.
boots() { # order, want (floppy-boot, disk-boot or cdrom-boot)
    # shellcheck disable=SC2086 # $all is three options and their paths (no spaces)
    run "$dir/which" $all -no-reboot -boot "order=$1"
    first=$(head -n 1 "$dir/which")
    if [ "$first" = "BEGIN $2" ]; then
        echo "ok   -boot order=$1 with a floppy, a disk and a CD: $2 boots"
    else
        echo "FAIL -boot order=$1: '$first', want BEGIN $2"
        cat "$dir/err"
        fail=1
    fi
}
boots a floppy-boot
boots c disk-boot
boots d cdrom-boot
boots dca cdrom-boot
boots ad floppy-boot
boots ca disk-boot
boots cd disk-boot

# SeaBIOS's log: the bootorder file, line by line, as its loadBootOrder prints it.
seabios_lists() { # what, want..., then -- and the options
    what=$1
    shift
    printf '' > "$dir/want"
    while [ "$1" != -- ]; do
        echo "$1" >> "$dir/want"
        shift
    done
    shift
    run "$dir/seabios.log" -no-reboot -global isa-debugcon.iobase=0x402 "$@"
    tr -d '\r' < "$dir/seabios.log" | sed -n '/^boot order:$/,/^[^0-9]/p' |
        grep '^[0-9]*: ' > "$dir/got"
    if cmp -s "$dir/want" "$dir/got"; then
        echo "ok   SeaBIOS reads the bootorder file, $what"
    else
        echo "FAIL SeaBIOS's boot order, $what: got"
        cat "$dir/got"
        echo "want"
        cat "$dir/want"
        fail=1
    fi
}
# shellcheck disable=SC2086
seabios_lists "order=dac: the CD, the floppy, the disk" \
    "1: /pci@i0cf8/ide@1,1/drive@1/disk@0" "2: /pci@i0cf8/isa@1/fdc@03f0/floppy@0" \
    "3: /pci@i0cf8/ide@1,1/drive@0/disk@0" -- $all -boot order=dac
seabios_lists "two disks and a CD at index 3, order=cd: both disks in -hda, -hdb order" \
    "1: /pci@i0cf8/ide@1,1/drive@0/disk@0" "2: /pci@i0cf8/ide@1,1/drive@0/disk@1" \
    "3: /pci@i0cf8/ide@1,1/drive@1/disk@1" -- -hda "$dir/disk.img" -hdb "$dir/disk.img" \
    -drive "file=$dir/cd.iso,if=ide,index=3,media=cdrom" -boot order=cd -snapshot
if grep -qF "Booting from Hard Disk..." "$dir/seabios.log"; then
    echo "ok   SeaBIOS boots the hard disk listed first"
else
    echo "FAIL SeaBIOS did not boot the hard disk: $(grep Booting "$dir/seabios.log")"
    fail=1
fi

# once=: the first boot only. The floppy resets the machine; the next boot is order='s.
run "$dir/once" -fda "$dir/reset.img" -hda "$dir/disk.img" -boot order=c,once=a
resets=$(grep -c '^BOOT reset-boot: resetting$' "$dir/once")
if [ "$resets" = 1 ] && [ "$(sed -n 2p "$dir/once")" = "BEGIN disk-boot" ] &&
   grep -q '^DONE disk-boot: [1-9][0-9]* passed, 0 failed$' "$dir/once"; then
    echo "ok   -boot order=c,once=a: the floppy boots once, after its reset the disk"
else
    echo "FAIL -boot order=c,once=a:"
    cat "$dir/once"
    fail=1
fi
# Saved just after that reset (6,116,146 instructions with Debian's SeaBIOS 1.16.2), before
# SeaBIOS reads the boot order again, and restored in a fresh process made with the same
# -boot: the state says once= is spent, so the disk boots.
run "$dir/once1" -fda "$dir/reset.img" -hda "$dir/disk.img" -boot order=c,once=a \
    -stop-at 6120000 -savestate "$dir/once.state"
run "$dir/once2" -fda "$dir/reset.img" -hda "$dir/disk.img" -boot order=c,once=a \
    -loadstate "$dir/once.state"
if cat "$dir/once1" "$dir/once2" | cmp -s - "$dir/once"; then
    echo "ok   -boot once=a saved after its reset and restored: the disk boots next"
else
    echo "FAIL -boot once=a saved after its reset and restored:"
    cat "$dir/once1" "$dir/once2"
    fail=1
fi
run "$dir/again" -fda "$dir/reset.img" -hda "$dir/disk.img" -boot order=a
resets=$(grep -c '^BOOT reset-boot: resetting$' "$dir/again")
if [ "$resets" -gt 1 ] && ! grep -q disk-boot "$dir/again"; then
    echo "ok   -boot order=a: the floppy boots at every reset ($resets boots)"
else
    echo "FAIL -boot order=a: $resets floppy boots"
    cat "$dir/again"
    fail=1
fi
# strict=on: the bootorder file ends in HALT; a blank disk fails and the CD is not tried.
truncate -s 2M "$dir/blank.img" || exit 1
for strict in off on; do
    run "$dir/strict.log" -no-reboot -global isa-debugcon.iobase=0x402 -hda "$dir/blank.img" \
        -cdrom "$dir/cd.iso" -boot "order=c,strict=$strict"
    if [ "$strict" = on ]; then
        grep -qx '2: HALT' "$dir/strict.log" && grep -q '^No bootable device\.' "$dir/strict.log" &&
            ! grep -q 'Booting from DVD/CD' "$dir/strict.log"
    else
        ! grep -qx '[0-9]*: HALT' "$dir/strict.log" && grep -q 'Booting from DVD/CD' "$dir/strict.log"
    fi
    if [ $? -eq 0 ]; then
        echo "ok   -boot order=c,strict=$strict with a blank disk and a CD: the CD is" \
            "$([ "$strict" = on ] && echo "not tried" || echo "tried next")"
    else
        echo "FAIL -boot order=c,strict=$strict:"
        grep -E 'Booting|bootable|HALT' "$dir/strict.log"
        fail=1
    fi
done
# reboot-timeout=0: with nothing to boot, SeaBIOS reboots at once (-no-reboot stops there).
run "$dir/reboot.log" -no-reboot -global isa-debugcon.iobase=0x402 -hda "$dir/blank.img" \
    -boot reboot-timeout=0
if grep -q 'No bootable device\.  Retrying in 0 seconds\.' "$dir/reboot.log" &&
   grep -q 'the guest reset the machine.*exiting (-no-reboot)' "$dir/err"; then
    echo "ok   -boot reboot-timeout=0: nothing to boot, SeaBIOS resets the machine"
else
    echo "FAIL -boot reboot-timeout=0: $(grep bootable "$dir/reboot.log"; tail -n 1 "$dir/err")"
    fail=1
fi
[ "$fail" -eq 0 ] && echo "ok   -boot order=, once=, strict= and reboot-timeout= choose what SeaBIOS boots"
exit "$fail"
