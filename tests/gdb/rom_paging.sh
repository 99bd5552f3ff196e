#!/bin/sh
# The GDB stub on a test ROM in protected mode with paging (roms/tests/pm_paging.bin),
# over a Unix socket: a write watchpoint on a linear address the ROM maps elsewhere
# (0x340000 -> physical 0x102000) stops after the store with the new value; memory read
# by linear address through the guest's page tables (a second mapping of that page) and
# by physical address (Qqemu.PhyMemMode), with no accessed bit set by the reads; a write
# by linear address lands in the page it maps, with no dirty bit set; a
# breakpoint on code the ROM wrote into RAM, kept inserted while stopped, leaves the bytes
# as they were (read raw with an m packet); stepi; registers; a hardware breakpoint on the
# same code, called again; detach, and the ROM passes.
#   rom_paging.sh ORRERY ROM
ORRERY=$1
. "$(dirname "$0")/lib.sh"
start -S -bios "$2" -debugcon stdio -gdb "unix:$dir/gdb.sock"

cat > "$dir/cmds" << 'EOF2'
watch *(int *)0x340000
continue
printf "cr0 %x\n", $cr0
printf "linear 340000 %x\n", *(int *)0x340000
printf "linear 330000 %x\n", *(int *)0x330000
printf "pte 330000 %x\n", *(int *)0x9cc0
set *(int *)0x330008 = 0x12345678
printf "pte 330000 after write %x\n", *(int *)0x9cc0
maint packet Qqemu.PhyMemMode:1
printf "physical 102000 %x\n", *(int *)0x102000
printf "physical 102008 %x\n", *(int *)0x102008
maint packet Qqemu.PhyMemMode:0
delete
set breakpoint always-inserted on
break *0x330000
continue
printf "eip %x\n", $eip
maint packet m330000,6
stepi
printf "eip %x eax %x\n", $eip, $eax
delete
hbreak *0x330000
continue
printf "hw eip %x\n", $eip
detach
EOF2
session "$dir/cmds"
stopped
expect watchpoint_hit '^Old value = 0$'
expect watchpoint_new_value '^New value = 440$'
expect paging_on '^cr0 e00000'
expect linear_read_through_paging '^linear 340000 1b8$'
expect second_mapping_same_page '^linear 330000 1b8$'
expect debugger_reads_set_no_accessed_bit '^pte 330000 102003$'
expect physical_read '^physical 102000 1b8$'
expect linear_write_through_paging '^physical 102008 12345678$'
expect debugger_write_sets_no_dirty_bit '^pte 330000 after write 102003$'
expect breakpoint_on_ram_code '^Breakpoint 2, 0x00330000'
expect eip_at_breakpoint '^eip 330000$'
expect breakpoint_never_written '^received: "b801000000c3"$'
expect stepi_past_mov_eax '^eip 330005 eax 1$'
expect hardware_breakpoint '^hw eip 330000$'
expect detached 'Inferior 1 \(Remote target\) detached'
expect rom_ran_to_its_end '^DONE pm_paging: [0-9]+ passed, 0 failed' "$dir/out"
if [ "$status" = 0 ]; then echo "PASS exit_0_after_detach"; else echo "FAIL exit status $status"; fail=1; fi
finish
