#!/bin/sh
# -trace-file FILE,mem=on: the MEM records of a test ROM that makes known data accesses
# (tests/trace/mem.asm) are exactly those, each under the instruction that made it, the
# delivery of a #GP's under its INTR; stats counts them; --json gives each its
# instruction; the block translator's trace is the interpreter's, byte for byte (here
# and on a ROM with paging, faults and ring 3); diff finds a changed value read; the
# guest's state is the same with mem=on or without; mem=off records no MEM.
#   mem.sh ORRERY ORRERY_TRACE ORRERY_STATE MEM_ROM PAGING_ROM
set -u
orrery=$1 tool=$2 state=$3 rom=$4 paging=$5
. "$(dirname "$0")/lib.sh"
run() { # run ROM TRACE-SPEC [ARGS...]
    r=$1 spec=$2
    shift 2
    "$orrery" -bios "$r" -display none -debugcon null -no-reboot -icount shift=0 \
        -trace-file "$spec" "$@" 2>>"$dir/err"
}

run "$rom" "$dir/interp.trc,mem=on" -engine interp
run "$rom" "$dir/translate.trc,mem=on" -engine translate
run "$rom" "$dir/off.trc"
"$tool" dump "$dir/interp.trc" >"$dir/dump" 2>&1
# Each instruction as its linear address (disassembly may differ between capstone
# versions), each MEM record whole, from the first store on.
sed -n '/lin=000f000c /,$p' "$dir/dump" |
    sed -e 's/^#[0-9]* *//' -e 's/^[0-9a-f]*:[0-9a-f]* \(lin=[0-9a-f]*\) .*/\1/' \
        -e 's/ *orrery:.*//' >"$dir/got"
cat >"$dir/want" <<'END'
lin=000f000c
mem write 2 lin=00000034 phys=00000034 value=0066
lin=000f0012
mem write 2 lin=00000036 phys=00000036 value=f000
lin=000f0018
mem write 1 lin=00000600 phys=00000600 value=11
lin=000f001d
mem write 2 lin=00000602 phys=00000602 value=2233
lin=000f0023
mem write 4 lin=00000604 phys=00000604 value=44556677
lin=000f002c
mem read  1 lin=00000600 phys=00000600 value=11
lin=000f002f
mem read  2 lin=00000602 phys=00000602 value=2233
lin=000f0033
mem read  4 lin=00000604 phys=00000604 value=44556677
lin=000f0038
lin=000f003b
lin=000f003e
mem read  2 lin=00000600 phys=00000600 value=0011
mem write 2 lin=00000610 phys=00000610 value=0011
lin=000f003f
mem write 2 lin=00006ffe phys=00006ffe value=1234
lin=000f0042
mem read  2 lin=00006ffe phys=00006ffe value=1234
lin=000f0043
lin=000f0045
lin=000f0047
mem write 4 lin=00000620 phys=00000620 value=00000000
mem write 4 lin=00000624 phys=00000624 value=3ff00000
lin=000f004b
lin=000f004d
mem write 4 lin=00000630 phys=00000630 value=00000000
mem write 4 lin=00000634 phys=00000634 value=80000000
mem write 2 lin=00000638 phys=00000638 value=3fff
lin=000f0051
lin=000f0057
lin=000f005a
mem write 4 lin=00000640 phys=00000640 value=89abcdef
mem write 4 lin=00000644 phys=00000644 value=00000000
lin=000f005f
lin=000f0061
lin=000f0064
mem read  2 lin=00000602 phys=00000602 value=2233
mem write 2 lin=00006ffe phys=00006ffe value=0046 sys delivery
mem write 2 lin=00006ffc phys=00006ffc value=f000 sys delivery
mem write 2 lin=00006ffa phys=00006ffa value=0064 sys delivery
mem read  2 lin=00000034 phys=00000034 value=0066 delivery
mem read  2 lin=00000036 phys=00000036 value=f000 delivery
int exception vector=0x0d error=0x0 cr2=0x00000000 f000:00000064 ring0 -> f000:00000066 ring0 icount=30
lin=000f0066
mem read  2 lin=00006ffa phys=00006ffa value=0064
lin=000f0067
lin=000f0068
mem write 2 lin=00006ffa phys=00006ffa value=0065
lin=000f0069
mem read  2 lin=00006ffa phys=00006ffa value=0065 sys
mem read  2 lin=00006ffc phys=00006ffc value=f000 sys
mem read  2 lin=00006ffe phys=00006ffe value=0046 sys
lin=000f0065
END
check "dump: exactly the ROM's accesses, each under its instruction" cmp -s "$dir/want" "$dir/got" ||
    diff "$dir/want" "$dir/got"
