#!/bin/sh
# The disk flags of build/orrery (-hda..-hdd, -fda/-fdb, -drive): a bad image or spelling ends with
# exactly one "orrery: <what>: <problem>; <fix>" line on stderr and exit 1, before
# anything runs; good images are accepted (a tiny firmware image then halts at once).
#   disks.sh ORRERY
set -u
orrery=$1
. "$(dirname "$0")/flag-checks.sh"
truncate -s 1M "$dir/disk.img"
truncate -s 1000 "$dir/odd.img"
: > "$dir/empty.img"
truncate -s 1M "$dir/ro.img"
chmod a-w "$dir/ro.img"
mkdir "$dir/folder"

bad "-hda $dir/missing.img: cannot open: No such file or directory; give the path" \
    -hda "$dir/missing.img"
bad "-hdb $dir/odd.img: 1000 bytes is not a whole number of 512-byte sectors" \
    -hdb "$dir/odd.img"
bad "-hdc $dir/empty.img: 0 bytes" -hdc "$dir/empty.img"
bad "-hdd $dir/folder: not a regular file" -hdd "$dir/folder"
if [ "$(id -u)" -ne 0 ]; then  # root may write anything
    bad "-hda $dir/ro.img: cannot open: Permission denied" -hda "$dir/ro.img"
fi
bad "-hda: no file name" -hda ""
bad "IDE place 0 (primary master, -hda) is given twice" -hda "$dir/disk.img" -hda "$dir/disk.img"
bad "IDE place 1 (primary slave, -hdb) is given twice" -hdb "$dir/disk.img" \
    -drive "file=$dir/disk.img,index=1"
bad "format=vmdk is not supported; orrery reads raw and qcow2 images" \
    -drive "file=$dir/disk.img,format=vmdk"
bad "-hda $dir/disk.img: not a qcow2 image" -drive "file=$dir/disk.img,format=qcow2"
bad "if=virtio is not supported" -drive "file=$dir/disk.img,if=virtio"
bad "the index is not an IDE place; give 0-3" -drive "file=$dir/disk.img,index=4"
bad "media=floppy is not a medium" -drive "file=$dir/disk.img,media=floppy"
bad "no file= given" -drive "format=raw"
bad "unsupported option 'cache'" -drive "file=$dir/disk.img,cache=none"
bad "-hda $dir/missing.img: cannot open" -drive "file=$dir/missing.img,format=raw,if=ide"
bad "-hda $dir/missing.img: cannot open: No such file or directory" -snapshot \
    -hda "$dir/missing.img"
good -snapshot -hda "$dir/ro.img"
good -hda "$dir/disk.img" -hdb "$dir/disk.img" -hdc "$dir/disk.img" -hdd "$dir/disk.img"
good -drive "file=$dir/disk.img,format=raw,if=ide,index=2" -drive "file=$dir/disk.img"

# Floppies: an image of a floppy format's size, in A: and B:.
truncate -s 1440K "$dir/fd.img"
truncate -s 360K "$dir/fd360.img"
cp "$dir/fd.img" "$dir/fdro.img"
chmod a-w "$dir/fdro.img"
bad "-fda $dir/disk.img: 1048576 bytes is not a floppy image size; give one of 160K, 180K" \
    -fda "$dir/disk.img"
bad "-fdb $dir/missing.img: cannot open: No such file or directory" -fdb "$dir/missing.img"
bad "-fda: no file name" -fda ""
bad "floppy drive A: (-fda) is given twice" -fda "$dir/fd.img" \
    -drive "file=$dir/fd.img,if=floppy,index=0"
bad "the index is not a floppy drive; give index=0 (A:) or index=1 (B:)" \
    -drive "file=$dir/fd.img,if=floppy,index=2"
bad "readonly=maybe; give readonly=on or off" -drive "file=$dir/fd.img,if=floppy,readonly=maybe"
good -fda "$dir/fd.img" -fdb "$dir/fd360.img"
good -drive "file=$dir/fdro.img,if=floppy,readonly=on,format=raw" -drive "file=$dir/fd.img,if=floppy"
good -snapshot -fda "$dir/fdro.img"
# qcow2 (made by Debian's qemu-img where installed): found by its magic or named; a file
# cut short is one line.
if command -v qemu-img >/dev/null 2>&1; then
    qemu-img create -q -f qcow2 "$dir/d.qcow2" 1M
    good -hda "$dir/d.qcow2"
    good -drive "file=$dir/d.qcow2,format=qcow2,index=1"
    head -c 100 "$dir/d.qcow2" > "$dir/cut.qcow2"
    bad "-hda $dir/cut.qcow2: a qcow2 v3 image of 100 bytes is cut short" -hda "$dir/cut.qcow2"
    head -c 131072 "$dir/d.qcow2" > "$dir/cut2.qcow2"
    bad "damaged or cut short" -hda "$dir/cut2.qcow2"
else
    echo "note: qemu-img is not installed (apt-get install qemu-utils): qcow2 not tried"
fi
exit "$fail"
