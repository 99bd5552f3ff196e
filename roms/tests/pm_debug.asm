; pm_debug: the debug registers and single step (SDM Vol. 3A ch. 17): TF traps after the
; instruction that follows the one that set it, an instruction breakpoint faults before
; the instruction and RF lets it run once, data-write breakpoints trap after the write
; (reads do not), I/O breakpoints with CR4.DE, DR7.GD, and DR4 with CR4.DE.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

DATA_BP   equ 0x700

ROM_START "pm_debug"
    jmp pm_enter

PM32_CODE
pm_main:
    ; ---- single step ----
    xor eax, eax
    mov dr6, eax
    PEXPECT
    pushfd
    or dword [esp], 0x100
    popfd                           ; sets TF: no trap after this one ...
    nop                             ; ... but after this one
stepped:
    PCHECK32 [pexc_vector], 1, "single_step_db"
    PCHECK32 [pexc_eip], stepped, "single_step_after_next_insn"
    mov eax, dr6
    and eax, 0x4000
    PCHECK32 eax, 0x4000, "single_step_dr6_bs"
    PCHECK32 [pexc_count], 1, "single_step_traps_once"

    ; ---- instruction breakpoint ----
    xor eax, eax
    mov dr6, eax
    mov eax, bp_here
    mov dr0, eax
    mov eax, 0x00000001             ; L0, RW0 = execute, LEN0 = 1
    mov dr7, eax
    PEXPECT after_bp
    call bp_routine
    PCHECK32 0, 1, "instruction_breakpoint_did_not_fault"
after_bp:
    PCHECK32 [pexc_vector], 1, "insn_breakpoint_db"
    PCHECK32 [pexc_eip], bp_here, "insn_breakpoint_is_a_fault"
    mov eax, dr6
    and eax, 0xF
    PCHECK32 eax, 1, "insn_breakpoint_dr6_b0"
    ; RF set by IRETD lets the instruction at the breakpoint run once.
    PEXPECT
    push dword after_rf             ; bp_routine's RET comes back here
    pushfd
    or dword [esp], 0x10000         ; RF
    push dword CODE0
    push dword bp_here
    iretd

bp_routine:
bp_here:
    nop
    ret

    ; ---- data breakpoints ----
after_rf:
    PCHECK32 [pexc_count], 0, "rf_suppresses_breakpoint"
    xor eax, eax
    mov dr7, eax
    mov dr6, eax
    mov eax, DATA_BP
    mov dr1, eax
    mov eax, 0x00D00004             ; L1, RW1 = write, LEN1 = 4
    mov dr7, eax
    PEXPECT
    mov ebx, [DATA_BP]              ; a read: no trap
    PCHECK32 [pexc_count], 0, "data_write_bp_ignores_reads"
    PEXPECT
    mov [DATA_BP + 2], bx           ; overlaps the watched dword: trap after the write
data_bp_next:
    PCHECK32 [pexc_vector], 1, "data_write_bp_db"
    PCHECK32 [pexc_eip], data_bp_next, "data_write_bp_is_a_trap"
    mov eax, dr6
    and eax, 0xF
    PCHECK32 eax, 2, "data_write_bp_dr6_b1"

    ; ---- I/O breakpoint (CR4.DE) ----
    xor eax, eax
    mov dr7, eax
    mov dr6, eax
    mov eax, cr4
    or eax, 8                       ; DE
    mov cr4, eax
    mov eax, 0x80
    mov dr2, eax
    mov eax, 0x02000010             ; L2, RW2 = I/O (10b), LEN2 = 1
    mov dr7, eax
    PEXPECT
    out 0x80, al
io_bp_next:
    PCHECK32 [pexc_vector], 1, "io_bp_db"
    PCHECK32 [pexc_eip], io_bp_next, "io_bp_is_a_trap"
    mov eax, dr6
    and eax, 0xF
    PCHECK32 eax, 4, "io_bp_dr6_b2"
    PEXPECT after_dr4
    mov eax, dr4                    ; with CR4.DE, DR4 is #UD
after_dr4:
    PCHECK32 [pexc_vector], 6, "dr4_with_de_ud"

    ; ---- general detect ----
    xor eax, eax
    mov dr7, eax
    mov dr6, eax
    mov eax, 0x2000                 ; GD
    mov dr7, eax
    PEXPECT after_gd
    mov eax, dr0
after_gd:
    PCHECK32 [pexc_vector], 1, "gd_db_on_dr_access"
    mov eax, dr6                    ; GD was cleared by the #DB, so this works
    and eax, 0x2000
    PCHECK32 eax, 0x2000, "gd_dr6_bd"
    PM_DONE
