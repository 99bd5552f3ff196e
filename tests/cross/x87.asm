; A 64 KiB firmware image for the cross-host check (roms.sh): real mode, x87 work whose
; results land in RAM, so that two hosts' final states can differ only if their x87 does.
; 590 pseudo-random quotients, each under one of the four rounding modes (cycling), go
; through FSQRT, FSIN, FCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1, FSCALE, FPREM1,
; FRNDINT, FMUL and FDIV; the 11 80-bit results of each are stored at 1000:0000 on
; (590 x 110 bytes: 64,900, within the segment). FNSAVE/FRSTOR at the end keep the whole
; FPU in RAM too. Prints "x87 done" on port 0xE9 and halts.
bits 16
org 0
cpu 686

start:
    cli
    mov ax, 0x2000
    mov ss, ax
    mov sp, 0xFFF0
    mov ax, 0x1000
    mov ds, ax
    fninit
    xor di, di
    mov dword [ss:0x100], 2026          ; the generator's state
    mov cx, 590
.next:
    mov ax, cx
    and ax, 3
    shl ax, 10
    or ax, 0x037F                       ; all masked, extended precision, RC = cx & 3
    mov [ss:0x104], ax
    fldcw [ss:0x104]
    call random
    mov [ss:0x108], eax
    call random
    shr eax, 8
    or eax, 1
    mov [ss:0x10C], eax
    fild dword [ss:0x108]
    fidiv dword [ss:0x10C]              ; x: a quotient, of either sign, mostly |x| < 2^8
    fld st0
    fsqrt                               ; a negative x gives the default NaN
    call store
    fld st0
    fsin
    call store
    fld st0
    fcos
    call store
    fld st0
    fptan                               ; pushes 1.0 after tan(x)
    fstp st0
    call store
    fld st0
    fld1
    fpatan                              ; atan(x / 1)
    call store
    fld st0
    fld1
    fprem1                              ; the partial remainder of x by 1: into [-0.5, 0.5]
    fstp st1
    f2xm1
    call store
    fld1
    fld st1
    fabs
    fyl2x                               ; log2 |x|
    call store
    fld st0
    fld1
    fprem1
    fstp st1
    fld1
    fxch st1
    fyl2xp1                             ; log2(1 + r), |r| <= 0.5
    call store
    fld1
    fld st1
    fscale                              ; x * 2^1
    fstp st1
    call store
    fld st0
    frndint
    call store
    fld st0
    fmul st0, st0
    fld st1
    fdivp st1, st0                      ; x*x / x
    call store
    fstp st0
    dec cx
    jnz .next
    fnsave [ss:0x200]
    frstor [ss:0x200]
    mov si, done
.print:
    mov al, [cs:si]
    test al, al
    jz .halt
    out 0xE9, al
    inc si
    jmp .print
.halt:
    hlt
    jmp .halt

; store: pops ST0 as an 80-bit value at DS:DI and advances DI.
store:
    fstp tword [di]
    add di, 10
    ret

; random: EAX = the next value of a 32-bit linear congruential generator.
random:
    mov eax, [ss:0x100]
    imul eax, eax, 1103515245
    add eax, 12345
    mov [ss:0x100], eax
    ret

done: db "x87 done", 10, 0

    times 0xFFF0 - ($ - $$) db 0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
