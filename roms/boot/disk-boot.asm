; disk-boot: a hard disk that SeaBIOS boots, checking the BIOS disk services it runs on.
;
; Sector 0 is a master boot record: SeaBIOS reads it from the first IDE disk to
; 0000:7C00 and jumps there with DL = 80h. It loads sectors 1-2 (the rest of this program)
; after itself with INT 13h AH=02h (a CHS read) and goes on there, which proves the read.
; Then, reporting one line per check on the debug console (port 0xE9) as the test ROMs do:
; the EDD extensions (AH=41h), an extended read (AH=42h) of sector 3, whose text is known,
; the drive parameters (AH=08h: 16 heads, 63 sectors), a CHS write (AH=03h) of sector 5
; and an extended write (AH=43h) of sector 4, both read back with AH=42h, and a read
; past the end of the disk that must fail. It ends with "DONE disk-boot: N passed, M
; failed" and CLI; HLT. tests/boot/disk.sh pads the image to 2 MiB, boots it, and checks
; the report and that sectors 4 and 5 of the image file now hold what was written.
bits 16
org 0x7C00

SEC_DATA  equ 3            ; known text
SEC_LBAW  equ 4            ; written with AH=43h
SEC_CHSW  equ 5            ; written with AH=03h
%define DATA_TEXT "ORRERY: SECTOR 3, READ WITH INT 13h AH=42h"
BUF       equ 0x9000       ; where sectors are read to
WBUF      equ 0x9400       ; what is written from

%define BOOT_NAME "disk-boot"
%include "stage1.inc"

; ---- Sectors 1-2: the checks ----
STAGE2_HEADER
    mov si, s_loaded
    call passed

    ; The drive SeaBIOS booted is the first hard disk.
    mov si, s_dl
    cmp byte [drive], 0x80
    call result_e

    ; EDD: AH=41h, BX=55AAh -> CF clear, BX=AA55h.
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, [drive]
    int 0x13
    mov si, s_edd
    jc .edd_bad
    cmp bx, 0xAA55
    call result_e
    jmp .edd_done
.edd_bad:
    call failed
.edd_done:

    ; AH=42h: sector 3 has the known text.
    mov eax, SEC_DATA
    mov ah, 0x42
    call ext_rw_lba_in_eax_low
    mov si, s_ext_read
    jc .r_bad
    mov si, t_data
    mov di, BUF
    call same
    mov si, s_ext_read
    call result_e
    jmp .r_done
.r_bad:
    call failed
.r_done:

    ; AH=08h: 16 heads (DH = 15), 63 sectors per track, at least one disk.
    mov ah, 0x08
    mov dl, [drive]
    int 0x13
    mov si, s_params
    jc .p_bad
    cmp dh, 15
    jne .p_bad
    and cl, 0x3F
    cmp cl, 63
    jne .p_bad
    cmp dl, 1
    jb .p_bad
    call passed
    jmp .p_done
.p_bad:
    call failed
.p_done:

    ; AH=03h: write sector 5 by CHS (cylinder 0, head 0, sector 6).
    mov si, t_chs
    call fill_wbuf
    mov ax, 0x0301
    mov cx, SEC_CHSW + 1
    xor dh, dh
    mov dl, [drive]
    mov bx, WBUF
    int 0x13
    mov si, s_chs_write
    call result_c

    ; AH=43h: write sector 4 by LBA.
    mov si, t_lba
    call fill_wbuf
    mov eax, SEC_LBAW
    mov ah, 0x43
    mov word [dap_buf], WBUF
    call ext_rw_lba_in_eax_low
    mov word [dap_buf], BUF
    mov si, s_ext_write
    call result_c

    ; Both read back.
    mov eax, SEC_CHSW
    mov ah, 0x42
    call ext_rw_lba_in_eax_low
    mov si, t_chs
    mov di, BUF
    call same
    mov si, s_chs_back
    call result_e
    mov eax, SEC_LBAW
    mov ah, 0x42
    call ext_rw_lba_in_eax_low
    mov si, t_lba
    mov di, BUF
    call same
    mov si, s_lba_back
    call result_e

    ; Past the end of the 2 MiB disk: the BIOS says no.
    mov dword [dap_lba], 0x00100000
    mov ah, 0x42
    mov dl, [drive]
    mov si, dap
    int 0x13
    mov si, s_past_end
    jc .e_ok
    call failed
    jmp .e_done
.e_ok:
    call passed
.e_done:

    ; DONE disk-boot: N passed, M failed
    jmp report_done

; INT 13h AH (42h/43h) with the packet at dap, the LBA in AL (small numbers only).
ext_rw_lba_in_eax_low:
    movzx ecx, al
    mov [dap_lba], ecx
    mov dword [dap_lba + 4], 0
    mov al, 0
    mov dl, [drive]
    mov si, dap
    int 0x13
    ret

; The 512 bytes at WBUF: the text at SI, then its length's worth of zeros to the end.
fill_wbuf:
    mov di, WBUF
    mov cx, 512
    xor al, al
    rep stosb
    mov di, WBUF
.copy:
    lodsb
    stosb
    test al, al
    jnz .copy
    ret

%include "report.inc"

dap:      db 16, 0
          dw 1             ; one sector
dap_buf:  dw BUF, 0        ; offset, segment
dap_lba:  dq 0

s_loaded:    db "stage2_chs_read", 10, 0
s_dl:        db "booted_from_drive_80h", 10, 0
s_edd:       db "edd_extensions", 10, 0
s_ext_read:  db "ext_read_sector_3", 10, 0
s_params:    db "drive_params_16_heads_63_sectors", 10, 0
s_chs_write: db "chs_write_sector_5", 10, 0
s_ext_write: db "ext_write_sector_4", 10, 0
s_chs_back:  db "chs_write_reads_back", 10, 0
s_lba_back:  db "ext_write_reads_back", 10, 0
s_past_end:  db "read_past_the_end_fails", 10, 0
s_done:      db "DONE disk-boot: ", 0
t_data:      db DATA_TEXT, 0
t_chs:       db "ORRERY: SECTOR 5, WRITTEN WITH INT 13h AH=03h", 0
t_lba:       db "ORRERY: SECTOR 4, WRITTEN WITH INT 13h AH=43h", 0

    times 512 * 3 - ($ - $$) db 0
; ---- Sector 3: the known text ----
    db DATA_TEXT, 0
    times 512 * 4 - ($ - $$) db 0
; ---- Sectors 4 and 5: zeros, for the writes ----
    times 512 * 6 - ($ - $$) db 0
