; floppy-boot: a floppy that SeaBIOS boots, checking the BIOS diskette services it runs on
; (the 8237 DMA and the 82077AA underneath).
;
; Sector 0 is a boot sector: SeaBIOS reads it from drive A: to 0000:7C00 and jumps there
; with DL = 00h. It loads sectors 2-3 (CHS, the rest of this program) after itself with
; INT 13h AH=02h and goes on there. Then, one PASS/FAIL line per check on the debug
; console (port 0xE9): the drive parameters (AH=08h) printed as "INFO geometry: type T,
; C cylinders, H heads, S sectors" for the test to compare with the image's format; a
; read (AH=02h) of the last sector of cylinder 1, head 1, whose text the test put there
; (a seek, the second head, the last sector of a track); a two-sector read across the
; end of cylinder 0's first track, from head 0 into head 1 (multitrack); a write (AH=03h)
; of cylinder 2, head 0, sector 1 read back; a read past the last cylinder that must
; fail. It ends with "DONE floppy-boot: N passed, M failed" and CLI; HLT.
; tests/boot/floppy.sh puts the known text in the image, boots it as 1.44M and 360K, and
; checks the report and that the written sector reached the image file.
bits 16
org 0x7C00

BUF       equ 0x9000       ; where sectors are read to (1 KiB)
WBUF      equ 0x9800       ; what is written from
%define KNOWN_TEXT "ORRERY FLOPPY: CYLINDER 1, HEAD 1, LAST SECTOR"

%define BOOT_NAME "floppy-boot"
%include "stage1.inc"

; ---- Sectors 2-3 (CHS sector numbers): the checks ----
STAGE2_HEADER
    mov si, s_loaded
    call passed

    mov si, s_dl
    cmp byte [drive], 0x00
    call result_e

    ; AH=08h: the drive type (BL), the last cylinder (CH), head (DH), sector (CL).
    mov ah, 0x08
    mov dl, [drive]
    push es
    int 0x13               ; ES:DI: the diskette parameter table
    pop es
    mov si, s_params
    jc .p_bad
    mov [dtype], bl
    mov [maxcyl], ch
    mov [maxhead], dh
    and cl, 0x3F
    mov [spt], cl
    call passed
    mov si, s_geom
    call print
    mov al, [dtype]
    call print_dec
    mov si, s_geom_c
    call print
    mov al, [maxcyl]
    inc al
    call print_dec
    mov si, s_geom_h
    call print
    mov al, [maxhead]
    inc al
    call print_dec
    mov si, s_geom_s
    call print
    mov al, [spt]
    call print_dec
    mov si, s_geom_e
    call print
    jmp .p_done
.p_bad:
    call failed
.p_done:

    ; AH=02h: cylinder 1, head 1, the last sector holds the known text.
    mov ax, 0x0201
    mov ch, 1
    mov cl, [spt]
    mov dh, 1
    mov dl, [drive]
    mov bx, BUF
    int 0x13
    mov si, s_read
    jc .r_bad
    mov si, t_known
    mov di, BUF
    call same
    mov si, s_read
    call result_e
    jmp .r_done
.r_bad:
    call failed
.r_done:

    ; AH=02h, two sectors from the last of cylinder 1, head 0: the second is the first
    ; of head 1, which the test filled with 'H'.
    mov ax, 0x0202
    mov ch, 1
    mov cl, [spt]
    xor dh, dh
    mov dl, [drive]
    mov bx, BUF
    int 0x13
    mov si, s_mt
    jc .m_bad
    cmp byte [BUF + 512], 'H'
    jne .m_bad
    cmp byte [BUF + 1023], 'H'
    call result_e
    jmp .m_done
.m_bad:
    call failed
.m_done:

    ; AH=03h: cylinder 2, head 0, sector 1, then read back.
    mov si, t_write
    call fill_wbuf
    mov ax, 0x0301
    mov cx, 0x0201
    xor dh, dh
    mov dl, [drive]
    mov bx, WBUF
    int 0x13
    mov si, s_write
    call result_c
    mov di, BUF
    mov cx, 512
    xor al, al
    rep stosb
    mov ax, 0x0201
    mov cx, 0x0201
    xor dh, dh
    mov dl, [drive]
    mov bx, BUF
    int 0x13
    mov si, s_back
    jc .b_bad
    mov si, t_write
    mov di, BUF
    call same
    mov si, s_back
    call result_e
    jmp .b_done
.b_bad:
    call failed
.b_done:

    ; Past the last cylinder: the BIOS says no.
    mov ax, 0x0201
    mov ch, [maxcyl]
    inc ch
    mov cl, 1
    xor dh, dh
    mov dl, [drive]
    mov bx, BUF
    int 0x13
    mov si, s_past_end
    jc .e_ok
    call failed
    jmp .e_done
.e_ok:
    call passed
.e_done:

    jmp report_done

; The 512 bytes at WBUF: the text at SI, then zeros.
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

dtype:   db 0
maxcyl:  db 0
maxhead: db 0
spt:     db 0

s_loaded:    db "stage2_chs_read", 10, 0
s_dl:        db "booted_from_drive_00h", 10, 0
s_params:    db "drive_params", 10, 0
s_geom:      db "INFO geometry: type ", 0
s_geom_c:    db ", ", 0
s_geom_h:    db " cylinders, ", 0
s_geom_s:    db " heads, ", 0
s_geom_e:    db " sectors", 10, 0
s_read:      db "read_cylinder_1_head_1_last_sector", 10, 0
s_mt:        db "read_across_heads", 10, 0
s_write:     db "write_cylinder_2_sector_1", 10, 0
s_back:      db "write_reads_back", 10, 0
s_past_end:  db "read_past_the_last_cylinder_fails", 10, 0
s_done:      db "DONE floppy-boot: ", 0
t_known:     db KNOWN_TEXT, 0
t_write:     db "ORRERY FLOPPY: CYLINDER 2, SECTOR 1, WRITTEN WITH INT 13h AH=03h", 0

    times 512 * 3 - ($ - $$) db 0
