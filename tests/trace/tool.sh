#!/bin/sh
# -trace-file and orrery-trace on a test ROM with paging (roms/tests/pm_paging.bin):
# dump starts at the reset vector, stats counts every instruction orrery retired and the
# four page faults, coverage shows the reset vector's range, grep finds the five MOV CR3,
# JSON output parses, two -icount runs are identical, a run of the ROM with one byte of
# one instruction changed diverges at exactly that instruction, and a trace of a run from
# a saved state (-loadstate) starts at the state's count.
#   tool.sh ORRERY ORRERY_TRACE ROM
set -u
orrery=$1 tool=$2 rom=$3
. "$(dirname "$0")/lib.sh"
run() { # run ROM TRACE
    "$orrery" -bios "$1" -display none -debugcon null -no-reboot -icount shift=0 \
        -trace-file "$2" 2>"$dir/err"
    sed -n 's/.*after \([0-9]*\) instructions.*/\1/p' "$dir/err"
}

n=$(run "$rom" "$dir/a.trc")
run "$rom" "$dir/a2.trc" >/dev/null
"$tool" dump "$dir/a.trc" >"$dir/dump"
check "dump: the reset vector first" \
    sh -c "head -n 1 '$dir/dump' | grep -q '^#0 f000:0000fff0 lin=fffffff0 phys=fffffff0 real ring0 ea[0-9a-f]* *ljmp 0xf000:'"
check "dump: the first page fault" \
    grep -q ' int exception vector=0x0e error=0x0 cr2=0x00400123 ' "$dir/dump"
"$tool" stats "$dir/a.trc" >"$dir/stats"
check "stats: all $n instructions" grep -q "^instructions: $n (icount 0 to $n)" "$dir/stats"
check "stats: four page faults, one INT 41h" \
    sh -c "grep -q '^  exception 0x0e  *4\$' '$dir/stats' && grep -q '^  software  0x41  *1\$' '$dir/stats'"
check "stats: real mode and ring 3 time" \
    sh -c "grep -q '^  real   ring 0' '$dir/stats' && grep -q '^  prot32 ring 3' '$dir/stats'"
"$tool" coverage "$dir/a.trc" >"$dir/cov"
check "coverage: the reset vector's bytes" grep -q '^  fffffff0\.\.fffffff4 ' "$dir/cov"
"$tool" grep 'mov cr3' "$dir/a.trc" >"$dir/grep"
check "grep: five MOV CR3" grep -q "^5 executions of 5 distinct instructions match 'mov cr3'" "$dir/grep"
if command -v python3 >/dev/null 2>&1; then
    for c in "dump --limit 50" stats coverage "grep ^mov"; do
        # shellcheck disable=SC2086
        check "--json $c parses" sh -c "'$tool' $c --json '$dir/a.trc' | python3 -m json.tool >/dev/null"
    done
fi

"$tool" diff "$dir/a.trc" "$dir/a2.trc" >"$dir/same"
check "diff: two -icount runs are identical" \
    sh -c "[ $? -eq 0 ] && grep -q '^identical: ' '$dir/same'"

# Change the immediate of one MOV [mem], imm32 the ROM runs, found through grep: the ROM
# is mapped at the top of the first MiB, so its file offset is phys - 0xF0000.
line=$("$tool" grep '^mov dword ptr \[0x[0-9a-f]+\], 1$' "$dir/a.trc" | head -n 1)
phys=$(echo "$line" | sed -n 's/.*phys=\([0-9a-f]*\).*/\1/p')
off=$(( 0x$phys - 0xF0000 + 6 ))
cp "$rom" "$dir/patched.bin"
printf '\002' | dd of="$dir/patched.bin" bs=1 seek="$off" conv=notrunc 2>/dev/null
run "$dir/patched.bin" "$dir/b.trc" >/dev/null
"$tool" diff --context 3 "$dir/a.trc" "$dir/b.trc" >"$dir/diff"
rc=$?
check "diff: a patched instruction diverges there (exit 1)" \
    sh -c "[ $rc -eq 1 ] && grep -q 'phys=$phys .*, 1\$' '$dir/diff' && grep -q '^B: .*phys=$phys .*, 2\$' '$dir/diff' && [ \$(grep -c '^  #' '$dir/diff') = 3 ]"
cat "$dir/diff"

# -loadstate: the trace starts at the loaded state's count and covers the rest of the run.
"$orrery" -bios "$rom" -display none -debugcon null -no-reboot -icount shift=0 -stop-at 5000 \
    -savestate "$dir/at.state" 2>/dev/null
"$orrery" -bios "$rom" -display none -debugcon null -no-reboot -icount shift=0 \
    -loadstate "$dir/at.state" -trace-file "$dir/l.trc" 2>/dev/null
"$tool" stats "$dir/l.trc" >"$dir/lstats"
check "-loadstate: the trace starts at the state's count 5000" \
    grep -q "^instructions: $((n - 5000)) (icount 5000 to $n)" "$dir/lstats"

# Damage: one line, exit 2.
head -c 100 "$dir/a.trc" >"$dir/cut.trc"
"$tool" stats "$dir/cut.trc" >/dev/null 2>"$dir/e1"
check "a truncated trace: one line, exit 2" \
    sh -c "[ $? -eq 2 ] && [ \$(wc -l < '$dir/e1') = 1 ] && grep -q 'truncated' '$dir/e1'"
"$tool" dump "$rom" >/dev/null 2>"$dir/e2"
check "a foreign file: one line, exit 2" \
    sh -c "[ $? -eq 2 ] && [ \$(wc -l < '$dir/e2') = 1 ] && grep -q 'not an orrery trace' '$dir/e2'"
"$tool" frob "$dir/a.trc" 2>"$dir/e3"
check "an unknown command: one line, exit 2" \
    sh -c "[ $? -eq 2 ] && grep -q \"unknown command 'frob'\" '$dir/e3'"
[ "$fails" -eq 0 ]
