#!/bin/sh
# Reverse debugging of the Linux guest (tools/mkguest) in a replay, by Debian's gdb with
# the kernel's symbols: the first boot, which prints the text symbols from /proc/kallsyms
# (tests/gdb/kallsyms.sh: `nokaslr`, typed at the shell), is recorded with a snapshot every
# $SNAP instructions. The replay, under gdb, seeks to instruction $AT (the monitor's
# replay_seek: the timer is ticking by then, and a snapshot lies just before), a write
# watchpoint on jiffies (derived from get_jiffies_64's code) is continued to its next three
# changes (F1-F3: registers, jiffies, the record's instruction count), then:
# reverse-continue goes back through the third change (jiffies is F2's value again, one
# instruction before F3's count), a second reverse-continue through the second (jiffies is
# F1's value), a stepi forward redoes the second change: every register and jiffies equal
# to what the forward run saw at F2, at F2's instruction; and a reverse-stepi goes one
# instruction back (its time is printed). Prints the record's size and the recording and
# reverse-stepping times.
#   gdb_linux.sh ORRERY SOURCE_DIR    (ORRERY_GUEST_READY=1: the guest cache is known to be
#                                      current, tools/mkguest is not run)
ORRERY=$1
. "$(dirname "$0")/../gdb/lib.sh"
. "$(dirname "$0")/../gdb/kallsyms.sh"
guest_ready "$2"
SNAP=1000000000
AT=3001000000
now() { date +%s.%N; }
t0=$(now)
kallsyms_boot -record "$dir/boot.rec,snapshot=$SNAP" || exit 1
t1=$(now)
kallsyms_elf || exit 1
end=$(sed -n 's/.*exiting after \([0-9]*\) instructions/\1/p' "$dir/ks.err")

# shellcheck disable=SC2086
start -S $GUEST -append "console=ttyS0 nokaslr" -serial null -replay "$dir/boot.rec" \
    -gdb tcp::0
regs() { # NAME: gdb's printf of jiffies and the registers, on a line starting with NAME
    printf '%s' "printf \"$1 j=%x eax=%x ebx=%x ecx=%x edx=%x esi=%x edi=%x ebp=%x esp=%x" \
        " eip=%x eflags=%x cs=%x ss=%x ds=%x cr0=%x cr3=%x\\n\", *(unsigned *)\$jiffies," \
        " \$eax, \$ebx, \$ecx, \$edx, \$esi, \$edi, \$ebp, \$esp, \$eip, (int)\$eflags," \
        " \$cs, \$ss, \$ds, \$cr0, \$cr3"
}
cat > "$dir/cmds" << EOF2
set remotetimeout $((600 * ${ORRERY_TIMEOUT_SCALE:-1}))
symbol-file $dir/kernel.elf
monitor replay_seek $AT
maintenance flush register-cache
monitor info replay
pipe x/24i get_jiffies_64 | cat > $dir/dis
shell sh $dir/jiffies.sh
source $dir/jiffies.gdb
continue
$(regs F1)
monitor info replay
continue
$(regs F2)
monitor info replay
continue
$(regs F3)
info symbol \$pc
monitor info replay
reverse-continue
$(regs R3)
monitor info replay
reverse-continue
$(regs R2)
monitor info replay
stepi
$(regs F2)
monitor info replay
shell echo "before \$(date +%s.%N)"
reverse-stepi
shell echo "after \$(date +%s.%N)"
monitor info replay
kill
EOF2
session_long "$dir/cmds"
stopped

at() { # N: the instruction count of the Nth "monitor info replay" answer
    sed -n 's/^Replaying.*: instruction \([0-9]*\) of.*/\1/p' "$dir/gdb" | sed -n "$1p"
}
line() { # NAME [N]: the Nth (default 1st) register line NAME printed
    grep "^$1 j=" "$dir/gdb" | sed -n "${2:-1}p"
}
jif() { line "$1" "${2:-1}" | sed -n 's/^[A-Z0-9]* j=\([0-9a-f]*\) .*/\1/p'; }
check() { # NAME CONDITION-STATUS DETAIL
    if [ "$2" = 0 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; fail=1; fi
}
c0=$(at 1) c1=$(at 2) c2=$(at 3) c3=$(at 4) r3=$(at 5) r2=$(at 6) s2=$(at 7) b=$(at 8)
check "replay_seek to $AT" "$([ "$c0" = "$AT" ]; echo $?)" "at '$c0'"
expect jiffies_derived '^Hardware watchpoint [0-9]+: \*\(unsigned int \*\) 0xc[0-9a-f]{7}$'
j1=$(jif F1) j2=$(jif F2) j3=$(jif F3)
check "three jiffies ticks forward ($j1 $j2 $j3 at $c1 $c2 $c3)" \
    "$([ -n "$j3" ] && [ $((0x$j2)) -gt $((0x$j1)) ] && [ $((0x$j3)) -gt $((0x$j2)) ] &&
       [ "$c3" -gt "$c2" ] && [ "$c2" -gt "$c1" ]; echo $?)" "no three increasing ticks after $AT"
expect tick_in_timer_code '^(do_timer|tick_do_update_jiffies64) \+ [0-9]+ in section'
check "reverse-continue back through the third change: jiffies $j2 again" \
    "$([ -n "$j2" ] && [ "$(jif R3)" = "$j2" ]; echo $?)" "$(line R3)"
check "one instruction before the third change ($r3)" \
    "$([ -n "$c3" ] && [ "$r3" = $((c3 - 1)) ]; echo $?)" "at '$r3', the change at '$c3'"
check "reverse-continue back through the second change: jiffies $j1 again" \
    "$([ -n "$j1" ] && [ "$(jif R2)" = "$j1" ]; echo $?)" "$(line R2)"
check "one instruction before the second change ($r2)" \
    "$([ -n "$c2" ] && [ "$r2" = $((c2 - 1)) ]; echo $?)" "at '$r2', the change at '$c2'"
check "stepi redoes the second change: registers and jiffies as the forward run saw them" \
    "$([ -n "$(line F2)" ] && [ "$(line F2 1)" = "$(line F2 2)" ] && [ "$s2" = "$c2" ]; echo $?)" \
    "forward: $(line F2 1) at $c2; again: $(line F2 2) at $s2"
check "reverse-stepi one instruction back ($b)" "$([ -n "$s2" ] && [ "$b" = $((s2 - 1)) ]; echo $?)" \
    "at '$b'"
expect killed 'Inferior 1 \(Remote target\) killed'
t_b=$(sed -n 's/^before //p' "$dir/gdb") t_a=$(sed -n 's/^after //p' "$dir/gdb")
echo "info record: $end instructions to poweroff, $(wc -c < "$dir/boot.rec") bytes" \
     "(snapshot=$SNAP), recorded in $(echo "$t1 - $t0" | bc) s (with the typing, host-timed);" \
     "reverse-stepi at instruction $s2 took $(echo "$t_a - $t_b" | bc) s"
finish
