#!/bin/sh
# GDB attaching to a guest that runs (no -S): it finds the guest stopped where it was;
# after a detach the guest goes on and the stub listens again, and a second gdb attaches
# the same way; a gdb that goes away without detaching leaves the guest running too.
#   attach.sh ORRERY
ORRERY=$1
. "$(dirname "$0")/lib.sh"
# 64 KiB image: at F000:0000 inc ebx; jmp short 0 -- the reset vector jumps there.
head -c 65536 /dev/zero > "$dir/count.bin"
printf '\146\103\353\374' | dd of="$dir/count.bin" bs=1 conv=notrunc 2> /dev/null
printf '\352\000\000\000\360' | dd of="$dir/count.bin" bs=1 seek=65520 conv=notrunc 2> /dev/null
start -bios "$dir/count.bin" -gdb "unix:$dir/gdb.sock"
sleep 1 # the guest runs meanwhile (a loaded host, a sanitizer build: still millions of instructions)

printf '%s\n' 'printf "first cs %x ebx-moved %d\n", $cs, $ebx != 0' 'set $e0 = $eip' \
    'stepi' 'printf "stepped %d\n", $eip == ($e0 == 0 ? 2 : 0)' 'detach' > "$dir/cmds"
session "$dir/cmds"
cp "$dir/gdb" "$dir/gdb1"
sleep 0.3
printf '%s\n' 'printf "second cs %x\n", $cs' 'p $ebx' > "$dir/cmds"
session "$dir/cmds" # ends without detaching: gdb closes the connection
cp "$dir/gdb" "$dir/gdb2"; cat "$dir/gdb2" >&2
sleep 0.3
printf '%s\n' 'printf "third cs %x\n", $cs' 'kill' > "$dir/cmds"
session "$dir/cmds"
stopped
expect attached_to_running_guest '^first cs f000 ebx-moved 1$' "$dir/gdb1"
expect stepi_after_attach '^stepped 1$' "$dir/gdb1"
expect detached 'Inferior 1 \(Remote target\) detached' "$dir/gdb1"
expect second_gdb_attaches '^second cs f000$' "$dir/gdb2"
expect third_gdb_attaches '^third cs f000$'
expect killed 'Inferior 1 \(Remote target\) killed'
if [ "$status" = 0 ]; then echo "PASS kill_exits_0"; else echo "FAIL exit status $status"; fail=1; fi
finish
