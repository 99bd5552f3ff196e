# Sourced by the VGA tests (vga.sh, vga-modes.sh): exits 77 (skipped) with one line when
# Debian's SeaBIOS or its VGA BIOS is not installed.
found=
for d in /usr/share/seabios /usr/share/qemu; do
    [ -f "$d/bios-256k.bin" ] && [ -f "$d/vgabios-stdvga.bin" ] && found=1
done
if [ -z "$found" ]; then
    echo "skipped: SeaBIOS and its VGA BIOS are not installed: apt-get install seabios"
    exit 77
fi
