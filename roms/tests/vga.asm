; vga: the VGA as a program on the CPU reaches it (IBM VGA reference, FreeVGA, the Bochs
; VBE interface, PCI 2.1 §6.2.5). PCI 00:02.0 is 1234:1111, class 0x0300; BAR0 sizes as
; 16 MiB of prefetchable memory, and once placed with memory space on, the framebuffer
; answers there; moved, it answers at the new place and no longer at the old one (the
; CPU's cached translations follow); the VBE registers set an 8-bit mode whose bank at
; 0xA0000 shows the same bytes. Planar memory through string instructions: REP STOSD
; fills four planes, write mode 1 copies a row with REP MOVSB through the latches, read
; map select and read mode 1 (colour compare) read it back, once the miscellaneous output
; register enables the CPU's access to them. Input status 1's vertical
; retrace bit comes and goes while the program polls it.
%define LIB_386
%define LIB_PM32
%include "pm.inc"

LFB       equ 0xE0000000
LFB2      equ 0xD0000000
WIN       equ 0xA0000

; PCI configuration of 00:02.0 register %1: eax = value
%macro CFG_RD 1
    mov dx, 0xCF8
    mov eax, 0x80001000 | %1
    out dx, eax
    mov dx, 0xCFC
    in eax, dx
%endmacro
%macro CFG_WR 2
    mov dx, 0xCF8
    mov eax, 0x80001000 | %1
    out dx, eax
    mov dx, 0xCFC
    mov eax, %2
    out dx, eax
%endmacro
; VBE register %1 = %2
%macro VBE_WR 2
    mov dx, 0x1CE
    mov ax, %1
    out dx, ax
    mov dx, 0x1CF
    mov ax, %2
    out dx, ax
%endmacro
; sequencer / graphics controller register %1 = %2
%macro SEQ 2
    mov dx, 0x3C4
    mov ax, (%2 << 8) | %1
    out dx, ax
%endmacro
%macro GC 2
    mov dx, 0x3CE
    mov ax, (%2 << 8) | %1
    out dx, ax
%endmacro

ROM_START "vga"
    jmp pm_enter

PM32_CODE
pm_main:
    ; ---- PCI identity and BAR0 ----
    CFG_RD 0x00
    PCHECK32 eax, 0x11111234, "pci_id_stdvga"
    CFG_RD 0x08
    shr eax, 8
    PCHECK32 eax, 0x030000, "pci_class_vga"
    CFG_WR 0x10, 0xFFFFFFFF
    CFG_RD 0x10
    PCHECK32 eax, 0xFF000008, "bar0_sizes_16m_prefetchable"
    CFG_WR 0x10, LFB
    CFG_WR 0x04, 0x0003
    mov dword [LFB + 0x100], 0x12345678
    PCHECK32 [LFB + 0x100], 0x12345678, "lfb_keeps_a_dword"

    ; ---- the same bytes through a VBE bank ----
    VBE_WR 0, 0xB0C5
    VBE_WR 1, 640
    VBE_WR 2, 480
    VBE_WR 3, 8
    VBE_WR 4, 0xC1                  ; enabled, LFB, no clear
    GC 6, 0x05                      ; graphics, 0xA0000 64 KiB
    mov eax, [WIN + 0x100]
    PCHECK32 eax, 0x12345678, "vbe_bank0_shows_lfb"
    VBE_WR 5, 1
    mov byte [WIN + 4], 0x5A
    movzx eax, byte [LFB + 0x10004]
    PCHECK32 eax, 0x5A, "vbe_bank1_writes_lfb"
    VBE_WR 5, 0

    ; ---- BAR0 moved: the old place is empty, the new one has the bytes ----
    CFG_WR 0x10, LFB2
    PCHECK32 [LFB2 + 0x100], 0x12345678, "lfb_moved_answers_there"
    PCHECK32 [LFB + 0x100], 0xFFFFFFFF, "lfb_old_place_empty"
    CFG_WR 0x04, 0x0001             ; memory space off
    PCHECK32 [LFB2 + 0x100], 0xFFFFFFFF, "lfb_off_with_memory_space"
    VBE_WR 4, 0x00

    ; ---- planar memory through string instructions ----
    mov dx, 0x3C2
    mov al, 0x03                    ; RAM enable, colour addresses
    out dx, al
    SEQ 2, 0x0F                     ; all planes
    SEQ 4, 0x06                     ; sequential, no chain-4
    GC 1, 0x00
    GC 3, 0x00
    GC 5, 0x00                      ; write mode 0, read mode 0
    GC 8, 0xFF
    mov edi, WIN
    mov eax, 0xC3A5C3A5
    mov ecx, 4
    cld
    rep stosd
    GC 5, 0x01                      ; write mode 1: the latches
    mov esi, WIN
    mov edi, WIN + 0x1000
    mov ecx, 16
    rep movsb
    GC 5, 0x00
    GC 4, 0x03                      ; read plane 3
    PCHECK32 [WIN + 0x1000], 0xC3A5C3A5, "write_mode1_copies_through_latches"
    GC 5, 0x08                      ; read mode 1: pixels of colour 15
    GC 2, 0x0F
    GC 7, 0x0F
    movzx eax, byte [WIN + 0x1001]
    PCHECK32 eax, 0xC3, "read_mode1_colour_compare"
    GC 5, 0x00

    ; ---- vertical retrace comes and goes (colour addresses) ----
    mov dx, 0x3C2
    mov al, 0x01
    out dx, al
    mov dx, 0x3DA
    mov ecx, 50000000
.wait_on:
    in al, dx
    test al, 8
    jnz .on
    loop .wait_on
.on:
    mov ebx, ecx
    mov ecx, 50000000
.wait_off:
    in al, dx
    test al, 8
    jz .off
    loop .wait_off
.off:
    xor eax, eax
    test ebx, ebx
    setnz al
    test ecx, ecx
    setnz ah
    PCHECK32 eax, 0x0101, "retrace_bit_comes_and_goes"
    PM_DONE
