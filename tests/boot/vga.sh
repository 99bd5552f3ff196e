#!/bin/sh
# The VGA under SeaBIOS, headless: SeaBIOS finds the VGA at 00:02.0, maps its BARs, copies
# the VGA BIOS (Debian's vgabios-stdvga.bin, offered by the expansion ROM BAR) and runs it;
# SeaVGABIOS finds the Bochs VBE interface and the 16 MiB framebuffer, sets mode 3, and
# SeaBIOS's banner and "No bootable device." appear on the text screen (-textdump) and in
# the picture (-screendump: a 720x400 PPM with text in it). A run saved after the VGA BIOS
# ran and restored in a fresh process shows the same screen at the end. Then an option ROM
# (tests/boot/vbe-optrom.asm, given with -option-rom) asks the VGA BIOS for VBE mode 0x112
# and fills the first 64 KiB bank: the picture at exit is 640x480 with those lines grey.
# Exits 77 (skipped) when SeaBIOS or its VGA BIOS is not installed.
#   tests/boot/vga.sh ORRERY VBE_OPTROM
set -u
orrery=$1
optrom=$2
. "$(dirname "$0")/need.sh"
need_vgabios
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
run() { # name, more options: headless, deterministic, SeaBIOS's log on port 0x402
    name=$1
    shift
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 64 -display none -icount 3 -no-reboot \
        -debugcon "file:$dir/$name.log" -global isa-debugcon.iobase=0x402 "$@" \
        2>>"$dir/err" || { echo "FAIL orrery exited $? ($name)"; cat "$dir/err"; fail=1; }
}
run full -stop-at 30000000 -textdump "$dir/full.txt" -screendump "$dir/full.ppm"
echo "--- the text screen:"
cat "$dir/full.txt"
expect() { # file, text
    if grep -qF -- "$2" "$dir/$1"; then
        echo "ok   $1: $2"
    else
        echo "FAIL $1 lacks: $2"
        fail=1
    fi
}
expect full.log "PCI: Using 00:02.0 for primary VGA"
expect full.log "Start SeaVGABIOS"
expect full.log "VBE DISPI: lfb_addr=fd000000, size 16 MB"
expect full.log "Turning on vga text mode console"
expect full.txt "SeaBIOS (version"
expect full.txt "No bootable device."
# The picture: 720x400 (80x25 cells of 9x16), black with grey text.
header=$(head -c 15 "$dir/full.ppm" | tr '\n' ' ')
size=$(wc -c <"$dir/full.ppm")
grey=$(tail -c +16 "$dir/full.ppm" | od -An -v -tx1 | tr ' ' '\n' | grep -c '^aa$')
if [ "$header" = "P6 720 400 255 " ] && [ "$size" -eq $((15 + 720 * 400 * 3)) ] &&
   [ "$grey" -gt 3000 ]; then
    echo "ok   screendump: 720x400 PPM, $((grey / 3)) grey text pixels"
else
    echo "FAIL screendump: header '$header', $size bytes, $grey grey bytes"
    fail=1
fi
# Saved after the VGA BIOS set mode 3, restored in a fresh process: the same screen.
run a -stop-at 20000000 -savestate "$dir/mid.state"
run b -stop-at 30000000 -loadstate "$dir/mid.state" -textdump "$dir/split.txt" \
    -screendump "$dir/split.ppm"
if grep -qF "set VGA mode 3" "$dir/a.log" && cmp -s "$dir/full.txt" "$dir/split.txt" &&
   cmp -s "$dir/full.ppm" "$dir/split.ppm"; then
    echo "ok   saved at 20,000,000 instructions and restored: the same screen"
else
    echo "FAIL split run: the screen differs"
    cat "$dir/split.txt"
    fail=1
fi
# VBE: the option ROM's last byte made the checksum.
cp "$optrom" "$dir/vbe.rom"
sum=$(od -An -v -tu1 "$dir/vbe.rom" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }')
printf "\\$(printf %o $(((256 - sum) % 256)))" | dd of="$dir/vbe.rom" bs=1 seek=511 conv=notrunc 2>/dev/null
run vbe -stop-at 30000000 -option-rom "$dir/vbe.rom" -screendump "$dir/vbe.ppm"
pixel() { # x y: the picture's RGB there, as hex
    od -An -tx1 -j $((15 + ($2 * 640 + $1) * 3)) -N 3 "$dir/vbe.ppm" | tr -d ' \n'
}
header=$(head -c 15 "$dir/vbe.ppm" | tr '\n' ' ')
if grep -qF "vbe-optrom: mode 0x112 set" "$dir/vbe.log" && [ "$header" = "P6 640 480 255 " ] &&
   [ "$(pixel 639 0)" = 404040 ] && [ "$(pixel 639 33)" = 404040 ] &&
   [ "$(pixel 639 35)" = 000000 ]; then
    echo "ok   VBE mode 0x112 from an option ROM: a 640x480 picture, the first bank grey"
else
    echo "FAIL VBE: header '$header', pixels $(pixel 639 0) $(pixel 639 33) $(pixel 639 35)"
    grep -F "vbe-optrom" "$dir/vbe.log"
    fail=1
fi
exit "$fail"
