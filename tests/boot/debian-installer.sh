#!/bin/sh
# The Debian installer from a CD, as a user would boot it: tools/mkimages' d-i.iso (Debian's
# netboot kernel and initrd from debian-installer-12-netboot-i386 with ISOLINUX on an El
# Torito ISO, built into the image cache, never committed); SeaBIOS boots it from the
# ATAPI CD-ROM (-cdrom, -boot d), ISOLINUX loads the kernel and the 30 MB initrd through
# INT 13h, and the installer's first dialog, "[!!] Select a language", appears on the
# serial console (console=ttyS0 on ISOLINUX's append line). Headless, on the
# deterministic clock; orrery runs until the dialog is there and then gets SIGTERM.
# Skipped (77) where a package is missing.
#   tests/boot/debian-installer.sh ORRERY
set -u
orrery=$1
. "$(dirname "$0")/need.sh"
need_seabios
need_image d-i.iso
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

want="Select a language"
limit=$((1100 * ${ORRERY_TIMEOUT_SCALE:-1}))
start=$(date +%s)
"$orrery" -m 512 -icount shift=2 -display none -cdrom "$images/d-i.iso" -boot d \
    -serial "file:$dir/console.txt" 2>"$dir/err.txt" &
pid=$!
seen=
while kill -0 "$pid" 2>/dev/null && [ $(($(date +%s) - start)) -lt "$limit" ]; do
    if grep -qaF -- "$want" "$dir/console.txt" 2>/dev/null; then
        seen=1
        break
    fi
    sleep 2
done
kill -TERM "$pid" 2>/dev/null
rc=0
wait "$pid" || rc=$?
pid=
secs=$(($(date +%s) - start))
# The console without its terminal controls, for reading and for the checks.
sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[()][0-9A-Za-z]//g' "$dir/console.txt" | tr -d '\r' \
    >"$dir/plain.txt"
echo "--- the console (its last 40 lines, terminal controls removed):"
tail -n 40 "$dir/plain.txt"
echo "--- orrery:"
cat "$dir/err.txt"
fail=0
check() { # description, fixed text, file
    if grep -qaF -- "$2" "${3:-$dir/plain.txt}"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
check "ISOLINUX started" "ISOLINUX 6"
check "the installer's kernel booted" "Linux version 6.1"
check "the initrd's init ran" "Run /init as init process"
check "the first dialog" "[!!] Select a language"
check "its question" "Choose the language to be used for the installation process."
check "orrery stopped on SIGTERM" "terminating on signal 15" "$dir/err.txt"
if [ -n "$seen" ] && [ "$rc" -eq 0 ]; then
    echo "ok   the dialog after $secs s of host time; orrery exited 0"
else
    echo "FAIL no dialog within $secs s (limit $limit), or orrery exited $rc"
    fail=1
fi
exit "$fail"
