#!/bin/sh
# tools/mkguest is reproducible: two builds into two fresh caches give byte-identical
# kernels and initramfs images. The packages are downloaded once (into the first cache, or
# taken from the user's cache when it has them) and copied to the second.
#   reproducible.sh SOURCE_DIR
set -u
src=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
user_debs=${ORRERY_CACHE:-${HOME:-/root}/.cache/orrery/guest}/debs

mkdir -p "$dir/a/debs" "$dir/b/debs"
if ls "$user_debs"/*.deb >/dev/null 2>&1; then
    cp "$user_debs"/*.deb "$dir/a/debs/"
fi
start=$(date +%s)
if ! ORRERY_CACHE=$dir/a "$src/tools/mkguest" > "$dir/a.log" 2>&1; then
    cat "$dir/a.log"
    echo "FAIL first build"
    exit 1
fi
mid=$(date +%s)
cp "$dir"/a/debs/*.deb "$dir/b/debs/"
# A different umask and time must not matter either.
if ! (umask 077; ORRERY_CACHE=$dir/b "$src/tools/mkguest" > "$dir/b.log" 2>&1); then
    cat "$dir/b.log"
    echo "FAIL second build"
    exit 1
fi
end=$(date +%s)
cat "$dir/a.log"
a=$(cd "$dir/a" && sha256sum bzImage initramfs.cpio.gz)
b=$(cd "$dir/b" && sha256sum bzImage initramfs.cpio.gz)
echo "build times: $((mid - start)) s and $((end - mid)) s"
if [ "$a" = "$b" ]; then
    echo "ok   identical images:"
    echo "$a"
    echo "1 passed, 0 failed"
    exit 0
fi
echo "FAIL the two builds differ:"
echo "$a"
echo "$b"
echo "0 passed, 1 failed"
exit 1
