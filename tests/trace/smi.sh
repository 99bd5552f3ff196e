#!/bin/sh
# System management interrupts in the traces: Debian's SeaBIOS (found by orrery) relocates
# SMBASE through an SMI it raises with a write to the APMC port (0xB2) and later calls its
# SMM handler the same way; each SMI and each RSM must be in the -d int log and in the
# binary trace (INTR kinds 3 and 4), counted by orrery-trace stats, and the trace must be
# the same on both engines. Exits 77 (skipped) when bios-256k.bin is not installed.
#   smi.sh ORRERY ORRERY_TRACE
set -u
orrery=$1 tool=$2
if [ ! -f /usr/share/seabios/bios-256k.bin ] && [ ! -f /usr/share/qemu/bios-256k.bin ]; then
    echo "skipped: SeaBIOS (bios-256k.bin) is not installed: apt-get install seabios"
    exit 77
fi
. "$(dirname "$0")/lib.sh"
# SeaBIOS's POST to "No bootable device." is about 10 million instructions.
for e in interp translate; do
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) "$orrery" -m 64 -display none -icount 3 \
        -no-reboot -stop-at 12000000 -engine "$e" -d int -D "$dir/$e.log" \
        -trace-file "$dir/$e.trc" 2>"$dir/$e.err"
done
grep -E '^int +(smi|rsm) ' "$dir/translate.log"
smis=$(grep -c '^int    smi vector=0x00 ' "$dir/translate.log")
rsms=$(grep -c '^int    rsm vector=0x00 ' "$dir/translate.log")
check "-d int: SMIs ($smis), each left by RSM" sh -c "[ $smis -ge 2 ] && [ $smis = $rsms ]"
check "-d int: the first SMI enters SMM at the default SMBASE (3000:8000)" \
    sh -c "grep '^int    smi ' '$dir/translate.log' | head -n 1 | grep -q -- '-> 3000:00008000 cpl=0\$'"
grep -E '^int +(smi|rsm) ' "$dir/interp.log" >"$dir/interp.smi"
grep -E '^int +(smi|rsm) ' "$dir/translate.log" >"$dir/translate.smi"
check "-d int: the same on both engines" cmp -s "$dir/interp.smi" "$dir/translate.smi"
"$tool" stats "$dir/translate.trc" >"$dir/stats"
check "stats: $smis SMIs and $rsms RSMs" \
    sh -c "grep -q '^  smi       0x00 *$smis\$' '$dir/stats' && grep -q '^  rsm       0x00 *$rsms\$' '$dir/stats'"
"$tool" dump "$dir/translate.trc" | grep -B 1 ' int smi ' >"$dir/dump"
check "dump: each SMI follows an OUT to the APMC port" \
    sh -c "[ \$(grep -c 'out 0xb2, al\$' '$dir/dump') = $smis ]"
"$tool" diff "$dir/interp.trc" "$dir/translate.trc" >"$dir/diff" 2>&1
check "the engines' traces are identical" \
    sh -c "grep -q '^identical: ' '$dir/diff' && cmp -s '$dir/interp.trc' '$dir/translate.trc'"
[ "$fails" -eq 0 ]
