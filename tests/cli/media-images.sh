# Sourced by the tests of removable media (tests/cli/media.sh, tests/replay/media.sh) after
# checks.sh, with $bin the assembled roms/boot/media-watch.bin: skips (77) without SeaBIOS
# or xorriso, then makes in $dir the boot disk (disk.img, media-watch in a 2 MiB image),
# two floppies whose first sectors start "ORRERY-FLOPPY-A." (a.img, 1.44M) and
# "ORRERY-FLOPPY-B." (b.img, 720K), and a CD (cd.iso, one file).
need_seabios
need_tools xorriso xorriso
cp "$bin" "$dir/disk.img" && truncate -s 2M "$dir/disk.img" || exit 1
printf 'ORRERY-FLOPPY-A.' > "$dir/a.img" && truncate -s 1440K "$dir/a.img" || exit 1
printf 'ORRERY-FLOPPY-B.' > "$dir/b.img" && truncate -s 720K "$dir/b.img" || exit 1
mkdir "$dir/iso" && echo disc > "$dir/iso/FILE.TXT"
xorriso -as mkisofs -quiet -o "$dir/cd.iso" "$dir/iso" 2>"$dir/xorriso.err" ||
    { cat "$dir/xorriso.err"; exit 1; }
