#!/bin/sh
# The GDB stub against the Linux guest (tools/mkguest: Debian's 686 kernel, direct boot),
# with the kernel's symbols: a first boot prints the text symbols gdb needs from the
# guest's /proc/kallsyms (`nokaslr`: the same addresses in every boot), made into a small
# ELF for gdb's `symbol-file`, and jiffies' address is derived from get_jiffies_64's code
# (tests/gdb/kallsyms.sh says how). Then a second boot under gdb: stopped at the boot
# protocol's 32-bit entry (EIP 0x100000, ESI at boot_params and its "HdrS"); a breakpoint
# where the decompressor hands over to the kernel at 16 MiB (the decompressor writes the
# kernel there: a breakpoint written into memory would be overwritten, this one is not),
# two instructions stepped; `break start_kernel` by name: paging on, the kernel's code
# segment, registers and the stack read, the kernel's first page read through the guest's
# page tables equal to physical 16 MiB, start_kernel's first instruction disassembled and
# stepped; a write watchpoint on jiffies, which holds INITIAL_JIFFIES there, continued
# twice to its first two ticks (in do_timer, each value above the last); detach, and the
# guest runs on by itself to its shell prompt. Two boots to the shell: about 4 minutes
# each on a loaded 2-core host.
#   linux.sh ORRERY SOURCE_DIR    (ORRERY_GUEST_READY=1: the guest cache is known to be
#                                  current, tools/mkguest is not run)
ORRERY=$1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kallsyms.sh"
guest_ready "$2"
kallsyms_boot || exit 1
kallsyms_elf || exit 1
init=$(initial_jiffies)

# shellcheck disable=SC2086
start -S $GUEST -append "console=ttyS0 nokaslr" -serial "file:$dir/console" -gdb tcp::0
cat > "$dir/cmds" << EOF2
printf "entry eip %x cs %x esi %x cr0 %x\n", \$eip, \$cs, \$esi, \$cr0
printf "hdrs %x\n", *(int *)(\$esi + 0x202)
break *0x1000000
continue
printf "kernel eip %x\n", \$eip
stepi
stepi
printf "stepped eip %x\n", \$eip
delete
symbol-file $dir/kernel.elf
break start_kernel
continue
info symbol \$pc
printf "paging %d kernel-cs %x high-eip %d\n", (\$cr0 >> 31) & 1, \$cs, \$eip >= 0xc0000000
info registers
x/4xw \$esp
set \$virt = *(int *)0xc1000000
maint packet Qqemu.PhyMemMode:1
printf "direct map %d\n", \$virt == *(int *)0x1000000
maint packet Qqemu.PhyMemMode:0
x/i \$pc
stepi
printf "stepped from start_kernel to %x\n", \$eip
delete
pipe x/24i get_jiffies_64 | cat > $dir/dis
shell sh $dir/jiffies.sh
source $dir/jiffies.gdb
printf "jiffies %x at start_kernel %x high %x\n", \$jiffies, *(unsigned *)\$jiffies, *(unsigned *)(\$jiffies + 4)
continue
info symbol \$pc
printf "tick1 %x\n", *(unsigned *)\$jiffies
continue
info symbol \$pc
printf "tick2 %x\n", *(unsigned *)\$jiffies
delete
detach
EOF2
session_long "$dir/cmds"
# Detached, the guest runs on by itself to its shell.
for _ in $(seq $((6000 * ${ORRERY_TIMEOUT_SCALE:-1}))); do
    grep -q "Type 'poweroff -f'" "$dir/console" && break
    kill -0 $opid 2> /dev/null || break
    sleep 0.1
done
kill $opid 2> /dev/null
wait $opid 2> /dev/null
opid=
expect boot_protocol_entry '^entry eip 100000 cs 10 esi 10000 cr0 60000011$'
expect boot_params_header '^hdrs 53726448$'
expect breakpoint_at_decompressed_kernel '^Breakpoint 1, 0x01000000'
expect kernel_eip '^kernel eip 1000000$'
expect stepped_in_kernel '^stepped eip 10000[0-9a-f][0-9a-f]$'
expect break_start_kernel_by_name "^Breakpoint 2, 0x$(ksym start_kernel) in start_kernel"
expect pc_symbol '^start_kernel in section \.ktext$'
expect kernel_running_paged '^paging 1 kernel-cs 60 high-eip 1$'
expect registers "^eip +0x$(ksym start_kernel) +0x$(ksym start_kernel) <start_kernel>"
expect stack_read '^0xc[0-9a-f]{7}( <[^>]*>)?:[[:space:]]+0x[0-9a-f]{8}[[:space:]]+0x[0-9a-f]{8}[[:space:]]+0x[0-9a-f]{8}[[:space:]]+0x[0-9a-f]{8}$'
expect read_through_kernel_page_tables '^direct map 1$'
expect start_kernel_disassembled "^=> 0x$(ksym start_kernel) <start_kernel>:"
expect stepped_from_start_kernel '^stepped from start_kernel to c[0-9a-f]{7}$'
if grep -q "^stepped from start_kernel to $(ksym start_kernel)\$" "$dir/gdb"; then
    echo "FAIL stepi at start_kernel did not move"; fail=1
fi
expect jiffies_derived '^jiffies c[0-9a-f]{7} at start_kernel [0-9a-f]+ high 0$'
[ -n "$init" ] && expect jiffies_is_initial_jiffies "^jiffies c[0-9a-f]{7} at start_kernel $init high 0$"
[ -z "$init" ] && echo "skipped jiffies_is_initial_jiffies: no kernel package config to read HZ from"
expect watchpoint_hit '^Old value = [0-9]+$'
j0=$(sed -n 's/^jiffies .* at start_kernel \([0-9a-f]*\) .*/\1/p' "$dir/gdb")
t1=$(sed -n 's/^tick1 //p' "$dir/gdb")
t2=$(sed -n 's/^tick2 //p' "$dir/gdb")
if [ -n "$j0" ] && [ -n "$t1" ] && [ -n "$t2" ] && [ $((0x$t1)) -gt $((0x$j0)) ] &&
   [ $((0x$t2)) -gt $((0x$t1)) ]; then
    echo "PASS jiffies_ticks ($j0, $t1, $t2)"
else
    echo "FAIL jiffies_ticks: not increasing ('$j0', '$t1', '$t2')"; fail=1
fi
expect tick_in_timer_code '^(do_timer|tick_do_update_jiffies64) \+ [0-9]+ in section'
expect detached 'Inferior 1 \(Remote target\) detached'
expect kernel_started 'Linux version' "$dir/console"
expect shell_after_detach "Type 'poweroff -f'" "$dir/console"
finish
