#!/bin/sh
# The SDL window's shape under Xvfb: without $DISPLAY orrery runs headless; with it and no
# -display, a window opens by itself (closing it ends orrery with status 0). With -display
# sdl,gl=off the window takes the guest's mode size (720x400 for text mode 3), and a window
# made wider or taller shows the picture whole, centred with black bars: at 1440x400 the
# middle 720 columns equal the golden exactly, at 1440x1000 it is drawn twice as large
# between two 100-row bars. Ctrl-Alt-F stays the host's (full screen itself needs a window
# manager, which Xvfb lacks). SIGTERM still
# ends orrery as without a window (status 0, where the guest was).
#   tests/sdl/window.sh ORRERY IMGCMP XCLOSE KEYS_BIN GOLDEN_DIR
orrery=$1 imgcmp=$2 xclose=$3 keys_bin=$4 golden=$5
. "$(dirname "$0")/lib.sh"

start_xvfb 1600x1200
make_disk

# No $DISPLAY: no window, the machine runs all the same.
DISPLAY= timeout 60 "$orrery" -m 16 -icount 3 -hda "$dir/keys.img" -stop-at 30000000 \
    -debugcon "file:$dir/e9.headless" 2>"$dir/err.headless"
rc=$?
if [ "$rc" -eq 0 ] && grep -q READY "$dir/e9.headless"; then
    ok "no \$DISPLAY: headless, the guest ran (status 0)"
else
    bad "no \$DISPLAY: status $rc, $(cat "$dir/err.headless")"
fi

# $DISPLAY and no -display: a window, with whatever renderer SDL picks.
start_orrery -hda "$dir/keys.img"
wait_for "$dir/e9" "READY" || bad "the guest did not start: $(cat "$dir/err")"
win=$(find_window)
if [ -n "$win" ]; then
    ok "no -display with \$DISPLAY set: a window, '$(xdotool getwindowname "$win")'"
    "$xclose" "$win"
    wait_exit 20
    rc=$?
    if [ "$rc" -eq 0 ] && grep -qF "the window was closed" "$dir/err"; then
        ok "closing it: $(cat "$dir/err")"
    else
        bad "closing the window: status $rc, $(cat "$dir/err")"
    fi
else
    bad "no window by default: $(cat "$dir/err")"
fi

start_orrery -display sdl,gl=off -hda "$dir/keys.img"
wait_for "$dir/e9" "mouse on" || bad "the guest did not start: $(cat "$dir/err")"
win=$(find_window)
[ -n "$win" ] || { bad "no window with -display sdl,gl=off"; exit 1; }
geometry() { xdotool getwindowgeometry "$win" | sed -n 's/.*Geometry: //p'; }
for _ in $(seq 50); do [ "$(geometry)" = 720x400 ] && break; sleep 0.2; done
if [ "$(geometry)" = 720x400 ]; then
    ok "the window took text mode 3's size: 720x400"
else
    bad "the window is $(geometry), not 720x400"
fi
# The checks of a picture, each retried with a new screenshot for up to 10 s: the window
# is redrawn a frame after it changed, later on a busy host.
wide_ok() {
    r=$("$imgcmp" --crop 360,0,720,400 "$dir/shot.xwd" "$golden/start.png") &&
    "$imgcmp" --crop 0,0,360,400 "$dir/shot.xwd" black >/dev/null &&
    "$imgcmp" --crop 1080,0,360,400 "$dir/shot.xwd" black >/dev/null
}
tall_ok() {
    "$imgcmp" --crop 0,0,1440,100 "$dir/shot.xwd" black >/dev/null &&
    "$imgcmp" --crop 0,900,1440,100 "$dir/shot.xwd" black >/dev/null &&
    ! "$imgcmp" --crop 0,100,1440,30 "$dir/shot.xwd" black >/dev/null &&
    ! "$imgcmp" --max-differ 100 --crop 0,100,1440,800 "$dir/shot.xwd" black >/dev/null
}
shot_until() { # check
    for _ in $(seq 20); do
        sleep 0.5
        xwd -id "$win" -out "$dir/shot.xwd" && "$1" && return 0
    done
    return 1
}
xdotool windowmove "$win" 0 0 # xwd takes only what is on the screen
xdotool windowsize "$win" 1440 400
if shot_until wide_ok; then
    ok "1440x400: black bars of 360 columns, the middle equals the golden ($r)"
else
    bad "1440x400 ($("$imgcmp" --size "$dir/shot.xwd")): $r"
fi
xdotool windowsize "$win" 1440 1000
if shot_until tall_ok; then
    ok "1440x1000: twice as large between bars of 100 rows, text in the first row"
else
    bad "1440x1000 ($("$imgcmp" --size "$dir/shot.xwd")): the bars or the picture"
fi
xdotool windowsize "$win" 720 400
xdotool windowfocus --sync "$win"
# Full screen is a request to the window manager (_NET_WM_STATE_FULLSCREEN), and Xvfb has
# none: what can be checked here is that the hotkey stays the host's and the window lives.
xdotool key ctrl+alt+f
sleep 0.5
xdotool key ctrl+alt+f
if kill -0 "$orrery_pid" 2>/dev/null && [ -n "$(xdotool search --name '^orrery - ')" ]; then
    ok "Ctrl-Alt-F twice: the window is still there"
else
    bad "Ctrl-Alt-F: the window is gone: $(cat "$dir/err")"
fi
if grep -q '^key ' "$dir/e9"; then
    bad "a hotkey reached the guest: $(grep '^key ' "$dir/e9")"
fi
kill -TERM "$orrery_pid"
wait_exit 20
rc=$?
if [ "$rc" -eq 0 ] && grep -qF "terminating on signal 15 (SIGTERM)" "$dir/err"; then
    ok "SIGTERM with a window: status 0, '$(cat "$dir/err")'"
else
    bad "SIGTERM: status $rc, $(cat "$dir/err")"
fi
exit "$fail"
