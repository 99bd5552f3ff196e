; pm_v86: virtual-8086 mode (SDM Vol. 3A ch. 20): entry by IRETD with EFLAGS.VM, real-mode
; addressing inside, IOPL-sensitive instructions (#GP to the ring-0 monitor, with the
; segment registers saved on the ring-0 stack), the I/O permission bitmap, privileged
; instructions, INT n at IOPL 3 to a protected-mode handler, and VME: CLI/STI on VIF,
; PUSHF's image, and INT n redirected through the task's own IVT.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

V86_SP    equ 0x6800
IOBASE    equ 0x88                  ; redirection bitmap at 0x68-0x87, I/O map after it

ROM_START "pm_v86"
    jmp pm_enter

PM32_CODE
pm_main:
    ; Move the I/O map behind a 32-byte interrupt redirection bitmap.
    mov word [TSS_BASE + 0x66], IOBASE
    mov edi, TSS_BASE + IOBASE
    mov ecx, 8193
    mov al, 0xFF
    rep stosb
    mov byte [TSS_BASE + IOBASE + 0xE9 / 8], ~(1 << (0xE9 & 7)) & 0xFF
    mov edi, TSS_BASE + IOBASE - 32
    mov ecx, 32
    rep stosb                       ; no vector redirected ...
    and byte [TSS_BASE + IOBASE - 32 + 0x10 / 8], ~(1 << (0x10 & 7)) & 0xFF ; ... but 0x10
    mov word [GDT_BASE + (TSS0 & ~7)], 0x2088       ; the TSS limit covers the new map
    ; Phase B first: VME on, IOPL 0. It ends with HLT, whose #GP comes to phase_b_done.
    mov eax, cr4
    or eax, 1                       ; CR4.VME
    mov cr4, eax
    mov eax, phase_b_done
    mov [IDT_BASE + 13 * 8], ax
    shr eax, 16
    mov [IDT_BASE + 13 * 8 + 6], ax
    push dword 0                    ; GS
    push dword 0                    ; FS
    push dword 0                    ; DS
    push dword 0                    ; ES
    push dword 0                    ; SS
    push dword V86_SP               ; ESP
    push dword 0x00020002           ; EFLAGS: VM, IOPL 0
    push dword ROM_SEG              ; CS
    push dword v86_phase_b          ; EIP
    iretd

; The monitor's end of phase B: the #GP frame from HLT, then phase A (IOPL 3, no VME).
phase_b_done:
    mov ax, DATA0
    mov ds, ax
    mov eax, [esp + 4]              ; the faulting IP
    mov [0x5A0], eax
    mov eax, [esp + 12]             ; EFLAGS image: VM set
    mov [0x5A4], eax
    mov eax, [esp + 24]             ; saved ES .. GS follow SS
    mov [0x5A8], eax
    mov esp, STACK_TOP
    mov eax, pm_stubs + 13 * 16
    mov [IDT_BASE + 13 * 8], ax
    shr eax, 16
    mov [IDT_BASE + 13 * 8 + 6], ax
    mov eax, cr4
    and eax, ~1
    mov cr4, eax
    mov eax, [0x5A4]
    and eax, 0x000A3000             ; VIF, VM, IOPL
    PCHECK32 eax, 0x000A0000, "hlt_frame_has_vm_and_vif"
    mov eax, finish_r0
    mov [IDT_BASE + 0x4E * 8], ax
    shr eax, 16
    mov [IDT_BASE + 0x4E * 8 + 6], ax
    push dword 0                    ; GS
    push dword 0                    ; FS
    push dword 0                    ; DS
    push dword 0x1000               ; ES
    push dword 0                    ; SS
    push dword V86_SP               ; ESP
    push dword 0x00023002           ; EFLAGS: VM, IOPL 3
    push dword ROM_SEG
    push dword v86_phase_a
    iretd

finish_r0:                          ; frame: eip cs eflags esp ss es ds fs gs
    mov ebx, es                     ; ES inside the handler: nulled on the way in
    mov ax, DATA0
    mov ds, ax
    mov es, ax
    mov [0x5B4], ebx
    mov eax, [esp + 20]             ; the V86 ES saved on the ring-0 stack
    mov [0x5B0], eax
    mov esp, STACK_TOP
    PCHECK32 [0x5B0], 0x1000, "int_from_v86_saves_es"
    PCHECK32 [0x5B4], 0, "int_from_v86_nulls_es"
    PM_DONE

; ---------------------------------------------------------------------------------------
section .text
bits 16
v86_phase_b:                        ; VME, IOPL 0: flag instructions work on VIF
    cli                             ; VIF <- 0, no fault
    pushf
    pop ax
    and ax, 0x3200                  ; IOPL image 3, IF image = VIF = 0
    CHECK16 ax, 0x3000, "vme_pushf_image_after_cli"
    sti
    pushf
    pop ax
    and ax, 0x0200
    CHECK16 ax, 0x0200, "vme_sti_sets_vif"
    EXPECT_EXC
    int 0x10                        ; redirected: through the IVT at linear 0
    CHECK16 [ss:exc_vector], 0x10, "vme_int_redirected_to_ivt"
    CHECK16 [ss:exc_cs], ROM_SEG, "vme_int_pushed_cs"
    hlt                             ; privileged: #GP to phase_b_done

v86_phase_a:                        ; IOPL 3
    mov ax, 0x1234
    mov [0x7000], ax
    push ds
    mov ax, 0x0700
    mov ds, ax
    mov bx, [0x0000]                ; 0x0700:0 = linear 0x7000
    pop ds
    CHECK16 bx, 0x1234, "v86_real_addressing"
    PEXPECT .a1
    mov eax, cr0                    ; CPL 3: #GP
.a1:
    CHECK16 [pexc_vector], 13, "v86_mov_cr0_gp"
    mov eax, [pexc_eflags]
    and eax, 0x20000
    CHECK32 eax, 0x20000, "v86_fault_pushes_vm"
    PEXPECT .a2
    in al, 0x80                     ; the bitmap applies in V86 whatever the IOPL
.a2:
    CHECK16 [pexc_vector], 13, "v86_io_bitmap_denies"
    PEXPECT
    int 0x41                        ; IOPL 3: to the protected-mode handler (DPL 3 gate)
    CHECK16 [pexc_vector], 0x41, "v86_int_to_pm_handler"
    CHECK16 [pexc_cs], ROM_SEG, "v86_int_pushes_v86_cs"
    CHECK32 [pexc_ss], 0, "v86_int_pushes_v86_ss"
    int 0x4E                        ; to finish_r0 in ring 0
