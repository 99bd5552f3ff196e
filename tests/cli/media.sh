#!/bin/sh
# The monitor's change, eject and info block, seen by the guest: SeaBIOS boots
# roms/boot/media-watch.asm from the disk, which locks the CD-ROM's door and reports on
# port 0xE9 what it sees of the drives (the CD's TEST UNIT READY sense key, the floppy's
# disk change line and the first 16 bytes of the floppy's first sector). The monitor
# (-monitor stdio through a FIFO) ejects and changes the CD (a locked door refuses
# eject without -f) and the floppy (a 720K image in the 1.44M drive, eject, back), and
# info block follows.
# Exits 77 (skipped) when bios-256k.bin or xorriso is not installed.
#   tests/cli/media.sh ORRERY MEDIA_WATCH_BIN
set -u
orrery=$1
bin=$2
. "$(dirname "$0")/checks.sh"
. "$(dirname "$0")/media-images.sh"

mkfifo "$dir/in"
"$orrery" -m 16 -display none -hda "$dir/disk.img" -fda "$dir/a.img" -cdrom "$dir/cd.iso" \
    -debugcon "file:$dir/dc" -monitor stdio < "$dir/in" > "$dir/out" 2> "$dir/err" &
pid=$!
exec 3> "$dir/in"
wait_line "$dir/dc" READY
check "the guest starts: a disc in, the floppy read" $? "$(cat "$dir/dc" "$dir/err")"
head -n 3 "$dir/dc" | cmp -s - /dev/fd/4 4<<'EOF2'
BEGIN media-watch
CD sense 0
FLOPPY read: ORRERY-FLOPPY-A.
EOF2
check "the guest's first reports" $? "$(cat "$dir/dc")"

printf 'info block\n' >&3
wait_line "$dir/out" "    Removable device: locked, tray closed"
check "info block: the guest locked the CD-ROM's door" $? "$(cat "$dir/out")"
tr -d '\r' < "$dir/out" | grep -qxF "ide1-cd0: $dir/cd.iso (raw, read-only)"
check "info block: the disc" $? "$(cat "$dir/out")"

printf 'eject ide1-cd0\n' >&3
wait_line "$dir/out" "Device 'ide1-cd0' is locked and force was not specified, wait for tray to open and try again"
check "eject: refused while the guest holds the door locked" $? "$(cat "$dir/out")"
printf 'eject -f ide1-cd0\ninfo block\n' >&3
wait_line "$dir/dc" "CD sense 2"
check "eject -f: the guest's TEST UNIT READY says NOT READY" $? "$(cat "$dir/dc")"
wait_line "$dir/out" "ide1-cd0: [not inserted]" &&
    wait_line "$dir/out" "    Removable device: not locked, tray open"
check "info block: no disc, tray open" $? "$(cat "$dir/out")"
printf 'change ide1-cd0 %s/cd.iso\n' "$dir" >&3
cd_reports() { tr -d '\r' < "$dir/dc" | grep '^CD sense' | tr '\n' ' '; }
n=0
while [ "$(cd_reports)" != "CD sense 0 CD sense 2 CD sense 6 CD sense 0 " ] &&
      [ "$n" -lt "$wait_steps" ]; do
    sleep 0.05
    n=$((n + 1))
done
[ "$(cd_reports)" = "CD sense 0 CD sense 2 CD sense 6 CD sense 0 " ]
check "change: UNIT ATTENTION once, then ready" $? "$(cat "$dir/dc")"

printf 'change floppy0 %s/b.img\n' "$dir" >&3
wait_line "$dir/dc" "FLOPPY read: ORRERY-FLOPPY-B."
check "change floppy0: the change line, and the new floppy's first sector" $? "$(cat "$dir/dc")"
printf 'eject floppy0\n' >&3
wait_line "$dir/dc" "FLOPPY empty: AH=C0"
check "eject floppy0: the change line, and reads fail (timeout)" $? "$(cat "$dir/dc")"
printf 'change floppy0 %s/a.img raw\ninfo block\n' "$dir" >&3
n=0
while [ "$(grep -c 'ORRERY-FLOPPY-A' "$dir/dc")" -lt 2 ] && [ "$n" -lt "$wait_steps" ]; do
    sleep 0.05
    n=$((n + 1))
done
[ "$(grep -c 'ORRERY-FLOPPY-A' "$dir/dc")" -eq 2 ]
check "change floppy0 FILE raw: the first floppy again" $? "$(cat "$dir/dc")"

# Refusals, each one line.
printf 'change ide0-hd0 %s/a.img\neject floppy9\nchange floppy0 %s/cd.iso\nchange floppy0 %s/none.img\nchange ide1-cd0 %s/cd.iso qcow3\n' \
    "$dir" "$dir" "$dir" "$dir" >&3
wait_line "$dir/out" "floppy0 $dir/none.img: cannot open: No such file or directory; give the path of an existing disk image"
check "change: a missing image" $? "$(cat "$dir/out")"
wait_line "$dir/out" "ide1-cd0 $dir/cd.iso: format qcow3 is not supported; give format=raw or format=qcow2"
check "change: an unknown format" $? "$(cat "$dir/out")"
for want in "Device 'ide0-hd0' is not removable" "Device 'floppy9' not found"; do
    tr -d '\r' < "$dir/out" | grep -qxF "$want"
    check "refused: $want" $? "$(cat "$dir/out")"
done
tr -d '\r' < "$dir/out" | grep -q "^floppy0 $dir/cd.iso: [0-9]* bytes is not a floppy image size"
check "change: an image of no floppy size" $? "$(cat "$dir/out")"

printf 'quit\n' >&3
wait "$pid"
rc=$?
pid=
exec 3>&-
check "quit (exit $rc)" "$rc" "$(cat "$dir/err")"
tr -d '\r' < "$dir/out" | grep -qxF "floppy0: $dir/a.img (raw)"
check "info block: the floppy back" $? "$(cat "$dir/out")"
[ "$fail" -eq 0 ] && echo "ok   change and eject reach the guest as a PC's drives show them"
exit "$fail"
