#!/bin/sh
# The guest compute benchmark: the test guest (tools/mkguest) booted with
# orrery.script=bench, which runs /bin/orrery-bench (tools/guest/bench.c: a sieve, CRC32,
# string search and copy, a matrix multiply, a sort, calls and returns, and an x87 part)
# and powers off. It runs on orrery and on qemu-system-i386 (TCG, -cpu pentium2) with the
# same kernel, initramfs, -m and command line, RUNS times each (default 3), and prints the
# medians: host seconds to the benchmark's first line (the boot), each part's time on the
# guest's clock, the total, the ratios orrery / QEMU, orrery's guest MIPS (instructions
# retired / host seconds, whole run), and each part's checksum, which must be the same on
# orrery, on QEMU and natively where the host runs 32-bit programs (exit 1 otherwise).
# Then each other engine of ENGINES (`-accel` values; default "block,native=off interp":
# the threaded engine, where the default compiles hot blocks to host code, and the
# interpreter), EXTRA_RUNS runs each (default 1): its MIPS, its total and the same
# checksums; and orrery's peak resident memory against its guest RAM.
# A speed report, never a pass/fail timing.
#   tests/bench/guest-bench.sh [BUILD_DIR]
set -eu
build=${1:-build}
runs=${RUNS:-3}
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
qemu=$(command -v qemu-system-i386 || true)
if [ -z "$qemu" ]; then
    echo "guest-bench: qemu-system-i386 is missing; run: apt-get install qemu-system-x86" >&2
    exit 1
fi
if [ ! -f "$cache/bzImage" ] || [ ! -f "$cache/orrery-bench" ]; then
    echo "guest-bench: the guest in $cache has no benchmark; run: make guest" >&2
    exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/console.sh"

# run_one NAME COMMAND...: the benchmark on one emulator, ended (SIGTERM) at its last line;
# $dir/NAME.times gets "boot SECONDS" (host seconds to its first line) and "all SECONDS".
run_one() {
    name=$1
    shift
    if ! run_stamped "$name" "orrery-bench: end|Type 'poweroff -f'" "$@" ||
       ! grep -q 'orrery-bench: end' "$dir/$name.out"; then
        echo "guest-bench: $name did not finish the benchmark:" >&2
        tail -n 5 "$dir/$name.out" "$dir/$name.err" >&2
        exit 1
    fi
    if grep -q 'orrery-bench: missing' "$dir/$name.out"; then
        echo "guest-bench: the guest has no /bin/orrery-bench; run: tools/mkguest --force" >&2
        exit 1
    fi
    if ! grep -q 'orrery-bench: total' "$dir/$name.out"; then
        echo "guest-bench: the benchmark did not complete on $name:" >&2
        sed -n '/orrery-bench: begin/,$p' "$dir/$name.out" | tail -n 5 >&2
        exit 1
    fi
    {
        echo "boot $(stamp_of "$name" "orrery-bench: begin")"
        echo "all $(stamp_of "$name" "orrery-bench: end")"
    } >"$dir/$name.times"
}

kernel="-kernel $cache/bzImage -initrd $cache/initramfs.cpio.gz"
append="console=ttyS0 orrery.script=bench"
i=1
while [ "$i" -le "$runs" ]; do
    echo "guest-bench: run $i of $runs: orrery" >&2
    # shellcheck disable=SC2086
    run_one "orrery.$i" "$build/orrery" -m 256 -display none -serial stdio $kernel -append "$append"
    echo "guest-bench: run $i of $runs: qemu-system-i386" >&2
    # shellcheck disable=SC2086
    run_one "qemu.$i" "$qemu" -accel tcg -cpu pentium2 -m 256 -display none -nodefaults \
        -serial stdio -no-reboot $kernel -append "$append"
    i=$((i + 1))
done
# The other engines (each name made file-safe: block,native=off -> block_native_off).
for accel in ${ENGINES-block,native=off interp}; do
    tag=$(echo "$accel" | tr ',=' '__')
    echo "$accel" >"$dir/accel-$tag.label"
    i=1
    while [ "$i" -le "${EXTRA_RUNS:-1}" ]; do
        echo "guest-bench: run $i of ${EXTRA_RUNS:-1}: orrery -accel $accel" >&2
        # shellcheck disable=SC2086
        run_one "accel-$tag.$i" "$build/orrery" -accel "$accel" -m 256 -display none \
            -serial stdio $kernel -append "$append"
        i=$((i + 1))
    done
done
native=no
if "$cache/orrery-bench" >"$dir/native.out" 2>/dev/null; then
    native=yes
fi

