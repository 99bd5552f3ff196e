; bench mem: 32-bit protected mode with paging on, a loop of loads, stores and ALU work
; over 1 MiB of memory, then the exit port. Used by tests/bench/run-rom-bench.sh.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

ROUNDS    equ 64                    ; passes over the buffer
BUF       equ 0x100000
BUF_WORDS equ 0x40000               ; 1 MiB of dwords

ROM_START "bench_mem"
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

    mov edx, ROUNDS
.round:
    mov esi, BUF
    mov ecx, BUF_WORDS
    xor ebx, ebx
.word:
    mov eax, [esi]
    add eax, ecx
    xor eax, ebx
    mov [esi], eax
    add ebx, eax
    add esi, 4
    dec ecx
    jnz .word
    dec edx
    jnz .round
    PCHECK32 edx, 0, "bench_mem_ran"
    mov al, 0
    out 0xF4, al                    ; QEMU's isa-debug-exit; nothing on orrery
    PM_DONE
