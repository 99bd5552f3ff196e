#!/bin/sh
# The monitor (-monitor, Ctrl-A c) driven as a script drives QEMU's, against a firmware
# image that echoes the 8042's bytes to the debug console (tests/cli/kbd-echo.asm):
# -monitor stdio through a FIFO (info registers, xp, pmemsave against the image itself,
# sendkey reaching the guest, stop keeping it from running, cont, a held key repeating,
# quit), info block with a disk, an empty CD-ROM drive and a floppy, system_powerdown
# unheard, a Unix socket
# and a TCP one through socat, gdbserver with gdb attaching, the mux behind Ctrl-A c, and
# the bad -monitor spellings.
#   monitor.sh ORRERY KBD-ECHO.BIN
set -u
orrery=$1
rom=$2
if ! command -v socat > /dev/null 2>&1; then
    echo "skipped: socat is not installed (apt-get install socat)"
    exit 77
fi
. "$(dirname "$0")/checks.sh"

# ---- -monitor stdio, fed through a FIFO ----
mkfifo "$dir/in"
"$orrery" -bios "$rom" -display none -debugcon "file:$dir/dc" -monitor stdio \
    < "$dir/in" > "$dir/out" 2> "$dir/err" &
pid=$!
exec 3> "$dir/in"
wait_for "$dir/dc" READY
wait_for "$dir/out" "(qemu) "
check "stdio: banner and prompt" $? "$(cat "$dir/out")"
printf 'info registers\n' >&3
wait_for "$dir/out" "CR0="
check "stdio: info registers" $? "$(cat "$dir/out")"
tr -d '\r' < "$dir/out" | grep -q '^CS =f000 000f0000 0000ffff 00009b00$'
check "stdio: info registers shows CS as QEMU does" $? "$(cat "$dir/out")"
printf 'xp/4xw 0xffff0\n' >&3
wait_for "$dir/out" "00000000000ffff0: 0x"
tr -d '\r' < "$dir/out" | grep -q '^00000000000ffff0: 0x00[0-9a-f]\{4\}ea 0x000000f0 0x00000000 0x00000000$'
check "stdio: xp/4xw 0xffff0 is the reset vector's far jump" $? "$(cat "$dir/out")"
printf 'pmemsave 0xf0000 0x10000 %s/rom.bin\ninfo status\n' "$dir" >&3
wait_for "$dir/out" "VM status: running"
cmp -s "$rom" "$dir/rom.bin"
check "stdio: pmemsave 0xf0000 0x10000 saves the firmware image" $? "files differ"
printf 'sendkey ctrl-alt-delete\n' >&3
wait_for "$dir/dc" "1d 38 e0 53 e0 d3 b8 9d "
check "stdio: sendkey ctrl-alt-delete reaches the guest (set 1, released after 100 ms)" $? \
    "$(cat "$dir/dc")"
printf 'stop\ninfo status\nsendkey a 10\n' >&3
wait_for "$dir/out" "VM status: paused"
check "stdio: stop" $? "$(cat "$dir/out")"
sleep 0.5
! grep -q "1e" "$dir/dc"
check "stdio: a stopped guest does not take the key" $? "$(cat "$dir/dc")"
printf 'cont\n' >&3
wait_for "$dir/dc" "1e 9e "
check "stdio: cont, and the guest takes it" $? "$(cat "$dir/dc")"
# Held for a second, a key repeats (typematic: 500 ms, then 10.9 a second; six repeats in
# host time, at least two however loaded the host is).
printf 'sendkey b 1000\n' >&3
wait_for "$dir/dc" "30 b0 "
[ "$(grep -o '30 ' "$dir/dc" | wc -l)" -ge 3 ]
check "stdio: sendkey b 1000 repeats the held key ($(grep -o '30 ' "$dir/dc" | wc -l) makes)" \
    $? "$(cat "$dir/dc")"
printf 'quit\n' >&3
wait "$pid"
rc=$?
pid=
exec 3>&-
check "stdio: quit ends orrery with status 0" "$rc" "exit $rc: $(cat "$dir/err")"

