#!/bin/sh
# A trace of the Linux guest's boot (tools/mkguest) under -icount to its shell prompt:
# first an untraced boot, stopped at the prompt, gives the host seconds and the
# instruction count N; then the same boot to exactly N instructions (-stop-at, the clock
# being deterministic) with -trace-file. Reports the slowdown (must stay under 3x), the
# trace's size, and runs orrery-trace stats (timed) and coverage on it. Label guest.
#   tests/trace/linux.sh ORRERY ORRERY_TRACE SOURCE_DIR
set -eu
orrery=$1 tool=$2 src=$3
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
dir=$(mktemp -d "${TMPDIR:-/tmp}/orrery-trace-linux.XXXXXX")
trap 'rm -rf "$dir"' EXIT
sh "$src/tools/mkguest" >"$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }
PROMPT="Type 'poweroff -f'"
. "$src/tests/bench/console.sh"

set -- -m 256 -icount shift=2 -display none -kernel "$cache/bzImage" \
    -initrd "$cache/initramfs.cpio.gz" -append console=ttyS0
if ! run_stamped plain "$PROMPT" "$orrery" -serial stdio "$@"; then
    echo "trace-linux: the untraced boot never reached the prompt: $(tail -n 3 "$dir/plain.err")" >&2
    exit 1
fi
n=$(instructions_of plain)
t_plain=$(stamp_of plain "$PROMPT")

t0=$(now)
"$orrery" -serial "file:$dir/traced.txt" -stop-at "$n" -trace-file "$dir/boot.trc" "$@" \
    2>"$dir/traced.err"
t_traced=$(echo "$(now) - $t0" | bc -l)
grep -q "$PROMPT" "$dir/traced.txt" || { echo "trace-linux: the traced boot never reached the prompt" >&2; exit 1; }

t0=$(now)
"$tool" stats "$dir/boot.trc" >"$dir/stats"
t_stats=$(echo "$(now) - $t0" | bc -l)
"$tool" coverage "$dir/boot.trc" >"$dir/coverage"
head -n 30 "$dir/stats"
head -n 3 "$dir/coverage"

ratio=$(echo "$t_traced / $t_plain" | bc -l)
printf 'boot to the prompt: %s instructions; untraced %.1f s, traced %.1f s: %.2fx\n' \
    "$n" "$t_plain" "$t_traced" "$ratio"
printf 'trace: %s bytes; orrery-trace stats: %.1f s\n' "$(wc -c <"$dir/boot.trc")" "$t_stats"
fail=0
grep -q "(icount 0 to $n)" "$dir/stats" || { echo "FAIL stats does not cover $n instructions"; fail=1; }
grep -q "^executed: " "$dir/coverage" || { echo "FAIL coverage"; fail=1; }
[ "$(echo "$ratio < 3" | bc -l)" = 1 ] || { echo "FAIL the trace slows the boot by more than 3x"; fail=1; }
exit "$fail"
