#!/bin/sh
# orrery-oracle on a host that cannot run its 32-bit child (a kernel without IA-32
# emulation): exit 77 (ctest's skip) with one line saying why, never a failure. Simulated
# with a child the kernel cannot execute either way: a file of no executable format.
set -u
oracle=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'not a program\n' > "$dir/child"
chmod +x "$dir/child"
"$oracle" --quiet --count 10 --sequences 1 --child "$dir/child" > "$dir/out" 2> "$dir/err"
status=$?
fail() { echo "FAIL: $1"; echo "stdout:"; cat "$dir/out"; echo "stderr:"; cat "$dir/err"; exit 1; }
[ "$status" -eq 77 ] || fail "exit status $status, want 77"
[ "$(wc -l < "$dir/out")" -eq 1 ] || fail "want exactly one line on stdout"
grep -q '^orrery-oracle: skipped: this host cannot run 32-bit programs' "$dir/out" ||
    fail "the line does not say why"
[ ! -s "$dir/err" ] || fail "nothing expected on stderr"
# A child that is missing is an error, not a skip.
"$oracle" --quiet --count 10 --sequences 1 --child "$dir/missing" > /dev/null 2> "$dir/err"
status=$?
[ "$status" -eq 2 ] || fail "a missing child: exit status $status, want 2"
grep -q 'cannot run' "$dir/err" || fail "a missing child: no message"
echo "cpu_oracle_skip: a host without IA-32 emulation is a skip, a missing child an error"
