# What the GDB stub's tests share (sourced): Debian's stock gdb in batch mode against
# build/orrery started with a -gdb socket (and usually -S), and checks on gdb's output.
#   ORRERY=path/to/orrery; . lib.sh
set -u
if ! command -v gdb > /dev/null 2>&1; then
    echo "skipped: gdb is not installed (apt-get install gdb)"
    exit 77
fi
dir=$(mktemp -d)
opid=
cleanup() {
    [ -n "$opid" ] && kill "$opid" 2> /dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fail=0

# start ARGS...: orrery with ARGS in the background; sets $target to what gdb's
# "target remote" takes, from the line orrery prints when it listens.
start() {
    "$ORRERY" -display none "$@" > "$dir/out" 2> "$dir/err" &
    opid=$!
    for _ in $(seq 100); do
        grep -q "listening on" "$dir/err" && break
        sleep 0.05
    done
    where=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$dir/err")
    case $where in
    tcp:*) target=${where#tcp:} ;;
    unix:*) target=${where#unix:} ;;
    *) echo "FAIL: orrery did not listen: $(cat "$dir/err")"; exit 1 ;;
    esac
}

# session FILE: runs gdb -batch with the commands in FILE, one -ex each (so that a command
# that fails, as some must, does not end the session), against $target; output in
# $dir/gdb (and shown on failure). A loaded host may take more than gdb's default 2 s to
# answer (orrery polls between slices of the running guest): remotetimeout 30.
session() {
    cmds=$1
    set --
    while IFS= read -r line; do
        set -- "$@" -ex "$line"
    done < "$cmds"
    timeout $((60 * ${ORRERY_TIMEOUT_SCALE:-1})) gdb -batch -nx -ex "set remotetimeout 30" -ex "target remote $target" "$@" < /dev/null > "$dir/gdb" 2>&1
}

# session_bg FILE: the same with gdb in the background, its pid in $gpid (for signals).
session_bg() {
    cmds=$1
    set --
    while IFS= read -r line; do
        set -- "$@" -ex "$line"
    done < "$cmds"
    gdb -batch -nx -ex "set remotetimeout 30" -ex "target remote $target" "$@" < /dev/null > "$dir/gdb" 2>&1 &
    gpid=$!
}

# session_long FILE: session_bg for a long run (the Linux guest), waited for up to 15
# minutes (scaled by ORRERY_TIMEOUT_SCALE), then ended.
session_long() {
    session_bg "$1"
    for _ in $(seq $((9000 * ${ORRERY_TIMEOUT_SCALE:-1}))); do
        kill -0 $gpid 2> /dev/null || break
        sleep 0.1
    done
    kill $gpid 2> /dev/null
}

# stopped: waits for orrery to end and sets $status to its exit status.
stopped() {
    status=
    for _ in $(seq 600); do
        if ! kill -0 "$opid" 2> /dev/null; then
            wait "$opid"
            status=$?
            opid=
            return
        fi
        sleep 0.05
    done
    echo "FAIL: orrery did not end"
    fail=1
}

# expect NAME PATTERN [FILE]: a line of gdb's output (or FILE) matches the grep -E PATTERN.
expect() {
    if grep -Eq -- "$2" "${3:-$dir/gdb}"; then
        echo "PASS $1"
    else
        echo "FAIL $1: no line matches '$2'"
        fail=1
    fi
}

# finish: prints the transcripts on failure (or always with SHOW=1 in the environment) and
# exits with the verdict.
finish() {
    if [ $fail -ne 0 ] || [ -n "${SHOW:-}" ]; then
        echo "---- gdb"; cat "$dir/gdb"
        echo "---- orrery stderr"; cat "$dir/err"
        echo "---- orrery stdout"; tail -20 "$dir/out"
    fi
    exit $fail
}
