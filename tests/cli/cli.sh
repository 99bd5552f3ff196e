#!/bin/sh
# The command line of build/orrery: bad input ends with exactly one line on stderr naming
# the problem and a non-zero exit; good input runs tiny firmware images made here.
#   cli.sh ORRERY
set -u
orrery=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

# image NAME CODE: a 64 KiB image, CODE (printf octal escapes) at F000:0000 and a reset
# vector jumping there.
image() {
    head -c 65536 /dev/zero > "$dir/$1"
    printf "$2" | dd of="$dir/$1" bs=1 conv=notrunc 2>/dev/null
    printf '\352\000\000\000\360' | dd of="$dir/$1" bs=1 seek=65520 conv=notrunc 2>/dev/null
}
image hi.bin '\260\150\346\351\260\151\346\351\260\012\346\351\372\364'   # "hi\n"; cli; hlt
image loop.bin '\260\150\346\351\260\012\346\351\260\170\346\351\353\376' # "h\nx"; jmp $
image triple.bin '\260\122\346\351\056\017\001\036\000\001\314'           # "R"; lidt 0; int3
image post.bin '\260\102\346\200\372\364'                                 # out 0x80, 0x42; cli; hlt
image dbg402.bin '\272\002\004\260\150\356\260\012\356\372\364'        # "h\n" to port 0x402; cli; hlt
image kbcreset.bin '\260\122\346\351\260\376\346\144\353\376'           # "R"; out 0x64, 0xFE; jmp $
head -c 1000 /dev/zero > "$dir/small.bin"

