; pm_privilege: privilege levels in 32-bit protected mode (SDM Vol. 3A ch. 5, 6):
; descriptor-load faults and their error codes, IRET to ring 3, interrupt and exception
; delivery from ring 3 with the stack switch from the TSS, IOPL and the I/O permission
; bitmap, INT n against the gate DPL, a call gate with parameter copy and the far return
; that nulls data segments, and SYSENTER/SYSEXIT.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

GATE_R0   equ 0x43              ; call gate (slot 0x40, RPL 3) -> CODE0:gate_r0, 2 params
GATE_DONE equ 0x4B              ; call gate (slot 0x48, RPL 3) -> CODE0:finish_r0
SEL_NP    equ 0x50              ; data, not present
SEL_RO    equ 0x58              ; data, read-only
SEL_XO    equ 0x60              ; code, execute-only
SEL_ED    equ 0x68              ; data, expand-down, limit 0x0FFF (valid 0x1000-0xFFFF)

ROM_START "pm_privilege"
    jmp pm_enter

PM32_CODE
pm_main:
    ; Descriptors for the tests.
    SET_GATE GATE_R0, CODE0, gate_r0, 0xEC02
    SET_GATE GATE_DONE, CODE0, finish_r0, 0xEC00
    SET_DESC SEL_NP, 0x0000FFFF, 0x00CF1200
    SET_DESC SEL_RO, 0x0000FFFF, 0x00CF9000
    SET_DESC SEL_XO, 0x0000FFFF, 0x00CF9800
    SET_DESC SEL_ED, 0x00000FFF, 0x00409600

    ; ---- descriptor loads and their faults ----
    PEXPECT .l1
    mov ax, 0x3F8                   ; index 127: past the GDT limit
    mov es, ax
.l1:
    PCHECK32 [pexc_vector], 13, "load_past_gdt_limit_gp"
    PCHECK32 [pexc_error], 0x3F8, "load_past_gdt_limit_error"
    PEXPECT .l2
    mov ax, SEL_NP
    mov es, ax
.l2:
    PCHECK32 [pexc_vector], 11, "load_not_present_np"
    PCHECK32 [pexc_error], SEL_NP, "load_not_present_error"
    PEXPECT .l3
    mov ax, SEL_XO                  ; execute-only code in a data register
    mov es, ax
.l3:
    PCHECK32 [pexc_vector], 13, "load_execute_only_gp"
    PCHECK32 [pexc_error], SEL_XO, "load_execute_only_error"
    PEXPECT .l4
    mov ax, DATA3                   ; SS with RPL 3 at CPL 0
    mov ss, ax
.l4:
    PCHECK32 [pexc_vector], 13, "load_ss_rpl_gp"
    PCHECK32 [pexc_error], DATA3 & ~3, "load_ss_rpl_error"
    mov ax, SEL_RO
    mov es, ax
    mov ebx, [es:0x1000]            ; reads are fine
    PEXPECT .l5
    mov dword [es:0x1000], ebx      ; writes are #GP(0)
.l5:
    PCHECK32 [pexc_vector], 13, "write_read_only_gp"
    PCHECK32 [pexc_error], 0, "write_read_only_error"
    xor ax, ax
    mov es, ax                      ; a null selector loads ...
    PEXPECT .l6
    mov eax, [es:0x1000]            ; ... and using it is #GP(0)
.l6:
    PCHECK32 [pexc_vector], 13, "null_segment_use_gp"
    mov ax, SEL_ED
    mov es, ax
    mov dword [es:0x1000], 0x600DF00D   ; above the limit: valid in expand-down
    PCHECK32 [0x1000], 0x600DF00D, "expand_down_above_limit"
    PEXPECT .l7
    mov eax, [es:0x0FFC]            ; at or below the limit: #GP(0)
