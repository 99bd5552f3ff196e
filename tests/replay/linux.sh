#!/bin/sh
# Record and replay of the Linux guest (tools/mkguest) with shell commands typed on its
# serial console once its shell is up (host-timed: the typing waits for the prompt):
# the recorded run powers off; the replay, with no input from the host, prints the same
# console output and ends in the same state (orrery-state diff of the two -savestate
# files at poweroff). Prints the recording's overhead against a plain run of the same
# record (the replay), and the record's size. About 2-4 minutes of host time per boot.
#   tests/replay/linux.sh ORRERY SOURCE_DIR
set -u
orrery=$1
src=$2
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

sh "$src/tools/mkguest" >"$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }
state="$(dirname "$orrery")/orrery-state"
fail=0
check() { # NAME STATUS DETAIL
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fail=1; fi
}
guest="-m 256 -icount shift=2 -display none -kernel $cache/bzImage
       -initrd $cache/initramfs.cpio.gz -append console=ttyS0"
now() { date +%s.%N; }

# ---- record: type once the shell has started
mkfifo "$dir/in"
t0=$(now)
# shellcheck disable=SC2086
timeout 900 "$orrery" $guest -serial stdio -record "$dir/boot.rec,snapshot=2G" \
    -savestate "$dir/rec.state" < "$dir/in" > "$dir/rec.out" 2> "$dir/rec.err" &
pid=$!
exec 3> "$dir/in"
n=0
while ! grep -q "Type 'poweroff -f'" "$dir/rec.out" && [ "$n" -lt 6000 ] &&
      kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
    n=$((n + 1))
done
sleep 1
printf 'echo replay-$((6 * 7))\n' >&3
sleep 0.5
printf 'uname -r; cat /proc/uptime\n' >&3
sleep 0.5
printf 'poweroff -f\n' >&3
wait "$pid"
rc=$?
pid=
t1=$(now)
exec 3>&-
check "record: the guest ran the typed commands and powered off (status $rc)" \
    "$(grep -q '^replay-42' "$dir/rec.out" && [ "$rc" = 0 ]; echo $?)" \
    "$(tail -5 "$dir/rec.out"; cat "$dir/rec.err")"
end=$(sed -n 's/.*exiting after \([0-9]*\) instructions/\1/p' "$dir/rec.err")

# ---- replay: no input from the host
# shellcheck disable=SC2086
timeout 900 "$orrery" $guest -serial "file:$dir/play.out" -replay "$dir/boot.rec" \
    -savestate "$dir/play.state" < /dev/null 2> "$dir/play.err"
rc=$?
t2=$(now)
check "replay: powers off at instruction $end as recorded (status $rc)" \
    "$(grep -q "exiting after $end instructions" "$dir/play.err" && [ "$rc" = 0 ]; echo $?)" \
    "$(cat "$dir/play.err")"
cmp -s "$dir/rec.out" "$dir/play.out"
check "replay: the same console output ($(wc -c < "$dir/rec.out") bytes)" $? \
    "$(diff "$dir/rec.out" "$dir/play.out" | head -10)"
"$state" diff "$dir/rec.state" "$dir/play.state" > "$dir/diff.txt"
check "replay: the same end state (orrery-state diff)" $? "$(head -20 "$dir/diff.txt")"

size=$(wc -c < "$dir/boot.rec")
echo "info record: $end instructions, $size bytes ($(grep -c . "$dir/rec.out") console lines);" \
     "recorded in $(echo "$t1 - $t0" | bc) s (typing waited on the host)," \
     "replayed in $(echo "$t2 - $t1" | bc) s"
[ "$fail" = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
