#!/bin/sh
# The GDB stub on a test ROM in real mode (roms/tests/strings.bin): stopped at the reset
# vector, registers and the segment base, memory by linear address, a breakpoint at the
# ROM's first instruction (a linear address: GDB's PC is the offset, EIP), one stepi (EIP
# advances by that instruction's length), a write watchpoint on the variable lib.inc
# stores EDX's reset value in, read and access watchpoints on its pass counter (an INC
# reads it, then writes it), and detach: the ROM then runs to its end and orrery exits 0.
#   rom_real.sh ORRERY ROM
ORRERY=$1
. "$(dirname "$0")/lib.sh"
start -S -bios "$2" -debugcon stdio -gdb tcp::0

cat > "$dir/cmds" << 'EOF2'
p/x $eip
p/x $cs
p/x $cs_base
p/x $edx
x/5xb 0xfffffff0
set $t = *(unsigned short *)0xfffffff1
set $len = (*(unsigned char *)(0xf0000 + $t) == 0x66) ? 3 : 2
break *(0xf0000 + $t)
continue
printf "at-reset-target %d\n", $eip == $t
printf "cs %x\n", $cs
stepi
printf "stepped-by-one-insn %d\n", $eip - $t == $len
delete
watch *(short *)0x514
continue
printf "watched %x\n", *(short *)0x514
delete
rwatch *(short *)0x500
continue
delete
awatch *(short *)0x500
continue
delete
detach
EOF2
session "$dir/cmds"
stopped
expect reset_eip '^\$1 = 0xfff0$'
expect reset_cs '^\$2 = 0xf000$'
expect reset_cs_base '^\$3 = 0xffff0000$'
expect reset_edx_signature '^\$4 = 0x652$'
expect linear_read_reset_vector '^0xfffffff0:[[:space:]]+0xea'
expect breakpoint_stops_there '^at-reset-target 1$'
expect registers_at_breakpoint '^cs f000$'
expect stepi_one_instruction '^stepped-by-one-insn 1$'
expect watchpoint_new_value '^New value = 1618$'
expect watchpoint_memory '^watched 652$'
expect read_watchpoint 'Hardware read watchpoint 3: \*\(short \*\)0x500'
expect read_watchpoint_value '^Value = 1$'
expect access_watchpoint_write '^New value = 2$'
expect detached 'Inferior 1 \(Remote target\) detached'
expect rom_ran_to_its_end '^DONE strings: [0-9]+ passed, 0 failed' "$dir/out"
if [ "$status" = 0 ]; then echo "PASS exit_0_after_detach"; else echo "FAIL exit status $status"; fail=1; fi
finish
