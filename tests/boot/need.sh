# Sourced by the boot tests: checks that end the test with exit 77 (skipped) and one line
# naming what to install when something it needs is missing.
#   need_seabios             Debian's SeaBIOS (bios-256k.bin)
#   need_vgabios             SeaBIOS and its VGA BIOS (vgabios-stdvga.bin)
#   need_files PACKAGES FILE...   files a package provides
#   need_tools PACKAGES TOOL...   programs in PATH
#   need_image IMAGE         an image of tools/mkimages, built into $images (the cache,
#                            $ORRERY_IMAGES or ~/.cache/orrery/images) when missing or
#                            stale; with ORRERY_IMAGES_READY=1 only looked for. Tests read
#                            it and never write it (-snapshot, a CD, or a copy).
images=${ORRERY_IMAGES:-$HOME/.cache/orrery/images}
skip() {
    echo "skipped: $*"
    exit 77
}
need_seabios() {
    [ -f /usr/share/seabios/bios-256k.bin ] || [ -f /usr/share/qemu/bios-256k.bin ] ||
        skip "SeaBIOS (bios-256k.bin) is not installed: apt-get install seabios"
}
need_vgabios() {
    for d in /usr/share/seabios /usr/share/qemu; do
        [ -f "$d/bios-256k.bin" ] && [ -f "$d/vgabios-stdvga.bin" ] && return 0
    done
    skip "SeaBIOS and its VGA BIOS are not installed: apt-get install seabios"
}
need_files() {
    packages=$1
    shift
    for f in "$@"; do
        [ -f "$f" ] || skip "$f is missing: apt-get install $packages"
    done
}
need_tools() {
    packages=$1
    shift
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || skip "$t is missing: apt-get install $packages"
    done
}
need_image() {
    if [ -z "${ORRERY_IMAGES_READY:-}" ]; then
        mkimages=$(cd "$(dirname "$0")/../.." && pwd)/tools/mkimages
        log=$(sh "$mkimages" "$1" 2>&1)
        case $? in
        0) ;;
        3) skip "$(echo "$log" | tail -n 1 | sed 's/^mkimages: //')" ;;
        *) echo "$log"; echo "FAIL tools/mkimages $1"; exit 1 ;;
        esac
    fi
    [ -f "$images/$1" ] || skip "$images/$1 is missing: tools/mkimages $1"
}
