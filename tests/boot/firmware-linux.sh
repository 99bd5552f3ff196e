#!/bin/sh
# The Linux guest booted the way a PC boots a disk: SeaBIOS runs its POST, reads the boot
# sector of an IDE disk image and starts SYSLINUX, which loads Debian's 686 kernel and the
# guest's initramfs through INT 13h; the kernel finds SeaBIOS's ACPI tables, switches ACPI
# on through the SMM handler (APMC, SMI), runs the test script and powers off with ACPI
# soft off, which ends orrery with status 0. The disk is tools/mkimages' guest-fat.img (a
# 64 MiB FAT16 file system with no partition table, its boot sector SYSLINUX's, made from
# Debian's dosfstools, mtools and syslinux into the image cache, never committed), run
# with -snapshot so that the cached image is never written.
# On the deterministic clock, headless; skipped (77) where seabios or syslinux is missing.
#   tests/boot/firmware-linux.sh ORRERY
set -u
orrery=$1
. "$(dirname "$0")/need.sh"
need_seabios
need_image guest-fat.img
disk=$images/guest-fat.img
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

rc=0
timeout $((1100 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 256 -icount shift=2 -display none \
    -hda "$disk" -snapshot -serial "file:$dir/console.txt" 2>"$dir/err.txt" || rc=$?
echo "--- the console:"
cat "$dir/console.txt"
echo "--- orrery:"
cat "$dir/err.txt"
fail=0
check() { # description, grep pattern, file
    if grep -q -- "$2" "${3:-$dir/console.txt}"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
absent() { # description, grep -i pattern
    if grep -qi -- "$2" "$dir/console.txt"; then
        echo "FAIL $1:"; grep -i -- "$2" "$dir/console.txt"; fail=1
    else
        echo "ok   $1"
    fi
}
check "SYSLINUX loaded the kernel" "^Loading VMLINUZ"
check "the kernel booted" "Linux version 6"
check "SeaBIOS's RSDP" "ACPI: RSDP"
check "SeaBIOS's FADT" "ACPI: FACP"
check "the PM timer" "ACPI: PM-Timer IO Port: 0xb008"
check "ACPI mode on (SMI through APMC)" "ACPI: Interpreter enabled"
check "soft off offered" "ACPI: PM: (supports S0 S5)"
check "the test script ran" "^orrery-test: end"
check "ACPI power off" "reboot: Power down"
check "orrery saw the soft off" "turned the machine off (ACPI soft off)" "$dir/err.txt"
absent "ACPI errors" "ACPI Error\|ACPI BIOS Error\|Could not transition to ACPI"
absent "kernel warnings and traces" "WARNING:\|Call Trace"
if [ "$rc" -eq 0 ]; then echo "ok   orrery's exit status: 0"; else echo "FAIL orrery exited $rc"; fail=1; fi
exit "$fail"
