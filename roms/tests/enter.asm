; enter: ENTER imm16, imm8 against the Operation pseudocode of SDM Vol. 2A "ENTER", in
; 32-bit protected mode at ring 0. NestingLevel = imm8 MOD 32 (levels 0, 1, 4 and 36);
; the operand size (66 prefix or not) sets the push width and BP or EBP as the new frame
; pointer; the stack's size (SS.B: DATA0 32-bit, DATA16 16-bit) sets SP or ESP for the
; pushes and the allocation and BP or EBP for reading the outer frame pointers. Every
; expected value below was worked out by hand from the pseudocode:
;   Push((E)BP); FrameTemp <- (E)SP;  for i = 1 .. level-1: (E)BP -= size, Push([(E)BP]);
;   if level > 0: Push(FrameTemp);  (E)BP <- FrameTemp;  (E)SP -= imm16.
; A 16-bit stack keeps the upper half of ESP; a 16-bit operand keeps the upper half of EBP;
; a 32-bit operand on a 16-bit stack loads EBP with all of ESP (FrameTemp <- ESP).
; Then under paging, the stack probe: a write at the final stack pointer that would page
; fault raises #PF at the ENTER with CR2 = its linear address and ESP and EBP unchanged;
; the frame is already written, as the host processor does it (cpu/ops_stack.c); and a
; final SP beyond the stack segment's limit is #SS(0). The Pentium-era SDM lists that #PF
; and #SS, the 386/486 manuals no probe: on a CPU without CPUID (rom_enter_486) the same
; ENTERs complete.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

saved_esp equ 0x600                 ; the ROM's own stack while a case runs
res_esp   equ 0x604                 ; ESP and EBP right after the ENTER
res_ebp   equ 0x608
has_probe equ 0x60C                 ; 1 when CPUID exists (Pentium on)

DISPLAY   equ 0xB000                ; the outer frame pointer (E)BP points here
PD        equ 0x20000               ; page directory and table for the probe cases
PT0       equ 0x21000

; Outer frames: the words below DISPLAY read as 1111 2222 3333 4444 ... going down.
%macro FILL_DISPLAY 0
    mov dword [DISPLAY - 4], 0x11112222
    mov dword [DISPLAY - 8], 0x33334444
    mov dword [DISPLAY - 12], 0x55556666
    mov dword [DISPLAY - 16], 0x77778888
%endmacro

; FILL address, dwords, value (EDI, ECX, EAX).
%macro FILL 3
    mov edi, %1
    mov ecx, %2
    mov eax, %3
    rep stosd
%endmacro

; RUN_ENTER ss, esp, ebp, {instruction}: runs the instruction on that stack and records
; ESP and EBP, then goes back to the ROM's stack.
%macro RUN_ENTER 4
    mov [saved_esp], esp
    mov ax, %1
    mov ss, ax
    mov esp, %2
    mov ebp, %3
    %4
    mov [res_esp], esp
    mov [res_ebp], ebp
    mov ax, DATA0
    mov ss, ax
    mov esp, [saved_esp]
%endmacro

; PCHK value, expected, name prefix, name suffix: PCHECK32 with the two parts joined.
%macro PCHK 4
    %strcat PCHK_NAME %3, %4
    PCHECK32 %1, %2, PCHK_NAME
%endmacro

ROM_START "enter"
    jmp pm_enter

PM32_CODE
pm_main:
    ; EFLAGS.ID toggles on the models with CPUID: those probe.
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 0x200000
    push eax
    popfd
    pushfd
    pop eax
    xor eax, ecx
    shr eax, 21
    and eax, 1
    mov [has_probe], eax

    ; ================= 32-bit stack, 32-bit operand =================
    FILL_DISPLAY
    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA0, 0xD000, DISPLAY, {enter 0x100, 0}
    PCHECK32 [res_esp], 0xCEFC, "s32_o32_l0_esp"
    PCHECK32 [res_ebp], 0xCFFC, "s32_o32_l0_ebp"
    PCHECK32 [0xCFFC], DISPLAY, "s32_o32_l0_pushed_ebp"
    PCHECK32 [0xCFF8], 0xEEEEEEEE, "s32_o32_l0_nothing_more"

    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA0, 0xD000, DISPLAY, {enter 0x100, 1}
    PCHECK32 [res_esp], 0xCEF8, "s32_o32_l1_esp"
    PCHECK32 [res_ebp], 0xCFFC, "s32_o32_l1_ebp"
    PCHECK32 [0xCFFC], DISPLAY, "s32_o32_l1_pushed_ebp"
    PCHECK32 [0xCFF8], 0xCFFC, "s32_o32_l1_pushed_frame"
    PCHECK32 [0xCFF4], 0xEEEEEEEE, "s32_o32_l1_nothing_more"

