#!/bin/sh
# SeaBIOS boots the project's own floppy (roms/boot/floppy-boot.asm in a 1.44M image, and
# in a 360K one) from drive A: through the 82077AA and DMA channel 2, headless on the
# deterministic clock: the boot sector's report on port 0xE9 must end "DONE floppy-boot:
# 8 passed, 0 failed" with the geometry of the image's format, the sector the guest wrote
# with INT 13h AH=03h must be in the image file and every other byte as before. With
# readonly=on the write fails (write-protected) and the file is untouched; with -snapshot
# the checks pass and the file is untouched. Runs saved among the boot sector's disk
# calls and restored in a fresh process end with the same report, image and state.
# Exits 77 (skipped) when bios-256k.bin is not installed.
#   tests/boot/floppy.sh ORRERY ORRERY_STATE FLOPPY_BOOT_BIN
set -u
orrery=$1
state_tool=$2
bin=$3
if [ ! -f /usr/share/seabios/bios-256k.bin ] && [ ! -f /usr/share/qemu/bios-256k.bin ]; then
    echo "skipped: SeaBIOS (bios-256k.bin) is not installed: apt-get install seabios"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

. "$(dirname "$0")/floppy-image.sh"
image() { # file, size, sectors per track (kept in $spt)
    spt=$3
    floppy_image "$@"
}
run() { # report file, more options
    log=$1
    shift
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 16 -display none -icount 3 -no-reboot -stop-at "${stop:-100000000}" \
        "$@" \
        -debugcon "file:$log" 2>>"$dir/err"
}
written() { # image, sectors per track: the text of cylinder 2, head 0, sector 1
    dd if="$1" bs=512 skip=$((4 * $2)) count=1 2>/dev/null | tr -d '\000'
}
want_text="ORRERY FLOPPY: CYLINDER 2, SECTOR 1, WRITTEN WITH INT 13h AH=03h"

boot() { # size, sectors per track, the geometry line, how the image is given (fda|drive)
    size=$1 spt=$2 geom=$3
    image "$dir/orig.img" "$size" "$spt"
    cp "$dir/orig.img" "$dir/fd.img"
    : > "$dir/err"
    if [ "$4" = fda ]; then
        run "$dir/out" -fda "$dir/fd.img" -savestate "$dir/end.state"
    else
        run "$dir/out" -drive "file=$dir/fd.img,if=floppy,index=0,format=raw"
    fi
    rc=$?
    if [ "$rc" -eq 0 ] && grep -qx 'DONE floppy-boot: 8 passed, 0 failed' "$dir/out" &&
       grep -qxF "$geom" "$dir/out" &&
       grep -qF "the guest halted with interrupts disabled" "$dir/err"; then
        echo "ok   $size: $(grep '^INFO' "$dir/out"); $(grep '^DONE' "$dir/out")"
    else
        echo "FAIL $size: exit $rc, want '$geom'; the report and orrery's messages:"
        cat "$dir/out" "$dir/err"
        fail=1
    fi
    got=$(written "$dir/fd.img" "$spt")
    cp "$dir/fd.img" "$dir/check.img"
    dd if="$dir/orig.img" of="$dir/check.img" bs=512 skip=$((4 * spt)) seek=$((4 * spt)) \
        count=1 conv=notrunc 2>/dev/null
    if [ "$got" = "$want_text" ] && cmp -s "$dir/check.img" "$dir/orig.img"; then
        echo "ok   $size: the written sector is in the image file, the rest untouched"
    else
        echo "FAIL $size: the image file: sector $((4 * spt)) holds '$got'"
        fail=1
    fi
}
boot 360K 9 "INFO geometry: type 1, 40 cylinders, 2 heads, 9 sectors" drive
boot 1440K 18 "INFO geometry: type 4, 80 cylinders, 2 heads, 18 sectors" fda
cp "$dir/fd.img" "$dir/end.img"
cp "$dir/out" "$dir/end.out"

# Write-protected: the guest's write fails, reading goes on, the file is as it was.
image "$dir/orig.img" 1440K 18
cp "$dir/orig.img" "$dir/ro.img"
run "$dir/out" -drive "file=$dir/ro.img,if=floppy,readonly=on"
if grep -qx 'FAIL write_cylinder_2_sector_1' "$dir/out" &&
   grep -qx 'PASS read_cylinder_1_head_1_last_sector' "$dir/out" &&
   cmp -s "$dir/ro.img" "$dir/orig.img"; then
    echo "ok   readonly=on: the write is refused, the image unchanged"
else
    echo "FAIL readonly=on:"
    cat "$dir/out"
    fail=1
fi

# -snapshot: the write reads back, the file is as it was.
cp "$dir/orig.img" "$dir/snap.img"
run "$dir/out" -fda "$dir/snap.img" -snapshot
if grep -qx 'DONE floppy-boot: 8 passed, 0 failed' "$dir/out" &&
   cmp -s "$dir/snap.img" "$dir/orig.img"; then
    echo "ok   -snapshot: $(grep '^DONE' "$dir/out"), the image unchanged"
else
    echo "FAIL -snapshot:"
    cat "$dir/out"
    fail=1
fi

# SeaBIOS's log: it finds drive A: and boots from it.
cp "$dir/orig.img" "$dir/log.img"
run "$dir/seabios.log" -fda "$dir/log.img" -global isa-debugcon.iobase=0x402
for want in "Booting from Floppy..." "Booting from 0000:7c00"; do
    if grep -qF -- "$want" "$dir/seabios.log"; then
        echo "ok   SeaBIOS's log: $want"
    else
        echo "FAIL SeaBIOS's log lacks: $want"
        fail=1
    fi
done

# Saved and restored in a fresh process: during the POST, and among the boot sector's
# floppy commands (about 5,950,000-6,144,000 instructions with Debian's SeaBIOS 1.16.2):
# at 5,950,000 a seek is under way, at 5,966,000 a READ waits to start, at 5,982,000 its
# result is due.
for split in 3000000 5950000 5966000 5982000 6120000; do
    rm -f "$dir/out1" "$dir/out2"
    cp "$dir/orig.img" "$dir/split.img"
    stop=$split run "$dir/out1" -fda "$dir/split.img" -savestate "$dir/mid.state" || fail=1
    run "$dir/out2" -fda "$dir/split.img" -loadstate "$dir/mid.state" \
        -savestate "$dir/split.state" || fail=1
    if cat "$dir/out1" "$dir/out2" | cmp -s - "$dir/end.out" &&
       cmp -s "$dir/split.img" "$dir/end.img" &&
       "$state_tool" diff "$dir/end.state" "$dir/split.state" >"$dir/diff.txt"; then
        echo "ok   saved at $split instructions ($(wc -l < "$dir/out1") report lines by" \
             "then) and restored: same report, image and end state"
    else
        echo "FAIL split run at $split:"
        cat "$dir/out1" "$dir/out2" "$dir/diff.txt"
        fail=1
    fi
done
[ "$fail" -eq 0 ] && echo "ok   SeaBIOS booted the floppies and their writes reached the images"
exit "$fail"