.l7:
    PCHECK32 [pexc_vector], 13, "expand_down_below_limit_gp"
    mov ax, DATA0
    mov es, ax
    test byte [GDT_BASE + (SEL_ED & ~7) + 5], 1
    PCHECK32 [pexc_count], 1, "one_fault_each"
    mov eax, [GDT_BASE + (SEL_ED & ~7) + 4]
    and eax, 0x100
    PCHECK32 eax, 0x100, "load_sets_accessed_bit"

    ; ---- LAR, LSL, VERR, VERW, ARPL ----
    mov ax, SEL_RO
    lar ebx, ax
    and ebx, 0x00F0FF00             ; bits 19:16 are undefined (SDM Vol. 2A "LAR")
    PCHECK32 ebx, 0x00C09100, "lar_read_only_data"
    lsl ebx, ax
    PCHECK32 ebx, 0xFFFFFFFF, "lsl_granular_limit"
    verr ax
    POK_IF z, "verr_read_only"
    verw ax
    POK_IF nz, "verw_read_only_fails"
    mov ax, SEL_XO
    verr ax
    POK_IF nz, "verr_execute_only_fails"
    mov ax, 0x3F8
    lar ebx, ax
    POK_IF nz, "lar_past_limit_clears_zf"
    mov ax, 0x0010
    mov bx, 0x0003
    arpl ax, bx
    POK_IF z, "arpl_raises_rpl"
    PCHECK32 eax, 0x0013, "arpl_result"

    ; ---- SYSENTER setup (ring 0) ----
    mov ecx, 0x174
    xor edx, edx
    mov eax, CODE0
    wrmsr
    mov ecx, 0x175
    mov eax, STACK_TOP - 0x400
    wrmsr
    mov ecx, 0x176
    mov eax, sysenter_r0
    wrmsr

    ; ---- to ring 3 by IRETD ----
    mov [0x570], esp                ; the ring-0 stack to come back to
    ENTER_RING3 ring3, 0x0002       ; IOPL 0, IF 0

ring3:
    mov eax, cs
    PCHECK32 eax, CODE3, "iret_to_ring3_cs"
    mov eax, ss
    PCHECK32 eax, DATA3, "iret_to_ring3_ss"
    PCHECK32 esp, R3_STACK, "iret_to_ring3_esp"

    PEXPECT .r1
    cli                             ; IOPL 0 < CPL 3
.r1:
    PCHECK32 [pexc_vector], 13, "cli_ring3_gp"
    PCHECK32 [pexc_cs], CODE3, "fault_pushes_ring3_cs"
    PCHECK32 [pexc_ss], DATA3, "fault_pushes_ring3_ss"
    PCHECK32 [pexc_esp], R3_STACK, "fault_pushes_ring3_esp"
    PEXPECT .r2
    in al, 0x80                     ; the bitmap denies port 0x80
.r2:
    PCHECK32 [pexc_vector], 13, "io_bitmap_denies"
    PEXPECT .r3
    int 0x30                        ; DPL 0 gate
.r3:
    PCHECK32 [pexc_vector], 13, "int_dpl0_gate_gp"
    PCHECK32 [pexc_error], 0x30 * 8 + 2, "int_dpl0_gate_error"
    PEXPECT
    int 0x41                        ; DPL 3 gate
    PCHECK32 [pexc_vector], 0x41, "int_dpl3_gate"
    PCHECK32 [pexc_cs], CODE3, "int_from_ring3_cs"
    PCHECK32 esp, R3_STACK, "int_returns_ring3_stack"

    ; ---- call gate with two parameters ----
    push dword 0x1111
    push dword 0x2222
    call GATE_R0:0
    PCHECK32 esp, R3_STACK, "retf_releases_params"
    PCHECK32 [0x580], 0, "gate_cpl0"
    PCHECK32 [0x584], 0x2222, "gate_param0"
    PCHECK32 [0x588], 0x1111, "gate_param1"
    PCHECK32 [0x58C], R3_STACK - 8, "gate_old_esp"
    PCHECK32 [0x590], DATA3, "gate_old_ss"
    mov eax, es
    PCHECK32 eax, 0, "retf_nulls_inner_es"

    ; ---- SYSENTER / SYSEXIT ----
    mov ecx, esp
    mov edx, after_sysexit
    sysenter
after_sysexit:
    mov eax, cs
    PCHECK32 eax, CODE3, "sysexit_cs"
    mov eax, ss
    PCHECK32 eax, DATA3, "sysexit_ss"
    PCHECK32 [0x594], CODE0, "sysenter_cs"
    PCHECK32 [0x598], STACK_TOP - 0x400, "sysenter_esp"

    call GATE_DONE:0

; Ring 0 through the call gate: records what it sees, loads ES with a DPL 0 segment and
; returns to ring 3 (which must null ES).
gate_r0:
    mov eax, cs
    and eax, 3
    mov [0x580], eax
    mov eax, [esp + 8]
    mov [0x584], eax
    mov eax, [esp + 12]
    mov [0x588], eax
    mov eax, [esp + 16]
    mov [0x58C], eax
    mov eax, [esp + 20]
    mov [0x590], eax
    mov ax, DATA0
    mov es, ax
    retf 8

sysenter_r0:
    mov eax, cs
    mov [0x594], eax
    mov [0x598], esp
    sysexit

finish_r0:
    mov ax, DATA0
    mov ds, ax
    mov es, ax
    PM_DONE