%macro S32_O32_L4 2                 ; imm8, name prefix
    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA0, 0xD000, DISPLAY, {enter 0x100, %1}
    PCHK [res_esp], 0xCEEC, %2, "_esp"
    PCHK [res_ebp], 0xCFFC, %2, "_ebp"
    PCHK [0xCFFC], DISPLAY, %2, "_pushed_ebp"
    PCHK [0xCFF8], 0x11112222, %2, "_copied_1"
    PCHK [0xCFF4], 0x33334444, %2, "_copied_2"
    PCHK [0xCFF0], 0x55556666, %2, "_copied_3"
    PCHK [0xCFEC], 0xCFFC, %2, "_pushed_frame"
    PCHK [0xCFE8], 0xEEEEEEEE, %2, "_nothing_more"
%endmacro
    S32_O32_L4 4, "s32_o32_l4"
    S32_O32_L4 36, "s32_o32_l36"

    ; ================= 32-bit stack, 16-bit operand =================
    ; EBP's upper half stays (BP <- FrameTemp); with no outer frame to read it may be set.
    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA0, 0xD000, 0x5678B000, {o16 enter 0x100, 0}
    PCHECK32 [res_esp], 0xCEFE, "s32_o16_l0_esp"
    PCHECK32 [res_ebp], 0x5678CFFE, "s32_o16_l0_ebp_upper_kept"
    PCHECK32 [0xCFFC], 0xB000EEEE, "s32_o16_l0_pushed_bp"

    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA0, 0xD000, 0x5678B000, {o16 enter 0x100, 1}
    PCHECK32 [res_esp], 0xCEFC, "s32_o16_l1_esp"
    PCHECK32 [res_ebp], 0x5678CFFE, "s32_o16_l1_ebp"
    PCHECK32 [0xCFFC], 0xB000CFFE, "s32_o16_l1_pushed_bp_and_frame"
    PCHECK32 [0xCFF8], 0xEEEEEEEE, "s32_o16_l1_nothing_more"

%macro S32_O16_L4 2
    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA0, 0xD000, DISPLAY, {o16 enter 0x100, %1}
    PCHK [res_esp], 0xCEF6, %2, "_esp"
    PCHK [res_ebp], 0xCFFE, %2, "_ebp"
    PCHK [0xCFFC], 0xB0001111, %2, "_pushed_bp_copied_1"
    PCHK [0xCFF8], 0x22223333, %2, "_copied_2_3"
    PCHK [0xCFF4], 0xCFFEEEEE, %2, "_pushed_frame"
%endmacro
    S32_O16_L4 4, "s32_o16_l4"
    S32_O16_L4 36, "s32_o16_l36"

    ; ================= 16-bit stack, 32-bit operand =================
    ; SP moves, ESP's upper half (ABCD) stays; FrameTemp is all of ESP, so EBP gets ABCD.
    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA16, 0xABCDD000, 0x1234B000, {enter 0x100, 0}
    PCHECK32 [res_esp], 0xABCDCEFC, "s16_o32_l0_esp"
    PCHECK32 [res_ebp], 0xABCDCFFC, "s16_o32_l0_ebp_is_esp"
    PCHECK32 [0xCFFC], 0x1234B000, "s16_o32_l0_pushed_ebp"
    PCHECK32 [0xCFF8], 0xEEEEEEEE, "s16_o32_l0_nothing_more"

    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA16, 0xABCDD000, 0x1234B000, {enter 0x100, 1}
    PCHECK32 [res_esp], 0xABCDCEF8, "s16_o32_l1_esp"
    PCHECK32 [res_ebp], 0xABCDCFFC, "s16_o32_l1_ebp"
    PCHECK32 [0xCFFC], 0x1234B000, "s16_o32_l1_pushed_ebp"
    PCHECK32 [0xCFF8], 0xABCDCFFC, "s16_o32_l1_pushed_frame_is_esp"
    PCHECK32 [0xCFF4], 0xEEEEEEEE, "s16_o32_l1_nothing_more"

    ; The outer frames are read at BP - 4i: BP only, EBP's upper half (1234) plays no part.