# poke FILE OFFSET BYTES: writes printf-escaped bytes at a decimal offset.
poke() {
    printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# A fake bzImage (one setup sector, boot protocol 2.15, loads at 1 MiB) whose 32-bit
# payload prints "K" on COM1, then echoes COM1's input until a newline, then halts.
bz=$dir/bz.img
head -c 5120 /dev/zero > "$bz"
poke "$bz" 497 '\001'                 # 0x1F1 setup_sects
poke "$bz" 510 '\125\252\353\152HdrS\017\002' # 0x1FE boot_flag, jump, magic, version
poke "$bz" 529 '\001'                 # 0x211 loadflags: LOADED_HIGH
poke "$bz" 532 '\000\000\020\000'     # 0x214 code32_start
poke "$bz" 556 '\377\377\377\177\000\000\020\000\001' # initrd_addr_max, alignment, relocatable
poke "$bz" 568 '\377'                 # 0x238 cmdline_size
poke "$bz" 600 '\000\000\020\000'     # 0x258 pref_address
poke "$bz" 608 '\000\000\004\000'     # 0x260 init_size
poke "$bz" 1024 '\146\272\370\003\260\113\356\146\272\375\003\354\250\001\164\367\146\272\370\003\354\356\074\012\165\355\364'
head -c 4096 /dev/zero > "$dir/zero.img"
printf 'ab\n' > "$dir/in.ab"
head -c 17825792 /dev/zero > "$dir/big.bin"

# bad EXPECTED-TEXT ARGS...: non-zero exit, nothing on stdout, one line with the text.
bad() {
    want=$1
    shift
    "$orrery" "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    lines=$(wc -l < "$dir/err")
    if [ "$rc" -eq 0 ] || [ "$lines" -ne 1 ] || [ -s "$dir/out" ] ||
       ! grep -qF -- "$want" "$dir/err" || ! grep -q '^orrery: ' "$dir/err"; then
        echo "FAIL orrery $*: exit $rc, stderr: $(cat "$dir/err")"
        fail=1
    else
        echo "ok   orrery $*: $(cat "$dir/err")"
    fi
}

# good EXPECTED-STDOUT ARGS...: exit 0 and exactly that on stdout.
good() {
    want=$1
    shift
    "$orrery" "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    if [ "$rc" -ne 0 ] || [ "$(cat "$dir/out")" != "$want" ]; then
        echo "FAIL orrery $*: exit $rc, stdout: $(cat "$dir/out"), stderr: $(cat "$dir/err")"
        fail=1
    else
        echo "ok   orrery $*"
    fi
}

hi=$dir/hi.bin
bad "unknown option '-frobnicate'" -frobnicate -bios "$hi"
bad "unexpected argument 'disk.img'" disk.img
bad "option '-m' needs an argument" -bios "$hi" -m
bad "option '-bios' needs an argument" -bios
bad "-m abc: not a size" -m abc -bios "$hi"
bad "-m 12x: not a size" -m 12x -bios "$hi"
bad "-m 0: " -m 0 -bios "$hi"
bad "-m 4G: too large" -m 4G -bios "$hi"
bad "-m 3585: too large" -m 3585 -bios "$hi"
bad "-m 512K: too small" -m 512K -bios "$hi"
bad "-m 0.16777312T: too large" -m 0.16777312T -bios "$hi"
bad "-m 99999999999999999999999: too large" -m 99999999999999999999999 -bios "$hi"
bad "-m 8388608T: too large" -m 8388608T -bios "$hi"
bad "-m 0.5K: too small" -m 0.5K -bios "$hi"
good "hi" -bios "$hi" -debugcon stdio -m 0.0034T
# The exit line says why and how many instructions ran (hi.bin: 9, the far jump and the
# HLT included; EIP is past the HLT).
if grep -q "halted with interrupts disabled (at F000:000E); exiting after 9 instructions" "$dir/err"; then
    echo "ok   the exit line counts the instructions"
else
    echo "FAIL the exit line: $(cat "$dir/err")"
    fail=1
fi
bad "-cpu z80: unknown CPU model" -cpu z80 -bios "$hi"
bad "-accel kvm: unknown accelerator; give -accel block, interp or lockstep" -accel kvm -bios "$hi"
bad "-engine jit: unknown accelerator" -engine jit -bios "$hi"
bad "option '-L' needs an argument" -bios "$hi" -L
# Without -bios, SeaBIOS's bios-256k.bin is looked for in the -L folders first.
mkdir "$dir/fw-small" "$dir/fw-hi"
cp "$dir/small.bin" "$dir/fw-small/bios-256k.bin"
cp "$hi" "$dir/fw-hi/bios-256k.bin"
bad "BIOS image '$dir/fw-small/bios-256k.bin' is 1000 bytes" -m 64 -L "$dir/fw-small"
bad "cannot open BIOS image '$dir/missing.bin'" -bios "$dir/missing.bin"
bad "is 1000 bytes; it must be a multiple of 64 KiB" -bios "$dir/small.bin"
bad "is 17 MiB; it must be a multiple of 64 KiB, at most 16 MiB" -bios "$dir/big.bin"
bad "-display gtk: unsupported; use -display sdl" -display gtk -bios "$hi"
bad "-display sdl,gl=es: unsupported option 'gl=es'" -display sdl,gl=es -bios "$hi"
# ctest runs this without $DISPLAY (tests/CMakeLists.txt): no window system, or no SDL2.
DISPLAY= WAYLAND_DISPLAY= bad "-display sdl: " -display sdl -bios "$hi"
bad "-debugcon tcp:1234: unsupported" -debugcon tcp:1234 -bios "$hi"
bad "-d ioport,frob: unknown log item 'frob'" -d ioport,frob -bios "$hi"
bad "cannot create debugcon file" -bios "$hi" -debugcon file:"$dir/no/such/dir"
bad "option '-kernel' needs an argument" -kernel
bad "cannot open kernel '$dir/missing.img'" -kernel "$dir/missing.img"
bad "kernel '$dir/zero.img' is not a Linux bzImage" -kernel "$dir/zero.img"
bad "-initrd needs a kernel" -bios "$hi" -initrd "$dir/zero.img"
bad "-append needs a kernel" -bios "$hi" -append "console=ttyS0"
bad "cannot open initrd '$dir/missing.gz'" -kernel "$bz" -initrd "$dir/missing.gz"
bad "does not fit in RAM above the kernel" -kernel "$bz" -initrd "$dir/big.bin" -m 8
# A bzImage cut short (syssize, in 16-byte units, says more follows the setup than the
# file holds) is refused; so is an initrd that fits no -m, from its size alone (a sparse
# 3.5 GiB file: reading it would take 3.5 GiB of memory).
cp "$bz" "$dir/bzcut.img"
poke "$dir/bzcut.img" 500 '\001\002'  # 0x1F4 syssize 0x201: 8208 bytes; the file has 4096
bad "kernel '$dir/bzcut.img' is truncated: its header says 8208 bytes follow the setup, the file has 4096" \
    -kernel "$dir/bzcut.img"
truncate -s 3584M "$dir/huge.img"
bad "initrd '$dir/huge.img' (3584 MiB) does not fit in RAM above the kernel (which needs up to 2 MiB) with any -m" \
    -kernel "$bz" -initrd "$dir/huge.img"
truncate -s 100M "$dir/mid.img"
bad "initrd '$dir/mid.img' (100 MiB) does not fit in RAM above the kernel (which needs up to 2 MiB); give -m 102 or more" \
    -kernel "$bz" -initrd "$dir/mid.img" -m 64
bad "-serial tcp:1234: unsupported" -kernel "$bz" -serial tcp:1234
bad "-serial file: needs a path" -kernel "$bz" -serial file:
bad "cannot create serial file" -kernel "$bz" -serial file:"$dir/no/such/file"
bad "-icount shift=11: 'shift=11' is not a shift of 0-10" -icount shift=11 -bios "$hi"
bad "-icount fast: 'fast' is not a shift" -icount fast -bios "$hi"
bad "-icount auto: shift=auto is not supported" -icount auto -bios "$hi"
bad "-icount sleep=off: no shift given" -icount sleep=off -bios "$hi"
bad "-icount 3,sleep=on: only sleep=off exists" -icount 3,sleep=on -bios "$hi"
bad "option '-icount' needs an argument" -bios "$hi" -icount
bad "-rtc base=2023-02-29: '2023-02-29' is not a date" -rtc base=2023-02-29 -bios "$hi"
bad "-rtc base=2024-01-01T25:00:00: '2024-01-01T25:00:00' is not a date" \
    -rtc base=2024-01-01T25:00:00 -bios "$hi"
bad "-rtc driftfix=slew: unsupported option 'driftfix=slew'" -rtc driftfix=slew -bios "$hi"
bad "-global vga.vgamem_mb=16: unsupported" -global vga.vgamem_mb=16 -bios "$hi"
bad "-global isa-debugcon.iobase=0x10000: '0x10000' is not an I/O port" \
    -global isa-debugcon.iobase=0x10000 -bios "$hi"
bad "-global isa-debugcon.iobase=: '' is not an I/O port" -global isa-debugcon.iobase= -bios "$hi"
# Accepted silently before: empty or repeated items, a log file with nothing to log, RAM
# a 286 cannot address.
bad "-rtc '': an empty option" -rtc "" -bios "$hi"
bad "-rtc 'base=utc,': an empty option" -rtc base=utc, -bios "$hi"
bad "-icount 3,3: the shift is given twice" -icount 3,3 -bios "$hi"
bad "-rtc base=utc,base=utc: base= is given twice" -rtc base=utc,base=utc -bios "$hi"
bad "-icount shift=3,: an empty option" -icount shift=3, -bios "$hi"
bad "-d ,,,: an empty log item" -d ,,, -bios "$hi"
bad "-D $dir: nothing to log; give -d ITEMS too" -D "$dir" -bios "$hi"
bad "RAM size 3584 MiB does not fit the 16 MiB address space of the 286 below its 64 KiB BIOS; give -m 15M or less" \
    -cpu 286 -m 3584 -bios "$hi"

good "hi" -bios "$hi" -debugcon stdio
good "hi" -L "$dir/fw-hi" -debugcon stdio
good "hi" -L "$dir/fw-small" -bios "$hi" -debugcon stdio
good "hi" -bios "$hi" -display none -debugcon stdio -m 64 -cpu 486
good "hi" --bios "$hi" --debugcon stdio --m 64M --cpu i386
good "hi" -bios "$hi" -debugcon stdio -m 1G -cpu pentium
good "hi" -bios "$hi" -debugcon stdio -m 1.5G -cpu 486
good "hi" -bios "$hi" -debugcon stdio -accel interp
good "hi" -bios "$hi" -debugcon stdio -engine translate
good "hi" -bios "$hi" -debugcon stdio -accel lockstep
# Lockstep's last line says what it compared: at least one block of hi.bin.
if grep -Eq "^orrery: lockstep compared [1-9][0-9]* blocks \([0-9]+ instructions\); [0-9]+ cut before a device access$" "$dir/err"; then
    echo "ok   -accel lockstep says what it compared"
else
    echo "FAIL -accel lockstep's last line: $(cat "$dir/err")"
    fail=1
fi
good "hi" -bios "$hi" -debugcon stdio -m 16320K -cpu 286
good "hi" -bios "$hi" -debugcon stdio -m size=3584M -cpu p2
good "" -bios "$hi"
good "" -bios "$hi" -debugcon null
# The debug console where SeaBIOS writes its log (QEMU: -global isa-debugcon.iobase=0x402).
good "h" -bios "$dir/dbg402.bin" -debugcon stdio -global isa-debugcon.iobase=0x402
good "h" -bios "$dir/dbg402.bin" -debugcon stdio -global isa-debugcon.iobase=1026
good "" -bios "$dir/dbg402.bin" -debugcon stdio
good "hi" -bios "$hi" -debugcon stdio -icount 0
good "hi" -bios "$hi" -debugcon stdio -icount shift=10,sleep=off
good "hi" -bios "$hi" -debugcon stdio -rtc base=2024-02-29T23:59:59
good "hi" -bios "$hi" -debugcon stdio -rtc base=1999-12-31 -icount 3
good "hi" -bios "$hi" -debugcon stdio -rtc base=localtime
good "hi" -bios "$hi" -debugcon stdio --rtc base=utc

# -kernel with COM1 on stdio, a file, or the -nographic terminal (here a pipe: bytes in,
# never blocking). The payload echoes one line of input.
good "Kab" -kernel "$bz" -serial stdio < "$dir/in.ab"
good "Kab" -kernel "$bz" -nographic < "$dir/in.ab"
good "Kab" -kernel "$bz" -m 2 -append "console=ttyS0" -initrd "$dir/in.ab" -nographic < "$dir/in.ab"
# wait_for FILE TEXT: up to 20 s (times ORRERY_TIMEOUT_SCALE) for TEXT to appear in FILE;
# a FAIL line when it does not. FILE must be new to this run: text left in it by an earlier
# one would be found before the process truncates it, and the keys sent too soon.
wait_for() {
    n=0
    while ! grep -q "$2" "$1" 2>/dev/null && [ "$n" -lt $((400 * ${ORRERY_TIMEOUT_SCALE:-1})) ]; do
        sleep 0.05
        n=$((n + 1))
    done
    if ! grep -q "$2" "$1" 2>/dev/null; then
        echo "FAIL waited in vain for '$2' in $(basename "$1"): $(cat "$1" 2>/dev/null)"
        fail=1
    fi
}
"$orrery" -kernel "$bz" -serial file:"$dir/ser.out" < /dev/null 2>"$dir/err" &
pid=$!
# The guest has printed K and waits for input (a fixed sleep is too short for a slow host,
# an emulated one under qemu-user say).
wait_for "$dir/ser.out" K
kill "$pid"
wait "$pid"
if [ "$(cat "$dir/ser.out")" = "K" ] && grep -q "terminating on signal.*at 0010:" "$dir/err"; then
    echo "ok   -serial file: and the guest's CS:EIP on SIGTERM"
else
    echo "FAIL -serial file: '$(cat "$dir/ser.out")' / $(cat "$dir/err")"
    fail=1
fi
# Escape keys: Ctrl-A Ctrl-A sends Ctrl-A; Ctrl-A h lists the keys; Ctrl-A x quits (exit 0).
# Keys go in through a FIFO, each group once the guest has answered the one before.
mkfifo "$dir/keys"
"$orrery" -kernel "$bz" -nographic < "$dir/keys" >"$dir/out.esc" 2>"$dir/err" &
pid=$!
exec 3>"$dir/keys"
printf 'a\001\001' >&3
wait_for "$dir/out.esc" "$(printf 'a\001')"
printf '\001h\001c' >&3
wait_for "$dir/out.esc" "(qemu) "
printf '\001x' >&3
wait "$pid"
rc=$?
exec 3>&-
if [ "$rc" -eq 0 ] && [ "$(head -c 3 "$dir/out.esc")" = "$(printf 'Ka\001')" ] &&
   grep -q "C-a x    exit emulator" "$dir/out.esc" && grep -q "^(qemu) " "$dir/out.esc" &&
   grep -q "terminated (Ctrl-A x)" "$dir/out.esc"; then
    echo "ok   -nographic escapes: Ctrl-A Ctrl-A, h, c (the monitor), x"
else
    echo "FAIL -nographic escapes: exit $rc: $(cat "$dir/out.esc") / $(cat "$dir/err")"
    fail=1
fi
# Ctrl-A s saves the running machine to orrery-DATE-TIME.state in the current folder and
# says so; -loadstate starts from it: the restored guest is in its echo loop (no second
# "K") and echoes what it gets.
mkdir "$dir/save"
mkfifo "$dir/keys2"
(cd "$dir/save" && exec "$orrery" -kernel "$bz" -nographic) < "$dir/keys2" >"$dir/out.save" 2>"$dir/err" &
pid=$!
exec 3>"$dir/keys2"
printf 'a' >&3
wait_for "$dir/out.save" "Ka"
printf '\001s' >&3
wait_for "$dir/out.save" "saved the machine to"
printf '\001x' >&3
wait "$pid"
exec 3>&-
state=$(ls "$dir/save"/orrery-*.state 2>/dev/null | head -n 1)
if [ -n "$state" ] && grep -q "saved the machine to orrery-[0-9]*-[0-9]*.state" "$dir/out.save"; then
    echo "ok   Ctrl-A s saved $(basename "$state")"
    printf 'b\n' > "$dir/in.b"
    good "$(printf 'b\n')" -kernel "$bz" -serial stdio -loadstate "$state" < "$dir/in.b"
    bad "saved from a machine with -cpu pentium2 -m 128M; this one has -cpu pentium2 -m 64M" \
        -kernel "$bz" -m 64 -loadstate "$state"
else
    echo "FAIL Ctrl-A s: $(cat "$dir/out.save") / $(cat "$dir/err")"
    fail=1
fi
bad "cannot open saved state '$dir/none.state'" -kernel "$bz" -loadstate "$dir/none.state"
bad "is not an orrery saved state" -kernel "$bz" -loadstate "$dir/zero.img"
bad "-stop-at 12x: not an instruction count" -kernel "$bz" -stop-at 12x
# -stop-at stops at that instruction (exit 0); -savestate saves there.
"$orrery" -bios "$dir/loop.bin" -debugcon null -stop-at 1000 -savestate "$dir/s.state" \
    >"$dir/out" 2>"$dir/err"
if [ $? -eq 0 ] && grep -q "stopped after 1000 instructions (-stop-at)" "$dir/err" &&
   grep -q "saved the machine to $dir/s.state after 1000 instructions" "$dir/err" &&
   [ -s "$dir/s.state" ] && [ ! -e "$dir/s.state.tmp" ]; then
    echo "ok   -stop-at 1000 -savestate"
else
    echo "FAIL -stop-at -savestate: $(cat "$dir/err")"
    fail=1
fi
# -savestate replaces a regular file or nothing, and its path is checked before the run:
# a FIFO (or a FIFO where PATH.tmp goes) stays a FIFO, a missing folder stops at once.
mkfifo "$dir/fifo.state" "$dir/s2.state.tmp"
bad "saved state '$dir/fifo.state': exists and is not a regular file" \
    -bios "$hi" -debugcon stdio -savestate "$dir/fifo.state"
bad "saved state '$dir/s2.state.tmp': exists and is not a regular file" \
    -bios "$hi" -debugcon stdio -savestate "$dir/s2.state"
bad "cannot create saved state '$dir/no/such/s.state.tmp'" \
    -bios "$hi" -debugcon stdio -savestate "$dir/no/such/s.state"
if [ -p "$dir/fifo.state" ] && [ -p "$dir/s2.state.tmp" ]; then
    echo "ok   -savestate left the FIFOs alone"
else
    echo "FAIL -savestate replaced a FIFO"
    fail=1
fi
bad "cannot open option ROM '$dir/none.rom'" -bios "$hi" -option-rom "$dir/none.rom"
bad "option ROM '/dev/null' is empty" -bios "$hi" -option-rom /dev/null
# -screendump and -textdump: their files are created before the run; at exit they hold the
# screen (a 9x1 text mode of the VGA's reset state here: a PPM and one blank row).
bad "cannot create screen dump '$dir/no/such/s.ppm'" \
    -bios "$hi" -debugcon stdio -screendump "$dir/no/such/s.ppm"
bad "cannot create text dump '$dir/no/such/s.txt'" \
    -bios "$hi" -debugcon stdio -textdump "$dir/no/such/s.txt"
good "hi" -bios "$hi" -debugcon stdio -screendump "$dir/s.ppm" -textdump "$dir/s.txt"
if [ "$(head -c 9 "$dir/s.ppm" | tr '\n' ' ')" = "P6 9 1 25" ] && [ "$(cat "$dir/s.txt")" = " " ]; then
    echo "ok   -screendump and -textdump wrote the screen at exit"
else
    echo "FAIL -screendump/-textdump: $(head -c 20 "$dir/s.ppm" | od -c | head -2), text '$(cat "$dir/s.txt")'"
    fail=1
fi
# A state remembers its firmware and kernel (size, CRC-32): another -bios or -kernel, or
# none, is refused with one line.
bad "the state was saved with a -bios of 65536 bytes (CRC-32 0x" \
    -bios "$hi" -loadstate "$dir/s.state"
bad "the state was saved with a -bios of 65536 bytes (CRC-32 0x" \
    -kernel "$bz" -loadstate "$dir/s.state"
"$orrery" -kernel "$bz" -stop-at 1000 -savestate "$dir/k.state" </dev/null 2>/dev/null
cp "$bz" "$dir/bz2.img"
poke "$dir/bz2.img" 5000 '\001'
bad "the state was saved with a -kernel of 5120 bytes (CRC-32 0x" \
    -kernel "$dir/bz2.img" -loadstate "$dir/k.state"
good "" -kernel "$bz" -stop-at 1000 -loadstate "$dir/k.state" </dev/null
# Without escapes (-serial stdio) Ctrl-A is a byte like any other.
printf 'a\001x\n' > "$dir/in.raw"
good "$(printf 'Ka\001x')" -kernel "$bz" -serial stdio < "$dir/in.raw"

# A write that fails (/dev/full is a full disk) is reported once, by name, with exit 1.
bad "debugcon file '/dev/full': cannot write: No space left on device" \
    -bios "$hi" -debugcon file:/dev/full
bad "log file '/dev/full': cannot write: No space left on device" \
    -bios "$hi" -d ioport -D /dev/full
bad "serial file '/dev/full': cannot write: No space left on device" \
    -kernel "$bz" -serial file:/dev/full < "$dir/in.ab"
"$orrery" -bios "$hi" -debugcon stdio >/dev/full 2>"$dir/err"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l < "$dir/err")" -eq 1 ] &&
   grep -q "^orrery: debugcon (standard output): cannot write: No space left" "$dir/err"; then
    echo "ok   -debugcon stdio to a full disk: $(cat "$dir/err")"
