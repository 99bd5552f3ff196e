# Sourced by the trace tests (tests/trace/*.sh) after `set -u`: a private $dir, removed at
# exit, $fails, and
#   check NAME COMMAND...   "ok   NAME" when COMMAND succeeds, else "FAIL NAME" and fails+1
dir=$(mktemp -d "${TMPDIR:-/tmp}/orrery-trace.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fails=0
check() {
    name=$1
    shift
    if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
