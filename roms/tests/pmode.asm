; pmode: the classic switch to 32-bit protected mode with a flat GDT (SDM Vol. 3A §9.9.1):
; LGDT, CR0.PE, a far jump to a 32-bit code segment, data segment loads; then flat memory
; above 1 MiB, a segment with a non-zero base, and the selectors and CR0 as software
; reads them back.
;
; Expected to fail until protected-mode segmentation lands: today the CPU stops at the far
; jump ("protected-mode far transfers"). See roms/tests/CMakeLists.txt.
%define LIB_386
%define LIB_PM32
%include "lib.inc"

SEL_CODE32 equ 0x08
SEL_DATA32 equ 0x10
SEL_BASED  equ 0x18                 ; data, base 0x200000, limit 0xFFFF

ROM_START "pmode"
    lgdt [cs:gdt_ptr]
    sgdt [ss:lib_scratch]
    CHECK16 [ss:lib_scratch], gdt_end - gdt - 1, "sgdt_limit"
    CHECK32 [ss:lib_scratch + 2], ROM_SEG * 16 + gdt, "sgdt_base"

    mov eax, cr0
    or eax, 1
    mov cr0, eax
    smsw ax
    and ax, 1
    CHECK16 ax, 1, "smsw_sees_pe"
    jmp dword SEL_CODE32:pm32_entry

PM32_CODE
pm32_entry:
    mov ax, SEL_DATA32
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, STACK_TOP
    PPUTS {"# in 32-bit protected mode", 10}

    xor eax, eax
    mov ax, cs
    PCHECK32 eax, SEL_CODE32, "cs_selector"
    mov ax, ds
    PCHECK32 eax, SEL_DATA32, "ds_selector"
    mov eax, cr0
    and eax, 1
    PCHECK32 eax, 1, "cr0_pe"

    ; 32-bit offsets reach past 1 MiB, and with A20 on nothing wraps
    mov dword [0x1000], 0x11111111
    mov dword [0x101000], 0x22222222
    PCHECK32 [0x101000], 0x22222222, "flat_above_1mib"
    PCHECK32 [0x1000], 0x11111111, "a20_on_no_wrap"

    ; a based segment sees the same bytes at its own offsets
    mov dword [0x200010], 0xCAFEF00D
    mov ax, SEL_BASED
    mov fs, ax
    PCHECK32 [fs:0x10], 0xCAFEF00D, "based_segment_reads"
    mov dword [fs:0x20], 0x0BADBEEF
    PCHECK32 [0x200020], 0x0BADBEEF, "based_segment_writes"

    ; the stack works through the flat SS
    push dword 0x5A5A1234
    pop ebx
    PCHECK32 ebx, 0x5A5A1234, "flat_stack"

    PM_DONE

section .rodata
align 8
gdt:
    dq 0                            ; null
    dq 0x00CF9A000000FFFF           ; 0x08: code, base 0, 4 GiB, 32-bit
    dq 0x00CF92000000FFFF           ; 0x10: data, base 0, 4 GiB, 32-bit
    dq 0x004092200000FFFF           ; 0x18: data, base 0x200000, 64 KiB, 32-bit
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd ROM_SEG * 16 + gdt
