#!/bin/sh
# SeaBIOS boots the project's own disk (roms/boot/disk-boot.asm padded to a 2 MiB raw
# image) from the PIIX3 IDE primary master, headless on the deterministic clock: the boot
# sector's report on port 0xE9 must end "DONE disk-boot: N passed, 0 failed", sectors 4
# and 5 of the image file must hold what the guest wrote through INT 13h and every other
# byte of the file must be as before; the same disk converted to qcow2 boots the same. SeaBIOS's own log (port 0x402) must list four disks
# on both channels with their geometry and translation. With -snapshot the checks pass
# and the image file is untouched.
# Runs saved during the POST and among the boot sector's disk calls, restored in a fresh
# process (-drive spelling), end with the same report, image and machine state.
# Exits 77 (skipped) when bios-256k.bin is not installed.
#   tests/boot/disk.sh ORRERY ORRERY_STATE DISK_BOOT_BIN
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
cp "$bin" "$dir/orig.img" && truncate -s 2M "$dir/orig.img" || exit 1
cp "$dir/orig.img" "$dir/disk.img"

run() { # log, more options
    log=$1
    shift
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 16 -display none -icount 3 -no-reboot "$@" \
        -debugcon "file:$log" 2>>"$dir/err"
}
# About 12 million instructions reach the end; the budget is for slack.
run "$dir/out" -hda "$dir/disk.img" -stop-at 100000000 -savestate "$dir/end.state"
rc=$?
echo "--- the boot sector's report (port 0xE9):"
cat "$dir/out"
echo "--- orrery:"
cat "$dir/err"
if [ "$rc" -ne 0 ]; then
    echo "FAIL orrery exited $rc"
    fail=1
fi
if grep -qE '^DONE disk-boot: [1-9][0-9]* passed, 0 failed$' "$dir/out" &&
   ! grep -q '^FAIL' "$dir/out"; then
    echo "ok   the boot sector's checks pass"
else
    echo "FAIL the boot sector's report"
    fail=1
fi
if grep -qF "the guest halted with interrupts disabled" "$dir/err"; then
    echo "ok   the guest ended with cli; hlt"
else
    echo "FAIL the guest did not end with cli; hlt"
    fail=1
fi
sector() { # image, sector: its text up to the first zero byte
    dd if="$1" bs=512 skip="$2" count=1 2>/dev/null | tr -d '\000'
}
for s in 4 5; do
    [ "$s" = 5 ] && want="ORRERY: SECTOR 5, WRITTEN WITH INT 13h AH=03h"
    [ "$s" = 4 ] && want="ORRERY: SECTOR 4, WRITTEN WITH INT 13h AH=43h"
    got=$(sector "$dir/disk.img" "$s")
    if [ "$got" = "$want" ]; then
        echo "ok   sector $s of the image file: $got"
    else
        echo "FAIL sector $s of the image file: '$got', want '$want'"
        fail=1
    fi
done
# Nothing else changed: the file with sectors 4-5 put back equals the original.
cp "$dir/disk.img" "$dir/check.img"
dd if="$dir/orig.img" of="$dir/check.img" bs=512 skip=4 seek=4 count=2 conv=notrunc \
    2>/dev/null
if cmp -s "$dir/check.img" "$dir/orig.img"; then
    echo "ok   the rest of the image is untouched (2 MiB)"
else
    echo "FAIL bytes outside sectors 4-5 changed"
    fail=1
fi

# -snapshot: the guest's writes read back (its checks pass) and the image is untouched,
# even read-only.
cp "$dir/orig.img" "$dir/disk5.img"
chmod a-w "$dir/disk5.img"
timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 16 -display none -icount 3 -no-reboot -hda "$dir/disk5.img" \
    -snapshot -stop-at 100000000 -debugcon "file:$dir/out5" 2>"$dir/err5"
rc=$?
if [ "$rc" -eq 0 ] && grep -qE '^DONE disk-boot: [1-9][0-9]* passed, 0 failed$' "$dir/out5" &&
   cmp -s "$dir/disk5.img" "$dir/orig.img"; then
    echo "ok   -snapshot: $(grep '^DONE' "$dir/out5"), the image unchanged"
else
    echo "FAIL -snapshot: exit $rc, stderr: $(cat "$dir/err5")"
    cat "$dir/out5"
    fail=1
fi

# A write the host refuses (a file-size limit below sector 4: EFBIG, as a full disk would
# give ENOSPC): the guest's INT 13h write fails, orrery ends with one line naming the
# image and the cause and exit 1, and the image is as it was.
cp "$dir/orig.img" "$dir/disk4.img"
(ulimit -f 2; exec "$orrery" -m 16 -display none -icount 3 -no-reboot -hda "$dir/disk4.img" \
    -stop-at 100000000 -debugcon "file:$dir/out4") 2>"$dir/err4"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^orrery: -hda $dir/disk4.img: cannot write: File too large; " \
       "$dir/err4" && grep -q '^FAIL ext_write_sector_4' "$dir/out4" &&
   cmp -s "$dir/disk4.img" "$dir/orig.img"; then
    echo "ok   a refused write: $(grep -F 'cannot write' "$dir/err4")"
else
    echo "FAIL a refused write: exit $rc, stderr: $(cat "$dir/err4")"
    cat "$dir/out4"
    fail=1
fi

