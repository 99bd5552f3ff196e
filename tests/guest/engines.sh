#!/bin/sh
# Both engines, one guest: the Debian guest (tools/mkguest) boots on the deterministic
# clock (-icount) once on the block translator (-accel block) and once on the interpreter
# (-accel interp), in parallel. They must retire the same instructions and take every
# interrupt at the same one, so the two runs must print the same console bytes, exit the
# same way and end in identical saved states — every register, x87 included, every device
# and every byte of RAM (orrery-state diff exits 0).
#   tests/guest/engines.sh ORRERY ORRERY_STATE SOURCE_DIR
# Both run the guest's test script to its poweroff: 6,501,133,837 instructions, about
# 140 s of CPU time on the interpreter (47 million instructions a second of CPU time) and
# 36 s on the translator; on a loaded 2-core machine 699 s and 112 s of wall time.
# STOP_AT=N stops both at instruction N instead, a shorter check: at 3500000000 the
# kernel has decompressed itself, probed its devices and taken thousands of timer
# interrupts (about half the cost), but the test script has not begun.
# Without STOP_AT, while the interpreter runs, the translator's run is cut in two at
# instruction $LOCKSTEP_FROM (6400000000, before /init): saved there, it goes on from the
# saved state, and -accel lockstep runs the same last part (about 100 million
# instructions: /init, the test script's shell and programs, the poweroff) with every
# block checked against the interpreter. It must find no difference, and end with the
# same console bytes and the same state as the translator.
set -u
orrery=$1 state_tool=$2 src=$3
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

if ! ORRERY_CACHE=$cache sh "$src/tools/mkguest" --check; then
    sh "$src/tools/mkguest" >"$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }
fi

stop=""
[ -n "${STOP_AT:-}" ] && stop="-stop-at $STOP_AT"

run() { # engine name more-options...: $dir/name.out, .state, .err, .rc
    engine=$1 name=$2
    shift 2
    # shellcheck disable=SC2086 # $stop is empty or two words
    "$orrery" -accel "$engine" -m 256 -icount shift=2 -display none \
        -kernel "$cache/bzImage" -initrd "$cache/initramfs.cpio.gz" \
        -append "console=ttyS0 orrery.script=test" -serial "file:$dir/$name.out" \
        -savestate "$dir/$name.state" "$@" >"$dir/$name.stdout" 2>"$dir/$name.err"
    echo $? >"$dir/$name.rc"
}

from=${LOCKSTEP_FROM:-6400000000}
start=$(date +%s)
if [ -z "${STOP_AT:-}" ]; then
    { run block mid -stop-at "$from"
      run block last -loadstate "$dir/mid.state"
      run lockstep lockstep -loadstate "$dir/mid.state"
      cat "$dir/mid.out" "$dir/last.out" >"$dir/block.out"
      cp "$dir/last.state" "$dir/block.state"
      cp "$dir/last.rc" "$dir/block.rc"
      cat "$dir/mid.err" "$dir/last.err" >"$dir/block.err"; } &
else
    # shellcheck disable=SC2086 # $stop is empty or two words
    run block block $stop &
fi
# shellcheck disable=SC2086
run interp interp $stop &
wait
echo "both runs: $(($(date +%s) - start)) s"
cat "$dir/block.err" "$dir/interp.err"

fail=0
ok() { echo "ok   $1"; }
no() { echo "FAIL $1"; fail=1; }
if [ -z "${STOP_AT:-}" ]; then
    for marker in "Linux version 6" "^orrery-test: begin" "^orrery-test: end" \
                  "reboot: System halted"; do
        if grep -q "$marker" "$dir/block.out"; then ok "the console has '$marker'"
        else no "the console lacks '$marker'"; fi
    done
fi
if cmp -s "$dir/block.rc" "$dir/interp.rc"; then
    ok "the same exit status ($(cat "$dir/block.rc"))"
else
    no "exit status: block $(cat "$dir/block.rc"), interp $(cat "$dir/interp.rc")"
fi
if cmp -s "$dir/block.out" "$dir/interp.out"; then
    ok "the same console output ($(wc -c <"$dir/block.out") bytes)"
else
    no "the console output differs:"
    diff "$dir/block.out" "$dir/interp.out" | head -20
fi
if [ ! -s "$dir/block.state" ] || [ ! -s "$dir/interp.state" ]; then
    no "a saved state is missing"
elif "$state_tool" diff "$dir/block.state" "$dir/interp.state" >"$dir/diff" 2>&1; then
    insns=$(sed -n 's/.*saved the machine to .* after \([0-9]*\) instructions.*/\1/p' \
        "$dir/block.err" | tail -n 1)
    ok "identical final states after ${insns:-?} instructions"
else
    no "the final states differ:"
    head -20 "$dir/diff"
fi
if [ -z "${STOP_AT:-}" ]; then
    cat "$dir/lockstep.err"
    if [ "$(cat "$dir/lockstep.rc")" = "$(cat "$dir/last.rc")" ] &&
       grep -Eq "^orrery: lockstep compared [1-9][0-9]* blocks" "$dir/lockstep.err"; then
        ok "lockstep from instruction $from: no difference"
    else
        no "lockstep from instruction $from: exit $(cat "$dir/lockstep.rc")"
    fi
    if cmp -s "$dir/last.out" "$dir/lockstep.out" &&
       "$state_tool" diff "$dir/last.state" "$dir/lockstep.state" >"$dir/ldiff" 2>&1; then
        ok "lockstep ends as the translator: the same console bytes and state"
    else
        no "lockstep ends otherwise than the translator:"
        head -20 "$dir/ldiff"
    fi
fi
if [ "$fail" = 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
