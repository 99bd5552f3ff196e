#!/bin/sh
# The Debian installer from a CD, as a user would boot it: Debian's netboot kernel and
# initrd (debian-installer-12-netboot-i386) and ISOLINUX (isolinux, syslinux-common) made
# into an El Torito ISO with xorriso here, never committed; SeaBIOS boots it from the
# ATAPI CD-ROM (-cdrom, -boot d), ISOLINUX loads the kernel and the 30 MB initrd through
# INT 13h, and the installer's first dialog, "[!!] Select a language", appears on the
# serial console (console=ttyS0 on ISOLINUX's append line). Headless, on the
# deterministic clock; orrery runs until the dialog is there and then gets SIGTERM.
# Skipped (77) where a package is missing.
#   tests/boot/debian-installer.sh ORRERY
set -u
orrery=$1
di=/usr/lib/debian-installer/images/12/i386/text/debian-installer/i386
isolinux=/usr/lib/ISOLINUX/isolinux.bin
ldlinux=/usr/lib/syslinux/modules/bios/ldlinux.c32
. "$(dirname "$0")/need.sh"
need_files debian-installer-12-netboot-i386 "$di/linux" "$di/initrd.gz"
need_files "isolinux syslinux-common" "$isolinux" "$ldlinux"
need_tools xorriso xorriso
need_seabios
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

mkdir -p "$dir/iso/isolinux" "$dir/iso/install"
cp "$di/linux" "$dir/iso/install/vmlinuz" && cp "$di/initrd.gz" "$dir/iso/install/" &&
    cp "$isolinux" "$ldlinux" "$dir/iso/isolinux/" || exit 1
cat >"$dir/iso/isolinux/isolinux.cfg" <<'CFG'
SERIAL 0 115200
DEFAULT install
PROMPT 0
TIMEOUT 0
LABEL install
  KERNEL /install/vmlinuz
  APPEND initrd=/install/initrd.gz console=ttyS0,115200n8 ---
CFG
xorriso -as mkisofs -quiet -o "$dir/cd.iso" -R -J -b isolinux/isolinux.bin \
    -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table "$dir/iso" \
    2>"$dir/xorriso.err" || { cat "$dir/xorriso.err"; exit 1; }
rm -rf "$dir/iso"

want="Select a language"
limit=$((1100 * ${ORRERY_TIMEOUT_SCALE:-1}))
start=$(date +%s)
"$orrery" -m 512 -icount shift=2 -display none -cdrom "$dir/cd.iso" -boot d \
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
