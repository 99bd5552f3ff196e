#!/bin/sh
# The GDB stub's run control and the rest of its packets, on a guest made here that loads
# EAX and spins: Ctrl-C (SIGINT to gdb, which sends 0x03) stops the running guest;
# registers written back (a general register, ST0 through its 80-bit form) and a control
# register refused; monitor help, info registers and system_reset; the target description
# names the i386 core, x87 and the system registers; kill ends orrery with status 0.
#   control.sh ORRERY
ORRERY=$1
. "$(dirname "$0")/lib.sh"
# 64 KiB image: at F000:0000 mov eax, 0x11223344; jmp $ -- the reset vector jumps there.
head -c 65536 /dev/zero > "$dir/spin.bin"
printf '\146\270\104\063\042\021\353\376' | dd of="$dir/spin.bin" bs=1 conv=notrunc 2> /dev/null
printf '\352\000\000\000\360' | dd of="$dir/spin.bin" bs=1 seek=65520 conv=notrunc 2> /dev/null
start -S -bios "$dir/spin.bin" -gdb tcp::0

cat > "$dir/cmds" << 'EOF2'
continue
printf "after-interrupt eip %x eax %x\n", $eip, $eax
set $ebx = 0xdeadbeef
printf "ebx %x\n", $ebx
set $st0 = 1.5
maint flush register-cache
p $st0
info registers fctrl
p/x $mm0.uint64
set $cr0 = 0x60000011
printf "cr0 %x\n", $cr0
monitor help
monitor info registers
monitor system_reset
maint flush register-cache
printf "after-reset eip %x cs %x\n", $eip, $cs
maint print xml-tdesc
kill
EOF2
session_bg "$dir/cmds"
# Ctrl-C once gdb has connected (it prints where the guest stands: up to 30 s, as a slow
# host, an emulated one under qemu-user say, takes more than a fixed second) and has had
# time to continue the guest (1.5 s: a SIGINT before that ends gdb instead on a loaded host).
for _ in $(seq 600); do grep -q 'in ?? ()' "$dir/gdb" 2> /dev/null && break; sleep 0.05; done
sleep 1.5
kill -INT $gpid # gdb's Ctrl-C: it sends 0x03
for _ in $(seq 600); do kill -0 $gpid 2> /dev/null || break; sleep 0.05; done
kill $gpid 2> /dev/null
stopped
expect interrupted '^Program received signal SIGINT'
expect stopped_in_the_loop '^after-interrupt eip 6 eax 11223344$'
expect general_register_written '^ebx deadbeef$'
expect st0_written_and_read '= 1.5$'
expect control_register_refused 'Could not write register "cr0"'
expect control_register_kept '^cr0 60000010$'
expect monitor_help '^system_reset +-- reset the system'
expect monitor_info_registers '^EAX=11223344 .*EBX=deadbeef'
expect monitor_segment_caches '^CS =f000 000f0000 0000ffff 00009b00'
expect monitor_reset_then_eip '^after-reset eip fff0 cs f000$'
expect tdesc_core 'org.gnu.gdb.i386.core'
expect tdesc_x87 'i387_ext'
expect tdesc_sys 'org.orrery.i386.sys'
expect mmx_view_of_st '^\$[0-9]+ = 0xc000000000000000$'
expect killed 'Inferior 1 \(Remote target\) killed'
expect orrery_says_killed 'killed by gdb' "$dir/err"
if [ "$status" = 0 ]; then echo "PASS kill_exits_0"; else echo "FAIL exit status $status"; fail=1; fi
finish
