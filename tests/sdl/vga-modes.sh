#!/bin/sh
# Every standard VGA mode of tests/boot/vga-modes.sh in the SDL window under Xvfb
# (-display sdl,gl=off, -icount 3): roms/boot/vga-modes.asm, on a disk whose byte 3 names
# the mode, draws it through the VGA BIOS and directly and reads it back; once its report
# on port 0xE9 ends "0 failed" and the window's title says "halted", the window's picture
# (xwd) equals the headless test's golden, tests/boot/golden/vga-mode-NN.png, enlarged as
# the window shows the mode (frontends/sdl/README.md: each axis by the smallest whole
# factor that makes it at least 640 pixels wide and 350 lines tall): every golden pixel
# an exact block of SXxSY window pixels (imgcmp --scale), so the window's size is checked
# too. Skipped (77) where Xvfb, xdotool, xwd or SeaBIOS and its VGA BIOS are missing.
#   tests/sdl/vga-modes.sh ORRERY IMGCMP XCLOSE VGA_MODES_BIN BOOT_GOLDEN_DIR
orrery=$1 imgcmp=$2 xclose=$3 bin=$4 golden=$5
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../boot/need.sh"
. "$(dirname "$0")/../boot/vga-modes-image.sh"
need_vgabios

start_xvfb 1024x768

# MODE:SCALE: 40-column text (360x400) twice as wide, the 200-line modes twice as tall,
# 320-pixel modes both; 640x350, 640x480 and 720x400 as they are.
for ms in 00:2x1 01:2x1 02:1x1 03:1x1 07:1x1 04:2x2 05:2x2 06:1x2 0d:2x2 0e:1x2 \
          0f:1x1 10:1x1 11:1x1 12:1x1 13:2x2 x:2x2; do
    m=${ms%:*} scale=${ms#*:}
    vga_modes_image "$dir/vga.img" "$m" || exit 1
    start_orrery -display sdl,gl=off -icount 3 -hda "$dir/vga.img"
    win=$(find_window)
    [ -n "$win" ] || { bad "mode $m: no window: $(cat "$dir/err")"; continue; }
    xdotool windowmove "$win" 0 0 # xwd takes only what is on the screen
    # The guest halts right after its report: the title says so (checked every 0.2 s).
    if wait_title "$win" "halted" 60 >/dev/null &&
       grep -qE '^DONE vga-modes: [1-9][0-9]* passed, 0 failed$' "$dir/e9"; then
        ok "mode $m: the guest drew, read back and halted ($(grep '^DONE' "$dir/e9"))"
    else
        bad "mode $m: $(cat "$dir/e9" "$dir/err")"
    fi
    if shot_equals "$golden/vga-mode-$m.png" --scale "$scale"; then
        ok "mode $m: the window ($("$imgcmp" --size "$dir/shot.xwd")) equals" \
           "golden/vga-mode-$m.png drawn $scale ($r)"
    else
        bad "mode $m: the window ($("$imgcmp" --size "$dir/shot.xwd")) and" \
            "golden/vga-mode-$m.png drawn $scale: $r"
    fi
    close_window
done
exit "$fail"