"$tool" stats "$dir/interp.trc" >"$dir/stats"
check "stats: 12 reads of 25 bytes, 18 writes of 49 bytes" \
    grep -q '^data accesses: 12 reads (25 bytes), 18 writes (49 bytes)$' "$dir/stats"
check "stats: the hottest data page is page 0, 20 accesses" \
    grep -q '^  00000000  *20 accesses  *54 bytes' "$dir/stats"
check "grep still counts instructions only" \
    sh -c "'$tool' grep movsw '$dir/interp.trc' | grep -q '^2 executions of 2 distinct'"
if command -v python3 >/dev/null 2>&1; then
    # The insn field counts instructions only: the first store is instruction 7, the
    # IRET's pops instruction 34; the #GP's delivery is after the faulting MOVSW (30).
    check "--json: each access names the instruction that made it" \
        sh -c "'$tool' dump --json '$dir/interp.trc' | python3 -c '
import json, sys
ev = json.load(sys.stdin)
insns = [e for e in ev if e[\"event\"] == \"insn\"]
mems = [e for e in ev if e[\"event\"] == \"mem\"]
assert len(insns) == 36 and len(mems) == 30, (len(insns), len(mems))
assert mems[0][\"insn\"] == 7 and mems[-1][\"insn\"] == 34, (mems[0], mems[-1])
assert all(m[\"insn\"] == 30 for m in mems if m[\"delivery\"])
'"
    check "--json stats has the memory counts" \
        sh -c "'$tool' stats --json '$dir/interp.trc' | python3 -c '
import json, sys
m = json.load(sys.stdin)[\"memory\"]
assert (m[\"reads\"], m[\"read_bytes\"], m[\"writes\"], m[\"write_bytes\"]) == (12, 25, 18, 49), m
'"
    # One value read changed in a copy of the trace: diff stops at that record.
    python3 - "$dir/interp.trc" "$dir/changed.trc" <<'END'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
sizes = {1: 24, 2: 20, 3: 4, 4: 32, 5: 16, 6: 16}
i = 32
while True:
    t = d[i]
    if t == 6 and not d[i + 1] & 1 and d[i + 2] == 4:   # the first dword read
        d[i + 12] ^= 1
        break
    i += sizes[t]
open(sys.argv[2], "wb").write(d)
END
    "$tool" diff "$dir/interp.trc" "$dir/changed.trc" >"$dir/diff"
    check "diff: a value read that differs is the divergence (exit 1)" \
        sh -c "[ $? -eq 1 ] && grep -q '^A: #22   mem read  4 lin=00000604 .* value=44556677' '$dir/diff' &&
               grep -q '^B: #22   mem read  4 lin=00000604 .* value=44556676' '$dir/diff'" ||
        cat "$dir/diff"
fi
check "the translator's trace is the interpreter's, byte for byte" \
    cmp -s "$dir/interp.trc" "$dir/translate.trc"
check "mem=off: no MEM record" sh -c "! '$tool' dump '$dir/off.trc' | grep -q '  mem '"
check "mem=off: the instructions are the same" \
    sh -c "'$tool' dump '$dir/interp.trc' | grep -v '  mem ' | sed 's/^#[0-9]* //' >'$dir/a' &&
           '$tool' dump '$dir/off.trc' | sed 's/^#[0-9]* //' >'$dir/b' && cmp -s '$dir/a' '$dir/b'"

# A ROM with paging, page faults and ring 3: the engines agree, and the state at
# instruction 10000 is the same with mem=on as without a trace.
"$orrery" -bios "$paging" -display none -debugcon null -icount shift=0 -stop-at 10000 \
    -savestate "$dir/plain.state" 2>/dev/null
for e in interp translate; do
    "$orrery" -bios "$paging" -display none -debugcon null -icount shift=0 -stop-at 10000 \
        -engine $e -trace-file "$dir/p-$e.trc,mem=on" -savestate "$dir/p-$e.state" 2>/dev/null
done
check "paging ROM: the engines' traces with mem=on are the same" \
    cmp -s "$dir/p-interp.trc" "$dir/p-translate.trc"
check "paging ROM: state at 10000 instructions with mem=on = untraced" \
    "$state" diff "$dir/plain.state" "$dir/p-translate.state" >/dev/null
check "paging ROM: page faults' accesses, user and supervisor" \
    sh -c "'$tool' dump '$dir/p-interp.trc' | grep -q '  mem .* sys delivery'"
check "a bad mem= value: one line" \
    sh -c "! '$orrery' -bios '$rom' -display none -trace-file '$dir/x.trc,mem=yes' 2>'$dir/e1' &&
           [ \$(wc -l < '$dir/e1') = 1 ] && grep -q 'mem= takes on or off' '$dir/e1'"
[ "$fails" -eq 0 ]
