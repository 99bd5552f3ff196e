; tests/trace/mem.asm — a 64 KiB firmware image for tests/trace/mem.sh: in real mode it
; makes a known list of data accesses (byte, word and dword reads and writes, a string
; move, a push and a pop, x87 and MMX stores, then a string move whose read succeeds and
; whose write faults #GP) so that the MEM records of -trace-file FILE,mem=on can be
; checked one by one. The #GP handler steps over the faulting instruction; HLT with
; interrupts off ends the run.
bits 16
org 0

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [13 * 4], gp           ; the #GP vector: gp in this ROM
    mov word [13 * 4 + 2], 0xF000
    mov byte [0x600], 0x11
    mov word [0x602], 0x2233
    mov dword [0x604], 0x44556677
    mov al, [0x600]
    mov bx, [0x602]
    mov ecx, [0x604]
    mov si, 0x600
    mov di, 0x610
    movsw                           ; reads 0x600, writes 0x610
    push word 0x1234
    pop dx
    fninit
    fld1
    fstp qword [0x620]              ; 1.0 as a double
    fld1
    fstp tword [0x630]              ; 1.0 as 80 bits
    mov eax, 0x89ABCDEF
    movd mm0, eax
    movq [0x640], mm0               ; MMX: 64 bits
    emms
    mov di, 0xFFFF
    movsw                           ; reads 0x602; the write at ES:FFFF is past the limit
    hlt                             ; interrupts are off: orrery stops here

gp:                                 ; step over the one-byte MOVSW that faulted
    pop ax
    inc ax
    push ax
    iret

    times 0xFFF0 - ($ - $$) db 0
reset:
    jmp 0xF000:start                ; the reset vector, seen at F000:FFF0
    times 0x10000 - ($ - $$) db 0
