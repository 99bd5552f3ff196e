# What the cross-host checks share (sourced): the same guest run by two builds of orrery —
# the native one ($native, e.g. build/orrery on x86-64) and the one under test ($other,
# the AArch64 build under qemu-user through build-aarch64/emulated/orrery) — must end in the
# same saved state, field for field and byte for byte of RAM (orrery-state diff exits 0).
#   native=... other=...; . lib.sh
set -u
if [ ! -x "$native" ]; then
    echo "skipped: no native orrery at $native to compare with (build it: make build, or set" \
         "-DORRERY_NATIVE_BUILD=FOLDER)"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

# run_one HOST NAME ARGS...: one build's run; @OUT@ in an argument is its output file.
run_one() {
    eval "prog=\$$1"
    out=$dir/$2.$1
    shift 2
    set -- "$@" --end--
    while [ "$1" != --end-- ]; do
        a=$1
        shift
        case $a in *@OUT@*) a=$(printf '%s' "$a" | sed "s|@OUT@|$out.out|") ;; esac
        set -- "$@" "$a"
    done
    shift
    "$prog" "$@" -savestate "$out.state" >"$out.stdout" 2>"$out.err"
    echo $? >"$out.rc"
}

# same NAME ORRERY-ARGS...: runs both builds with the arguments (and -savestate), in
# parallel, and compares their exit status, their output (stdout, and the file
# $dir/NAME.HOST.out that arguments may name as @OUT@) and their final states.
same() {
    name=$1
    shift
    run_one native "$name" "$@" &
    run_one other "$name" "$@" &
    wait
    n=$dir/$name.native o=$dir/$name.other
    what=""
    cmp -s "$n.rc" "$o.rc" || what="$what exit status $(cat "$n.rc") vs $(cat "$o.rc");"
    cmp -s "$n.stdout" "$o.stdout" || what="$what standard output;"
    if [ -e "$n.out" ] || [ -e "$o.out" ]; then
        cmp -s "$n.out" "$o.out" || what="$what output file;"
    fi
    if [ ! -s "$n.state" ] || [ ! -s "$o.state" ]; then
        what="$what no saved state;"
    elif ! "$state_tool" diff "$n.state" "$o.state" >"$dir/$name.diff" 2>&1; then
        what="$what final state;"
    elif ! "$other_state_tool" diff "$o.state" "$n.state" >/dev/null 2>&1; then
        what="$what the other host's orrery-state reads them differently;"
    fi
    insns=$(sed -n 's/.*saved the machine to .* after \([0-9]*\) instructions.*/\1/p' "$n.err")
    if [ -z "$what" ]; then
        echo "ok   $name: the same state after ${insns:-?} instructions (exit $(cat "$n.rc"))"
    else
        echo "FAIL $name differs:$what"
        head -20 "$dir/$name.diff"
        echo "--- native stderr:"; cat "$n.err"
        echo "--- other stderr:"; cat "$o.err"
        fail=1
    fi
}
