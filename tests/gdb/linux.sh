#!/bin/sh
# The GDB stub against the Linux guest (tools/mkguest: Debian's 686 kernel, direct boot):
# stopped at the boot protocol's 32-bit entry (EIP 0x100000, ESI at boot_params and its
# "HdrS"), a breakpoint where the decompressor hands over to the kernel at 16 MiB (the
# decompressor writes the kernel there: a breakpoint written into memory would be
# overwritten, this one is not), instructions stepped there, then Ctrl-C in the running
# kernel: paging on, kernel code segment, EIP in the kernel's 0xC0000000 mapping, the
# kernel's first page read through the guest's page tables equal to physical 16 MiB;
# then kill (exit 0). The console shows the kernel started.
# A few minutes of host time: the interpreter decompresses the kernel first.
#   linux.sh ORRERY SOURCE_DIR    (ORRERY_GUEST_READY=1: the guest cache is known to be
#                                  current, tools/mkguest is not run)
ORRERY=$1
src=$2
. "$(dirname "$0")/lib.sh"
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
if [ -z "${ORRERY_GUEST_READY:-}" ]; then
    sh "$src/tools/mkguest" > "$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }
fi
start -S -m 256 -icount shift=2 -kernel "$cache/bzImage" -initrd "$cache/initramfs.cpio.gz" \
    -append "console=ttyS0 nokaslr" -serial "file:$dir/console" -gdb tcp::0

cat > "$dir/cmds" << 'EOF2'
printf "entry eip %x cs %x esi %x cr0 %x\n", $eip, $cs, $esi, $cr0
printf "hdrs %x\n", *(int *)($esi + 0x202)
break *0x1000000
continue
printf "kernel eip %x\n", $eip
x/2i $pc
stepi
stepi
printf "stepped eip %x\n", $eip
delete
continue
printf "paging %d kernel-cs %x high-eip %d\n", ($cr0 >> 31) & 1, $cs, $eip >= 0xc0000000
set $virt = *(int *)0xc1000000
maint packet Qqemu.PhyMemMode:1
printf "direct map %d\n", $virt == *(int *)0x1000000
maint packet Qqemu.PhyMemMode:0
kill
EOF2
session_bg "$dir/cmds"
# Ctrl-C (once: gdb -batch takes one) when the kernel has said who it is on the console,
# after the breakpoint and the steps (the interpreter takes minutes to get there).
for _ in $(seq 9000); do
    grep -q "stepped eip" "$dir/gdb" && grep -q "Linux version" "$dir/console" && break
    kill -0 $gpid 2> /dev/null || break
    sleep 0.1
done
kill -INT $gpid
for _ in $(seq 1200); do kill -0 $gpid 2> /dev/null || break; sleep 0.05; done
kill $gpid 2> /dev/null
stopped
expect boot_protocol_entry '^entry eip 100000 cs 10 esi 10000 cr0 60000011$'
expect boot_params_header '^hdrs 53726448$'
expect breakpoint_at_decompressed_kernel '^Breakpoint 1, 0x01000000'
expect kernel_eip '^kernel eip 1000000$'
expect stepped_in_kernel '^stepped eip 10000[0-9a-f][0-9a-f]$'
expect interrupted '^Program received signal SIGINT'
expect kernel_running_paged '^paging 1 kernel-cs 60 high-eip 1$'
expect read_through_kernel_page_tables '^direct map 1$'
expect killed 'Inferior 1 \(Remote target\) killed'
expect kernel_started 'Linux version' "$dir/console"
if [ "$status" = 0 ]; then echo "PASS kill_exits_0"; else echo "FAIL exit status $status"; fail=1; fi
finish