%macro S16_O32_L4 2
    FILL_DISPLAY
    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA16, 0xABCDD000, 0x1234B000, {enter 0x100, %1}
    PCHK [res_esp], 0xABCDCEEC, %2, "_esp"
    PCHK [res_ebp], 0xABCDCFFC, %2, "_ebp"
    PCHK [0xCFFC], 0x1234B000, %2, "_pushed_ebp"
    PCHK [0xCFF8], 0x11112222, %2, "_copied_1"
    PCHK [0xCFF4], 0x33334444, %2, "_copied_2"
    PCHK [0xCFF0], 0x55556666, %2, "_copied_3"
    PCHK [0xCFEC], 0xABCDCFFC, %2, "_pushed_frame"
    PCHK [0xCFE8], 0xEEEEEEEE, %2, "_nothing_more"
%endmacro
    S16_O32_L4 4, "s16_o32_l4"
    S16_O32_L4 36, "s16_o32_l36"

    ; ================= 16-bit stack, 16-bit operand =================
    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA16, 0xABCDD000, 0x1234B000, {o16 enter 0x100, 0}
    PCHECK32 [res_esp], 0xABCDCEFE, "s16_o16_l0_esp"
    PCHECK32 [res_ebp], 0x1234CFFE, "s16_o16_l0_ebp"
    PCHECK32 [0xCFFC], 0xB000EEEE, "s16_o16_l0_pushed_bp"

    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA16, 0xABCDD000, 0x1234B000, {o16 enter 0x100, 1}
    PCHECK32 [res_esp], 0xABCDCEFC, "s16_o16_l1_esp"
    PCHECK32 [res_ebp], 0x1234CFFE, "s16_o16_l1_ebp"
    PCHECK32 [0xCFFC], 0xB000CFFE, "s16_o16_l1_pushed_bp_and_frame"
    PCHECK32 [0xCFF8], 0xEEEEEEEE, "s16_o16_l1_nothing_more"

%macro S16_O16_L4 2
    FILL_DISPLAY
    FILL 0xCFE0, 8, 0xEEEEEEEE
    RUN_ENTER DATA16, 0xABCDD000, 0x1234B000, {o16 enter 0x100, %1}
    PCHK [res_esp], 0xABCDCEF6, %2, "_esp"
    PCHK [res_ebp], 0x1234CFFE, %2, "_ebp"
    PCHK [0xCFFC], 0xB0001111, %2, "_pushed_bp_copied_1"
    PCHK [0xCFF8], 0x22223333, %2, "_copied_2_3"
    PCHK [0xCFF4], 0xCFFEEEEE, %2, "_pushed_frame"
%endmacro
    S16_O16_L4 4, "s16_o16_l4"
    S16_O16_L4 36, "s16_o16_l36"

    ; SP and BP wrap at 64 KiB: SP 6, BP 2, level 3, 8 bytes. Push BP at 4; FrameTemp 4;
    ; BP 0 -> push [0] at 2; BP FFFE -> push [FFFE] at 0; push FrameTemp at FFFE;
    ; SP = FFFE - 8.
    mov word [0x0000], 0x9999
    mov word [0xFFFE], 0xAAAA
    RUN_ENTER DATA16, 0xABCD0006, 0x12340002, {o16 enter 8, 3}
    PCHECK32 [res_esp], 0xABCDFFF6, "s16_o16_wrap_esp"
    PCHECK32 [res_ebp], 0x12340004, "s16_o16_wrap_ebp"
    PCHECK32 [0x0002], 0x00029999, "s16_o16_wrap_pushed_bp_copied_1"
    movzx eax, word [0x0000]
    PCHECK32 eax, 0xAAAA, "s16_o16_wrap_copied_2"
    movzx eax, word [0xFFFE]
    PCHECK32 eax, 0x0004, "s16_o16_wrap_pushed_frame"

    ; ================= the stack probe, under paging =================
    ; Identity map 0-4 MiB, supervisor, writable; then page 0x10000 not present.
    FILL PD, 1024, 0
    mov dword [PD], PT0 | 3
    mov edi, PT0
    mov eax, 3
    mov ecx, 1024
