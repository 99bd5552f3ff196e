; exceptions: real-mode exceptions and software interrupts reach the right IVT vector with
; the right return address and FLAGS (SDM Vol. 3A §6.3, §20.1.4; Vol. 2A "INT n", "DIV",
; "BOUND"). Faults return to the faulting instruction, traps and INT n after it.
; 286-safe: it runs on every model; the model-dependent checks look at is_286.
%include "lib.inc"

ROM_START "exceptions"

; ---- #DE: divide by zero, quotient too large, signed overflow ----
    mov ax, 0x1234
    mov bl, 0
    EXPECT_EXC .de1
.de1_insn:
    div bl
.de1:
    CHECK16 [ss:exc_vector], 0, "de_div_zero_vector"
    CHECK16 [ss:exc_ip], .de1_insn, "de_ip_is_faulting_insn"
    CHECK16 [ss:exc_cs], ROM_SEG, "de_cs"
    CHECK16 ax, 0x1234, "de_ax_unchanged"

    mov ax, 0x1000
    mov bl, 2                       ; 0x1000 / 2 = 0x800 does not fit AL
    EXPECT_EXC .de2
    div bl
.de2:
    CHECK16 [ss:exc_vector], 0, "de_quotient_overflow"

    mov ax, 0x8000
    mov bl, 0xFF                    ; -32768 / -1 = 32768 does not fit a signed byte
    EXPECT_EXC .de3
    idiv bl
.de3:
    CHECK16 [ss:exc_vector], 0, "de_idiv_overflow"

    mov dx, 0
    mov ax, 100
    mov cx, 7
    EXPECT_EXC .de4
    div cx
.de4:
    DISARM
    CHECK16 [ss:exc_vector], 0xFFFF, "div_ok_no_exception"
    CHECK16 ax, 14, "div_quotient"
    CHECK16 dx, 2, "div_remainder"

; ---- #UD: UD2 and an undefined opcode ----
    EXPECT_EXC .ud1
.ud1_insn:
    db 0x0F, 0x0B                   ; UD2
.ud1:
    CHECK16 [ss:exc_vector], 6, "ud_ud2_vector"
    CHECK16 [ss:exc_ip], .ud1_insn, "ud_ip_is_faulting_insn"

    EXPECT_EXC .ud2
    db 0x0F, 0xFF                   ; undefined on every model
.ud2:
    CHECK16 [ss:exc_vector], 6, "ud_0f_ff_vector"

; Protected-mode-only instructions are #UD in real mode (SDM Vol. 2: "not recognized in
; real-address mode").
    EXPECT_EXC .pmo1
    db 0x63, 0xC0                   ; ARPL ax, ax
.pmo1:
    CHECK16 [ss:exc_vector], 6, "ud_arpl_real_mode"
    EXPECT_EXC .pmo2
    db 0x0F, 0x00, 0xC0             ; SLDT ax
.pmo2:
    CHECK16 [ss:exc_vector], 6, "ud_sldt_real_mode"
    EXPECT_EXC .pmo3
    db 0x0F, 0x02, 0xC0             ; LAR ax, ax
.pmo3:
    CHECK16 [ss:exc_vector], 6, "ud_lar_real_mode"
    EXPECT_EXC .pmo4
    db 0x0F, 0x00, 0x27             ; VERR [bx]
.pmo4:
    CHECK16 [ss:exc_vector], 6, "ud_verr_real_mode"

; LOCK on an instruction that cannot be locked: #UD from the 386 on, ignored by the 286
; (cpu/README.md; 286-real vectors accept LOCK anywhere).
    cmp word [ss:is_286], 0
    jne .lock286
    EXPECT_EXC .lock
    db 0xF0, 0x90                   ; LOCK NOP
.lock:
    CHECK16 [ss:exc_vector], 6, "ud_lock_nop_386_on"
    jmp .lockdone
.lock286:
    EXPECT_EXC .lock2
    db 0xF0, 0x90
.lock2:
    DISARM
    CHECK16 [ss:exc_vector], 0xFFFF, "lock_nop_ignored_on_286"
.lockdone:

; ---- #BR: BOUND ----
    mov word [ss:lib_scratch], 10
    mov word [ss:lib_scratch + 2], 20
    mov ax, 15
    EXPECT_EXC .br0
    bound ax, [ss:lib_scratch]
.br0:
    DISARM
    CHECK16 [ss:exc_vector], 0xFFFF, "bound_in_range_no_exception"

    mov ax, 9
    EXPECT_EXC .br1
.br1_insn:
    bound ax, [ss:lib_scratch]
