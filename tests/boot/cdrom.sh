#!/bin/sh
# SeaBIOS boots the project's own El Torito CD (roms/boot/cdrom-boot.asm, no-emulation
# mode, put in an ISO 9660 image by xorriso in a temporary folder, next to MARKER.TXT)
# from the ATAPI CD-ROM at the secondary master, headless on the deterministic clock: the
# boot image's report on port 0xE9 must end "DONE cdrom-boot: N passed, 0 failed" and the
# ISO file must be as before. SeaBIOS's log (port 0x402) must show the drive, the CD
# boot, and the boot menu's prompt with menu=on. -boot picks between a hard disk
# (roms/boot/disk-boot.asm) and the CD: order=c boots the disk, -boot d the CD, and the
# default order (c, d, a) the disk. Runs saved during the POST and among the boot image's
# CD reads, restored in a fresh process, end with the same report and machine state.
# Exits 77 (skipped) when bios-256k.bin or xorriso is not installed.
#   tests/boot/cdrom.sh ORRERY ORRERY_STATE CDROM_BOOT_BIN DISK_BOOT_BIN
set -u
orrery=$1
state_tool=$2
cdbin=$3
diskbin=$4
if [ ! -f /usr/share/seabios/bios-256k.bin ] && [ ! -f /usr/share/qemu/bios-256k.bin ]; then
    echo "skipped: SeaBIOS (bios-256k.bin) is not installed: apt-get install seabios"
    exit 77
fi
if ! command -v xorriso >/dev/null 2>&1; then
    echo "skipped: xorriso is not installed: apt-get install xorriso"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

# The disc: the boot image and MARKER.TXT, three sectors each starting with its text.
mkdir "$dir/iso"
cp "$cdbin" "$dir/iso/boot.bin"
for n in 0 1 2; do
    printf 'ORRERY-CD-FILE-%s' "$n" > "$dir/sec"
    truncate -s 2048 "$dir/sec"
    cat "$dir/sec" >> "$dir/iso/MARKER.TXT"
done
xorriso -as mkisofs -quiet -o "$dir/cd.iso" -b boot.bin -no-emul-boot -boot-load-size 4 \
    -c boot.cat "$dir/iso" 2>"$dir/xorriso.err" || { cat "$dir/xorriso.err"; exit 1; }
cp "$dir/cd.iso" "$dir/orig.iso"
cp "$diskbin" "$dir/disk.img" && truncate -s 2M "$dir/disk.img" || exit 1

run() { # log, more options
    log=$1
    shift
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 16 -display none -icount 3 -no-reboot -stop-at 200000000 \
        "$@" -debugcon "file:$log" 2>>"$dir/err"
}

run "$dir/out" -cdrom "$dir/cd.iso" -boot d -savestate "$dir/end.state"
rc=$?
echo "--- the boot image's report (port 0xE9):"
cat "$dir/out"
echo "--- orrery:"
cat "$dir/err"
if [ "$rc" -ne 0 ]; then
    echo "FAIL orrery exited $rc"
    fail=1
fi
if grep -q '^BEGIN cdrom-boot$' "$dir/out" &&
   grep -qE '^DONE cdrom-boot: [1-9][0-9]* passed, 0 failed$' "$dir/out" &&
   ! grep -q '^FAIL' "$dir/out"; then
    echo "ok   -cdrom -boot d: the CD's checks pass: $(grep '^DONE' "$dir/out")"
else
    echo "FAIL -cdrom -boot d: the CD's report"
    fail=1
fi
if cmp -s "$dir/cd.iso" "$dir/orig.iso"; then
    echo "ok   the ISO file is untouched"
else
    echo "FAIL the ISO file changed"
    fail=1
fi

# SeaBIOS's log: the drive on the secondary channel, the boot menu's prompt (menu=on,
# waiting 100 ms), and the CD boot.
run "$dir/seabios.log" -cdrom "$dir/cd.iso" -boot order=d,menu=on,splash-time=100 \
    -global isa-debugcon.iobase=0x402
for want in "ata1-0: ORRERY CD-ROM ATAPI-6 DVD/CD" "Press ESC for boot menu." \
            "Booting from DVD/CD..." "Booting from 0000:7c00"; do
    if grep -qF -- "$want" "$dir/seabios.log"; then
        echo "ok   SeaBIOS's log: $want"
    else
        echo "FAIL SeaBIOS's log lacks: $want"
        fail=1
    fi
done

# Which device boots: the first line of the report names the program.
boots() { # want (disk-boot or cdrom-boot), options...
    want=$1
    shift
    rm -f "$dir/which"
    run "$dir/which" "$@"
    first=$(head -n 1 "$dir/which")
    if [ "$first" = "BEGIN $want" ] && grep -q "^DONE $want: [1-9][0-9]* passed, 0 failed$" \
           "$dir/which"; then
        echo "ok   $*: $want boots and passes"
    else
        echo "FAIL $*: '$first', want BEGIN $want"
        cat "$dir/which"
        fail=1
    fi
}
boots disk-boot -hda "$dir/disk.img" -cdrom "$dir/cd.iso" -boot order=c
boots cdrom-boot -hda "$dir/disk.img" -cdrom "$dir/cd.iso" -boot d
boots disk-boot -hda "$dir/disk.img" -cdrom "$dir/cd.iso"
boots cdrom-boot -hda "$dir/disk.img" -drive "file=$dir/cd.iso,if=ide,index=3,media=cdrom" \
    -boot order=dc
# Saved and restored in a fresh process: during the POST, and among the boot image's CD
# reads (about 6,196,000-6,203,000 instructions with Debian's SeaBIOS 1.16.2; at
# 6,198,500 and 6,202,000 a PACKET command is in progress, at the latter waiting for its
# packet).
for split in 3000000 6198500 6202000; do
    rm -f "$dir/out1" "$dir/out2"
    run "$dir/out1" -cdrom "$dir/cd.iso" -boot d -stop-at "$split" \
        -savestate "$dir/mid.state" || fail=1
    run "$dir/out2" -cdrom "$dir/cd.iso" -boot d -loadstate "$dir/mid.state" \
        -savestate "$dir/split.state" || fail=1
    if cat "$dir/out1" "$dir/out2" | cmp -s - "$dir/out" &&
       "$state_tool" diff "$dir/end.state" "$dir/split.state" >"$dir/diff.txt"; then
        echo "ok   saved at $split instructions and restored: same report and end state"
    else
        echo "FAIL split run at $split:"
        cat "$dir/out1" "$dir/out2" "$dir/diff.txt"
        fail=1
    fi
done
[ "$fail" -eq 0 ] && echo "ok   SeaBIOS booted the CD and -boot chose between disk and CD"
exit "$fail"