else
    echo "FAIL -debugcon stdio to a full disk: exit $rc, $(cat "$dir/err")"
    fail=1
fi

# -version, -h and -cpu help answer on stdout and exit 0.
for args in "-version" "-h" "--help" "-cpu help" "-d help"; do
    # shellcheck disable=SC2086
    if "$orrery" $args >"$dir/out" 2>&1 && [ -s "$dir/out" ]; then
        echo "ok   orrery $args"
    else
        echo "FAIL orrery $args: $(cat "$dir/out")"
        fail=1
    fi
done
"$orrery" -version | grep -q "^orrery version [0-9]" || { echo "FAIL -version line"; fail=1; }

# -d ioport: one line per access, to -D's file.
"$orrery" -bios "$hi" -debugcon null -d ioport -D "$dir/io.log" 2>/dev/null
if [ "$(head -n 1 "$dir/io.log")" = "out 0x00e9 1 0x68" ] && [ "$(wc -l < "$dir/io.log")" -eq 3 ]; then
    echo "ok   -d ioport -D"
else
    echo "FAIL -d ioport -D: $(cat "$dir/io.log")"
    fail=1
fi

# -d postcode: each POST code written to port 0x80.
"$orrery" -bios "$dir/post.bin" -d postcode -D "$dir/post.log" 2>/dev/null
if [ "$(cat "$dir/post.log")" = "POST 0x42" ]; then
    echo "ok   -d postcode"
