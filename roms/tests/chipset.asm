; chipset: what firmware uses to learn and shadow the machine, as SeaBIOS does.
; QEMU's fw_cfg (docs/specs/fw_cfg.rst): the "QEMU" signature on ports 0x510/0x511, the
; feature bits (traditional and DMA), the DMA register reading "QEMU CFG", the file
; directory (big-endian) listing etc/e820, a data read past an item's end giving 0; DMA
; through a control structure in RAM: select and read, skip then read, a refused write
; (error bit). The i440FX's PAM registers (82441FX datasheet): a 16 KiB segment of
; 0xE0000 made read/write DRAM keeps what is written, read-only DRAM ignores writes, the
; other half of the register is its own segment; the ROM copies itself into the shadow
; RAM under 0xF0000 with PAM0 write-only, runs on from the copy with PAM0 read/write, is
; write-protected with PAM0 read-only, and sees its ROM again with PAM0 = 0. SMRAM:
; G_SMRAME + D_OPEN put RAM at 0xA0000; D_LCK closes it and locks D_OPEN.
%define LIB_386
%include "lib.inc"

FWCFG_SEL   equ 0x510
FWCFG_DATA  equ 0x511
FWCFG_DMA   equ 0x514
DMA_ERROR   equ 0x01
DMA_READ    equ 0x02
DMA_SKIP    equ 0x04
DMA_SELECT  equ 0x08
DMA_WRITE   equ 0x10

acc         equ 0x3000          ; a DMA control structure (segment 0)
dma_buf     equ 0x3100          ; its target
dir_buf     equ 0x2000          ; one directory entry

; Selects fw_cfg item %1.
%macro CFG_SELECT 1
    mov dx, FWCFG_SEL
    mov ax, %1
    out dx, ax
%endmacro

; Reads four data bytes into eax, first byte lowest.
%macro CFG_READ4 0
    mov dx, FWCFG_DATA
    mov cx, 4
%%next:
    in al, dx
    ror eax, 8
    loop %%next
%endmacro

; A DMA operation: control %1, length %2, target %3 (all as numbers; the structure is
; written big-endian), then the structure's address to the register's low half.
%macro DMA 3
    mov eax, %1
    bswap eax
    mov [ss:acc], eax
    mov eax, %2
    bswap eax
    mov [ss:acc + 4], eax
    mov dword [ss:acc + 8], 0
    mov eax, %3
    bswap eax
    mov [ss:acc + 12], eax
    mov eax, acc
    bswap eax
    mov dx, FWCFG_DMA + 4
    out dx, eax
%endmacro

; Writes byte %2 to the host bridge's configuration register %1.
%macro HB_WRITE8 2
    mov eax, 0x80000000 | (%1 & 0xFC)
    mov dx, 0xCF8
    out dx, eax
    mov dx, 0xCFC + (%1 & 3)
    mov al, %2
    out dx, al
%endmacro

; Reads the host bridge's configuration register %1 (a byte) into al.
%macro HB_READ8 1
    mov eax, 0x80000000 | (%1 & 0xFC)
    mov dx, 0xCF8
    out dx, eax
    mov dx, 0xCFC + (%1 & 3)
    in al, dx
%endmacro

ROM_START "chipset"
; ---- fw_cfg: the traditional interface ----
    CFG_SELECT 0
    CFG_READ4
    CHECK32 eax, 0x554D4551, "fwcfg_signature_qemu"
    mov dx, FWCFG_DATA
    in al, dx
    movzx eax, al
    CHECK32 eax, 0, "fwcfg_read_past_end_is_zero"
    CFG_SELECT 1
    CFG_READ4
    and eax, 3
    CHECK32 eax, 3, "fwcfg_id_traditional_and_dma"
    mov dx, FWCFG_DMA
    in eax, dx
    CHECK32 eax, 0x554D4551, "fwcfg_dma_register_reads_qemu"
    mov dx, FWCFG_DMA + 4
    in eax, dx
    CHECK32 eax, 0x47464320, "fwcfg_dma_register_reads_cfg"

; ---- the file directory: a big-endian count, then 64-byte entries ----
    CFG_SELECT 0x19
    CFG_READ4
    bswap eax
    mov [ss:lib_scratch], eax
    cmp eax, 2
    OK_IF ae, "fwcfg_directory_lists_files"
    mov ebx, [ss:lib_scratch]
    xor bp, bp                  ; found
.entry:
    test ebx, ebx
    jz .entries_done
    mov dx, FWCFG_DATA
    mov di, dir_buf
    mov cx, 64
.byte:
    in al, dx
    mov [ss:di], al
    inc di
    loop .byte
    mov si, e820_name
    mov di, dir_buf + 8
