#!/bin/sh
# A trace of the Linux guest's boot (tools/mkguest) under -icount, read back by
# orrery-trace stats and coverage. Label guest.
#   tests/trace/linux.sh ORRERY ORRERY_TRACE SOURCE_DIR [full]
# Without "full" (make test): the first STOP instructions of the boot (default 1.5 billion:
# the kernel unpacked and setting itself up, before its console prints) are traced, and stats must cover exactly them and
# coverage list executed ranges. With "full" (make bench): first an untraced boot, stopped
# at the shell prompt, gives the host seconds and the instruction count N; then the same
# boot to exactly N instructions (-stop-at, the clock being deterministic) with
# -trace-file; it reports the slowdown, the trace's size and the time of stats. The
# slowdown is also given in CPU seconds (user + system, with /usr/bin/time: an untraced
# run to the same N beside the traced one), which a busy machine disturbs less than the
# wall clock. Timings are reported, never asserted (speed belongs in benchmarks).
set -eu
orrery=$1 tool=$2 src=$3 mode=${4:-test}
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
dir=$(mktemp -d "${TMPDIR:-/tmp}/orrery-trace-linux.XXXXXX")
trap 'rm -rf "$dir"' EXIT
sh "$src/tools/mkguest" >"$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }
PROMPT="Type 'poweroff -f'"
. "$src/tests/bench/console.sh"

# cpu NAME COMMAND...: runs COMMAND; with /usr/bin/time, $dir/NAME.cpu holds its user +
# system seconds.
cpu() {
    name=$1
    shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%U + %S' -o "$dir/$name.cpu" "$@"
    else
        "$@"
    fi
}

set -- -m 256 -icount shift=2 -display none -kernel "$cache/bzImage" \
    -initrd "$cache/initramfs.cpio.gz" -append console=ttyS0
if [ "$mode" = full ]; then
    if ! run_stamped plain "$PROMPT" "$orrery" -serial stdio "$@"; then
        echo "trace-linux: the untraced boot never reached the prompt: $(tail -n 3 "$dir/plain.err")" >&2
        exit 1
    fi
    n=$(instructions_of plain)
    t_plain=$(stamp_of plain "$PROMPT")
    cpu plain_cpu "$orrery" -serial "file:$dir/plain.txt" -stop-at "$n" "$@" 2>/dev/null
else
    n=${STOP:-1500000000}
fi

t0=$(now)
cpu traced "$orrery" -serial "file:$dir/traced.txt" -stop-at "$n" -trace-file "$dir/boot.trc" \
    "$@" 2>"$dir/traced.err"
t_traced=$(echo "$(now) - $t0" | bc -l)
if [ "$mode" = full ]; then
    grep -q "$PROMPT" "$dir/traced.txt" ||
        { echo "trace-linux: the traced boot never reached the prompt" >&2; exit 1; }
fi

t0=$(now)
"$tool" stats "$dir/boot.trc" >"$dir/stats"
t_stats=$(echo "$(now) - $t0" | bc -l)
"$tool" coverage "$dir/boot.trc" >"$dir/coverage"
head -n 30 "$dir/stats"
head -n 3 "$dir/coverage"

if [ "$mode" = full ]; then
    ratio=$(echo "$t_traced / $t_plain" | bc -l)
    printf 'boot to the prompt: %s instructions; untraced %.1f s, traced %.1f s: %.2fx\n' \
        "$n" "$t_plain" "$t_traced" "$ratio"
    if [ -f "$dir/plain_cpu.cpu" ] && [ -f "$dir/traced.cpu" ]; then
        c_plain=$(echo "$(tail -n 1 "$dir/plain_cpu.cpu")" | bc -l)
        c_traced=$(echo "$(tail -n 1 "$dir/traced.cpu")" | bc -l)
        printf 'CPU seconds to %s instructions: untraced %.1f, traced %.1f: %.2fx\n' \
            "$n" "$c_plain" "$c_traced" "$(echo "$c_traced / $c_plain" | bc -l)"
    fi
else
    printf 'traced %s instructions of the boot in %.1f s\n' "$n" "$t_traced"
fi
printf 'trace: %s bytes; orrery-trace stats: %.1f s\n' "$(wc -c <"$dir/boot.trc")" "$t_stats"
fail=0
grep -q "(icount 0 to $n)" "$dir/stats" || { echo "FAIL stats does not cover $n instructions"; fail=1; }
grep -q "^executed: " "$dir/coverage" || { echo "FAIL coverage"; fail=1; }
# The kernel ran: most instructions are in protected mode at ring 0 (the first
# 1.5 billion are its decompression and early set-up, before the console prints).
grep -qE "^  prot32 ring 0 +[0-9]{9,}" "$dir/stats" ||
    { echo "FAIL stats shows no kernel at ring 0 in protected mode"; fail=1; }
exit "$fail"
