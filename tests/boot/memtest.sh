#!/bin/sh
# An unmodified image of someone else's: Debian's memtest86+, booted by SeaBIOS on the
# deterministic clock from one of two media, both from tools/mkimages' cache:
#   floppy  memtest86+ia32.img: memtest86+ia32.bin (which is also a floppy boot sector)
#           as a 1.44M floppy image, on -fda with -snapshot;
#   cdrom   memtest86+ia32.iso, the package's own El Torito CD (a 1.44M
#           floppy-emulation boot image), on -cdrom with -boot d: SeaBIOS reads it
#           through the ATAPI CD-ROM and serves it to memtest's loader as drive A:.
# After a billion instructions its screen shows its banner, the Pentium II, a running
# test (past test #2) and no memory errors; the cached image is unchanged.
# Exits 77 (skipped) when the memtest86+ or seabios package is missing.
#   tests/boot/memtest.sh ORRERY floppy|cdrom
set -u
orrery=$1
medium=$2
case $medium in
    floppy) name=memtest86+ia32.img ;;
    cdrom) name=memtest86+ia32.iso ;;
    *) echo "usage: memtest.sh ORRERY floppy|cdrom"; exit 2 ;;
esac
. "$(dirname "$0")/need.sh"
need_seabios
need_image "$name"
image=$images/$name
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ "$medium" = floppy ]; then
    set -- -fda "$image" -snapshot
else
    set -- -cdrom "$image" -boot d
fi
before=$(cksum <"$image")

rc=0
timeout $((300 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 128 -display none -icount 3 "$@" \
    -stop-at 1000000000 -textdump "$dir/screen.txt" 2>"$dir/err" || rc=$?
echo "--- the screen:"
cat "$dir/screen.txt"
echo "--- orrery:"
cat "$dir/err"
fail=0
check() { # description, grep -E pattern
    if grep -qE -- "$2" "$dir/screen.txt"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
[ "$rc" -eq 0 ] || { echo "FAIL orrery exited $rc"; fail=1; }
check "the banner" "Memtest86\+ v[0-9]"
check "the CPU" "Pentium II"
check "testing" "Status: Testing"
check "past the first tests" "Test #([3-9]|1[0-9])"
check "no errors" "Errors: +0 "
if [ "$(cksum <"$image")" = "$before" ]; then
    echo "ok   the image in the cache is untouched"
else
    echo "FAIL the image in the cache changed"
    fail=1
fi
exit "$fail"