.br1:
    CHECK16 [ss:exc_vector], 5, "br_below_lower"
    CHECK16 [ss:exc_ip], .br1_insn, "br_ip_is_faulting_insn"

    mov ax, 21
    EXPECT_EXC .br2
    bound ax, [ss:lib_scratch]
.br2:
    CHECK16 [ss:exc_vector], 5, "br_above_upper"

    mov ax, 20                      ; the upper bound itself is inside
    EXPECT_EXC .br3
    bound ax, [ss:lib_scratch]
.br3:
    DISARM
    CHECK16 [ss:exc_vector], 0xFFFF, "bound_upper_inclusive"

; ---- INT n / IRET ----
    stc
    sti
    EXPECT_EXC
    int 0x42
.int_ret:
    pushf
    pop bx
    cli
    CHECK16 [ss:exc_vector], 0x42, "int_n_vector"
    CHECK16 [ss:exc_ip], .int_ret, "int_n_ip_after_insn"
    CHECK16 [ss:exc_cs], ROM_SEG, "int_n_cs"
    mov ax, [ss:exc_flags]
    and ax, 0x0201
    CHECK16 ax, 0x0201, "int_n_pushes_flags"
    mov ax, [ss:exc_inflags]
    and ax, 0x0300
    CHECK16 ax, 0, "int_n_clears_if_tf"
    and bx, 0x0201
    CHECK16 bx, 0x0201, "iret_restores_flags"
    CHECK16 [ss:exc_count], 1, "int_n_once"

    EXPECT_EXC
    int3
.int3_ret:
    CHECK16 [ss:exc_vector], 3, "int3_vector"
    CHECK16 [ss:exc_ip], .int3_ret, "int3_ip_after_insn"

    EXPECT_EXC
    db 0xCD, 0x03                   ; INT 3, two-byte form
.int3b_ret:
    CHECK16 [ss:exc_vector], 3, "int_3_long_form_vector"
    CHECK16 [ss:exc_ip], .int3b_ret, "int_3_long_form_ip"

    EXPECT_EXC
    int 0xFF
    CHECK16 [ss:exc_vector], 0xFF, "int_ff_vector"

; The IVT is wherever IDTR points: a table at 0x1000 whose vector 0x42 leads to the stub
; of vector 0x99.
    mov ax, [ss:0x99 * 4]
    mov [ss:0x1000 + 0x42 * 4], ax
    mov word [ss:0x1000 + 0x42 * 4 + 2], ROM_SEG
    lidt [cs:idt_moved]
    EXPECT_EXC
    int 0x42
    lidt [cs:idt_reset]
    CHECK16 [ss:exc_vector], 0x99, "lidt_moves_ivt"

; ---- INTO ----
    mov al, 0x7F
    add al, 1                       ; OF = 1
    EXPECT_EXC
    into
.into_ret:
    CHECK16 [ss:exc_vector], 4, "into_of_set_vector"
    CHECK16 [ss:exc_ip], .into_ret, "into_ip_after_insn"

    mov al, 1
    add al, 1                       ; OF = 0
    EXPECT_EXC
    into
    DISARM
    CHECK16 [ss:exc_vector], 0xFFFF, "into_of_clear_no_exception"

; ---- #DB: single step traps after one instruction ----
    EXPECT_EXC
    pushf
    pop ax
    or ax, 0x0100
    push ax
    popf                            ; TF takes effect after the next instruction
    nop
.step_ret:
    nop
    CHECK16 [ss:exc_vector], 1, "single_step_vector"
    CHECK16 [ss:exc_ip], .step_ret, "single_step_after_one_insn"
    CHECK16 [ss:exc_count], 1, "single_step_once"
    mov ax, [ss:exc_flags]
    and ax, 0x0100
    CHECK16 ax, 0x0100, "single_step_pushes_tf"

; ---- segment limit: a word at offset 0xFFFF ----
    xor ax, ax
    mov ds, ax
    EXPECT_EXC .gp1
.gp1_insn:
    mov ax, [0xFFFF]
.gp1:
    CHECK16 [ss:exc_vector], 13, "gp_word_at_ffff"
    CHECK16 [ss:exc_ip], .gp1_insn, "gp_ip_is_faulting_insn"

; Through SS it is #SS from the 386 on; the 286 reports #GP (cpu/exception.c).
    mov bp, 0xFFFF
    EXPECT_EXC .ss1
    mov ax, [bp]
.ss1:
    mov ax, 12
    cmp word [ss:is_286], 0
    je .ss_not286
    mov ax, 13
.ss_not286:
    CHECK16 [ss:exc_vector], ax, "ss_limit_vector"

    ROM_DONE

section .rodata
idt_moved:  dw 0x3FF
            dd 0x1000
idt_reset:  dw 0x3FF
            dd 0