else
    echo "FAIL -d postcode: $(cat "$dir/post.log")"
    fail=1
fi

# A reset through the keyboard controller (command 0xFE) with -no-reboot exits 0.
"$orrery" -bios "$dir/kbcreset.bin" -debugcon stdio -no-reboot >"$dir/out" 2>"$dir/err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$dir/out")" = "R" ] && grep -q "reset the machine.*-no-reboot" "$dir/err"; then
    echo "ok   keyboard controller reset with -no-reboot: $(cat "$dir/err")"
else
    echo "FAIL keyboard controller reset with -no-reboot: exit $rc, $(cat "$dir/out") / $(cat "$dir/err")"
    fail=1
fi

# A triple fault with -no-reboot exits 0 with a message.
"$orrery" -bios "$dir/triple.bin" -debugcon stdio -no-reboot >"$dir/out" 2>"$dir/err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$dir/out")" = "R" ] && grep -q "triple fault.*-no-reboot" "$dir/err"; then
    echo "ok   triple fault with -no-reboot: $(cat "$dir/err")"
else
    echo "FAIL triple fault with -no-reboot: exit $rc, $(cat "$dir/out") / $(cat "$dir/err")"
    fail=1
fi

# SIGINT and SIGTERM: a clean exit that flushes the debug console. The guest prints "h\n"
# (flushed at the newline, which shows it is running), then "x" and loops.
for sig in INT TERM; do
    "$orrery" -bios "$dir/loop.bin" -debugcon file:"$dir/con.$sig" 2>"$dir/err" &
    pid=$!
    n=0
    while [ "$(cat "$dir/con.$sig" 2>/dev/null)" != "h" ] && [ "$n" -lt 200 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    kill -s "$sig" "$pid"
    wait "$pid"
    rc=$?
    if [ "$rc" -eq 0 ] && [ "$(printf 'h\nx')" = "$(cat "$dir/con.$sig")" ] &&
       grep -q "terminating on signal" "$dir/err"; then
        echo "ok   SIG$sig: $(cat "$dir/err")"
    else
        echo "FAIL SIG$sig: exit $rc, debugcon '$(cat "$dir/con.$sig")', $(cat "$dir/err")"
        fail=1
    fi
done
exit $fail
