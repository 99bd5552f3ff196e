; pm_faults: exception classes and gate kinds (SDM Vol. 3A ch. 6): a contributory fault
; while delivering a contributory fault becomes #DF with error code 0, while a fault in
; the delivery of a benign exception is delivered on its own; an interrupt gate clears IF and a trap
; gate keeps it; #AC for a misaligned access at CPL 3 with CR0.AM and EFLAGS.AC; a far
; call into a conforming segment keeps CPL 3.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

CONF0     equ 0x40                  ; conforming code, DPL 0
GATE_DONE equ 0x4B                  ; call gate (slot 0x48, RPL 3) -> finish_r0

ROM_START "pm_faults"
    jmp pm_enter

PM32_CODE
pm_main:
    ; ---- double fault ----
    and byte [IDT_BASE + 13 * 8 + 5], 0x7F  ; the #GP gate not present
    PEXPECT after_df
    mov ax, 0x3F8
    mov es, ax                      ; #GP -> #NP delivering it -> #DF
after_df:
    or byte [IDT_BASE + 13 * 8 + 5], 0x80
    PCHECK32 [pexc_vector], 8, "fault_during_fault_is_df"
    PCHECK32 [pexc_error], 0, "df_error_code_zero"
    mov ax, DATA0
    mov es, ax

    ; A benign exception whose delivery faults is not a double fault: the second one is
    ; delivered instead (SDM Vol. 3A Table 6-5).
    and byte [IDT_BASE + 6 * 8 + 5], 0x7F   ; the #UD gate not present
    PEXPECT after_serial
    ud2                             ; #UD -> #NP(6 * 8 + 2 + 1) delivering it
after_serial:
    or byte [IDT_BASE + 6 * 8 + 5], 0x80
    PCHECK32 [pexc_vector], 11, "benign_then_fault_is_serial"
    PCHECK32 [pexc_error], 6 * 8 + 3, "serial_np_error_idt_ext"

    ; ---- interrupt gate vs trap gate ----
    or byte [IDT_BASE + 0x44 * 8 + 5], 0x01 ; 0x44: trap gate (type 0xF)
    sti
    PEXPECT
    int 0x43                        ; interrupt gate
    mov eax, [pexc_inflags]
    and eax, 0x200
    PCHECK32 eax, 0, "interrupt_gate_clears_if"
    PEXPECT
    int 0x44                        ; trap gate
    mov eax, [pexc_inflags]
    and eax, 0x200
    PCHECK32 eax, 0x200, "trap_gate_keeps_if"
    cli

    ; ---- #AC and a conforming segment, from ring 3 ----
    SET_DESC CONF0, 0x0000FFFF, 0x00CF9E00
    SET_GATE GATE_DONE, CODE0, finish_r0, 0xEC00
    mov eax, cr0
    or eax, 1 << 18                 ; AM
    mov cr0, eax
    ENTER_RING3 ring3, 0x00040002   ; AC

ring3:
    mov ebx, [0x1000]               ; aligned: fine
    PEXPECT .a1
    mov ebx, [0x1001]               ; misaligned dword at CPL 3
.a1:
    PCHECK32 [pexc_vector], 17, "misaligned_ring3_ac"
    PCHECK32 [pexc_error], 0, "ac_error_code_zero"
    pushfd
    and dword [esp], ~0x40000
    popfd
    mov ebx, [0x1001]               ; AC clear: no check
    PCHECK32 [pexc_count], 1, "no_ac_without_eflags_ac"
    call CONF0:conforming
    PCHECK32 [0x5C0], 3, "conforming_keeps_cpl"
    call GATE_DONE:0

conforming:
    mov eax, cs
    and eax, 3
    mov [0x5C0], eax
    retf

finish_r0:
    mov ax, DATA0
    mov ds, ax
    mov es, ax
    PM_DONE
