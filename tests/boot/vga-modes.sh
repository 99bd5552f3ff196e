#!/bin/sh
# Every standard VGA mode under SeaBIOS and its VGA BIOS, headless on the deterministic
# clock: roms/boot/vga-modes.asm, on a 2 MiB disk image whose byte 3 names the mode, sets
# it, draws through the BIOS and directly, reads it back (its report on port 0xE9 must end
# "0 failed") and halts; the picture orrery writes at exit (-screendump PNG) must equal
# the mode's golden, tests/boot/golden/vga-mode-NN.png, pixel for pixel. Modes: text
# 00h-03h and 07h, CGA 04h-06h, EGA/VGA planar 0Dh-12h, 13h, and X (unchained 320x240).
# With WRITE_GOLDEN=DIR the pictures are also written to DIR (to make new goldens: look
# at each before committing it).
# Exits 77 (skipped) when SeaBIOS or its VGA BIOS is not installed.
#   tests/boot/vga-modes.sh ORRERY IMGCMP VGA_MODES_BIN GOLDEN_DIR
set -u
orrery=$1
imgcmp=$2
bin=$3
golden=$4
. "$(dirname "$0")/need.sh"
. "$(dirname "$0")/vga-modes-image.sh"
need_vgabios
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
for m in 00 01 02 03 07 04 05 06 0d 0e 0f 10 11 12 13 x; do
    vga_modes_image "$dir/$m.img" "$m" || exit 1
    rc=0
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 16 -display none -icount 3 \
        -no-reboot -hda "$dir/$m.img" -stop-at 200000000 -debugcon "file:$dir/$m.txt" \
        -screendump "$dir/$m.png" 2>"$dir/$m.err" || rc=$?
    [ -n "${WRITE_GOLDEN:-}" ] && cp "$dir/$m.png" "$WRITE_GOLDEN/vga-mode-$m.png"
    done_line=$(grep '^DONE' "$dir/$m.txt")
    if [ "$rc" -eq 0 ] && grep -q "halted with interrupts disabled" "$dir/$m.err" &&
       echo "$done_line" | grep -qE '^DONE vga-modes: [1-9][0-9]* passed, 0 failed$'; then
        echo "ok   mode $m: $done_line"
    else
        echo "FAIL mode $m: orrery exited $rc, the report:"
        cat "$dir/$m.txt" "$dir/$m.err"
        fail=1
    fi
    if cmp_out=$("$imgcmp" "$dir/$m.png" "$golden/vga-mode-$m.png" 2>&1); then
        echo "ok   mode $m: the picture equals golden/vga-mode-$m.png ($("$imgcmp" --size "$dir/$m.png"))"
    else
        echo "FAIL mode $m: $cmp_out"
        fail=1
    fi
done
exit "$fail"