.map:
    stosd
    add eax, 0x1000
    loop .map
    mov dword [PT0 + 0x10 * 4], 0x10000     ; not present
    mov dword [PT0 + 0x0D * 4], 0x0D000     ; not present
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax

    ; 32-bit stack, 32-bit operand, level 31, 0x1000 bytes from ESP 0x12000: 32 dwords at
    ; 0x11F80-0x11FFF (EBP at 0x11FFC, copy i at 0x11FFC - 4i, FrameTemp 0x11FFC at
    ; 0x11F80), final ESP 0x12000 - 0x80 - 0x1000 = 0x10F80, on the missing page. The #PF
    ; frame covers 0x11FE0-0x11FFF; copy 8 (0x11FDC, read at DISPLAY - 32) and FrameTemp
    ; show the frame was written before the probe faulted, as on the host processor.
    FILL_DISPLAY
    mov dword [DISPLAY - 32], 0x600DF00D
    FILL 0x11F80, 32, 0xEEEEEEEE
    PEXPECT .pf1
    mov [saved_esp], esp
    mov esp, 0x12000
    mov ebp, DISPLAY
.enter1:
    enter 0x1000, 31
.pf1:                               ; the #PF resumes here too
    mov [res_esp], esp
    mov [res_ebp], ebp
    mov ax, DATA0
    mov ss, ax
    mov esp, [saved_esp]
    mov dword [parmed], 0
    PCHECK32 [0x11FDC], 0x600DF00D, "probe_s32_copy_8_written"
    PCHECK32 [0x11F80], 0x11FFC, "probe_s32_frame_temp_written"
    cmp dword [has_probe], 0
    je .no_probe1
    PCHECK32 [pexc_vector], 14, "probe_s32_pf"
    PCHECK32 [pexc_error], 2, "probe_s32_error_write_not_present"
    mov eax, cr2
    PCHECK32 eax, 0x10F80, "probe_s32_cr2_final_esp"
    PCHECK32 [pexc_eip], .enter1, "probe_s32_eip_at_enter"
    PCHECK32 [res_esp], 0x12000, "probe_s32_esp_unchanged"
    PCHECK32 [res_ebp], DISPLAY, "probe_s32_ebp_unchanged"
    jmp .probe2
.no_probe1:                         ; 386/486: no probe, ENTER completes
    PCHECK32 [pexc_count], 0, "no_probe_s32_no_fault"
    PCHECK32 [res_esp], 0x10F80, "no_probe_s32_esp"
    PCHECK32 [res_ebp], 0x11FFC, "no_probe_s32_ebp"

.probe2:
    ; A present read-only page with CR0.WP: error code 3.
    mov dword [PT0 + 0x10 * 4], 0x10001     ; present, read-only
    invlpg [0x10000]
    mov eax, cr0
    or eax, 1 << 16
    mov cr0, eax
    PEXPECT .pf2
    mov [saved_esp], esp
    mov esp, 0x12000
    mov ebp, DISPLAY
    enter 0x1000, 31
.pf2:
    mov [res_esp], esp
    mov [res_ebp], ebp
    mov ax, DATA0
    mov ss, ax
    mov esp, [saved_esp]
    mov dword [parmed], 0
    mov eax, cr0
    and eax, ~(1 << 16)
    mov cr0, eax
    cmp dword [has_probe], 0
    je .no_probe2
    PCHECK32 [pexc_vector], 14, "probe_wp_pf"
    PCHECK32 [pexc_error], 3, "probe_wp_error_write_protection"
    mov eax, cr2
    PCHECK32 eax, 0x10F80, "probe_wp_cr2"
    PCHECK32 [res_esp], 0x12000, "probe_wp_esp_unchanged"
    PCHECK32 [res_ebp], DISPLAY, "probe_wp_ebp_unchanged"
    jmp .probe3