# One table from every run's lines: medians per engine and metric, checksums compared.
{
    for f in "$dir"/orrery.*.out "$dir"/qemu.*.out "$dir"/accel-*.out; do
        [ -f "$f" ] || continue
        engine=$(basename "$f" | cut -d. -f1)
        cut -d' ' -f2- "$f" | tr -d '\r' | sed -n "s/^orrery-bench: \([a-z0-9]*\) ms=\([0-9.]*\)\( sum=\([0-9a-f]*\)\)\{0,1\}.*/$engine \1 \2 \4/p"
        base=${f%.out}
        sed "s/^/$engine /; s/\$/ -/" "$base.times"
        n=$(instructions_of "$(basename "$base")")
        [ "$engine" != qemu ] && [ -n "$n" ] && echo "$engine insns $n -"
        [ "$engine" = orrery ] && [ -s "$base.rss" ] && echo "orrery rss $(cat "$base.rss") -"
        [ -f "$dir/$engine.label" ] && echo "$engine label $(cat "$dir/$engine.label") -"
    done
    [ "$native" = yes ] && sed -n 's/^orrery-bench: \([a-z0-9]*\) ms=\([0-9.]*\) sum=\([0-9a-f]*\)/native \1 \2 \3/p' "$dir/native.out"
} >"$dir/all"

awk '
function median(key,   n, i, j, t, v) {
    n = split(vals[key], v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return v[int((n + 1) / 2)]
}
$2 == "label" { label[$1] = $3; next }
{
    key = $1 SUBSEP $2
    vals[key] = vals[key] " " $3
    if ($1 != "native" && !(($2) in seen) && $2 != "boot" && $2 != "all" && $2 != "insns" && $2 != "rss") { seen[$2] = 1; order[++np] = $2 }
    if ($1 ~ /^accel-/ && !(($1) in isextra)) { isextra[$1] = 1; extra[++ne] = $1 }
    if ($4 != "" && $4 != "-") {
        if ((key) in sum && sum[key] != $4) bad = bad " " $1 "/" $2 "(varies)"
        sum[key] = $4
    }
}
END {
    printf "%-10s %12s %12s %8s  %s\n", "part", "orrery", "qemu", "ratio", "checksum"
    ob = median("orrery" SUBSEP "boot"); qb = median("qemu" SUBSEP "boot")
    printf "%-10s %11.1fs %11.1fs %7.2fx\n", "boot", ob, qb, ob / qb
    for (i = 1; i <= np; i++) {
        p = order[i]; if (p == "total") continue
        o = median("orrery" SUBSEP p); q = median("qemu" SUBSEP p)
        s = sum["orrery" SUBSEP p]; st = s
        if (s != sum["qemu" SUBSEP p]) { st = st " != qemu " sum["qemu" SUBSEP p]; bad = bad " " p }
        if (("native" SUBSEP p) in sum && s != sum["native" SUBSEP p]) { st = st " != native " sum["native" SUBSEP p]; bad = bad " " p }
        printf "%-10s %10.0fms %10.0fms %7.2fx  %s\n", p, o, q, (q > 0 ? o / q : 0), st
    }
    o = median("orrery" SUBSEP "total"); q = median("qemu" SUBSEP "total")
    printf "%-10s %10.0fms %10.0fms %7.2fx\n", "total", o, q, o / q
    n = median("orrery" SUBSEP "insns"); a = median("orrery" SUBSEP "all")
    if (n > 0) printf "orrery: %.0f million guest instructions in %.1f host seconds, %.1f MIPS\n", n / 1e6, a, n / 1e6 / a
    for (k = 1; k <= ne; k++) {
        e = extra[k]
        n = median(e SUBSEP "insns"); a = median(e SUBSEP "all"); t = median(e SUBSEP "total")
        for (i = 1; i <= np; i++) {
            p = order[i]
            if ((e SUBSEP p) in sum && sum[e SUBSEP p] != sum["qemu" SUBSEP p]) bad = bad " " label[e] "/" p
        }
        if (n > 0) printf "orrery -accel %s: %.0f million guest instructions in %.1f host seconds, %.1f MIPS; total %.0fms (%.2fx qemu)\n", label[e], n / 1e6, a, n / 1e6 / a, t, (q > 0 ? t / q : 0)
    }
    r = median("orrery" SUBSEP "rss")
    if (r > 0) printf "orrery: peak resident memory %.0f MiB with -m 256 (guest RAM + 64 MiB is 320 MiB)\n", r / 1024
    printf "medians of %d runs; ratio = orrery / qemu-system-i386 (TCG); boot on the host clock, parts on the guest clock\n", RUNS
    if (native) print "checksums: compared with a native run of the same binary"
    else print "checksums: no native run (this host cannot run 32-bit programs)"
    if (bad != "") { print "CHECKSUMS DIFFER:" bad; exit 1 }
}' RUNS="$runs" native="$([ "$native" = yes ] && echo 1 || echo 0)" "$dir/all"
