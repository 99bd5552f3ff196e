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
now() { date +%s.%N; }

# to_prompt NAME COMMAND...: runs the command with the guest's console on stdout; prints
# the host seconds until PROMPT appeared, and leaves its stderr in $dir/NAME.err.
to_prompt() {
    name=$1
    shift
    rm -f "$dir/fifo"
    mkfifo "$dir/fifo"
    t0=$(now)
    "$@" </dev/null >"$dir/fifo" 2>"$dir/$name.err" &
    pid=$!
    t1=
    {
        while IFS= read -r line; do
            case $line in
            *"$PROMPT"*) t1=$(now); kill "$pid" 2>/dev/null; break ;;
            esac
        done
        echo "$t1" >"$dir/t1"
        cat >/dev/null # the emulator's last output, so it ends on the signal, not SIGPIPE
    } <"$dir/fifo"
    wait "$pid" 2>/dev/null || true
    t1=$(cat "$dir/t1")
    if [ -z "$t1" ]; then
        echo "boot-linux: $name never reached the prompt: $(tail -n 3 "$dir/$name.err")" >&2
        exit 1
    fi
    echo "$t1 - $t0" | bc -l
}

kernel="-kernel $cache/bzImage -initrd $cache/initramfs.cpio.gz"
append="console=ttyS0"
# shellcheck disable=SC2086
o_rt=$(to_prompt orrery "$build/orrery" -m 256 -display none -serial stdio $kernel -append "$append")
o_rt_n=$(sed -n 's/.*after \([0-9]*\) instructions.*/\1/p' "$dir/orrery.err")
# shellcheck disable=SC2086
o_ic=$(to_prompt icount "$build/orrery" -m 256 -icount shift=2 -display none -serial stdio \
       $kernel -append "$append")
o_ic_n=$(sed -n 's/.*after \([0-9]*\) instructions.*/\1/p' "$dir/icount.err")
# shellcheck disable=SC2086
q=$(to_prompt qemu "$qemu" -accel tcg -cpu pentium2 -m 256 -display none -nodefaults \
    -serial stdio -no-reboot $kernel -append "$append")

printf '%-26s %9s %14s %8s\n' run host_s instructions ratio
printf '%-26s %9.1f %14s %7.2fx\n' "orrery (real time)" "$o_rt" "$o_rt_n" "$(echo "$o_rt / $q" | bc -l)"
printf '%-26s %9.1f %14s %7.2fx\n' "orrery -icount shift=2" "$o_ic" "$o_ic_n" "$(echo "$o_ic / $q" | bc -l)"
printf '%-26s %9.1f %14s %8s\n' "qemu-system-i386 (TCG)" "$q" "-" "1.00x"
echo "ratio = host time to the shell prompt / qemu-system-i386's; above 1 means orrery is slower"
