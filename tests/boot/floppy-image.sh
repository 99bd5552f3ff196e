# Sourced by the tests that boot roms/boot/floppy-boot.asm (tests/boot/floppy.sh,
# tests/sdl/images.sh), with $bin its assembled image:
#   floppy_image FILE SIZE SECTORS-PER-TRACK
# makes FILE a floppy of SIZE (truncate's spelling) with the boot sector and the texts it
# reads: the last sector of cylinder 1, head 1 names itself, and the first sector of
# cylinder 1, head 1 is all 'H' (a read across heads ends there).
floppy_image() {
    rm -f "$1"
    truncate -s "$2" "$1"
    dd if="$bin" of="$1" conv=notrunc 2>/dev/null
    printf 'ORRERY FLOPPY: CYLINDER 1, HEAD 1, LAST SECTOR\000' |
        dd of="$1" bs=512 seek=$((4 * $3 - 1)) conv=notrunc 2>/dev/null
    head -c 512 /dev/zero | tr '\000' H | dd of="$1" bs=512 seek=$((3 * $3)) conv=notrunc \
        2>/dev/null
}