# ---- -S: the guest waits for the monitor's cont ----
# The last run's output goes first: wait_for must not find its "paused" before the new
# process has truncated the file (which, on a loaded machine, it may do late).
rm -f "$dir/dc" "$dir/out" "$dir/err"
mkfifo "$dir/in3"
"$orrery" -S -bios "$rom" -display none -debugcon "file:$dir/dc" -monitor stdio \
    < "$dir/in3" > "$dir/out" 2> "$dir/err" &
pid=$!
exec 3> "$dir/in3"
printf 'info status\n' >&3
wait_for "$dir/out" "VM status: paused"
check "-S: the guest starts paused" $? "$(cat "$dir/out")"
sleep 0.3
[ ! -s "$dir/dc" ]
check "-S: and runs nothing" $? "$(cat "$dir/dc")"
printf 'c\n' >&3
wait_for "$dir/dc" READY
check "-S: c starts it" $? "$(cat "$dir/dc")"
printf 'q\n' >&3
wait "$pid"
rc=$?
pid=
exec 3>&-
check "-S: q (exit $rc)" "$rc" "$(cat "$dir/err")"

# ---- info block: the drives; system_powerdown to a guest without ACPI ----
truncate -s 2M "$dir/d.img" && truncate -s 1440K "$dir/f.img"
printf 'info block\nsystem_powerdown\nquit\n' | "$orrery" -S -bios "$rom" -display none \
    -hda "$dir/d.img" -drive media=cdrom,index=2 -fda "$dir/f.img" -snapshot -monitor stdio \
    > "$dir/out" 2> "$dir/err"
rc=$?
tr -d '\r' < "$dir/out" > "$dir/blk"
grep -qxF "ide0-hd0: $dir/d.img (raw, snapshot: writes to a temporary overlay)" "$dir/blk" &&
    grep -qx 'ide1-cd0: \[not inserted\]' "$dir/blk" &&
    grep -qxF "floppy0: $dir/f.img (raw, snapshot: writes to a temporary overlay)" "$dir/blk"
check "info block: a disk, an empty CD-ROM drive, a floppy (exit $rc)" $? "$(cat "$dir/blk")"
grep -qF "system_powerdown: the guest is not listening for the power button (no ACPI)" \
    "$dir/blk"
check "system_powerdown: a guest without ACPI is not listening" $? "$(cat "$dir/blk")"

# ---- gdbserver: the GDB stub started from the monitor ----
if command -v gdb > /dev/null 2>&1; then
    mkfifo "$dir/in2"
    rm -f "$dir/out" "$dir/err" # as above: no earlier run's text for wait_for to find
    "$orrery" -bios "$rom" -display none -monitor stdio < "$dir/in2" > "$dir/out" \
        2> "$dir/err" &
    pid=$!
    exec 3> "$dir/in2"
    printf 'gdbserver tcp::0\n' >&3
    wait_for "$dir/err" "gdb stub listening on tcp:"
    port=$(sed -n 's/.*gdb stub listening on tcp:127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/err")
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) \
        gdb -batch -nx -ex "set remotetimeout 30" -ex "target remote :$port" \
        -ex 'monitor xp/2xw 0xffff0' -ex detach < /dev/null > "$dir/gdb" 2>&1
    grep -q '^00000000000ffff0: 0x00[0-9a-f]\{4\}ea 0x000000f0$' "$dir/gdb"
    check "gdbserver tcp::0: gdb attaches, its monitor runs xp" $? "$(cat "$dir/gdb")"
    printf 'gdbserver\nquit\n' >&3
    wait_for "$dir/out" "a GDB stub is running already"
    check "gdbserver: a second one is refused" $? "$(cat "$dir/out")"
    wait "$pid"
    rc=$?
    pid=
    exec 3>&-
    check "gdbserver: quit after gdb detached (exit $rc)" "$rc" "$(cat "$dir/err")"
else
    echo "skip gdbserver: gdb is not installed (apt-get install gdb)"
fi

