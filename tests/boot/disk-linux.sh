#!/bin/sh
# Linux installed on an IDE hard disk, booted twice in one run by SeaBIOS, with a reboot
# between: a 48 MiB raw image made here without root privileges, never committed, with an
# MBR partition table (SYSLINUX's mbr.bin as boot code), partition 1 a bootable FAT16 file
# system holding SYSLINUX, the tools/mkguest kernel and initramfs and a second initramfs
# made here that the kernel unpacks over the first (the IDE and ext2 modules from the
# guest's kernel package, and its own /init), partition 2 an ext2 file system made with
# mke2fs -d. The first boot loads ata_piix, sd_mod and ext4, mounts /dev/sda2, reads the
# file the test put there, writes /orrery.txt and reboots (`reboot -f`: the machine is
# reset, not restarted by orrery); the second boot finds /orrery.txt, appends a line and
# powers off through ACPI, which ends orrery with status 0. After the run, debugfs finds
# both lines in the image. With -snapshot a third run finds the file, writes, and leaves
# the image as it was.
# On the deterministic clock, headless; label guest. Skipped (77) where a tool or the
# guest (tools/mkguest, ~/.cache/orrery/guest) is missing.
#   tests/boot/disk-linux.sh ORRERY
set -u
orrery=$1
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
mbr=/usr/lib/syslinux/mbr/mbr.bin
. "$(dirname "$0")/need.sh"
need_tools "dosfstools mtools syslinux e2fsprogs cpio binutils" mkfs.fat mcopy syslinux mke2fs \
    debugfs cpio dpkg-deb strings
need_files syslinux-common "$mbr"
need_seabios
kdeb=$(ls "$cache"/debs/linux-image-*.deb 2>/dev/null | head -n 1)
if [ ! -f "$cache/bzImage" ] || [ ! -f "$cache/initramfs.cpio.gz" ] || [ -z "$kdeb" ]; then
    skip "the guest is not built: make guest (tools/mkguest)"
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The modules, from the kernel package the guest's kernel came from, in an order that
# loads each after what it depends on ("depends=" in the module's .modinfo); the crypto
# drivers that crc-t10dif, crc64-rocksoft and ext4 ask for at run time come first.
dpkg-deb -x "$kdeb" "$dir/kernel" || exit 1
order=
modfile() { find "$dir/kernel/lib/modules" -name "$1.ko" | head -n 1; }
add() { # module: its dependencies first
    case " $order " in *" $1 "*) return 0 ;; esac
    f=$(modfile "$1")
    [ -n "$f" ] || { echo "FAIL module $1 is not in $(basename "$kdeb")"; exit 1; }
    for d in $(strings "$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add "$d"
    done
    order="$order $1"
}
for m in crct10dif_generic crc64_rocksoft_generic crc32c_generic ata_piix sd_mod ext4; do
    add "$m"
done
over=$dir/overlay
mkdir -p "$over/lib/modules"
for m in $order; do
    cp "$(modfile "$m")" "$over/lib/modules/" || exit 1
done
echo "$order" >"$over/lib/modules/order"
cat >"$over/init" <<'INIT'
#!/bin/sh
# The installed-disk guest (tests/boot/disk-linux.sh): the IDE disk's second partition
# holds /orrery.txt after the first boot.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
[ -e /bin/mount ] || /bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
echo "orrery-disk: begin"
for m in $(cat /lib/modules/order); do
    insmod "/lib/modules/$m.ko" || echo "orrery-disk: insmod $m failed"
done
i=0
while [ ! -b /dev/sda2 ] && [ $i -lt 30 ]; do
    sleep 1
    i=$((i + 1))
done
mkdir -p /mnt
if ! mount -t ext2 /dev/sda2 /mnt; then
    echo "orrery-disk: mount failed"
    poweroff -f
fi
echo "orrery-disk: read: $(cat /mnt/hello.txt)"
if [ -f /mnt/orrery.txt ]; then
    echo "orrery-disk: found: $(cat /mnt/orrery.txt)"
    echo "second boot" >>/mnt/orrery.txt
    umount /mnt
    echo "orrery-disk: end"
    poweroff -f
fi
echo "first boot" >/mnt/orrery.txt
umount /mnt
sync
echo "orrery-disk: wrote orrery.txt, rebooting"
reboot -f
INIT
chmod 755 "$over/init"
(cd "$over" && find . -mindepth 1 | sed 's#^\./##' | sort |
    cpio --quiet -o -H newc -R 0:0) | gzip -n >"$dir/overlay.gz" || exit 1

# Partition 1: FAT16, sectors 2048-67583 (hidden sectors 2048, as SYSLINUX's boot sector
# needs); partition 2: ext2, sectors 67584-100351.
cat >"$dir/syslinux.cfg" <<'CFG'
DEFAULT linux
PROMPT 0
TIMEOUT 0
SERIAL 0 115200
LABEL linux
  KERNEL VMLINUZ
  APPEND initrd=INITRD.GZ,OVERLAY.GZ console=ttyS0
CFG
mkfs.fat -C -h 2048 -n ORRERYBOOT "$dir/p1.img" 32768 >/dev/null &&
    mcopy -i "$dir/p1.img" "$cache/bzImage" ::/VMLINUZ &&
    mcopy -i "$dir/p1.img" "$cache/initramfs.cpio.gz" ::/INITRD.GZ &&
    mcopy -i "$dir/p1.img" "$dir/overlay.gz" ::/OVERLAY.GZ &&
    mcopy -i "$dir/p1.img" "$dir/syslinux.cfg" ::/SYSLINUX.CFG &&
    syslinux --install "$dir/p1.img" || exit 1
mkdir "$dir/root"
echo "put here by the test" >"$dir/root/hello.txt"
truncate -s 16M "$dir/p2.img" && mke2fs -q -F -t ext2 -d "$dir/root" "$dir/p2.img" || exit 1
disk=$dir/disk.img
cp "$mbr" "$disk" && truncate -s 48M "$disk" || exit 1
le32() { # the 4 little-endian bytes of $1, as printf escapes
    printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) \
        $(($1 >> 24 & 255))
}
entry() { # boot flag, type, first sector, sectors: CHS fields FE FF FF (use the LBAs)
    printf "\\$(printf %03o "$1")\\376\\377\\377\\$(printf %03o "$2")\\376\\377\\377$(le32 "$3")$(le32 "$4")"
}
{ entry 128 6 2048 65536; entry 0 131 67584 32768; } |
    dd of="$disk" bs=1 seek=446 conv=notrunc 2>/dev/null
printf '\125\252' | dd of="$disk" bs=1 seek=510 conv=notrunc 2>/dev/null
dd if="$dir/p1.img" of="$disk" bs=512 seek=2048 conv=notrunc 2>/dev/null &&
    dd if="$dir/p2.img" of="$disk" bs=512 seek=67584 conv=notrunc 2>/dev/null || exit 1

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