.cmp:
    mov al, [cs:si]
    cmp al, [ss:di]
    jne .next
    inc si
    inc di
    test al, al
    jnz .cmp
    inc bp
.next:
    dec ebx
    jmp .entry
.entries_done:
    CHECK16 bp, 1, "fwcfg_directory_has_etc_e820"

; ---- fw_cfg DMA ----
    mov dword [ss:dma_buf], 0
    DMA (0 << 16) | DMA_SELECT | DMA_READ, 4, dma_buf
    CHECK32 [ss:dma_buf], 0x554D4551, "fwcfg_dma_select_read"
    CHECK32 [ss:acc], 0, "fwcfg_dma_control_cleared_when_done"
    DMA (0 << 16) | DMA_SELECT | DMA_SKIP, 2, 0
    mov dword [ss:dma_buf], 0
    DMA DMA_READ, 2, dma_buf
    CHECK32 [ss:dma_buf], 0x0000554D, "fwcfg_dma_skip_then_read"
    DMA (0 << 16) | DMA_SELECT | DMA_WRITE, 4, dma_buf
    mov eax, [ss:acc]
    bswap eax
    CHECK32 eax, DMA_ERROR, "fwcfg_dma_write_refused"

; ---- PAM: a segment of 0xE0000 (PAM5 low half: 0xE0000-0xE3FFF) ----
    HB_READ8 0x5E
    movzx ax, al
    CHECK16 ax, 0, "pam5_zero_at_reset"
    mov ax, 0xE000
    mov es, ax
    HB_WRITE8 0x5E, 0x03        ; read/write DRAM
    mov dword [es:0], 0x12345678
    CHECK32 [es:0], 0x12345678, "pam_rw_segment_keeps_writes"
    HB_WRITE8 0x5E, 0x01        ; read-only DRAM: writes go to PCI
    mov dword [es:0], 0xDEADBEEF
    CHECK32 [es:0], 0x12345678, "pam_read_only_ignores_writes"
    HB_WRITE8 0x5E, 0x13        ; low half read/write, high half (0xE4000) read-only
    mov dword [es:0], 0x11223344
    mov dword [es:0x4000], 0xCAFEF00D
    CHECK32 [es:0], 0x11223344, "pam_low_half_read_write"
    CHECK32 [es:0x4000], 0, "pam_high_half_is_its_own_segment"
    HB_WRITE8 0x5E, 0x00

; ---- PAM0: the ROM shadows itself, as SeaBIOS does ----
    HB_WRITE8 0x59, 0x20        ; writes to DRAM, reads from the ROM
    push ds
    mov ax, ROM_SEG
    mov ds, ax
    mov es, ax
    xor si, si
    xor di, di
    mov cx, 0x4000
    cld
    rep movsd                   ; 64 KiB from the ROM into the RAM under it
    pop ds
    HB_WRITE8 0x59, 0x30        ; read/write DRAM: now running from the copy
    PASS "pam0_runs_on_from_the_shadow_copy"
    mov byte [es:shadow_probe], 0x5A
    movzx ax, byte [es:shadow_probe]
    CHECK16 ax, 0x5A, "pam0_shadow_is_writable"
    HB_WRITE8 0x59, 0x10        ; read-only: write-protected
    mov byte [es:shadow_probe], 0x77
    movzx ax, byte [es:shadow_probe]
    CHECK16 ax, 0x5A, "pam0_read_only_protects_the_copy"
    HB_WRITE8 0x59, 0x00        ; the ROM again
    movzx ax, byte [es:shadow_probe]
    CHECK16 ax, 0xA5, "pam0_zero_shows_the_rom"

; ---- SMRAM over the VGA window ----
    HB_READ8 0x72
    movzx ax, al
    CHECK16 ax, 0x02, "smram_reset_value"
    HB_WRITE8 0x72, 0x4A        ; D_OPEN | G_SMRAME | C_BASE_SEG
    mov ax, 0xA000
    mov es, ax
    mov dword [es:0], 0x5AA55AA5
    CHECK32 [es:0], 0x5AA55AA5, "smram_open_is_ram"
    HB_WRITE8 0x72, 0x5A        ; D_LCK with D_OPEN: D_OPEN is cleared
    HB_READ8 0x72
    movzx ax, al
    CHECK16 ax, 0x1A, "smram_lock_clears_d_open"
    HB_WRITE8 0x72, 0x4A
    HB_READ8 0x72
    movzx ax, al
    CHECK16 ax, 0x1A, "smram_locked_d_open_read_only"
    ROM_DONE

[section .rodata]
e820_name: db "etc/e820", 0
shadow_probe: db 0xA5
