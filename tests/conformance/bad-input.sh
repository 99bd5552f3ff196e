#!/bin/sh
# A malformed, truncated or non-MOO file ends the runner with one line naming the file and
# the problem, and a non-zero exit; never a crash.
#   bad-input.sh ORRERY_MOO GOOD_FILE.MOO.gz
set -u
moo=$1
good=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

check() { # name, file
    out=$("$moo" "$2" 2>&1)
    rc=$?
    lines=$(printf '%s\n' "$out" | wc -l)
    if [ "$rc" -eq 0 ] || [ "$rc" -gt 2 ] || [ "$lines" -ne 1 ] || ! printf '%s' "$out" | grep -q "$2"; then
        echo "FAIL $1: exit $rc, output: $out"
        fail=1
    else
        echo "ok   $1: $out"
    fi
}

gzip -dc "$good" > "$dir/plain.MOO"
head -c 100000 "$dir/plain.MOO" > "$dir/truncated.MOO"
head -c 5000 "$good" > "$dir/truncated-gzip.MOO.gz"
printf 'this is not a MOO file\n' > "$dir/text.MOO"
: > "$dir/empty.MOO"
# Flip a byte inside the first test: its SHA-1 no longer matches.
cp "$dir/plain.MOO" "$dir/corrupt.MOO"
printf '\377' | dd of="$dir/corrupt.MOO" bs=1 seek=200 conv=notrunc 2>/dev/null

check truncated "$dir/truncated.MOO"
check truncated-gzip "$dir/truncated-gzip.MOO.gz"
check text "$dir/text.MOO"
check empty "$dir/empty.MOO"
check corrupt "$dir/corrupt.MOO"
check missing "$dir/missing.MOO"
# An option without its value says so (one line, exit 2), not "unknown option".
for opt in --cpu --min-passed; do
    out=$("$moo" "$good" "$opt" 2>&1)
    rc=$?
    if [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
       printf '%s' "$out" | grep -q "option '$opt' needs a value"; then
        echo "ok   $opt without a value: $out"
    else
        echo "FAIL $opt without a value: exit $rc, output: $out"
        fail=1
    fi
done
exit $fail
