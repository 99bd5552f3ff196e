#!/bin/sh
# The -d items that watch the CPU, on a test ROM with paging (roms/tests/pm_paging.bin,
# which takes four page faults and one software interrupt): -d exec starts at the reset
# vector with its bytes and disassembly and has one line per instruction retired; -d int
# shows the first page fault with its error code and CR2; -d mmu the CR3 loads; -dfilter
# keeps only the lines of its range; -d help lists every item; bad items and ranges are one
# line; and the guest's state at a fixed instruction is the same traced or not
# (orrery-state diff).
#   log.sh ORRERY ORRERY_STATE ROM
set -u
orrery=$1 state=$2 rom=$3
. "$(dirname "$0")/lib.sh"

"$orrery" -bios "$rom" -display none -debugcon null -no-reboot -icount shift=0 \
    -d exec,int,mmu -D "$dir/log" 2>"$dir/err"
n=$(sed -n 's/.*after \([0-9]*\) instructions.*/\1/p' "$dir/err")
check "first exec line is the reset vector's far jump" \
    grep -q '^exec   f000:fff0 lin=fffffff0 phys=fffffff0 bytes=ea[0-9a-f]*  ljmp 0xf000:' "$dir/log"
check "one exec line per instruction ($n)" test "$(grep -c '^exec ' "$dir/log")" = "$n"
check "int: the first page fault with error code and CR2" \
    grep -q '^int    exception vector=0x0e error=0x0000 cr2=0x00400123 0008:[0-9a-f]* cpl=0 -> 0008:' "$dir/log"
check "int: the software interrupt" grep -q '^int    software vector=0x41 ' "$dir/log"
check "mmu: CR3 loads and page faults" \
    sh -c "grep -q '^mmu    cr3=' '$dir/log' && grep -q '^mmu    page-fault lin=00400123 error=0x0' '$dir/log'"

"$orrery" -bios "$rom" -display none -debugcon null -no-reboot -icount shift=0 \
    -d exec,in_asm,cpu -dfilter 0xfffffff0+16 -D "$dir/f" 2>/dev/null
check "-dfilter: only the reset vector's instruction" \
    test "$(grep -c '^exec ' "$dir/f") $(grep -c '^in_asm ' "$dir/f") $(grep -c '^cpu ' "$dir/f")" = "1 1 1"
check "cpu: registers after the far jump" grep -q '^cpu    EAX=.* EIP=000000b8 .* CS=f000 ' "$dir/f"

"$orrery" -d help >"$dir/help"
check "-d help lists every item" sh -c "for i in in_asm exec cpu int mmu unimp guest_errors ioport postcode; do grep -q \"^\$i \" '$dir/help' || exit 1; done"
"$orrery" -bios "$rom" -d exec,bogus 2>"$dir/e1"
check "unknown -d item: one line, exit 1" \
    sh -c "[ $? -eq 1 ] && [ \$(wc -l < '$dir/e1') = 1 ] && grep -q \"unknown log item 'bogus'\" '$dir/e1'"
"$orrery" -bios "$rom" -d exec -dfilter 0x1000+ 2>"$dir/e2"
check "bad -dfilter: one line" \
    sh -c "[ \$(wc -l < '$dir/e2') = 1 ] && grep -q 'is not a range' '$dir/e2'"
"$orrery" -bios "$rom" -trace-file /nonexistent/dir/t.trc 2>"$dir/e3"
check "-trace-file in a missing folder: one line" \
    sh -c "[ \$(wc -l < '$dir/e3') = 1 ] && grep -q 'cannot create trace file' '$dir/e3'"

# Observation never changes behaviour: the same state at instruction 10000 either way.
"$orrery" -bios "$rom" -display none -debugcon null -icount shift=0 -stop-at 10000 \
    -savestate "$dir/plain.state" 2>/dev/null
"$orrery" -bios "$rom" -display none -debugcon null -icount shift=0 -stop-at 10000 \
    -d exec,cpu,int,mmu,in_asm -D /dev/null -trace-file "$dir/t.trc" \
    -savestate "$dir/traced.state" 2>/dev/null
check "state at 10000 instructions: traced = untraced" \
    "$state" diff "$dir/plain.state" "$dir/traced.state"
[ "$fails" -eq 0 ]
