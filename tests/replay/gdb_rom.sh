#!/bin/sh
# Reverse debugging in the GDB stub during a replay, on the project's input-echo firmware
# (tests/replay/input-echo.asm), which stores each byte it gets at 0x500 and prints it
# with its loop turn (EBX): a run with typed bytes is recorded with snapshots, then
# replayed under Debian's gdb: continue to the end of the record, a write watchpoint on
# 0x500 and reverse-continue twice (the old and new values, and EBX equal to the turns
# the recorded run printed for 'q' and 'c'), reverse-stepi and stepi (one instruction
# each way, by the record's instruction count), a stepi that makes the write of 'c' and
# reports the watchpoint, continue to the write of 'q' and a reverse-continue from just
# after it back before it (not to the write before), and reverse-continue without
# watchpoints back to the start of the record.
#   gdb_rom.sh ORRERY INPUT-ECHO.BIN
ORRERY=$1
rom=$2
. "$(dirname "$0")/../gdb/lib.sh"

mkfifo "$dir/in"
{ sleep 0.5; printf 'ab'; sleep 0.3; printf 'c'; sleep 0.3; printf 'q'; } > "$dir/in" &
"$ORRERY" -bios "$rom" -display none -m 16 -debugcon "file:$dir/rec.dc" -serial stdio \
    -record "$dir/run.rec,snapshot=1M" < "$dir/in" > /dev/null 2> "$dir/rec.err"
turn() { # BYTE (hex): the turn the recorded run printed with it
    tr ' ' '\n' < "$dir/rec.dc" | sed -n "s/^S$1@0*\([0-9a-f]*\)$/\1/p"
}
q=$(turn 71) c=$(turn 63)
[ -n "$q" ] && [ -n "$c" ] || { echo "FAIL the recorded run: $(cat "$dir/rec.dc" "$dir/rec.err")"; exit 1; }

start -S -bios "$rom" -m 16 -debugcon "file:$dir/play.dc" -serial null -replay "$dir/run.rec" \
    -gdb tcp::0
cat > "$dir/cmds" << 'EOF2'
continue
monitor info replay
watch *(char *)0x500
reverse-continue
printf "ebx-at-q %x\n", $ebx
reverse-continue
printf "ebx-at-c %x\n", $ebx
monitor info replay
reverse-stepi
monitor info replay
stepi
monitor info replay
stepi
printf "after-stepi %x\n", *(char *)0x500
continue
reverse-continue
printf "ebx-again %x\n", $ebx
delete
reverse-continue
monitor info replay
kill
EOF2
session "$dir/cmds"
stopped
expect end_of_record 'No more reverse-execution history|Trace/breakpoint trap'
expect reverse_continue_to_q "^Old value = 113 'q'"
expect value_before_q "^New value = 99 'c'"
expect ebx_at_q "^ebx-at-q $q\$"
expect reverse_continue_to_c "^Old value = 99 'c'"
expect ebx_at_c "^ebx-at-c $c\$"
n=$(sed -n 's/^Replaying.*: instruction \([0-9]*\) of.*/\1/p' "$dir/gdb" | sed -n 2p)
expect reverse_stepi_one_back "instruction $((n - 1)) of"
expect stepi_one_on "^Replaying.*: instruction $n of"
# That stepi stood just before the write of 'c'; one more makes it, and GDB hears so.
[ "$(grep -c "^New value = 99 'c'" "$dir/gdb")" -ge 2 ]
if [ $? -eq 0 ]; then echo "PASS forward_stepi_reports_the_watchpoint"; else
    echo "FAIL forward_stepi_reports_the_watchpoint: one 'New value = 99' only"; fail=1; fi
expect stepi_made_the_write "^after-stepi 63\$"
expect reverse_continue_from_just_after_the_write "^ebx-again $q\$"
expect back_to_the_start '^Replaying.*: instruction 0 of'
finish
