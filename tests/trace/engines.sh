#!/bin/sh
# The block translator's traces are the interpreter's: the same -icount run traced with
# -engine interp and with -engine translate gives files orrery-trace diff finds identical
# (and byte for byte the same), faults inside blocks, self-modifying code, interrupts and
# mode switches included.
#   engines.sh ORRERY ORRERY_TRACE rom ROM...      each test ROM, to its end
#   engines.sh ORRERY ORRERY_TRACE linux SOURCE_DIR [AT [N]]
# linux (label guest): the Linux guest (tools/mkguest) booted untraced to instruction AT
# (default 4.5 billion: the kernel set up, interrupts on) and saved there; from that state
# (-loadstate) N more instructions (default 100 million) are traced with each engine. The
# traces must start at AT (the header's count is the loaded state's), hold interrupts
# and agree.
set -u
orrery=$1 tool=$2 what=$3
shift 3
. "$(dirname "$0")/lib.sh"
same() { # same NAME: $dir/interp.trc and $dir/translate.trc agree
    "$tool" diff "$dir/interp.trc" "$dir/translate.trc" >"$dir/diff" 2>&1
    rc=$?
    check "$1: orrery-trace diff finds the engines' traces identical" \
        sh -c "[ $rc -eq 0 ] && grep -q '^identical: ' '$dir/diff'" || cat "$dir/diff"
    check "$1: and byte for byte" cmp -s "$dir/interp.trc" "$dir/translate.trc"
}

if [ "$what" = rom ]; then
    for rom in "$@"; do
        for e in interp translate; do
            "$orrery" -bios "$rom" -display none -debugcon null -no-reboot -icount shift=0 \
                -engine "$e" -trace-file "$dir/$e.trc" 2>"$dir/$e.err"
        done
        same "$(basename "$rom")"
    done
    [ "$fails" -eq 0 ]
    exit
fi

src=$1 at=${2:-4500000000} n=${3:-100000000}
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
sh "$src/tools/mkguest" >"$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }
set -- -m 256 -icount shift=2 -display none -kernel "$cache/bzImage" \
    -initrd "$cache/initramfs.cpio.gz" -append console=ttyS0 -serial "file:$dir/console.txt"
"$orrery" "$@" -stop-at "$at" -savestate "$dir/at.state" 2>"$dir/boot.err" ||
    { echo "engines: the boot to $at failed: $(tail -n 3 "$dir/boot.err")" >&2; exit 1; }
end=$((at + n))
for e in interp translate; do
    "$orrery" "$@" -engine "$e" -loadstate "$dir/at.state" -stop-at "$end" \
        -trace-file "$dir/$e.trc" 2>"$dir/$e.err" ||
        { echo "engines: the $e run failed: $(tail -n 3 "$dir/$e.err")" >&2; exit 1; }
done
same "linux from $at"
"$tool" stats "$dir/translate.trc" >"$dir/stats"
head -n 12 "$dir/stats"
check "the trace starts at the loaded state's count" \
    grep -q "^instructions: $n (icount $at to $end)" "$dir/stats"
check "the window holds interrupts and exceptions" \
    grep -qE "interrupts and exceptions: [1-9]" "$dir/stats"
[ "$fails" -eq 0 ]
