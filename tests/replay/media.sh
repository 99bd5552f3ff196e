#!/bin/sh
# Media changes in a record: SeaBIOS boots roms/boot/media-watch.asm from the disk, which
# locks the CD-ROM's door and reports on port 0xE9 what it sees of the drives. A recorded
# run (-icount, -record with snapshots) has the monitor eject and change the CD and the
# floppy; the replay, with no monitor, shows the guest the same changes at the same
# instructions: the same reports and the same end state (orrery-state diff). A replay
# that seeks back before the changes (to the first snapshot) puts the first media back
# and still ends in that state. A changed image is refused with one line, and so is the
# monitor's change during a replay.
# Exits 77 (skipped) when bios-256k.bin or xorriso is not installed.
#   tests/replay/media.sh ORRERY ORRERY_STATE MEDIA_WATCH_BIN
set -u
orrery=$1
orrery_state=$2
bin=$3
. "$(dirname "$0")/../cli/checks.sh"
. "$(dirname "$0")/../cli/media-images.sh"
base="-m 16 -display none -icount 2 -hda $dir/disk.img -fda $dir/a.img -cdrom $dir/cd.iso"

# ---- The recorded run, driven by the monitor ----
mkfifo "$dir/in"
# shellcheck disable=SC2086
timeout "$limit" "$orrery" $base -debugcon "file:$dir/rec.dc" -monitor stdio \
    -record "$dir/run.rec,snapshot=5M" -savestate "$dir/rec.state" \
    < "$dir/in" > "$dir/out" 2> "$dir/err" &
pid=$!
exec 3> "$dir/in"
wait_line "$dir/rec.dc" "FLOPPY read: ORRERY-FLOPPY-A."
check "recording: the guest starts, a disc in, the floppy read" $? "$(cat "$dir/rec.dc")"
printf 'eject -f ide1-cd0\n' >&3
wait_line "$dir/rec.dc" "CD sense 2"
check "recording: eject -f, the guest sees NOT READY" $? "$(cat "$dir/rec.dc" "$dir/out")"
printf 'change ide1-cd0 %s/cd.iso\n' "$dir" >&3
wait_line "$dir/rec.dc" "CD sense 6"
check "recording: change, the guest sees UNIT ATTENTION" $? "$(cat "$dir/rec.dc" "$dir/out")"
printf 'change floppy0 %s/b.img\n' "$dir" >&3
wait_line "$dir/rec.dc" "FLOPPY read: ORRERY-FLOPPY-B."
check "recording: change floppy0, the new floppy read" $? "$(cat "$dir/rec.dc" "$dir/out")"
printf 'eject floppy0\n' >&3
wait_line "$dir/rec.dc" "FLOPPY empty: AH=C0"
check "recording: eject floppy0, reads fail" $? "$(cat "$dir/rec.dc" "$dir/out")"
printf 'quit\n' >&3
wait "$pid"
rc=$?
pid=
exec 3>&-
check "recording: quit (exit $rc)" "$rc" "$(cat "$dir/err")"

# ---- The replay: no monitor, the changes come from the record ----
# shellcheck disable=SC2086
timeout "$limit" "$orrery" $base -debugcon "file:$dir/rep.dc" -replay "$dir/run.rec" \
    -savestate "$dir/rep.state" < /dev/null > "$dir/rep.out" 2> "$dir/rep.err"
rc=$?
check "replay: ends where the record does (exit $rc)" "$rc" "$(cat "$dir/rep.err")"
cmp -s "$dir/rec.dc" "$dir/rep.dc"
check "replay: the guest reports the same changes" $? "$(diff "$dir/rec.dc" "$dir/rep.dc")"
"$orrery_state" diff "$dir/rec.state" "$dir/rep.state" > "$dir/diff" 2>&1
check "replay: the end state is the recorded one" $? "$(head -n 5 "$dir/diff")"

# ---- Seeking back before the changes, then on to the end ----
end=$(sed -n 's/.*reached the end of its record (\([0-9]*\) instructions.*/\1/p' "$dir/rep.err")
mkfifo "$dir/min"
# shellcheck disable=SC2086
timeout "$limit" "$orrery" $base -debugcon "file:$dir/seek.dc" -S -monitor stdio \
    -replay "$dir/run.rec" -savestate "$dir/seek.state" \
    < "$dir/min" > "$dir/seek.out" 2> "$dir/seek.err" &
pid=$!
exec 3> "$dir/min"
printf 'replay_seek %s\ninfo replay\n' "$end" >&3
wait_for "$dir/seek.out" "instruction $end of $end"
check "replay_seek to the end ($end)" $? "$(cat "$dir/seek.out" "$dir/seek.err")"
printf 'change floppy0 %s/a.img\n' "$dir" >&3
wait_for "$dir/seek.out" "a replay takes its media changes from the record"
check "change during a replay: refused" $? "$(cat "$dir/seek.out")"
printf 'replay_seek 1000\ninfo block\ninfo replay\n' >&3
wait_for "$dir/seek.out" "instruction 1000 of $end"
check "replay_seek back to 1000 (the first snapshot)" $? "$(cat "$dir/seek.out" "$dir/seek.err")"
tr -d '\r' < "$dir/seek.out" | grep -qF "floppy0: $dir/a.img (raw"
check "info block there: the first floppy back" $? "$(cat "$dir/seek.out")"
printf 'cont\n' >&3
wait "$pid"
rc=$?
pid=
exec 3>&-
check "cont: on to the record's end (exit $rc)" "$rc" "$(cat "$dir/seek.err")"
"$orrery_state" diff "$dir/rec.state" "$dir/seek.state" > "$dir/diff" 2>&1
check "after the seek back: the same end state" $? "$(head -n 5 "$dir/diff")"

# ---- A changed image: one line ----
printf 'X' | dd of="$dir/b.img" bs=1 seek=100 conv=notrunc 2> /dev/null
# shellcheck disable=SC2086
timeout "$limit" "$orrery" $base -debugcon null -replay "$dir/run.rec" < /dev/null > "$dir/bad.out" \
    2> "$dir/bad.err"
rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < "$dir/bad.err")" -eq 1 ] &&
    grep -q "puts '$dir/b.img' (737280 bytes, CRC-32 [0-9a-f]*) in a drive, and that file is not there as it was" "$dir/bad.err"
check "a changed floppy image: refused with one line" $? "exit $rc: $(cat "$dir/bad.err")"

[ "$fail" -eq 0 ] && echo "ok   media changes are recorded and replayed"
exit "$fail"