.no_probe2:
    PCHECK32 [pexc_count], 0, "no_probe_wp_no_fault"
    PCHECK32 [res_esp], 0x10F80, "no_probe_wp_esp"

.probe3:
    ; 16-bit stack, 16-bit operand, level 31, 0x1000 bytes from SP 0xF000: 32 words at
    ; 0xEFC0-0xEFFF (copy i at 0xEFFE - 2i, FrameTemp 0xEFFE at 0xEFC0), final SP
    ; 0xF000 - 0x40 - 0x1000 = 0xDFC0 on the missing page 0xD000. Copy 16 (0xEFDE, read
    ; at BP - 32: F00D) lies below the #PF frame. (ESP's upper half is 0 here: the #PF
    ; handler addresses its frame with ESP.)
    FILL 0xEFC0, 16, 0xEEEEEEEE
    PEXPECT .pf3
    mov [saved_esp], esp
    mov ax, DATA16
    mov ss, ax
    mov esp, 0xF000
    mov ebp, 0x5678B000
.enter3:
    o16 enter 0x1000, 31
.pf3:
    mov [res_esp], esp
    mov [res_ebp], ebp
    mov ax, DATA0
    mov ss, ax
    mov esp, [saved_esp]
    mov dword [parmed], 0
    movzx eax, word [0xEFDE]
    PCHECK32 eax, 0xF00D, "probe_s16_copy_16_written"
    movzx eax, word [0xEFC0]
    PCHECK32 eax, 0xEFFE, "probe_s16_frame_temp_written"
    cmp dword [has_probe], 0
    je .no_probe3
    PCHECK32 [pexc_vector], 14, "probe_s16_pf"
    PCHECK32 [pexc_error], 2, "probe_s16_error"
    mov eax, cr2
    PCHECK32 eax, 0xDFC0, "probe_s16_cr2_final_sp"
    PCHECK32 [pexc_eip], .enter3, "probe_s16_eip_at_enter"
    PCHECK32 [res_esp], 0xF000, "probe_s16_esp_unchanged"
    PCHECK32 [res_ebp], 0x5678B000, "probe_s16_ebp_unchanged"
    jmp .limit
.no_probe3:
    PCHECK32 [pexc_count], 0, "no_probe_s16_no_fault"
    PCHECK32 [res_esp], 0xDFC0, "no_probe_s16_esp"
    PCHECK32 [res_ebp], 0x5678EFFE, "no_probe_s16_ebp"

.limit:
    ; The probe checks the segment limit too: a 16-bit stack segment (base 0x30000, limit
    ; 0xFFF), SP 0xF00, o16 ENTER 0x1000, 0: BP goes to 0xEFE, the final SP 0xEFE - 0x1000
    ; wraps to 0xFEFE, beyond the limit: #SS(0), SP and BP as they were.
    SET_DESC GDT_FREE, 0x00000FFF, 0x00009203
    PEXPECT .ss1
    mov [saved_esp], esp
    mov ax, GDT_FREE
    mov ss, ax
    mov esp, 0x0F00
    mov ebp, 0x1234
.enter4:
    o16 enter 0x1000, 0
.ss1:
    mov [res_esp], esp
    mov [res_ebp], ebp
    mov ax, DATA0
    mov ss, ax
    mov esp, [saved_esp]
    mov dword [parmed], 0
    cmp dword [has_probe], 0
    je .no_probe4
    PCHECK32 [pexc_vector], 12, "limit_ss_fault"
    PCHECK32 [pexc_error], 0, "limit_ss_error_0"
    PCHECK32 [pexc_eip], .enter4, "limit_eip_at_enter"
    PCHECK32 [res_esp], 0x0F00, "limit_esp_unchanged"
    PCHECK32 [res_ebp], 0x1234, "limit_ebp_unchanged"
    jmp .done
.no_probe4:
    PCHECK32 [pexc_count], 0, "no_probe_limit_no_fault"
    PCHECK32 [res_esp], 0xFEFE, "no_probe_limit_esp"
    movzx eax, word [0x30EFE]
    PCHECK32 eax, 0x1234, "no_probe_limit_pushed_bp"
.done:
    mov eax, cr0
    and eax, ~0x80000000
    mov cr0, eax
    PM_DONE
