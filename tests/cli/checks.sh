# Sourced by the tests that drive orrery through its monitor or boot SeaBIOS
# (tests/cli/monitor.sh, media.sh, monitor-readme.sh, tests/boot/bootorder.sh), after
# setting $orrery: a private $dir (removed at exit, after ending $pid if it is set), $fail,
# and
#   need_seabios, need_tools ...   from tests/boot/need.sh: exit 77 (skipped), with one
#                            line, when Debian's SeaBIOS (or a tool) is not installed
#   check NAME RC DETAIL     "ok   NAME" when RC is 0, else "FAIL NAME: DETAIL" and fail=1
#   wait_for FILE TEXT       waits up to 30 s (a loaded machine; times
#                            ORRERY_TIMEOUT_SCALE under an emulator) for TEXT to appear in
#                            FILE (CR removed); its status says whether it did
#   $limit                   60 s, times ORRERY_TIMEOUT_SCALE: a run's `timeout`
#   wait_line FILE LINE      the same for a whole line
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fail=0

. "$(dirname "$0")/../boot/need.sh"

check() { # NAME CONDITION-RESULT DETAIL
    if [ "$2" = 0 ]; then
        echo "ok   $1"
    else
        echo "FAIL $1: $3"
        fail=1
    fi
}

limit=$((60 * ${ORRERY_TIMEOUT_SCALE:-1}))
wait_steps=$((600 * ${ORRERY_TIMEOUT_SCALE:-1}))
wait_grep() { # GREP-OPTIONS FILE TEXT
    n=0
    while ! { tr -d '\r' < "$2"; } 2>/dev/null | grep -q "$1" -- "$3" &&
          [ "$n" -lt "$wait_steps" ]; do
        sleep 0.05
        n=$((n + 1))
    done
    { tr -d '\r' < "$2"; } 2>/dev/null | grep -q "$1" -- "$3"
}
wait_for() { wait_grep -F "$1" "$2"; }
wait_line() { wait_grep -xF "$1" "$2"; }
