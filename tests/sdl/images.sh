#!/bin/sh
# The boot images of tests/boot/ in the SDL window under Xvfb (-display sdl,gl=off), on
# the deterministic clock (roms/boot/vga-modes.asm's modes are tests/sdl/vga-modes.sh's):
# - roms/boot/disk-boot.asm and floppy-boot.asm (INT 13h reads and writes on a disk and a
#   floppy): once each has passed and halted, the window's picture equals orrery's
#   -screendump when the window is closed;
# - tools/mkimages' memtest86+ CD and floppy and the Linux guest's two disks (SYSLINUX on
#   FAT, and on a partitioned ext2 disk), with -snapshot: once memtest's banner, or
#   SYSLINUX's last "Loading ...ok", is on the text screen (read with the monitor's
#   pmemsave), the machine is stopped (`stop`) and the window's picture equals the
#   monitor's `screendump` of the same moment.
# Skipped (77) where Xvfb, xdotool, xwd, SeaBIOS, socat or memtest86+ is missing.
#   tests/sdl/images.sh ORRERY IMGCMP XCLOSE BOOT_ROMS_DIR (build/roms/boot)
orrery=$1 imgcmp=$2 xclose=$3 boot=$4
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../boot/need.sh"

start_xvfb 1024x768

# The images from the cache (tools/mkimages builds them when missing), each in the window
# until TEXT is on its text screen (read with the monitor's pmemsave), then stopped: the
# window's picture must equal the monitor's screendump of that moment. need_image runs in
# a subshell, so that a missing package skips only that image.
if ! command -v socat >/dev/null 2>&1; then
    echo "skipped: the cached images in the window need socat: apt-get install socat"
    exit "$fail"
fi
mon=$dir/mon.sock
screen_has() { # TEXT: on the text screen (the characters of 0xB8000's 80x25 cells)
    monitor "pmemsave 0xb8000 4000 $dir/screen.bin" >/dev/null
    od -An -v -tu1 -w2 "$dir/screen.bin" 2>/dev/null |
        awk '{ printf "%c", ($1 >= 32 && $1 < 127) ? $1 : 32 }' | grep -qF -- "$1"
}
window_matches() { # NAME IMAGE TEXT ORRERY-ARGS... (IMAGE: one of the cache's, or -)
    name=$1 image=$2 text=$3
    shift 3
    [ "$image" = - ] || (need_image "$image") >"$dir/need.log" 2>&1
    case $? in
    0) ;;
    77) echo "skipped: $name in the window: $(sed 's/^skipped: //' "$dir/need.log")"; return ;;
    *) bad "$name: $(cat "$dir/need.log")"; return ;;
    esac
    rm -f "$mon"
    start_orrery -m 128 -display sdl,gl=off -icount 3 -monitor "unix:$mon,server,nowait" "$@"
    win=$(find_window)
    [ -n "$win" ] || { bad "$name: no window: $(cat "$dir/err")"; return; }
    xdotool windowmove "$win" 0 0
    seen=
    for _ in $(seq 120); do
        screen_has "$text" && { seen=1; break; }
        sleep 1
    done
    if [ -n "$seen" ]; then ok "$name: '$text' is on the text screen"; else bad "$name: no '$text'"; fi
    sleep 3 # the screen drawn whole
    monitor "stop" >/dev/null
    monitor "screendump $dir/$name.png -f png" >/dev/null
    sleep 1
    if [ -f "$dir/$name.png" ] && shot_equals "$dir/$name.png"; then
        ok "$name: the window equals the monitor's screendump of the stopped machine ($r)"
    else
        bad "$name: the window ($("$imgcmp" --size "$dir/shot.xwd")) and the screendump: $r"
    fi
    close_window
}
# The project's INT 13h boot sectors (roms/boot/disk-boot.asm on a disk, floppy-boot.asm
# in a 1.44M floppy): their reports on port 0xE9 end in DONE and they halt (the monitor no
# longer answers then: the window is compared with the screen orrery writes with
# -screendump when it is closed).
halted_window_matches() { # NAME ORRERY-ARGS...
    name=$1
    shift
    start_orrery -display sdl,gl=off -icount 3 -screendump "$dir/$name.png" "$@"
    win=$(find_window)
    [ -n "$win" ] || { bad "$name: no window: $(cat "$dir/err")"; return; }
    xdotool windowmove "$win" 0 0
    if wait_for "$dir/e9" "DONE $name" && grep -q " 0 failed" "$dir/e9" &&
       wait_title "$win" "halted" >/dev/null; then
        ok "$name: the guest's disk calls passed and it halted ($(grep DONE "$dir/e9"))"
    else
        bad "$name: $(cat "$dir/e9" "$dir/err")"
    fi
    xwd -id "$win" -out "$dir/shot.xwd" || bad "$name: xwd"
    close_window # orrery exits, writing the screen it shows (-screendump)
    if r=$("$imgcmp" "$dir/shot.xwd" "$dir/$name.png"); then
        ok "$name: the window equals orrery's -screendump at its exit ($r)"
    else
        bad "$name: the window and the -screendump: $r"
    fi
}
cp "$boot/disk-boot.bin" "$dir/disk.img" && truncate -s 2M "$dir/disk.img" || exit 1
halted_window_matches disk-boot -hda "$dir/disk.img"
bin=$boot/floppy-boot.bin
. "$(dirname "$0")/../boot/floppy-image.sh"
floppy_image "$dir/floppy.img" 1440K 18
halted_window_matches floppy-boot -fda "$dir/floppy.img"

# memtest86+ from its own CD and from its floppy: its banner at the top left.
window_matches memtest memtest86+ia32.iso "Memtest86+" -cdrom "$images/memtest86+ia32.iso" -boot d
window_matches memtest-floppy memtest86+ia32.img "Memtest86+" \
    -fda "$images/memtest86+ia32.img" -snapshot
# The Linux guest on a FAT disk and on a partitioned ext2 disk: SYSLINUX has loaded the
# kernel and the initrd.
window_matches linux-fat guest-fat.img "Loading INITRD.GZ...ok" \
    -hda "$images/guest-fat.img" -snapshot
window_matches linux-ext2 guest-disk.img "Loading OVERLAY.GZ...ok" \
    -hda "$images/guest-disk.img" -snapshot
exit "$fail"
