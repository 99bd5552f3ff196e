; pm_system: the rest of the system-level set (SDM Vol. 3A ch. 2, 3, 7): an LDT loaded by
; LLDT and used through TI=1 selectors, SLDT; #SS(selector) for a not-present stack
; segment; a task switch whose TSS has a bad LDT selector (#TS in the new task) and one
; that loads a different CR3; CR0.TS/MP/EM and #NM; CR4.TSD, RDPMC with CR4.PCE; INVD and
; WBINVD only at CPL 0.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

LDT_SEL   equ 0x40                  ; LDT descriptor: 2 entries at LDT_BASE
LDT_BASE  equ 0x5000
SEL_SSNP  equ 0x48                  ; writable data, DPL 0, not present
TSS_BAD   equ 0x50                  ; 32-bit TSS at 0x5200 whose LDT selector is bad
TSS_CR3   equ 0x58                  ; 32-bit TSS at 0x5300 that loads CR3 = PD2
GATE_DONE equ 0x63                  ; call gate (slot 0x60, RPL 3) -> finish_r0
TSS_H     equ 0x68                  ; 32-bit TSS at 0x5400: the #TS handler task
LDT_DATA  equ 0x0C                  ; TI=1, index 1: data, base 0x200000
PD1       equ 0x8000
PD2       equ 0xA000
PT0       equ 0x9000

ROM_START "pm_system"
    jmp pm_enter

PM32_CODE
pm_main:
    ; ---- LDT ----
    mov dword [LDT_BASE], 0
    mov dword [LDT_BASE + 4], 0
    mov dword [LDT_BASE + 8], 0x0000FFFF    ; data, base 0x200000, 4 GiB
    mov dword [LDT_BASE + 12], 0x00CF9220
    SET_DESC LDT_SEL, 0x0000000F | ((LDT_BASE & 0xFFFF) << 16), 0x00008200 | ((LDT_BASE >> 16) & 0xFF)
    mov ax, LDT_SEL
    lldt ax
    sldt bx
    movzx ebx, bx
    PCHECK32 ebx, LDT_SEL, "sldt_reads_lldt"
    mov dword [0x200100], 0x1D71D7
    mov ax, LDT_DATA
    mov fs, ax
    PCHECK32 [fs:0x100], 0x1D71D7, "ldt_selector_uses_ldt"
    PEXPECT .l1
    mov ax, 0x14                    ; TI=1, index 2: past the LDT limit
    mov fs, ax
.l1:
    PCHECK32 [pexc_vector], 13, "ldt_limit_gp"
    PCHECK32 [pexc_error], 0x14, "ldt_limit_error"
    PEXPECT .l2
    mov ax, DATA0
    lldt ax                         ; not an LDT descriptor
.l2:
    PCHECK32 [pexc_error], DATA0, "lldt_non_ldt_gp"

    ; ---- #SS(selector) ----
    SET_DESC SEL_SSNP, 0x0000FFFF, 0x00CF1200
    PEXPECT .s1
    mov ax, SEL_SSNP
    mov ss, ax
.s1:
    PCHECK32 [pexc_vector], 12, "ss_not_present_ss"
    PCHECK32 [pexc_error], SEL_SSNP, "ss_not_present_error"

    ; ---- #TS: the new task's LDT selector is bad ----
    INIT_TSS32 0x5200, tss_bad_entry, 0x5800
    mov word [0x5200 + 0x60], DATA0         ; LDT field: a data segment, not an LDT
    SET_DESC TSS_BAD, 0x00000067 | (0x5200 << 16), 0x00008900
    ; #TS after the commit point is taken in the new task, whose segments may not be loaded:
    ; its handler is a task (SDM Vol. 3A §7.3, Table 7-1 note).
    INIT_TSS32 0x5400, ts_handler, 0x5A00
    SET_DESC TSS_H, 0x00000067 | (0x5400 << 16), 0x00008900
    mov dword [IDT_BASE + 10 * 8], TSS_H << 16
    mov dword [IDT_BASE + 10 * 8 + 4], 0x00008500
    mov ax, DATA0                   ; task 0's saved FS must not need the LDT, which the
    mov fs, ax                      ; switch back (TSS0's LDT field is null) will not load
    jmp TSS_BAD:0
    ; the handler task jumps back to task 0, which resumes here
    PCHECK32 [0x5E0], DATA0, "bad_task_ldt_ts_error"
    PCHECK32 [0x5E4], TSS_H, "ts_handler_task"
    PCHECK32 [0x5E8], TSS_BAD, "ts_handler_back_link"
    mov ax, DATA0
    mov ds, ax
    mov es, ax
    xor ax, ax
    lldt ax

    ; ---- a task switch loads CR3 ----
    mov edi, PD1
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov dword [PD1], PT0 | 3
    mov edi, PT0
    mov eax, 3
    mov ecx, 1024
.map:
    stosd
    add eax, 0x1000
    loop .map
    mov esi, PD1
    mov edi, PD2
    mov ecx, 1024
    rep movsd
    mov eax, PD1
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    INIT_TSS32 0x5300, tss_cr3_entry, 0x5800
    mov dword [0x5300 + 0x1C], PD2
    SET_DESC TSS_CR3, 0x00000067 | (0x5300 << 16), 0x00008900
    mov dword [TSS_BASE + 0x1C], PD1    ; CR3 is a static TSS field: the way back loads it
    call TSS_CR3:0
    PCHECK32 [0x5F0], PD2, "task_switch_loads_cr3"
    mov eax, cr3
    PCHECK32 eax, PD1, "iret_restores_cr3"
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax

    ; ---- CR0.TS / MP / EM and #NM ----
    clts
    mov eax, cr0
    or eax, 2 | 8                   ; MP, TS
    mov cr0, eax
    PEXPECT .n1
    wait
.n1:
    PCHECK32 [pexc_vector], 7, "wait_ts_mp_nm"
    mov eax, cr0
    and eax, ~(2 | 8)
    or eax, 4                       ; EM
    mov cr0, eax
    PEXPECT .n2
    fninit
.n2:
    PCHECK32 [pexc_vector], 7, "esc_em_nm"
    mov eax, cr0
    and eax, ~4
    mov cr0, eax

    ; ---- CR4.TSD, RDPMC/CR4.PCE, INVD at ring 3 ----
    invd
    wbinvd
    mov eax, cr4
    or eax, 4                       ; TSD
    mov cr4, eax
    SET_GATE GATE_DONE, CODE0, finish_r0, 0xEC00
    ENTER_RING3 ring3, 0x0002
ring3:
    PEXPECT .r1
    rdtsc
.r1:
    PCHECK32 [pexc_vector], 13, "tsd_rdtsc_ring3_gp"
    xor ecx, ecx
    PEXPECT .r2
    rdpmc
.r2:
    PCHECK32 [pexc_vector], 13, "rdpmc_ring3_without_pce_gp"
    PEXPECT .r3
    wbinvd
.r3:
    PCHECK32 [pexc_vector], 13, "wbinvd_ring3_gp"
    call GATE_DONE:0

tss_bad_entry:
    PCHECK32 0, 1, "bad_task_ran"
    PM_DONE

ts_handler:                         ; in task TSS_H; the error code is on its stack
    pop eax
    mov [0x5E0], eax
    str ax
    movzx eax, ax
    mov [0x5E4], eax
    movzx eax, word [0x5400]
    mov [0x5E8], eax
    jmp TSS0:0

tss_cr3_entry:
    mov eax, cr3
    mov [0x5F0], eax
    iretd

finish_r0:
    mov ax, DATA0
    mov ds, ax
    mov es, ax
    mov eax, cr4
    or eax, 0x100                   ; PCE: RDPMC at any CPL
    mov cr4, eax
    PM_DONE
