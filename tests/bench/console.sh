# Sourced by the benchmarks that read a guest's console: runs an emulator with the console
# on its stdout and stamps each line with the host clock. Needs $dir (a private folder).

now() { date +%s.%N; }

# run_stamped NAME STOP COMMAND...: runs COMMAND, writes each console line to $dir/NAME.out
# as "SECONDS LINE" (host seconds since the start), and ends the command (SIGTERM) at the
# first line containing STOP, or one of STOP's alternatives separated by '|'; at each line
# its peak resident memory so far (kB, from /proc) goes to $dir/NAME.rss, and its stderr
# to $dir/NAME.err. Status 1 when the console ended before any of them.
matches() {
    rest=$2
    while :; do
        alt=${rest%%|*}
        case $1 in *"$alt"*) return 0 ;; esac
        [ "$alt" = "$rest" ] && return 1
        rest=${rest#*|}
    done
}

run_stamped() {
    name=$1 stop=$2
    shift 2
    rm -f "$dir/fifo" "$dir/$name.out"
    mkfifo "$dir/fifo"
    t0=$(now)
    "$@" </dev/null >"$dir/fifo" 2>"$dir/$name.err" &
    pid=$!
    {
        found=1
        while IFS= read -r line; do
            printf '%s %s\n' "$(echo "$(now) - $t0" | bc -l)" "$line" >>"$dir/$name.out"
            # its peak resident memory so far (kB), while it still runs
            hwm=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
            [ -n "$hwm" ] && echo "$hwm" >"$dir/$name.rss"
            if matches "$line" "$stop"; then
                found=0
                kill "$pid" 2>/dev/null
                break
            fi
        done
        echo "$found" >"$dir/found"
        cat >/dev/null # the emulator's last output, so it ends on the signal, not SIGPIPE
    } <"$dir/fifo"
    wait "$pid" 2>/dev/null || true
    return "$(cat "$dir/found")"
}

# stamp_of NAME PATTERN: the host seconds of the first line of $dir/NAME.out containing
# PATTERN (nothing when there is none).
stamp_of() {
    awk -v p="$2" 'index($0, p) { print $1; exit }' "$dir/$1.out"
}

# instructions_of NAME: the instructions orrery had retired when it ended (its last line
# that counts them: a halt and the signal that follows it both do).
instructions_of() {
    sed -n 's/.*after \([0-9]*\) instructions.*/\1/p' "$dir/$1.err" | tail -n 1
}
