; pm_paging: paging and the TLB as software sees them (SDM Vol. 3A ch. 4): #PF error codes
; and CR2, CR0.WP, accessed and dirty bits, 4 MiB pages, translations cached until INVLPG
; or a CR3 load (global pages survive the CR3 load), and self-modifying code reached
; through a second mapping of the same physical page.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

PD        equ 0x8000                ; page directory
PT0       equ 0x9000                ; page table for 0-4 MiB: identity
%define PTE(a) (PT0 + ((a) >> 12) * 4)
GATE_DONE equ 0x4B                  ; call gate (slot 0x48, RPL 3) -> finish_r0

%macro PTE_SET 2                    ; linear page, value
    mov dword [PT0 + ((%1) >> 12) * 4], %2
%endmacro

ROM_START "pm_paging"
    jmp pm_enter

PM32_CODE
pm_main:
    ; Identity map 0-4 MiB (supervisor, writable), nothing above.
    mov edi, PD
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov dword [PD], PT0 | 3
    mov edi, PT0
    mov eax, 3
    mov ecx, 1024
.map:
    stosd
    add eax, 0x1000
    loop .map
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov dword [0x1000], 0x1D1D
    PCHECK32 [0x1000], 0x1D1D, "paging_on_identity"

    ; ---- not present ----
    PEXPECT .p1
    mov eax, [0x400123]             ; no page table for 4-8 MiB
.p1:
    PCHECK32 [pexc_vector], 14, "not_present_pf"
    PCHECK32 [pexc_error], 0, "not_present_read_error"
    mov eax, cr2
    PCHECK32 eax, 0x400123, "cr2_is_address"
    PEXPECT .p2
    mov dword [0x400200], 1
.p2:
    PCHECK32 [pexc_error], 2, "not_present_write_error"

    ; ---- read-only page, CR0.WP ----
    PTE_SET 0x200000, 0x200001      ; present, read-only
    invlpg [0x200000]
    mov dword [0x200010], 0x11      ; WP = 0: supervisor writes anything
    PCHECK32 [0x200010], 0x11, "wp0_supervisor_writes_read_only"
    mov eax, cr0
    or eax, 1 << 16
    mov cr0, eax
    PEXPECT .p3
    mov dword [0x200010], 0x22
.p3:
    PCHECK32 [pexc_error], 3, "wp1_write_read_only_error"
    PCHECK32 [0x200010], 0x11, "wp1_write_not_done"
    mov eax, cr0
    and eax, ~(1 << 16)
    mov cr0, eax

    ; ---- accessed and dirty ----
    PTE_SET 0x210000, 0x210003
    invlpg [0x210000]
    mov eax, [0x210000]
    mov eax, [PTE(0x210000)]
    and eax, 0x60
    PCHECK32 eax, 0x20, "read_sets_accessed_only"
    mov dword [0x210000], 5
    mov eax, [PTE(0x210000)]
    and eax, 0x60
    PCHECK32 eax, 0x60, "write_sets_dirty"

    ; ---- a 4 MiB page (CR4.PSE) ----
    mov eax, cr4
    or eax, 0x10
    mov cr4, eax
    mov dword [PD + 4], 0x800000 | 0x83     ; 4-8 MiB -> physical 8-12 MiB
    mov eax, PD
    mov cr3, eax
    mov dword [0x400040], 0xBEEF
    mov eax, [PD + 4]
    and eax, 0x60
    PCHECK32 eax, 0x60, "pse_page_accessed_dirty"
    mov dword [PTE(0x300000)], 0x800000 | 3 ; a 4 KiB window on the same physical page
    invlpg [0x300000]
    PCHECK32 [0x300040], 0xBEEF, "pse_page_maps_physical"

    ; ---- cached translations ----
    mov dword [0x100000], 0xAAAA
    mov dword [0x101000], 0xBBBB
    PTE_SET 0x310000, 0x100003
    invlpg [0x310000]
    mov eax, [0x310000]             ; cached: 0x310000 -> 0x100000
    PTE_SET 0x310000, 0x101003      ; changed in memory only
    PCHECK32 [0x310000], 0xAAAA, "tlb_keeps_old_translation"
    invlpg [0x310000]
    PCHECK32 [0x310000], 0xBBBB, "invlpg_drops_it"
    PTE_SET 0x310000, 0x100003
    mov eax, PD
    mov cr3, eax
    PCHECK32 [0x310000], 0xAAAA, "cr3_load_flushes"

    ; ---- global pages survive CR3 loads (CR4.PGE) ----
    mov eax, cr4
    or eax, 0x80
    mov cr4, eax
    PTE_SET 0x320000, 0x100103      ; global
    invlpg [0x320000]
    mov eax, [0x320000]
    PTE_SET 0x320000, 0x101103
    mov eax, PD
    mov cr3, eax
    PCHECK32 [0x320000], 0xAAAA, "global_survives_cr3_load"
    invlpg [0x320000]
    PCHECK32 [0x320000], 0xBBBB, "invlpg_drops_global"

    ; ---- self-modifying code through a second mapping ----
    PTE_SET 0x330000, 0x102003      ; code page
    PTE_SET 0x340000, 0x102003      ; the same physical page, written as data
    invlpg [0x330000]
    invlpg [0x340000]
    mov dword [0x340000], 0x000001B8 ; mov eax, 1
    mov dword [0x340004], 0x9090C300 ; ... ; ret
    call 0x330000
    PCHECK32 eax, 1, "code_page_first_version"
    mov byte [0x340001], 2          ; patch the immediate through the alias
    call 0x330000
    PCHECK32 eax, 2, "code_page_sees_alias_write"
    mov byte [0x330001], 3          ; and through the code mapping itself
    call 0x330000
    PCHECK32 eax, 3, "code_page_sees_own_write"

    ; ---- a ring-3 interrupt pushes onto a supervisor-only ring-0 stack ----
    mov edi, PT0
    mov ecx, 256                    ; 0-1 MiB: user pages ...
.user:
    or dword [edi], 4
    add edi, 4
    loop .user
    and dword [PTE(STACK_TOP - 4)], ~4  ; ... but the ring-0 stack's page
    mov eax, PD
    or dword [eax], 4
    mov cr3, eax
    SET_GATE GATE_DONE, CODE0, finish_r0, 0xEC00
    ENTER_RING3 ring3, 0x0002
ring3:
    PEXPECT
    int 0x41                        ; the frame goes on the supervisor page
    PCHECK32 [pexc_vector], 0x41, "ring3_int_to_supervisor_stack_page"
    PEXPECT after_user_pf
    mov eax, [STACK_TOP - 4]        ; ring 3 itself may not touch that page
after_user_pf:
    PCHECK32 [pexc_error], 5, "user_read_of_supervisor_page_pf"
    call GATE_DONE:0

finish_r0:
    mov ax, DATA0
    mov ds, ax
    mov es, ax
    PM_DONE
