#!/bin/sh
# The CD-ROM and boot flags of build/orrery (-cdrom, -drive media=cdrom, -boot): a bad
# image or spelling ends with exactly one "orrery: <what>: <problem>; <fix>" line on
# stderr and exit 1, before anything runs; good ones are accepted (a tiny firmware image
# then halts at once) and a CD image is never written to.
#   cdrom.sh ORRERY
set -u
orrery=$1
. "$(dirname "$0")/flag-checks.sh"
truncate -s 1M "$dir/disk.img" "$dir/cd.iso"
chmod a-w "$dir/cd.iso"

bad "-cdrom /missing: cannot open: No such file or directory; give the path of an existing" \
    -cdrom /missing
bad "-cdrom: no file name" -cdrom ""
bad "IDE place 2 (secondary master, -hdc or -cdrom) is given twice" \
    -hdc "$dir/disk.img" -cdrom "$dir/cd.iso"
bad "-cdrom $dir/missing.iso: cannot open" -drive "file=$dir/missing.iso,media=cdrom"
bad "readonly=yes; give readonly=on or off" -drive "file=$dir/disk.img,readonly=yes"
bad "-boot n: network boot (n) is not supported" -boot n
bad "-boot order=dn: network boot (n) is not supported" -boot order=dn
bad "'x' is not a boot device" -boot order=x
bad "'c' is given twice" -boot order=cc
bad "order is empty or too long; give one to three" -boot order=
bad "menu=maybe; give menu=on or menu=off" -boot menu=maybe
bad "unsupported option 'splash'" -boot order=c,splash=on
bad "strict=yes; give strict=on or strict=off" -boot order=c,strict=yes
bad "reboot-timeout=65536; give the wait" -boot reboot-timeout=65536
bad "reboot-timeout=-2; give the wait" -boot reboot-timeout=-2
bad "splash-time=soon" -boot menu=on,splash-time=soon
good -cdrom "$dir/cd.iso"
good -cdrom "$dir/cd.iso" -snapshot
good -drive "file=$dir/cd.iso,if=ide,index=3,media=cdrom"
good -drive "if=ide,index=2,media=cdrom"
good -hda "$dir/disk.img" -cdrom "$dir/cd.iso" -boot order=dc,once=c,menu=on,splash-time=500
good -hda "$dir/disk.img" -boot order=c,strict=on,reboot-timeout=-1
good -hda "$dir/disk.img" -boot strict=off,reboot-timeout=0
good -drive "file=$dir/cd.iso,format=raw,readonly=on" -boot d
exit "$fail"