# The same disk as qcow2 (made by Debian's qemu-img where installed): v2, and v3 with small
# compressed clusters (the guest's writes land in compressed ones). It boots the same, and
# after orrery exits `qemu-img check` finds no errors and no leaks and the image converted
# to raw is the raw run's file byte for byte. With -snapshot the file is untouched.
if command -v qemu-img >/dev/null 2>&1; then
    for opts in "-o compat=0.10" "-c -o compat=1.1,cluster_size=4096"; do
        rm -f "$dir/disk.qcow2" "$dir/back.raw"
        # shellcheck disable=SC2086 # the options are words
        qemu-img convert -f raw -O qcow2 $opts "$dir/orig.img" "$dir/disk.qcow2" || fail=1
        run "$dir/out6" -hda "$dir/disk.qcow2" -stop-at 100000000
        rc=$?
        qemu-img check "$dir/disk.qcow2" >"$dir/check.txt" 2>&1
        qemu-img convert -f qcow2 -O raw "$dir/disk.qcow2" "$dir/back.raw"
        if [ "$rc" -eq 0 ] && grep -qE '^DONE disk-boot: [1-9][0-9]* passed, 0 failed$' \
               "$dir/out6" && grep -q "No errors were found" "$dir/check.txt" &&
           ! grep -q leaked "$dir/check.txt" && cmp -s "$dir/back.raw" "$dir/disk.img"; then
            echo "ok   qcow2 ($opts): $(grep '^DONE' "$dir/out6"), qemu-img check clean," \
                 "converted back equal to the raw run's image"
        else
            echo "FAIL qcow2 ($opts): exit $rc"
            cat "$dir/out6" "$dir/check.txt"
            fail=1
        fi
        rm -f "$dir/out6"
    done
    cp "$dir/disk.qcow2" "$dir/orig.qcow2"
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 16 -display none -icount 3 -no-reboot -snapshot \
        -drive "file=$dir/disk.qcow2,format=qcow2" -stop-at 100000000 \
        -debugcon "file:$dir/out7" 2>"$dir/err7"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -qE '^DONE disk-boot: [1-9][0-9]* passed, 0 failed$' \
           "$dir/out7" && cmp -s "$dir/disk.qcow2" "$dir/orig.qcow2"; then
        echo "ok   qcow2 with -snapshot: $(grep '^DONE' "$dir/out7"), the image unchanged"
    else
        echo "FAIL qcow2 with -snapshot: exit $rc, stderr: $(cat "$dir/err7")"
        fail=1
    fi
else
    echo "note: qemu-img is not installed (apt-get install qemu-utils): qcow2 not tried"
fi

# SeaBIOS's log: it finds all four disks on the IDE controller (a 2 GiB sparse -hdb past
# 1024 cylinders gets LBA translation from CMOS) and boots the first.
cp "$dir/orig.img" "$dir/disk2.img"
truncate -s 2G "$dir/big.img"
truncate -s 4M "$dir/c.img" "$dir/d.img"
timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 16 -display none -icount 3 -no-reboot -hda "$dir/disk2.img" \
    -hdb "$dir/big.img" -hdc "$dir/c.img" -hdd "$dir/d.img" \
    -stop-at 100000000 -debugcon "file:$dir/seabios.log" \
    -global isa-debugcon.iobase=0x402 2>>"$dir/err"
for want in "ATA controller 1 at 1f0/3f4/0 (irq 14" "ATA controller 2 at 170/374/0 (irq 15" \
            "ata0-0: ORRERY HARDDISK ATA-6 Hard-Disk (2 MiBytes)" \
            "ata0-1: ORRERY HARDDISK ATA-6 Hard-Disk (2048 MiBytes)" \
            "ata1-0: ORRERY HARDDISK ATA-6 Hard-Disk (4 MiBytes)" \
            "ata1-1: ORRERY HARDDISK ATA-6 Hard-Disk (4 MiBytes)" \
            "PCHS=4/16/63 translation=none LCHS=4/16/63 s=4096" \
            "PCHS=4161/16/63 translation=lba LCHS=520/128/63 s=4194304" \
            "Booting from Hard Disk..." "Booting from 0000:7c00"; do
    if grep -qF -- "$want" "$dir/seabios.log"; then
        echo "ok   SeaBIOS's log: $want"
    else
        echo "FAIL SeaBIOS's log lacks: $want"
        fail=1
    fi
done

# Saved and restored in a fresh process, with -drive this time: during the POST, and at
# two points among the boot sector's disk calls (about 5,843,000-5,851,000 instructions
# with Debian's SeaBIOS 1.16.2): at 5,847,000 a WRITE SECTORS waits for its data (DRQ).
for split in 3000000 5847000 5849500; do
    rm -f "$dir/out1" "$dir/out2"
    cp "$dir/orig.img" "$dir/disk3.img"
    drive="file=$dir/disk3.img,format=raw,if=ide,index=0"
    run "$dir/out1" -drive "$drive" -stop-at "$split" -savestate "$dir/mid.state" || fail=1
    run "$dir/out2" -drive "$drive" -stop-at 100000000 -loadstate "$dir/mid.state" \
        -savestate "$dir/split.state" || fail=1
    if cat "$dir/out1" "$dir/out2" | cmp -s - "$dir/out" &&
       cmp -s "$dir/disk3.img" "$dir/disk.img" &&
       "$state_tool" diff "$dir/end.state" "$dir/split.state" >"$dir/diff.txt"; then
        echo "ok   saved at $split instructions ($(wc -l < "$dir/out1") report lines by" \
             "then) and restored: same report, image and end state"
    else
        echo "FAIL split run at $split:"
        cat "$dir/out1" "$dir/out2" "$dir/diff.txt"
        fail=1
    fi
done
[ "$fail" -eq 0 ] && echo "ok   SeaBIOS booted the disk and its writes reached the image"
exit "$fail"
