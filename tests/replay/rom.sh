#!/bin/sh
# Record and replay on a firmware image of the project's own (tests/replay/input-echo.asm),
# which prints each byte from COM1 and the keyboard with the loop turn it arrived in:
# a run with typed input (host-timed: sleeps between the bytes, a sendkey from the
# monitor behind Ctrl-A c) is recorded, then replayed, on both engines and with
# -trace-file (with and without mem=on), to the same
# output and the same end state (orrery-state diff); a changed input departs at a check
# with the instruction count and the section; damaged, foreign and mismatched records are
# refused with one line; the monitor's info replay, replay_break and replay_seek.
#   rom.sh ORRERY ORRERY-STATE INPUT-ECHO.BIN
set -u
orrery=$1
state=$2
rom=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
check() { # NAME STATUS DETAIL
    if [ "$2" = 0 ]; then ok "$1"; else bad "$1: $3"; fi
}
base="-bios $rom -display none -m 16"

# ---- record: bytes typed with pauses, a key from the monitor, then q (the guest halts).
# Each group waits for the guest's report of the one before: on a loaded machine, bytes
# written before orrery reads them would arrive together, and the key before them.
until_seen() { # TEXT: up to 30 s for TEXT in the recorded run's debug console
    n=0
    while ! grep -q "$1" "$dir/rec.dc" 2> /dev/null && [ "$n" -lt 600 ]; do
        sleep 0.05
        n=$((n + 1))
    done
}
mkfifo "$dir/in"
{ until_seen READY; sleep 0.2; printf 'ab'; until_seen S62@; sleep 0.2; printf 'c'
  until_seen S63@; sleep 0.2; printf '\001csendkey x\n\001c'; until_seen K2d@; sleep 0.2
  printf 'q'; } > "$dir/in" &
# shellcheck disable=SC2086
timeout 60 "$orrery" $base -debugcon "file:$dir/rec.dc" -serial mon:stdio \
    -record "$dir/run.rec,check=100K,snapshot=4M" -savestate "$dir/rec.state" \
    < "$dir/in" > "$dir/rec.out" 2> "$dir/rec.err"
check "record: the guest halts after q (status 0)" $? "$(cat "$dir/rec.err")"
grep -q "^READY" "$dir/rec.dc" && grep -q "S61@.* S62@.* S63@.* K2d@.* S71@" "$dir/rec.dc"
check "record: the guest saw a, b, c, the key x and q" $? \
    "$(cat "$dir/rec.dc")"
end=$(sed -n 's/.*halted.* after \([0-9]*\) instructions/\1/p' "$dir/rec.err")
half=$((end / 2)) quarter=$((end / 4 + 1)) near_end=$((end - 1000))

# ---- replay, on each engine and traced: same output, same end state, no host input
for engine in translate interp trace trace-mem; do
    more="-engine $engine"
    [ "$engine" = trace ] && more="-trace-file $dir/replay.trc"
    [ "$engine" = trace-mem ] && more="-trace-file $dir/replay-mem.trc,mem=on"
    # shellcheck disable=SC2086
    timeout 60 "$orrery" $base -debugcon "file:$dir/$engine.dc" -serial null $more \
        -replay "$dir/run.rec" -savestate "$dir/$engine.state" 2> "$dir/$engine.err"
    check "replay ($engine): exits with status 0" $? "$(cat "$dir/$engine.err")"
    cmp -s "$dir/rec.dc" "$dir/$engine.dc"
    check "replay ($engine): the same output, turn for turn" $? \
        "$(cat "$dir/rec.dc"; echo; cat "$dir/$engine.dc")"
    grep -q "halted.* after $end instructions" "$dir/$engine.err"
    check "replay ($engine): halts at instruction $end as recorded" $? \
        "$(cat "$dir/$engine.err")"
    "$state" diff "$dir/rec.state" "$dir/$engine.state" > "$dir/$engine.diff"
    check "replay ($engine): the end state is identical (orrery-state diff)" $? \
        "$(cat "$dir/$engine.diff")"
done

# ---- a changed input: the replay departs at the next check and says where and what
python3 - "$dir/run.rec" "$dir/changed.rec" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
pos = 16 + struct.unpack_from('<I', data, 12)[0]
while pos < len(data):
    kind, length = data[pos], struct.unpack_from('<I', data, pos + 1)[0]
    if kind == 1:                       # the first serial chunk: 'a' becomes 'A'
        data[pos + 5 + 16] ^= 0x20
        break
    pos += 5 + length
open(sys.argv[2], 'wb').write(data)
PY
# shellcheck disable=SC2086
timeout 60 "$orrery" $base -debugcon "file:$dir/changed.dc" -serial null \
    -replay "$dir/changed.rec" 2> "$dir/changed.err"
