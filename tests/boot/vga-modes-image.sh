# Sourced by the tests that boot roms/boot/vga-modes.asm (tests/boot/vga-modes.sh,
# tests/sdl/vga-modes.sh), with $bin its assembled image:
#   vga_modes_image FILE MODE
# makes FILE a 2 MiB disk that draws MODE: two hex digits (a BIOS mode), or x for mode X
# (byte 3 of the image is the mode, 'X' for mode X).
vga_modes_image() {
    if [ "$2" = x ]; then byte=88; else byte=$((0x$2)); fi
    cp "$bin" "$1" && truncate -s 2M "$1" &&
        printf "\\$(printf %o "$byte")" | dd of="$1" bs=1 seek=3 conv=notrunc 2>/dev/null
}
