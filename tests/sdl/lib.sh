# Shared by the window tests (tests/sdl/*.sh): a private Xvfb, orrery in a window on it,
# waiting for what the guest says on port 0xE9, and checks that print "ok"/"FAIL" lines.
# The caller sets $orrery, $imgcmp, $xclose, $keys_bin, $golden (and $win, $mon for
# shot_equals and monitor); this sets $dir, $fail.
set -u
fail=0
for tool in Xvfb xdotool xwd; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "skipped: $tool is not installed: apt-get install xvfb xdotool x11-apps"
        exit 77
    fi
done
if [ ! -f /usr/share/seabios/bios-256k.bin ] && [ ! -f /usr/share/qemu/bios-256k.bin ]; then
    echo "skipped: SeaBIOS (bios-256k.bin) is not installed: apt-get install seabios"
    exit 77
fi
dir=$(mktemp -d)
xvfb_pid=
orrery_pid=
cleanup() {
    [ -n "$orrery_pid" ] && kill "$orrery_pid" 2>/dev/null
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

# A screen of its own: Xvfb picks a free display number and writes it to fd 3 once it
# takes connections. -noreset: by default an X server resets itself each time its last
# client leaves (every xdotool or xwd that finds no window open), and a client connecting
# during the reset is refused; orrery's window then fails to open ("x11 not available").
# Four loops of 100 xdotool runs on one Xvfb: 12 and 14 of 400 refused with resets (22 s
# each), none without (6 s).
start_xvfb() { # WxH
    Xvfb -displayfd 3 -screen 0 "${1}x24" -nolisten tcp -noreset 3>"$dir/display" \
        2>"$dir/xvfb.err" &
    xvfb_pid=$!
    for _ in $(seq 150); do
        [ -s "$dir/display" ] && break
        sleep 0.2
    done
    if [ ! -s "$dir/display" ]; then
        echo "FAIL Xvfb did not start: $(cat "$dir/xvfb.err")"
        exit 1
    fi
    DISPLAY=:$(cat "$dir/display")
    export DISPLAY
    unset WAYLAND_DISPLAY
}

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# The boot disk: keys.bin padded to a 2 MiB image.
make_disk() {
    cp "$keys_bin" "$dir/keys.img" && truncate -s 2M "$dir/keys.img" || exit 1
}

# start_orrery ARGS...: in the background, its 0xE9 output in $dir/e9, stderr in $dir/err.
start_orrery() {
    : >"$dir/e9"
    timeout 120 "$orrery" -m 16 -debugcon "file:$dir/e9" "$@" >"$dir/out" 2>"$dir/err" &
    orrery_pid=$!
}

# wait_for FILE TEXT [SECONDS]: until FILE has a line with TEXT (default 60 s).
wait_for() {
    for _ in $(seq $((${3:-60} * 5))); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# The window's id once it exists (empty after 60 s).
find_window() {
    for _ in $(seq 300); do
        w=$(xdotool search --name '^orrery - ' 2>/dev/null | head -1)
        [ -n "$w" ] && { echo "$w"; return; }
        sleep 0.2
    done
}

# wait_title WINDOW REGEX [SECONDS]: until the title matches (default 10 s); prints it.
wait_title() {
    for _ in $(seq $((${3:-10} * 5))); do
        t=$(xdotool getwindowname "$1" 2>/dev/null)
        if echo "$t" | grep -qE -- "$2"; then
            echo "$t"
            return 0
        fi
        sleep 0.2
    done
    echo "$t"
    return 1
}

# shot_equals GOLDEN [IMGCMP-OPTIONS...]: the window $win's picture (xwd) equals GOLDEN,
# retried for up to 10 s (it is redrawn a frame after it changes); imgcmp's line in $r.
shot_equals() {
    golden_file=$1
    shift
    for _ in $(seq 20); do
        xwd -id "$win" -out "$dir/shot.xwd" &&
            r=$("$imgcmp" "$@" "$dir/shot.xwd" "$golden_file") && return 0
        sleep 0.5
    done
    return 1
}

# close_window: closes $win as a window manager would, waits until orrery has ended and
# the window is gone (so that find_window finds the next one).
close_window() {
    "$xclose" "$win"
    wait_exit 20 || bad "closing the window: status $?, $(cat "$dir/err")"
    for _ in $(seq 50); do
        [ -z "$(xdotool search --name '^orrery - ' 2>/dev/null)" ] && break
        sleep 0.2
    done
}

# monitor COMMAND: the answer of the monitor listening on the Unix socket $mon (socat).
monitor() {
    printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$mon" 2>/dev/null
}

# wait_exit SECONDS: orrery's exit status once it ends (124 when it did not).
wait_exit() {
    for _ in $(seq $(($1 * 5))); do
        if ! kill -0 "$orrery_pid" 2>/dev/null; then
            wait "$orrery_pid"
            rc=$?
            orrery_pid=
            return "$rc"
        fi
        sleep 0.2
    done
    return 124
}
