#!/bin/sh
# Host seconds from start to the Linux guest's shell prompt (the line /init prints just
# before it starts the shell), for orrery in real time, orrery with -icount shift=2 and
# qemu-system-i386 (TCG) in the same run, each with the same kernel, initramfs, -m and
# command line; and the instructions orrery had retired at the prompt. The emulator is
# stopped (SIGTERM) as soon as the line appears.
#   tests/bench/boot-linux.sh [BUILD_DIR]
set -eu
build=${1:-build}
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
qemu=$(command -v qemu-system-i386 || true)
if [ -z "$qemu" ]; then
    echo "boot-linux: qemu-system-i386 is missing; run: apt-get install qemu-system-x86" >&2
    exit 1
fi
if [ ! -f "$cache/bzImage" ] || [ ! -f "$cache/initramfs.cpio.gz" ]; then
    echo "boot-linux: no guest in $cache; run: make guest" >&2
    exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
PROMPT="Type 'poweroff -f'"
. "$(dirname "$0")/console.sh"

# to_prompt NAME COMMAND...: the host seconds from the start of the command to PROMPT.
to_prompt() {
    name=$1
    shift
    if ! run_stamped "$name" "$PROMPT" "$@"; then
        echo "boot-linux: $name never reached the prompt: $(tail -n 3 "$dir/$name.err")" >&2
        exit 1
    fi
    stamp_of "$name" "$PROMPT"
}

kernel="-kernel $cache/bzImage -initrd $cache/initramfs.cpio.gz"
append="console=ttyS0"
# shellcheck disable=SC2086
o_rt=$(to_prompt orrery "$build/orrery" -m 256 -display none -serial stdio $kernel -append "$append")
o_rt_n=$(instructions_of orrery)
# shellcheck disable=SC2086
o_ic=$(to_prompt icount "$build/orrery" -m 256 -icount shift=2 -display none -serial stdio \
       $kernel -append "$append")
o_ic_n=$(instructions_of icount)
# shellcheck disable=SC2086
q=$(to_prompt qemu "$qemu" -accel tcg -cpu pentium2 -m 256 -display none -nodefaults \
    -serial stdio -no-reboot $kernel -append "$append")

printf '%-26s %9s %14s %8s\n' run host_s instructions ratio
printf '%-26s %9.1f %14s %7.2fx\n' "orrery (real time)" "$o_rt" "$o_rt_n" "$(echo "$o_rt / $q" | bc -l)"
printf '%-26s %9.1f %14s %7.2fx\n' "orrery -icount shift=2" "$o_ic" "$o_ic_n" "$(echo "$o_ic / $q" | bc -l)"
printf '%-26s %9.1f %14s %8s\n' "qemu-system-i386 (TCG)" "$q" "-" "1.00x"
echo "ratio = host time to the shell prompt / qemu-system-i386's; above 1 means orrery is slower"
