#!/bin/sh
# Where orrery's time goes while the guest benchmark runs: the test guest (tools/mkguest)
# booted with orrery.script=bench, as tests/bench/guest-bench.sh runs it, under Linux's
# `perf record` (the cpu-clock event, which works in virtual machines without hardware
# counters), sampling only from the benchmark's first line to its last, so the boot is
# left out. Prints the top symbols (default 10) by share of the samples, the host code of
# hot blocks (the native tier, which has no symbols) counted as one.
#   tests/bench/profile.sh [BUILD_DIR [ACCEL [TOP]]]
# ACCEL is an -accel value (default: orrery's default engine).
set -eu
build=${1:-build}
accel=${2:-}
top=${3:-10}
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
if ! command -v perf >/dev/null 2>&1; then
    echo "profile: perf is missing; run: apt-get install linux-perf" >&2
    exit 1
fi
if [ ! -f "$cache/bzImage" ] || [ ! -f "$cache/orrery-bench" ]; then
    echo "profile: the guest in $cache has no benchmark; run: make guest" >&2
    exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/ctl" "$dir/ack" "$dir/console"

set -- "$build/orrery"
[ -n "$accel" ] && set -- "$@" -accel "$accel"
set -- "$@" -m 256 -display none -serial stdio -kernel "$cache/bzImage" \
    -initrd "$cache/initramfs.cpio.gz" -append "console=ttyS0 orrery.script=bench"
# Events start disabled (-D -1); the console's lines switch them on and off.
perf record -q -e cpu-clock -F 4000 -D -1 --control "fifo:$dir/ctl,$dir/ack" \
    -o "$dir/perf.data" -- "$@" </dev/null >"$dir/console" 2>"$dir/err" &
pid=$!
state=off
while IFS= read -r line; do
    case $line in
    *"orrery-bench: begin"*)
        # perf has opened its control FIFOs long before the guest's first line
        exec 3>"$dir/ctl" 4<"$dir/ack"
        echo enable >&3 && read -r _ <&4 && state=on ;;
    *"orrery-bench: end"*)
        echo disable >&3 && read -r _ <&4 && state=done ;;
    esac
done <"$dir/console"
wait "$pid" || true
[ "$state" = off ] || exec 3>&- 4<&-
if [ "$state" != done ]; then
    echo "profile: the benchmark did not run to its end:" >&2
    tail -n 5 "$dir/err" >&2
    exit 1
fi
echo "profile: orrery ${accel:+-accel $accel }on the guest benchmark (boot left out), top $top symbols:"
# The host code of hot blocks (the native tier) has no symbols: perf puts it in a [JIT]
# object, counted here as one entry.
{
    perf report -q -i "$dir/perf.data" --stdio --sort dso 2>/dev/null |
        awk '/\[JIT\]/ { s += $1 } END { if (s > 0) printf "%.2f%% (host code of hot blocks)\n", s }'
    perf report -q -i "$dir/perf.data" --stdio --sort symbol --percent-limit 0.1 2>/dev/null |
        awk '$2 ~ /^\[[.k]\]$/ && $3 !~ /^0x/ { print $1, $3 }'
} | sort -rn | head -n "$top"
