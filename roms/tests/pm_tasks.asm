; pm_tasks: hardware task switches (SDM Vol. 3A ch. 7): CALL to a TSS and IRET back
; through the back link with NT, JMP through a task gate and back without nesting, INT
; through an IDT task gate, and an exception with an error code delivered to a task; busy
; bits, TR, CR0.TS and the saved state.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

TSS1      equ 0x40              ; 32-bit TSS of task 1 at TSS1_BASE
TASKGATE  equ 0x48              ; task gate -> TSS1
TSS1_BASE equ 0x5100
T1_STACK  equ 0x5800
REC       equ 0x600             ; task 1 records here: REC + 4 * n

%macro TSS_TYPE 2               ; dest reg32, selector: the descriptor's type field
    mov %1, [GDT_BASE + ((%2) & ~7) + 4]
    shr %1, 8
    and %1, 0xF
%endmacro

ROM_START "pm_tasks"
    jmp pm_enter

PM32_CODE
pm_main:
    ; Task 1: ring 0, flat, its own stack, starting at task1.
    INIT_TSS32 TSS1_BASE, task1, T1_STACK
    mov word [TSS1_BASE + 0x58], DATA0          ; FS
    mov word [TSS1_BASE + 0x5C], DATA0          ; GS
    mov word [TSS1_BASE + 0x66], 0x68           ; no I/O bitmap
    SET_DESC TSS1, 0x00000067 | ((TSS1_BASE & 0xFFFF) << 16), 0x00008900 | ((TSS1_BASE >> 16) & 0xFF)
    SET_DESC TASKGATE, TSS1 << 16, 0x00008500

    ; ---- CALL to a TSS, IRET back ----
    mov eax, 0xAAAA0000
    mov ebx, 0xBBBB0000
    call TSS1:0
.after_call_label:
    PCHECK32 eax, 0xAAAA0000, "task0_eax_restored"
    PCHECK32 ebx, 0xBBBB0000, "task0_ebx_restored"
    str ax
    movzx eax, ax
    PCHECK32 eax, TSS0, "tr_back_to_task0"
    PCHECK32 [REC + 0], TSS1, "call_tr_is_task1"
    PCHECK32 [REC + 4], 0x4000, "call_sets_nt"
    PCHECK32 [REC + 8], TSS0, "call_back_link"
    PCHECK32 [REC + 12], 0xB, "call_task0_stays_busy"
    PCHECK32 [REC + 16], 0xB, "call_task1_busy"
    PCHECK32 [REC + 20], 8, "switch_sets_cr0_ts"
    PCHECK32 [REC + 24], T1_STACK, "task1_stack"
    TSS_TYPE eax, TSS1
    PCHECK32 eax, 0x9, "iret_frees_task1"
    pushfd
    pop eax
    and eax, 0x4000
    PCHECK32 eax, 0, "task0_nt_clear"
    PCHECK32 [TSS_BASE + 0x20], after_call, "saved_eip_is_return"
    clts

    ; ---- JMP through a task gate, JMP back ----
    jmp TASKGATE:0
after_jmp:
    PCHECK32 [REC + 32], 0, "jmp_no_nt"
    PCHECK32 [REC + 36], 0x9, "jmp_frees_task0"
    TSS_TYPE eax, TSS1
    PCHECK32 eax, 0x9, "jmp_back_frees_task1"
    TSS_TYPE eax, TSS0
    PCHECK32 eax, 0xB, "task0_busy_again"

    ; ---- INT through an IDT task gate ----
    mov dword [IDT_BASE + 0x45 * 8], TSS1 << 16
    mov dword [IDT_BASE + 0x45 * 8 + 4], 0x00008500
    int 0x45
    PCHECK32 [REC + 48], 0x4000, "int_task_gate_sets_nt"
    PCHECK32 [REC + 52], TSS0, "int_task_gate_back_link"

    ; ---- #GP with an error code, delivered to task 1 ----
    mov dword [IDT_BASE + 13 * 8], TSS1 << 16
    mov dword [IDT_BASE + 13 * 8 + 4], 0x00008500
    mov ax, 0x3F8
    mov es, ax                      ; #GP(0x3F8) -> task 1, which skips this instruction
after_gp:
    PCHECK32 [REC + 64], 0x3F8, "exception_error_code_on_task_stack"
    PCHECK32 [REC + 68], T1_STACK - 4, "error_code_pushed_once"
    PM_DONE

after_call equ pm_main.after_call_label

; Task 1 runs in pieces; each switch away saves its EIP, so the next one resumes here.
task1:
    str ax
    movzx eax, ax
    mov [REC + 0], eax
    pushfd
    pop eax
    and eax, 0x4000
    mov [REC + 4], eax
    movzx eax, word [TSS1_BASE]
    mov [REC + 8], eax
    TSS_TYPE eax, TSS0
    mov [REC + 12], eax
    TSS_TYPE eax, TSS1
    mov [REC + 16], eax
    mov eax, cr0
    and eax, 8
    mov [REC + 20], eax
    mov [REC + 24], esp
    mov eax, 0x12345678             ; task 0 must not see these
    mov ebx, 0x9ABCDEF0
    iretd                           ; NT: back to task 0
    ; entered by JMP through the task gate
    pushfd
    pop eax
    and eax, 0x4000
    mov [REC + 32], eax
    TSS_TYPE eax, TSS0
    mov [REC + 36], eax
    jmp TSS0:0
    ; entered by INT 0x45 through the IDT task gate
    pushfd
    pop eax
    and eax, 0x4000
    mov [REC + 48], eax
    movzx eax, word [TSS1_BASE]
    mov [REC + 52], eax
    iretd
    ; entered by #GP: the error code is on this task's stack
    mov [REC + 68], esp
    pop eax
    mov [REC + 64], eax
    mov dword [TSS_BASE + 0x20], after_gp   ; resume task 0 past the faulting MOV
    mov word [TSS_BASE + 0x48], DATA0       ; with a good ES
    iretd
