#!/bin/sh
# A debugger attached changes nothing the guest sees: the test ROM with paging
# (roms/tests/pm_paging.bin) runs under -icount once alone and once with gdb stopping it
# at a write watchpoint, single-stepping, reading registers, memory through the page
# tables and physical memory, a software and a hardware breakpoint on code in RAM, then
# detaching. Both runs print the same report, and orrery-state diff finds their final
# states (-savestate at the halt) identical: registers, clock, devices and every RAM page.
#   same_state.sh ORRERY ORRERY_STATE ROM
ORRERY=$1
state_tool=$2
rom=$3
. "$(dirname "$0")/lib.sh"
"$ORRERY" -display none -icount 0 -bios "$rom" -debugcon "file:$dir/alone.dc" \
    -savestate "$dir/alone.state" > /dev/null 2> "$dir/alone.err" ||
    { echo "FAIL: the run alone: $(cat "$dir/alone.err")"; exit 1; }
start -S -icount 0 -bios "$rom" -debugcon "file:$dir/gdb.dc" -savestate "$dir/gdb.state" \
    -gdb "unix:$dir/gdb.sock"

cat > "$dir/cmds" << 'EOF2'
watch *(int *)0x340000
continue
stepi
stepi
info registers
x/8xw $esp
x/4xw 0x330000
maint packet Qqemu.PhyMemMode:1
x/4xw 0x102000
maint packet Qqemu.PhyMemMode:0
delete
break *0x330000
continue
stepi
delete
hbreak *0x330000
continue
delete
detach
EOF2
session "$dir/cmds"
stopped
expect stopped_at_the_watchpoint '^New value = 440$'
expect stopped_at_the_breakpoint 'Breakpoint 2, 0x00330000'
expect detached '^\[Inferior 1 \(Remote target\) detached\]$'
if [ "$status" = 0 ] && cmp -s "$dir/alone.dc" "$dir/gdb.dc"; then
    echo "PASS the_same_report: $(tail -n 1 "$dir/gdb.dc")"
else
    echo "FAIL the_same_report: exit $status, $(cat "$dir/gdb.dc" "$dir/err")"
    fail=1
fi
if "$state_tool" diff "$dir/alone.state" "$dir/gdb.state" > "$dir/diff" 2>&1; then
    echo "PASS the_same_final_state"
else
    echo "FAIL the_same_final_state: $(head -n 5 "$dir/diff")"
    fail=1
fi
finish
