; bench alu: 16-bit real-mode integer work (the kind a DOS program does): ALU operations,
; shifts, multiplies, conditional branches and a small table lookup, then the exit port.
%include "lib.inc"

ROUNDS equ 400

ROM_START "bench_alu"
    mov dx, ROUNDS
.round:
    mov cx, 0x8000
    mov ax, 0x1234
    mov bx, 0x5678
.inner:
    add ax, bx
    rol bx, 3
    xor ax, cx
    imul si, ax, 7
    shr si, 1
    adc bx, si
    test al, 1
    jz .even
    inc bx
.even:
    dec cx
    jnz .inner
    dec dx
    jnz .round
    CHECK16 dx, 0, "bench_alu_ran"
    mov al, 0
    out 0xF4, al
    ROM_DONE