# ---- -monitor unix:PATH,server,nowait ----
rm -f "$dir/dc" "$dir/out" "$dir/err"
"$orrery" -bios "$rom" -display none -debugcon "file:$dir/dc" \
    -monitor "unix:$dir/mon.sock,server,nowait" > "$dir/out" 2> "$dir/err" &
pid=$!
wait_for "$dir/dc" READY
printf 'info status\nsendkey ret\n' | socat -t 1 - "UNIX-CONNECT:$dir/mon.sock" > "$dir/sock"
tr -d '\r' < "$dir/sock" | grep -q '^VM status: running$'
check "unix: info status" $? "$(cat "$dir/sock") / $(cat "$dir/err")"
wait_for "$dir/dc" "1c 9c "
check "unix: sendkey ret reaches the guest" $? "$(cat "$dir/dc")"
# A client that sends quit and hangs up before orrery takes it (orrery is held stopped
# meanwhile): its answer has nowhere to go, but its command still counts.
kill -STOP "$pid"
printf 'quit\n' | socat -t 0.2 - "UNIX-CONNECT:$dir/mon.sock" > /dev/null
kill -CONT "$pid"
wait "$pid"
rc=$?
pid=
check "unix: a second client that hung up at once still quits, status 0" "$rc" \
    "exit $rc: $(cat "$dir/err")"
[ ! -e "$dir/mon.sock" ]
check "unix: the socket is removed at exit" $? "still there"

# ---- -monitor tcp:127.0.0.1:0,server,nowait (a free port, named on stderr) ----
rm -f "$dir/out" "$dir/err"
"$orrery" -bios "$rom" -display none -monitor "tcp:127.0.0.1:0,server,nowait" \
    > "$dir/out" 2> "$dir/err" &
pid=$!
wait_for "$dir/err" "monitor listening on tcp:"
port=$(sed -n 's/.*monitor listening on tcp:127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/err")
printf 'info version\nquit\n' | socat -t 1 - "TCP:127.0.0.1:$port" > "$dir/sock"
wait "$pid"
rc=$?
pid=
tr -d '\r' < "$dir/sock" | grep -q '^orrery [0-9.]*$'
check "tcp: info version, quit (exit $rc)" $? "$(cat "$dir/sock") / $(cat "$dir/err")"

# ---- the mux: -serial mon:stdio, Ctrl-A c ----
printf '\001cinfo status\nquit\n' | "$orrery" -bios "$rom" -display none -serial mon:stdio \
    > "$dir/out" 2> "$dir/err"
rc=$?
tr -d '\r' < "$dir/out" | grep -q '^VM status: running$'
check "mux: Ctrl-A c, info status, quit (exit $rc)" $? "$(cat "$dir/out") / $(cat "$dir/err")"

# ---- bad spellings: one line, exit 1 ----
bad() { # EXPECTED ARGS...
    want=$1
    shift
    "$orrery" -bios "$rom" -display none "$@" > "$dir/out" 2> "$dir/err" < /dev/null
    rc=$?
    if [ "$rc" -eq 1 ] && [ "$(wc -l < "$dir/err")" -eq 1 ] && grep -qF -- "$want" "$dir/err"
    then
        echo "ok   orrery $*: $(cat "$dir/err")"
    else
        echo "FAIL orrery $*: exit $rc: $(cat "$dir/err")"
        fail=1
    fi
}
bad "orrery: -monitor vc: unsupported; use stdio" -monitor vc
bad "orrery: -monitor stdio: cannot use stdio by multiple character devices;" \
    -monitor stdio -serial stdio
bad "orrery: -monitor unix:$dir/m: orrery only listens; add ,server,nowait" \
    -monitor "unix:$dir/m"
bad "orrery: -monitor tcp:127.0.0.1:x: 'x' is not a port" \
    -monitor "tcp:127.0.0.1:x,server,nowait"
bad "orrery: -monitor unix:$dir/m,server,reconnect=1: unsupported option" \
    -monitor "unix:$dir/m,server,reconnect=1"
exit $fail
