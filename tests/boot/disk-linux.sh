#!/bin/sh
# Linux installed on an IDE hard disk, booted twice in one run by SeaBIOS, with a reboot
# between: tools/mkimages' guest-disk.img (a 49 MiB raw image made without root
# privileges into the image cache, never committed: an MBR partition table with
# SYSLINUX's mbr.bin as boot code, partition 1 a bootable FAT16 file system holding
# SYSLINUX, the tools/mkguest kernel and initramfs and a second initramfs that the kernel
# unpacks over the first (the IDE and ext2 modules from the guest's kernel package, and
# its own /init), partition 2 an ext2 file system holding hello.txt), copied here so that
# the cached image is never written. The first boot loads ata_piix, sd_mod and ext4,
# mounts /dev/sda2, reads hello.txt, writes /orrery.txt and reboots (`reboot -f`: the
# machine is reset, not restarted by orrery); the second boot finds /orrery.txt, appends a
# line and powers off through ACPI, which ends orrery with status 0. After the run,
# debugfs finds both lines in the image. With -snapshot a third run finds the file,
# writes, and leaves the image as it was.
# On the deterministic clock, headless; label guest. Skipped (77) where a package is
# missing.
#   tests/boot/disk-linux.sh ORRERY
set -u
orrery=$1
. "$(dirname "$0")/need.sh"
need_tools e2fsprogs debugfs
need_seabios
need_image guest-disk.img
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
disk=$dir/disk.img
cp --sparse=always "$images/guest-disk.img" "$disk" || exit 1

fail=0
check() { # description, fixed text, file
    if grep -qF -- "$2" "$3"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
count() { # description, number wanted, fixed text, file
    n=$(grep -cF -- "$3" "$4")
    if [ "$n" -eq "$2" ]; then echo "ok   $1 ($n)"; else echo "FAIL $1: $n, want $2"; fail=1; fi
}
run() { # name, more options
    name=$1
    shift
    rc=0
    start=$(date +%s)
    timeout $((1000 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 128 -icount shift=2 \
        -display none -hda "$disk" -serial "file:$dir/$name.txt" "$@" 2>"$dir/$name.err" || rc=$?
    tr -d '\r' <"$dir/$name.txt" >"$dir/$name.log" 2>/dev/null || : >"$dir/$name.log"
    echo "--- $name: the console's orrery-disk lines and the kernel's disk lines:"
    grep -E "orrery-disk|SYSLINUX|ata1\.00|sd 0:0:0:0|sda|EXT4-fs|reboot:" "$dir/$name.log"
    echo "--- $name: orrery ($(($(date +%s) - start)) s):"
    cat "$dir/$name.err"
    if [ "$rc" -eq 0 ]; then echo "ok   $name: orrery exited 0"; else echo "FAIL $name: orrery exited $rc"; fail=1; fi
}
debugcat() { debugfs -R "cat /$1" "$dir/p2.after" 2>/dev/null; }
# Partition 2 starts at sector 67584 (tools/mkimages).
partition2() { dd if="$disk" of="$dir/p2.after" bs=512 skip=67584 count=32768 2>/dev/null; }

run boot
log=$dir/boot.log
count "SYSLINUX started twice" 2 "SYSLINUX 6" "$log"
count "the kernel booted twice" 2 "Linux version 6" "$log"
check "the disk found by ata_piix" "ata1.00: ATA-6: ORRERY HARDDISK" "$log"
check "its partitions" "sda: sda1 sda2" "$log"
count "the test's file read on both boots" 2 "orrery-disk: read: put here by the test" "$log"
check "the first boot wrote and rebooted" "orrery-disk: wrote orrery.txt, rebooting" "$log"
check "the machine restarted" "reboot: Restarting system" "$log"
check "the second boot found the file" "orrery-disk: found: first boot" "$log"
check "the second boot ended" "orrery-disk: end" "$log"
check "ACPI power off" "reboot: Power down" "$log"
partition2
if [ "$(debugcat orrery.txt | tr '\n' '|')" = "first boot|second boot|" ]; then
    echo "ok   the image holds orrery.txt with both boots' lines (debugfs)"
else
    echo "FAIL orrery.txt in the image: '$(debugcat orrery.txt)'"
    fail=1
fi

# -snapshot: the guest's writes go to a temporary overlay; the image stays as it was.
cp "$disk" "$dir/before.img"
run snapshot -snapshot
check "-snapshot: the file found" "orrery-disk: found: first boot" "$dir/snapshot.log"
check "-snapshot: the guest wrote and ended" "orrery-disk: end" "$dir/snapshot.log"
if cmp -s "$disk" "$dir/before.img"; then
    echo "ok   -snapshot: the image is unchanged"
else
    echo "FAIL -snapshot: the image changed"
    fail=1
fi
exit "$fail"
