#!/bin/sh
# The SDL window under Xvfb, driven by xdotool: SeaBIOS boots the project's key-echo disk
# (roms/boot/keys.asm) in `-display sdl,gl=off`; keys typed into the window reach the guest
# by position (the scan codes INT 16h returns, on port 0xE9), a held key repeats at the
# guest's typematic rate, not the host's (the X server's auto-repeat is dropped), Shift and
# an extended key (Up) too; the window's picture
# (xwd) and orrery's own -screendump PNG equal the committed golden; a click takes the
# mouse (the title says how to give it back), motion and buttons arrive as PS/2 packets
# (INT 15h C2xx's handler), Ctrl-Alt-G gives it back; Esc ends the guest with cli; hlt and
# the window stays, titled "halted"; closing it ends orrery with status 0.
#   tests/sdl/keys.sh ORRERY IMGCMP XCLOSE KEYS_BIN GOLDEN_DIR
orrery=$1 imgcmp=$2 xclose=$3 keys_bin=$4 golden=$5
. "$(dirname "$0")/lib.sh"

start_xvfb 1024x768
make_disk
start_orrery -display sdl,gl=off -hda "$dir/keys.img" -screendump "$dir/exit.png" \
    -textdump "$dir/exit.txt"
if wait_for "$dir/e9" "mouse on"; then
    ok "the disk booted in the window and has the PS/2 mouse"
else
    bad "no READY/mouse on from the guest: $(cat "$dir/e9" "$dir/err")"
    exit 1
fi
win=$(find_window)
[ -n "$win" ] || { bad "no window named 'orrery - ...'"; exit 1; }
if title=$(wait_title "$win" '^orrery - running - [0-9]+ MIPS$'); then
    ok "title: $title"
else
    bad "title: $title"
fi
# The guest's key reports so far.
keys() { grep -c '^key ' "$dir/e9"; }
xdotool windowfocus --sync "$win"
xdotool key h i Return shift+a Up
xdotool keydown o
# The X server repeats the key from 660 ms, 25 a second; the window drops those repeats.
# The keyboard's own (keys.asm set them to 1 s, then 2 a second) may begin if the host is
# slow to release it: at most 3 in all, where the host's would have made 5 or more.
sleep 0.85
xdotool keyup o
# A burst: 12 keys, 36 bytes of scan codes at once, more than the keyboard's 16-byte queue
# holds; the window hands them over as the guest reads them.
xdotool type --delay 1 kabcdefghijl
wait_for "$dir/e9" "key 26 6C" 20
expected="key 23 68
key 17 69
key 1C 0D
key 1E 41
key 48 00
key 18 6F
key 25 6B
key 1E 61
key 30 62
key 2E 63
key 20 64
key 12 65
key 21 66
key 22 67
key 23 68
key 17 69
key 24 6A
key 26 6C"
os=$(grep -c '^key 18 6F$' "$dir/e9")
if [ "$(grep '^key ' "$dir/e9" | uniq)" = "$expected" ] && [ "$os" -le 3 ]; then
    ok "h i Enter Shift-A Up o (held 0.85 s: $os o) and a burst of 12 reached the guest: $(keys) keys"
else
    bad "the guest's keys:"
    grep '^key ' "$dir/e9"
fi
# The last character shows a frame (1/60 s) after the guest wrote it, later on a busy
# host: screenshots for up to 10 s.
for _ in $(seq 20); do
    sleep 0.5
    xwd -id "$win" -out "$dir/win.xwd"
    r=$("$imgcmp" --tolerance 8 --max-differ 20 "$dir/win.xwd" "$golden/keys.png") && break
done
if [ "${r#alike}" != "$r" ]; then
    ok "the window's picture equals tests/sdl/golden/keys.png ($r)"
else
    bad "the window's picture: $r"
    "$imgcmp" --png "$dir/win.xwd" "/tmp/orrery-sdl-keys-window.png" &&
        echo "     (saved as /tmp/orrery-sdl-keys-window.png)"
fi

# The mouse: a click in the window takes it; the click itself stays the host's.
xdotool mousemove --window "$win" 100 100 click 1
if title=$(wait_title "$win" 'Ctrl-Alt-G releases the mouse'); then
    ok "a click grabbed the mouse: $title"
else
    bad "no grab after a click: $title"
fi
xdotool mousemove_relative 20 10
sleep 0.3
xdotool mousedown 1
sleep 0.3
xdotool mouseup 1
wait_for "$dir/e9" "mouse 08 00 00" 20
# Motion packets: status bits 4 and 5 are the X and Y signs; PS/2's Y grows upwards.
dx=0 dy=0 left=0
while read -r what st x y; do
    [ "$what" = mouse ] && [ "$st" != on ] || continue
    st=$((0x$st)) x=$((0x$x)) y=$((0x$y))
    [ $((st & 0x10)) -ne 0 ] && x=$((x - 256))
    [ $((st & 0x20)) -ne 0 ] && y=$((y - 256))
    dx=$((dx + x)) dy=$((dy + y))
    [ $((st & 1)) -ne 0 ] && left=1
done <"$dir/e9"
if [ "$dx $dy $left" = "20 -10 1" ]; then
    ok "20 right and 10 down arrived as PS/2 motion +20, -10, then the left button"
else
    bad "mouse packets (dx dy left: $dx $dy $left):"
    grep '^mouse' "$dir/e9"
fi
xdotool key ctrl+alt+g
if title=$(wait_title "$win" '^orrery - running - [0-9]+ MIPS$'); then
    ok "Ctrl-Alt-G gave the mouse back: $title"
else
    bad "still grabbed after Ctrl-Alt-G: $title"
fi
if [ "$(grep -c '^key 22 ' "$dir/e9")" -ne 1 ]; then # one g: the burst's
    bad "the hotkey's G reached the guest"
else
    ok "Ctrl-Alt-G's G did not reach the guest"
fi

# Esc: the guest says BYE and halts with interrupts off; the window stays until closed.
xdotool key Escape
wait_for "$dir/e9" "BYE" 20 || bad "no BYE after Esc"
if title=$(wait_title "$win" '^orrery - halted - 0 MIPS$'); then
    ok "halted, the window stays: $title"
else
    bad "title after the halt: $title"
fi
if kill -0 "$orrery_pid" 2>/dev/null; then
    ok "orrery still runs after the guest's halt"
else
    bad "orrery exited at the halt"
fi
"$xclose" "$win"
wait_exit 20
rc=$?
if [ "$rc" -eq 0 ] && grep -qF "the guest halted with interrupts disabled" "$dir/err"; then
    ok "closing the window ended orrery with status 0"
else
    bad "after closing the window: status $rc, stderr: $(cat "$dir/err")"
fi
if r=$("$imgcmp" "$dir/exit.png" "$golden/keys.png"); then
    ok "-screendump exit.png equals the golden exactly ($r)"
else
    bad "-screendump exit.png: $r"
fi
if grep -q '^Aokabcdefghijl ' "$dir/exit.txt" && grep -q '^hi ' "$dir/exit.txt"; then
    ok "-textdump: the typed lines 'hi' and 'Aokabcdefghijl'"
else
    bad "-textdump:"
    cat "$dir/exit.txt"
fi
exit "$fail"
