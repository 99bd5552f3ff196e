; bench string: 32-bit protected mode with paging on, REP STOSD fills and REP MOVSD copies
; (forward, the memset and memcpy of C libraries) over 1 MiB, then a byte-wise REP MOVSB
; tail; then the exit port. Used by tests/bench/run-rom-bench.sh.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

ROUNDS    equ 1024                  ; fills and copies of the buffer
SRC       equ 0x100000
DST       equ 0x200000
BUF_WORDS equ 0x40000               ; 1 MiB of dwords

ROM_START "bench_string"
    jmp pm_enter

PM32_CODE
pm_main:
    mov edi, 0x8000                 ; page directory: identity map 0-4 MiB
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov dword [0x8000], 0x9003
    mov edi, 0x9000
    mov eax, 3
    mov ecx, 1024
.map:
    stosd
    add eax, 0x1000
    loop .map
    mov eax, 0x8000
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    cld

    mov edx, ROUNDS
.round:
    mov eax, edx                    ; a different fill each round
    mov edi, SRC
    mov ecx, BUF_WORDS
    rep stosd
    mov esi, SRC
    mov edi, DST + 1                ; misaligned destination
    mov ecx, BUF_WORDS
    rep movsd
    mov esi, SRC
    mov edi, DST
    mov ecx, 4093                   ; an odd byte count
    rep movsb
    dec edx
    jnz .round
    ; DST + 1 holds the last fill (round 1): the copy arrived
    mov eax, [DST + 0x1001]
    PCHECK32 eax, 1, "bench_string_ran"
    mov al, 0
    out 0xF4, al                    ; QEMU's isa-debug-exit; nothing on orrery
    PM_DONE
