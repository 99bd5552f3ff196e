#!/bin/sh
# An unmodified image of someone else's: Debian's memtest86+, booted by SeaBIOS on the
# deterministic clock from one of two media:
#   floppy  memtest86+ia32.bin (which is also a floppy boot sector) on a 1.44M floppy
#           image made here, on -fda;
#   cdrom   the package's own El Torito CD, memtest86+ia32.iso (a 1.44M floppy-emulation
#           boot image), on -cdrom with -boot d: SeaBIOS reads it through the ATAPI
#           CD-ROM and serves it to memtest's loader as drive A:.
# After a billion instructions its screen shows its banner, the Pentium II, a running
# test (past test #2) and no memory errors.
# Exits 77 (skipped) when the memtest86+ or seabios package is missing.
#   tests/boot/memtest.sh ORRERY floppy|cdrom
set -u
orrery=$1
medium=$2
case $medium in
    floppy) image=/boot/memtest86+ia32.bin ;;
    cdrom) image=/usr/lib/memtest86+/memtest86+ia32.iso ;;
    *) echo "usage: memtest.sh ORRERY floppy|cdrom"; exit 2 ;;
esac
. "$(dirname "$0")/need.sh"
need_files memtest86+ "$image"
need_seabios
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ "$medium" = floppy ]; then
    cp "$image" "$dir/fd.img" && truncate -s 1440K "$dir/fd.img" || exit 1
    set -- -fda "$dir/fd.img"
else
    cp "$image" "$dir/cd.iso" || exit 1
    set -- -cdrom "$dir/cd.iso" -boot d
fi

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
if [ "$medium" = cdrom ]; then
    if cmp -s "$image" "$dir/cd.iso"; then
        echo "ok   the ISO file is untouched"
    else
        echo "FAIL the ISO file changed"
        fail=1
    fi
fi
exit "$fail"
