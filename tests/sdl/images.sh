#!/bin/sh
# The boot images of tests/boot/ in the SDL window under Xvfb (-display sdl,gl=off), on
# the deterministic clock:
# - roms/boot/vga-modes.asm in text mode 03h (a screen drawn by the VGA BIOS's teletype
#   and AH=09h, and directly) and in mode 12h (640x480, 16 colours): once it has halted,
#   the window's picture (xwd) equals the headless test's golden,
#   tests/boot/golden/vga-mode-NN.png, pixel for pixel;
# - memtest86+ from its own CD (tools/mkimages' memtest86+ia32.iso on -cdrom): once its
#   banner is on the text screen (read with the monitor's xp), the machine is stopped
#   (`stop`) and the window's picture equals the monitor's `screendump` of the same moment.
# Skipped (77) where Xvfb, xdotool, xwd, SeaBIOS, socat or memtest86+ is missing.
#   tests/sdl/images.sh ORRERY IMGCMP XCLOSE VGA_MODES_BIN BOOT_GOLDEN_DIR
orrery=$1 imgcmp=$2 xclose=$3 vga_bin=$4 golden=$5
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../boot/need.sh"
iso=$images/memtest86+ia32.iso

start_xvfb 1024x768

close_window() { # and wait until it is gone, so that find_window finds the next one
    "$xclose" "$win"
    wait_exit 20 || bad "closing the window: status $?, $(cat "$dir/err")"
    for _ in $(seq 50); do
        [ -z "$(xdotool search --name '^orrery - ' 2>/dev/null)" ] && break
        sleep 0.2
    done
}

for m in 03 12; do
    cp "$vga_bin" "$dir/vga.img" && truncate -s 2M "$dir/vga.img" || exit 1
    printf "\\$(printf %o $((0x$m)))" | dd of="$dir/vga.img" bs=1 seek=3 conv=notrunc 2>/dev/null
    start_orrery -display sdl,gl=off -icount 3 -hda "$dir/vga.img"
    win=$(find_window)
    [ -n "$win" ] || { bad "mode $m: no window: $(cat "$dir/err")"; continue; }
    xdotool windowmove "$win" 0 0 # xwd takes only what is on the screen
    if wait_for "$dir/e9" "DONE vga-modes" && grep -q "0 failed" "$dir/e9" &&
       wait_title "$win" "halted" >/dev/null; then
        ok "mode $m: the guest drew and halted ($(grep DONE "$dir/e9"))"
    else
        bad "mode $m: $(cat "$dir/e9" "$dir/err")"
    fi
    if shot_equals "$golden/vga-mode-$m.png"; then
        ok "mode $m: the window equals golden/vga-mode-$m.png ($r)"
    else
        bad "mode $m: the window ($("$imgcmp" --size "$dir/shot.xwd")): $r"
    fi
    close_window
done

# The image from the cache (tools/mkimages builds it when missing); need_image in a
# subshell, so that a missing package skips only this part.
(need_image memtest86+ia32.iso) >"$dir/need.log" 2>&1
case $? in
0) ;;
77) echo "skipped: memtest86+ in the window: $(sed 's/^skipped: //' "$dir/need.log")"; exit "$fail" ;;
*) bad "memtest: $(cat "$dir/need.log")"; exit 1 ;;
esac
if ! command -v socat >/dev/null 2>&1; then
    echo "skipped: memtest86+ in the window needs socat: apt-get install socat"
    exit "$fail"
fi
mon=$dir/mon.sock
start_orrery -m 128 -display sdl,gl=off -icount 3 -cdrom "$iso" -boot d \
    -monitor "unix:$mon,server,nowait"
win=$(find_window)
[ -n "$win" ] || { bad "memtest: no window: $(cat "$dir/err")"; exit 1; }
xdotool windowmove "$win" 0 0
# The banner, "Memtest86+", at the top left of the text screen (0xB8000: character,
# attribute): wait until the text is there, then stop the machine.
banner=
for _ in $(seq 120); do
    if monitor "xp/32bx 0xb8000" | tr -d '\r' | sed -n 's/^[0-9a-f]*: //p' | tr '\n' ' ' |
       grep -q "0x4d 0x.. 0x65 0x.. 0x6d 0x.. 0x74"; then
        banner=1
        break
    fi
    sleep 1
done
if [ -n "$banner" ]; then ok "memtest: its banner is on the text screen"; else bad "memtest: no banner"; fi
sleep 3 # the first screen drawn whole
monitor "stop" >/dev/null
monitor "screendump $dir/memtest.png -f png" >/dev/null
sleep 1
if [ -f "$dir/memtest.png" ] && shot_equals "$dir/memtest.png"; then
    ok "memtest: the window equals the monitor's screendump of the stopped machine ($r)"
else
    bad "memtest: the window ($("$imgcmp" --size "$dir/shot.xwd")) and the screendump: $r"
fi
close_window
exit "$fail"
