# Sourced by the flag tests (tests/cli/disks.sh, tests/cli/cdrom.sh) after setting
# $orrery: a private $dir (removed at exit), $fail, a 64 KiB firmware image that halts at
# once ($dir/hlt.bin: cli; hlt at F000:0000 and a reset vector there), and the two checks:
#   bad EXPECTED-TEXT ARGS...  orrery refuses ARGS with exactly one
#                              "orrery: <what>: <problem>; <fix>" line naming EXPECTED-TEXT,
#                              exit 1, nothing on stdout
#   good ARGS...               orrery takes ARGS and runs the firmware to its halt
dir=$(mktemp -d)
trap 'chmod -R u+rw "$dir" 2>/dev/null; rm -rf "$dir"' EXIT
fail=0

head -c 65536 /dev/zero > "$dir/hlt.bin"
printf '\372\364' | dd of="$dir/hlt.bin" bs=1 conv=notrunc 2>/dev/null
printf '\352\000\000\000\360' | dd of="$dir/hlt.bin" bs=1 seek=65520 conv=notrunc 2>/dev/null

bad() { # EXPECTED-TEXT ARGS...
    want=$1
    shift
    "$orrery" -bios "$dir/hlt.bin" -display none "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    lines=$(wc -l < "$dir/err")
    if [ "$rc" -ne 1 ] || [ "$lines" -ne 1 ] || [ -s "$dir/out" ] ||
       ! grep -qF -- "$want" "$dir/err" || ! grep -q '^orrery: .*: .*; ' "$dir/err"; then
        echo "FAIL orrery $*: exit $rc, stderr: $(cat "$dir/err")"
        fail=1
    else
        echo "ok   orrery $*: $(cat "$dir/err")"
    fi
}
good() { # ARGS...
    "$orrery" -bios "$dir/hlt.bin" -display none "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    if [ "$rc" -ne 0 ] || ! grep -qF "halted with interrupts disabled" "$dir/err"; then
        echo "FAIL orrery $*: exit $rc, stderr: $(cat "$dir/err")"
        fail=1
    else
        echo "ok   orrery $*: runs"
    fi
}
