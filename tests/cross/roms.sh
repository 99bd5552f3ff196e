#!/bin/sh
# The cross-host check on the small guests: every test ROM (roms/tests, on the models its
# ctest runs them on), an x87 workload and SeaBIOS's POST to "No bootable device." run on
# the deterministic clock on both builds, each saving its state at the end: the states
# must be identical.
#   roms.sh NATIVE_ORRERY OTHER_ORRERY ROM_FOLDER X87_IMAGE
# X87_IMAGE (x87.asm) leaves 6,490 results of the x87's arithmetic and transcendentals in
# RAM under the four rounding modes.
native=$1 other=$2 roms=$3 x87=$4
state_tool=$(dirname "$native")/orrery-state
other_state_tool=$(dirname "$other")/orrery-state
. "$(dirname "$0")/lib.sh"

count=0
# rom CPU NAME: one ROM on one model; every ROM halts long before the bound.
rom() {
    same "$2-$1" -bios "$roms/$2.bin" -cpu "$1" -m 8 -display none -icount 3 -no-reboot \
        -stop-at 20000000 -debugcon "file:@OUT@"
    count=$((count + 1))
}
for bin in "$roms"/*.bin; do
    rom pentium2 "$(basename "$bin" .bin)"
done
# The other models roms/tests/CMakeLists.txt runs them on.
rom 286 exceptions
rom 486 enter
same x87 -bios "$x87" -m 8 -display none -icount 3 -no-reboot -stop-at 20000000 \
    -debugcon "file:@OUT@"
count=$((count + 1))
grep -q "x87 done" "$dir/x87.native.out" || { echo "FAIL the x87 image did not finish"; fail=1; }
if [ -f /usr/share/seabios/bios-256k.bin ] || [ -f /usr/share/qemu/bios-256k.bin ]; then
    same seabios -m 64 -display none -icount 3 -no-reboot -stop-at 30000000 \
        -debugcon "file:@OUT@" -global isa-debugcon.iobase=0x402
    count=$((count + 1))
    grep -q "No bootable device" "$dir/seabios.native.out" ||
        { echo "FAIL SeaBIOS did not reach 'No bootable device.'"; fail=1; }
else
    echo "note SeaBIOS is not installed (apt-get install seabios): its POST is left out"
fi
[ "$count" -gt 19 ] || { echo "FAIL only $count runs: are the test ROMs built?"; fail=1; }
if [ "$fail" = 0 ]; then echo "$count passed, 0 failed"; else echo "some of $count failed"; fi
exit $fail