rc=$?
[ "$rc" = 2 ] && grep -q "departed at instruction [0-9]*: its state differs from the recorded one in [a-z]" "$dir/changed.err"
check "a changed input: the replay stops (status 2) at a check, naming the section" $? \
    "exit $rc: $(cat "$dir/changed.err")"
grep -q "S41@" "$dir/changed.dc"
check "a changed input: the guest got the changed byte" $? "$(cat "$dir/changed.dc")"

# ---- bad records: one line each, status 1
one_line() { # NAME EXPECTED-TEXT ARGS...
    name=$1 want=$2
    shift 2
    # shellcheck disable=SC2086
    timeout 20 "$orrery" $base -serial null "$@" > /dev/null 2> "$dir/bad.err"
    rc=$?
    [ "$rc" = 1 ] && [ "$(wc -l < "$dir/bad.err")" = 1 ] && grep -q -- "$want" "$dir/bad.err"
    check "$name" $? "exit $rc: $(cat "$dir/bad.err")"
}
head -c 2000 "$dir/run.rec" > "$dir/cut.rec"
one_line "a record cut short: one line" "cut short" -replay "$dir/cut.rec"
one_line "a foreign file: one line" "not an orrery record" -replay "$rom"
one_line "a missing record: one line" "No such file" -replay "$dir/none.rec"
one_line "another -m: one line naming it" "made with ram=.*this machine has ram=" -m 64 \
    -replay "$dir/run.rec"
one_line "-record with -loadstate: one line" "record starts at power-on" \
    -record "$dir/x.rec" -loadstate "$dir/rec.state"
one_line "-record FILE,bad=1: one line" "not snapshot=N or check=N" -record "$dir/x.rec,bad=1"
head -c 1048576 /dev/zero > "$dir/disk.img"
# shellcheck disable=SC2086
timeout 20 "$orrery" $base -serial null -hda "$dir/disk.img" -record "$dir/disk.rec" \
    -stop-at 1000000 2> /dev/null
printf 'x' | dd of="$dir/disk.img" bs=1 seek=4096 conv=notrunc 2> /dev/null
one_line "a changed disk image: refused with one line" "ide.0=1048576 bytes, CRC-32" \
    -hda "$dir/disk.img" -replay "$dir/disk.rec"

# ---- the monitor: replay_break, info replay, replay_seek back (through a snapshot) and on
mkfifo "$dir/min"
# shellcheck disable=SC2086
timeout 60 "$orrery" $base -debugcon "file:$dir/mon.dc" -serial null -S -monitor stdio \
    -replay "$dir/run.rec" < "$dir/min" > "$dir/mon.out" 2> "$dir/mon.err" &
pid=$!
exec 3> "$dir/min"
wait_for() { # TEXT: up to 30 s for TEXT in the monitor's output
    n=0
    while ! tr -d '\r' < "$dir/mon.out" | grep -qF -- "$1" && [ "$n" -lt 600 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    tr -d '\r' < "$dir/mon.out" | grep -qF -- "$1"
}
printf 'replay_break %s\ncont\n' "$half" >&3
n=0
while ! grep -q "replay_break" "$dir/mon.err" && [ "$n" -lt 600 ]; do
    sleep 0.05
    n=$((n + 1))
done
printf 'info replay\n' >&3
wait_for "instruction $half of $end"
check "monitor: replay_break stops at exactly instruction $half" $? "$(cat "$dir/mon.out")"
printf 'replay_seek %s\ninfo replay\n' "$quarter" >&3
wait_for "instruction $quarter of $end"
check "monitor: replay_seek back to $quarter (through a snapshot)" $? "$(cat "$dir/mon.out")"
printf 'replay_seek %s\ninfo replay\ncont\n' "$near_end" >&3
wait_for "instruction $near_end of $end"
check "monitor: replay_seek on to $near_end" $? "$(cat "$dir/mon.out")"
wait "$pid"
rc=$?
exec 3>&-
# (a seek back re-runs the guest from a snapshot: reports made between that snapshot and
# the seek's point are printed again)
last=$(tr ' ' '\n' < "$dir/rec.dc" | grep '^S71@')
# (a stop can cut a report short, "S6" before the next one: the last whole report counts)
[ "$rc" = 0 ] &&
    [ "$(tr ' ' '\n' < "$dir/mon.dc" | grep -o 'S[0-9a-f][0-9a-f]@[0-9a-f]*$' | tail -n 1)" = "$last" ]
check "monitor: cont runs the replay to its recorded end, the last report $last" $? \
    "exit $rc: $(cat "$dir/mon.err")"

[ "$fail" = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
