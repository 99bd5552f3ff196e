#!/bin/sh
# The transcript in frontends/monitor/README.md ("Every command, with what it prints") is
# what orrery prints: its first line's options start orrery in a temporary folder with
# the files it names (a blank disk, a CD image made by xorriso, a blank floppy), every
# "(qemu) " line's command is typed, and the output must equal the transcript line by
# line (the thread id of info cpus aside); the files the commands write are checked too.
# Exits 77 (skipped) when bios-256k.bin or xorriso is not installed.
#   tests/cli/monitor-readme.sh ORRERY README
set -u
orrery=$1
readme=$2
case $orrery in /*) ;; *) orrery=$(pwd)/$orrery ;; esac
. "$(dirname "$0")/checks.sh"
need_seabios
need_tools xorriso xorriso

# The transcript: from the line after the marker's fence to the closing fence.
sed -n '/^<!-- transcript: tests\/cli\/monitor-readme.sh -->$/,$p' "$readme" |
    sed -n '3,$p' | sed '/^```$/,$d' > "$dir/transcript"
head -n 1 "$dir/transcript" > "$dir/cmdline"
sed -n '2,$p' "$dir/transcript" | sed 's/thread_id=[0-9]*/thread_id=N/' > "$dir/want"
grep '^(qemu) ' "$dir/want" | sed 's/^(qemu) //' > "$dir/commands"
[ -s "$dir/commands" ] && grep -q '^\$ orrery ' "$dir/cmdline"
check "the README has a transcript ($(wc -l < "$dir/commands") commands)" $? \
    "$(cat "$dir/transcript")"

cd "$dir" || exit 1
truncate -s 2M disk.img && truncate -s 1440K fd.img || exit 1
mkdir iso && echo disc > iso/FILE.TXT
xorriso -as mkisofs -quiet -o cd.iso iso 2>xorriso.err || { cat xorriso.err; exit 1; }
# shellcheck disable=SC2046 # the README's options, split as a shell would
set -- $(sed 's/^\$ orrery //' cmdline)
timeout "$limit" "$orrery" "$@" < commands > out 2> err
rc=$?
check "orrery ran the transcript's commands (exit $rc)" "$rc" "$(cat err)"
tr -d '\r' < out | sed 's/thread_id=[0-9]*/thread_id=N/' > got
diff want got > diff.txt
check "the output is the README's transcript" $? "$(cat diff.txt)"

# What the silent commands did.
printf '\352\133\340\000\360' > jump
cmp -s reset.bin reset-linear.bin && [ "$(wc -c < reset.bin)" -eq 16 ] &&
    head -c 5 reset.bin | cmp -s - jump
check "pmemsave and memsave wrote the reset vector's far jump" $? "$(od -An -tx1 reset.bin)"
[ "$(head -c 2 screen.ppm)" = P6 ] && [ "$(head -c 4 screen.png | tail -c 3)" = PNG ]
check "screendump wrote a PPM and a PNG" $? "$(ls -l)"
[ -s start.state ]
check "savevm wrote start.state" $? "$(ls -l)"
grep -q '^orrery: gdb stub listening on tcp:127.0.0.1:[0-9]*$' err
check "gdbserver tcp::0 started the stub on a free port" $? "$(cat err)"
[ "$fail" -eq 0 ] && echo "ok   every command of the README's transcript prints what it shows"
exit "$fail"
