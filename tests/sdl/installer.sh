#!/bin/sh
# The Debian installer in the SDL window under Xvfb (-display sdl,gl=off), on the
# deterministic clock: tools/mkimages' d-i-screen.iso (the netboot installer on an
# ISOLINUX CD, its console on the screen: a 1024x768 framebuffer) booted from -cdrom.
# The monitor's `screendump` is taken every few seconds until it equals the committed
# golden, golden/installer-language.png ("[!!] Select a language", English highlighted;
# 18 KB, the picture a headless run, -stop-at 15000000000 -screendump, left). Then the
# machine is stopped (`stop`) and the window's picture equals that screendump; `cont`,
# the Down key typed into the window with xdotool moves the highlight from English to
# Esperanto (the pixels of the two rows' bars). About 13 billion instructions (label
# guest). Skipped (77) where Xvfb, xdotool, xwd, SeaBIOS, socat or a package of the image
# is missing.
#   tests/sdl/installer.sh ORRERY IMGCMP XCLOSE GOLDEN_DIR
orrery=$1 imgcmp=$2 xclose=$3 golden=$4
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../boot/need.sh"
need_tools socat socat
need_image d-i-screen.iso

start_xvfb 1280x1024
mon=$dir/mon.sock
# Until the screen equals GOLDEN (a screendump every 3 s).
wait_screen() { # golden, seconds
    end=$(($(date +%s) + $2))
    while [ "$(date +%s)" -lt "$end" ] && kill -0 "$orrery_pid" 2>/dev/null; do
        rm -f "$dir/now.png"
        monitor "screendump $dir/now.png -f png" >/dev/null
        [ -f "$dir/now.png" ] && r=$("$imgcmp" "$dir/now.png" "$1") && return 0
        sleep 3
    done
    return 1
}
# The colour of the bar behind a row of the language list (at x 320).
bar() { # picture, y
    "$imgcmp" --pixel "$1" 320 "$2"
}

limit=$((1100 * ${ORRERY_TIMEOUT_SCALE:-1}))
start=$(date +%s)
timeout $((limit + 120)) "$orrery" -m 512 -display sdl,gl=off -icount shift=2 \
    -cdrom "$images/d-i-screen.iso" -boot d -monitor "unix:$mon,server,nowait" \
    >"$dir/out" 2>"$dir/err" &
orrery_pid=$!
win=$(find_window)
[ -n "$win" ] || { bad "no window: $(cat "$dir/err")"; exit 1; }
xdotool windowmove "$win" 0 0 # xwd takes only what is on the screen

if wait_screen "$golden/installer-language.png" "$limit"; then
    ok "the installer's first dialog equals golden/installer-language.png after $(($(date +%s) - start)) s ($r)"
else
    bad "no dialog equal to golden/installer-language.png within $limit s: $r; $(cat "$dir/err")"
    [ -n "${KEEP:-}" ] && cp "$dir/now.png" "$KEEP/installer-language.png"
    exit 1
fi
monitor "stop" >/dev/null
monitor "screendump $dir/language.png -f png" >/dev/null
if [ -f "$dir/language.png" ] && shot_equals "$dir/language.png"; then
    ok "the window equals the monitor's screendump of the stopped machine ($r)"
else
    bad "the window ($("$imgcmp" --size "$dir/shot.xwd")) and the screendump: $r"
fi
english=$(bar "$dir/language.png" 376) esperanto=$(bar "$dir/language.png" 392)

monitor "cont" >/dev/null
xdotool windowfocus --sync "$win"
xdotool key Down
moved=
for _ in $(seq 40); do
    sleep 3
    rm -f "$dir/down.png"
    monitor "screendump $dir/down.png -f png" >/dev/null
    [ -f "$dir/down.png" ] || continue
    if [ "$(bar "$dir/down.png" 392)" = "$english" ] && [ "$(bar "$dir/down.png" 376)" = "$esperanto" ]; then
        moved=1
        break
    fi
done
if [ -n "$moved" ]; then
    ok "Down moved the highlight from English to Esperanto (bar $english)"
else
    bad "Down did not move the highlight: English's row $(bar "$dir/down.png" 376), Esperanto's $(bar "$dir/down.png" 392)"
fi
monitor "quit" >/dev/null
wait_exit 30 || bad "orrery did not quit: status $?"
exit "$fail"
