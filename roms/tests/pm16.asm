; pm16: 16-bit protected mode, the 286's kind (SDM Vol. 3A §6.12, §7.6, §20.4): a 16-bit
; interrupt gate pushes a 16-bit frame; a 16-bit TSS task switch by CALL and IRET back;
; a 16-bit IRET to ring 3; and CR4.PVI: at CPL 3 with IOPL 0, CLI and STI change VIF
; instead of faulting.
%define LIB_386
%include "lib.inc"

CODE16_0  equ 0x08                  ; base 0xF0000: runs this ROM's 16-bit code
DATA16_0  equ 0x10                  ; base 0
TSSA      equ 0x18                  ; 16-bit TSS at 0x3000 (task A, this one)
TSSB      equ 0x20                  ; 16-bit TSS at 0x3100 (task B)
CODE16_3  equ 0x2B
DATA16_3  equ 0x33
GATE      equ 0x3B                  ; 16-bit call gate, DPL 3 -> CODE16_0:gate0
GDT16     equ 0x1000
IDT16     equ 0x2000
V         equ 0x600                 ; recorded values: V + 2 * n

ROM_START "pm16"
    ; GDT: 16-bit descriptors with the 386 fields zero, as the 286 wrote them.
    xor ax, ax
    mov es, ax
    mov di, GDT16
    mov cx, 0x40 / 2
    rep stosw
    mov word [es:GDT16 + 0x08], 0xFFFF
    mov dword [es:GDT16 + 0x0A], 0x9A0F0000   ; base 0x0F0000, code, DPL 0
    mov word [es:GDT16 + 0x10], 0xFFFF
    mov dword [es:GDT16 + 0x12], 0x92000000   ; base 0, data, DPL 0
    mov dword [es:GDT16 + 0x18], 0x3000002B   ; TSS A: limit 0x2B, base 0x3000
    mov dword [es:GDT16 + 0x1C], 0x00008100   ; available 16-bit TSS
    mov dword [es:GDT16 + 0x20], 0x3100002B
    mov dword [es:GDT16 + 0x24], 0x00008100
    mov word [es:GDT16 + 0x28], 0xFFFF
    mov dword [es:GDT16 + 0x2A], 0xFA0F0000   ; code, DPL 3
    mov word [es:GDT16 + 0x30], 0xFFFF
    mov dword [es:GDT16 + 0x32], 0xF2000000   ; data, DPL 3
    mov word [es:GDT16 + 0x38], gate0          ; call gate: offset, selector, type 4, DPL 3
    mov word [es:GDT16 + 0x3A], CODE16_0
    mov word [es:GDT16 + 0x3C], 0xE400
    ; IDT: vector 0x40 is a 16-bit interrupt gate to h40, DPL 3.
    mov di, IDT16
    mov cx, 0x41 * 4
    xor ax, ax
    rep stosw
    mov word [es:IDT16 + 0x40 * 8], h40
    mov word [es:IDT16 + 0x40 * 8 + 2], CODE16_0
    mov word [es:IDT16 + 0x40 * 8 + 4], 0xE600
    ; TSS A: SP0/SS0 for ring 3's way back in. TSS B: a task that starts at task_b.
    mov di, 0x3000
    mov cx, 0x100
    rep stosw
    mov word [es:0x3000 + 2], 0x7000          ; SP0
    mov word [es:0x3000 + 4], DATA16_0        ; SS0
    mov word [es:0x3100 + 0x0E], task_b       ; IP
    mov word [es:0x3100 + 0x10], 0x0002       ; FLAGS
    mov word [es:0x3100 + 0x1A], 0x5800       ; SP
    mov word [es:0x3100 + 0x22], DATA16_0     ; ES
    mov word [es:0x3100 + 0x24], CODE16_0     ; CS
    mov word [es:0x3100 + 0x26], DATA16_0     ; SS
    mov word [es:0x3100 + 0x28], DATA16_0     ; DS
    lgdt [cs:gdt_ptr]
    lidt [cs:idt_ptr]
    smsw ax
    or ax, 1
    lmsw ax
    jmp CODE16_0:pm16_entry

pm16_entry:
    mov ax, DATA16_0
    mov ss, ax                      ; base 0: the library's variables still work via ss:
    mov ds, ax
    mov es, ax
    mov ax, TSSA
    ltr ax

    mov di, V
    mov cx, 16
    xor ax, ax
    rep stosw
    ; ---- a 16-bit interrupt gate ----
    mov bx, sp
    int 0x40
after_int:
    CHECK16 [ss:V + 0], bx, "gate16_frame_is_6_bytes"
    CHECK16 [ss:V + 4], CODE16_0, "gate16_pushed_cs"
    CHECK16 [ss:V + 2], after_int, "gate16_pushed_ip"

    ; ---- a 16-bit task switch ----
    mov ax, 0x1111
    call TSSB:0
after_call:
    CHECK16 ax, 0x1111, "tss16_ax_restored"
    CHECK16 [ss:V + 8], TSSB, "tss16_tr_in_task_b"
    CHECK16 [ss:V + 10], 0x4000, "tss16_nt_in_task_b"
    CHECK16 [ss:V + 12], TSSA, "tss16_back_link"
    CHECK16 [ss:0x3000 + 0x0E], after_call, "tss16_saved_ip"
    clts

    ; ---- 16-bit IRET to ring 3, PVI ----
    mov eax, cr4
    or eax, 2                       ; PVI
    mov cr4, eax
    push word DATA16_3
    push word 0x6C00
    push word 0x0002                ; IOPL 0
    push word CODE16_3
    push word ring3
    iret
ring3:
    mov ax, cs
    mov [ss:V + 24], ax
    cli                             ; PVI: VIF <- 0, no #GP
    call GATE:0                     ; ring 0 records EFLAGS.VIF
    sti                             ; VIF <- 1
    call GATE:0
    call GATE:0                     ; the third call checks and ends the ROM in ring 0

; The 16-bit interrupt handler: the frame is IP, CS, FLAGS, 2 bytes each.
h40:
    push bp
    mov bp, sp
    push ax
    lea ax, [bp + 2 + 6]            ; SP before the INT
    mov [ss:V + 0], ax
    mov ax, [bp + 2]
    mov [ss:V + 2], ax
    mov ax, [bp + 4]
    mov [ss:V + 4], ax
    pop ax
    pop bp
    iret

task_b:
    str ax
    mov [ss:V + 8], ax
    pushf
    pop ax
    and ax, 0x4000
    mov [ss:V + 10], ax
    mov ax, [ss:0x3100]
    mov [ss:V + 12], ax
    mov ax, 0x2222
    iret

gate0:                              ; ring 0 through the call gate: VIF (bit 19) / 0x10000
    pushfd
    pop eax
    shr eax, 16
    and ax, 8
    mov bx, [ss:V + 20]
    cmp bx, 4
    je .finish
    mov [ss:V + 16 + bx], ax
    add word [ss:V + 20], 2
    retf
.finish:
    CHECK16 [ss:V + 24], CODE16_3, "iret16_to_ring3"
    CHECK16 [ss:V + 16], 0, "pvi_cli_clears_vif"
    CHECK16 [ss:V + 18], 8, "pvi_sti_sets_vif"
    jmp lib_finish

section .rodata
gdt_ptr: dw 0x3F
         dd GDT16
idt_ptr: dw 0x41 * 8 - 1
         dd IDT16
