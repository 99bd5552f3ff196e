# Kernel symbols for gdb against the Linux guest (sourced after lib.sh; uses $ORRERY, $dir).
# The guest's kernel (Debian's linux-image-*-686, tools/mkguest) ships an empty System.map
# and its /proc/kallsyms has text symbols only (no CONFIG_KALLSYMS_ALL), so:
# - kallsyms_boot boots the guest to its shell once, on the deterministic clock with
#   `nokaslr` (the addresses are then the same in every boot of this kernel), types a grep
#   of /proc/kallsyms for the text symbols in $KSYMS and powers it off; the lines go to
#   $dir/kallsyms ("c1d929c1 start_kernel"). Extra orrery options (-record ...) may follow.
# - kallsyms_elf writes $dir/kernel.elf: an ELF whose one section (.ktext, no file bytes,
#   placed at _text) carries those symbols, so gdb's `file` gives `break start_kernel`,
#   `x/16i get_jiffies_64` and `info symbol $pc` (gdb reads the code from the target).
# - jiffies has no symbol: $dir/jiffies.sh (run from gdb by `shell`) derives its address
#   from get_jiffies_64, which on i386 reads the 64-bit jiffies_64 (jiffies is its alias,
#   the low word) inside a seqcount loop: `mov 0xJ,%r1` then `mov 0xJ+4,%r2`, two absolute
#   loads 4 bytes apart. It takes the first such pair in the disassembly gdb wrote to
#   $dir/dis and writes $dir/jiffies.gdb: `set $jiffies = 0xJ` and a 4-byte write
#   watchpoint on it; where the pattern is not found (another kernel build) it writes one
#   line saying so and `kill`, which ends the session with the check failing. The test
#   then checks that the value there looks like jiffies: INITIAL_JIFFIES (-300 * HZ, as
#   32 bits; HZ from the kernel package's config) at start_kernel, increasing by one per
#   tick afterwards.
KSYMS="_text _etext start_kernel get_jiffies_64 do_timer tick_do_update_jiffies64
       tick_periodic tick_handle_periodic rest_init default_idle"
cache=${ORRERY_CACHE:-$HOME/.cache/orrery/guest}
GUEST="-m 256 -icount shift=2 -kernel $cache/bzImage -initrd $cache/initramfs.cpio.gz"

# guest_ready SOURCE_DIR: tools/mkguest makes or checks the guest's cache, unless
# ORRERY_GUEST_READY=1 says it is current.
guest_ready() {
    [ -n "${ORRERY_GUEST_READY:-}" ] && return
    sh "$1/tools/mkguest" > "$dir/mkguest.log" 2>&1 || { cat "$dir/mkguest.log"; exit 1; }
}

# kallsyms_boot [ORRERY OPTIONS...]: as above; the console in $dir/ks.console. Returns 1
# with one line when the guest did not print every symbol.
kallsyms_boot() {
    mkfifo "$dir/ks.in"
    # shellcheck disable=SC2086
    timeout $((900 * ${ORRERY_TIMEOUT_SCALE:-1})) "$ORRERY" -display none $GUEST \
        -append "console=ttyS0 nokaslr" -serial stdio "$@" < "$dir/ks.in" \
        > "$dir/ks.console" 2> "$dir/ks.err" &
    kpid=$!
    exec 3> "$dir/ks.in"
    ks_wait "Type 'poweroff -f'"
    sleep 1
    printf 'grep -E " [Tt] (%s)$" /proc/kallsyms; echo kallsyms-$((6 * 7))\n' \
        "$(echo $KSYMS | tr ' ' '|')" >&3
    ks_wait '^kallsyms-42'
    printf 'poweroff -f\n' >&3
    wait $kpid
    kstatus=$?
    exec 3>&-
    tr -d '\r' < "$dir/ks.console" |
        sed -n 's/^\([0-9a-f]\{8\}\) [Tt] \([A-Za-z0-9_]*\)$/\1 \2/p' | sort -k2,2 -u |
        sort > "$dir/kallsyms"
    for s in $KSYMS; do
        if ! grep -q " $s\$" "$dir/kallsyms"; then
            echo "FAIL the first boot's /proc/kallsyms gave no $s (status $kstatus):"
            tail -5 "$dir/ks.console"; cat "$dir/ks.err"
            return 1
        fi
    done
    echo "ok   kallsyms from a first boot: $(wc -l < "$dir/kallsyms") text symbols" \
         "(start_kernel at $(ksym start_kernel))"
}

ks_wait() { # PATTERN: until the console has a line matching it, or orrery ended
    for _ in $(seq $((6000 * ${ORRERY_TIMEOUT_SCALE:-1}))); do
        tr -d '\r' < "$dir/ks.console" | grep -q "$1" && return
        kill -0 $kpid 2> /dev/null || return
        sleep 0.1
    done
}

ksym() { # NAME: its address (hex, no 0x)
    sed -n "s/^\([0-9a-f]*\) $1\$/\1/p" "$dir/kallsyms"
}

kallsyms_elf() {
    base=$((0x$(ksym _text)))
    at=$base
    {
        echo '.section .ktext,"ax",@nobits'
        while read -r addr name; do
            a=$((0x$addr))
            [ $a -gt $at ] && echo ".skip $((a - at))"
            echo ".globl $name"
            echo ".type $name,@function"
            echo "$name:"
            at=$a
        done < "$dir/kallsyms"
        echo ".skip 16"
    } > "$dir/kernel.s"
    as --32 -o "$dir/kernel.o" "$dir/kernel.s" &&
        ld -m elf_i386 -e 0 --section-start=.ktext="$(printf '0x%x' $base)" \
            -o "$dir/kernel.elf" "$dir/kernel.o" || { echo "FAIL as/ld on the symbols"; return 1; }
    cat > "$dir/jiffies.sh" << 'EOF'
#!/bin/sh
# Writes jiffies.gdb from dis (x/24i get_jiffies_64): see tests/gdb/kallsyms.sh.
cd "$(dirname "$0")"
prev=
for a in $(sed -n 's/.*mov *0x\([0-9a-f]*\),%e[a-z][a-z]$/\1/p' dis); do
    if [ -n "$prev" ] && [ $((0x$a)) -eq $((0x$prev + 4)) ]; then
        printf 'set $jiffies = 0x%s\nwatch *(unsigned int *) 0x%s\n' "$prev" "$prev" > jiffies.gdb
        exit 0
    fi
    prev=$a
done
printf 'echo jiffies: no two absolute loads 4 bytes apart in get_jiffies_64\\n\nkill\n' > jiffies.gdb
EOF
}

# initial_jiffies: INITIAL_JIFFIES's low 32 bits in hex for the guest kernel's HZ (from the
# config in the kernel package tools/mkguest fetched), empty when that is not at hand.
initial_jiffies() {
    deb=$(ls "$cache"/debs/linux-image-*.deb 2> /dev/null | head -n 1)
    [ -n "$deb" ] && command -v dpkg-deb > /dev/null || return
    hz=$(dpkg-deb --fsys-tarfile "$deb" | tar xO --wildcards './boot/config-*' 2> /dev/null |
         sed -n 's/^CONFIG_HZ=//p')
    [ -n "$hz" ] && printf '%x' $(((1 << 32) - 300 * hz))
}
