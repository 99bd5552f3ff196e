#!/bin/sh
# -gdb, -s and -S given wrongly: one line naming the problem, exit 1 (no gdb needed).
#   errors.sh ORRERY ROM
set -u
orrery=$1
rom=$2
fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# bad NAME PATTERN ARGS...: orrery ARGS ends with exit 1 and exactly one stderr line matching.
bad() {
    name=$1
    pat=$2
    shift 2
    err=$("$orrery" -display none -bios "$rom" "$@" 2>&1 > /dev/null < /dev/null)
    rc=$?
    lines=$(printf '%s\n' "$err" | wc -l)
    if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && printf '%s' "$err" | grep -Eq -- "$pat"; then
        echo "PASS $name"
    else
        echo "FAIL $name: exit $rc, stderr: $err"
        fail=1
    fi
}
bad unknown_kind '^orrery: -gdb serial:x: unsupported; use tcp::PORT' -gdb serial:x
bad no_port '^orrery: -gdb tcp:localhost: no port' -gdb tcp:localhost
bad bad_port "^orrery: -gdb tcp::99999: '99999' is not a port" -gdb tcp::99999
bad bad_option '^orrery: -gdb tcp::0,reconnect=1: unsupported option' -gdb tcp::0,reconnect=1
bad empty_unix_path '^orrery: -gdb unix:: the path is empty' -gdb unix:
bad stopped_without_stub '^orrery: -S: the guest would wait for a debugger or the monitor; give -gdb' -S
# A port in use: the second orrery cannot listen there.
"$orrery" -display none -bios "$rom" -S -gdb tcp::0 > /dev/null 2> "$tmp" &
pid=$!
for _ in $(seq 100); do grep -q listening "$tmp" && break; sleep 0.05; done
port=$(sed -n 's/.*listening on tcp:127.0.0.1:\([0-9]*\).*/\1/p' "$tmp")
bad port_in_use "^orrery: -gdb tcp::$port: cannot listen there: Address already in use" \
    -gdb "tcp::$port"
kill $pid
wait $pid 2> /dev/null
# -gdb none: no stub, the guest runs to its end.
if "$orrery" -display none -bios "$rom" -gdb none 2>&1 | grep -q listening; then
    echo "FAIL gdb_none_listens"; fail=1
else
    echo "PASS gdb_none"
fi
exit $fail
