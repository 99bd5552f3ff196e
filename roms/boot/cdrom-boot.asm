; cdrom-boot: an El Torito no-emulation boot image that SeaBIOS loads from an ATAPI CD-ROM,
; checking the BIOS's CD services it runs on.
;
; tests/boot/cdrom.sh puts it in an ISO 9660 image with xorriso (-no-emul-boot
; -boot-load-size 4: these 2048 bytes are loaded to 07C0:0000 and run with DL = the CD's
; drive number, E0h and up) next to MARKER.TXT, three 2048-byte sectors that begin
; "ORRERY-CD-FILE-0", "-1" and "-2". Reporting one line per check on the debug console
; (port 0xE9), as disk-boot does: the drive number, the EDD extensions (AH=41h), the
; drive parameters (AH=48h: 2048-byte sectors), the primary volume descriptor (sector
; 16, "CD001") read with AH=42h, MARKER.TXT found in the root directory and its three
; sectors read with one AH=42h call, and a read past the end of the disc that must fail.
; It ends with "DONE cdrom-boot: N passed, M failed" and CLI; HLT.
bits 16
org 0x7C00

BUF       equ 0x8000       ; one 2048-byte sector (volume descriptor, root directory)
FILESEG   equ 0x1000       ; where MARKER.TXT's sectors go (1000:0000)
FILE_SECS equ 3

start:
    jmp 0:go               ; SeaBIOS enters at 07C0:0000: the same bytes at 0000:7C00
go:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov [drive], dl
    mov si, s_begin
    call print

    ; The drive SeaBIOS booted is a CD: numbers from E0h up.
    mov si, s_dl
    cmp byte [drive], 0xE0
    jb .dl_bad
    call passed
    jmp .dl_done
.dl_bad:
    call failed
.dl_done:

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

    ; AH=48h: 2048 bytes per sector.
    mov word [params], 0x1A
    mov ah, 0x48
    mov dl, [drive]
    mov si, params
    int 0x13
    mov si, s_params
    jc .p_bad
    cmp word [params + 24], 2048
    call result_e
    jmp .p_done
.p_bad:
    call failed
.p_done:

    ; AH=42h: sector 16 is the primary volume descriptor: type 1, "CD001".
    mov eax, 16
    mov cx, 1
    xor bx, bx
    mov di, BUF
    call read
    mov si, s_pvd
    jc .pvd_bad
    cmp byte [BUF], 1
    jne .pvd_bad
    mov si, t_cd001
    mov di, BUF + 1
    mov cx, 5
    repe cmpsb
    mov si, s_pvd
    call result_e
    jmp .pvd_done
.pvd_bad:
    call failed
    jmp finish             ; nothing further can be found
.pvd_done:

    ; The root directory (its record at offset 156: extent at +2) holds MARKER.TXT.
    mov eax, [BUF + 156 + 2]
    mov cx, 1
    xor bx, bx
    mov di, BUF
    call read
    mov si, s_find
    jc .find_bad
    mov bx, BUF
.next_record:
    movzx ax, byte [bx]    ; record length; 0: no more in this sector
    test ax, ax
    jz .find_bad
    cmp byte [bx + 32], t_name_len + 2 ; "MARKER.TXT;1"
    jne .skip
    lea si, [bx + 33]
    mov di, t_name
    mov cx, t_name_len
    repe cmpsb
    je .found
.skip:
    add bx, ax
    cmp bx, BUF + 2048
    jb .next_record
.find_bad:
    mov si, s_find
    call failed
    jmp finish
.found:
    mov eax, [bx + 2]      ; the file's extent
    mov [file_lba], eax
    mov si, s_find
    call passed

    ; Its three sectors in one AH=42h call, each beginning with its text.
    mov eax, [file_lba]
    mov cx, FILE_SECS
    mov bx, FILESEG
    xor di, di
    call read
    mov si, s_file
    jc .file_bad
    push es
    mov ax, FILESEG
    mov es, ax
    xor di, di
    mov dl, '0'
.check_sector:
    mov [t_file + 15], dl
    push di
    mov si, t_file
    mov cx, 16
    repe cmpsb
    pop di
    jne .file_cmp_bad
    add di, 2048
    inc dl
    cmp dl, '0' + FILE_SECS
    jb .check_sector
    pop es
    mov si, s_file
    call passed
    jmp .file_done
.file_cmp_bad:
    pop es
.file_bad:
    mov si, s_file
    call failed
.file_done:

    ; Past the end of the disc: the BIOS says no.
    mov eax, 0x00FFFFF0
    mov cx, 1
    xor bx, bx
    mov di, BUF
    call read
    mov si, s_past_end
    jc .e_ok
    call failed
    jmp finish
.e_ok:
    call passed

finish:
    ; DONE cdrom-boot: N passed, M failed
    jmp report_done

; INT 13h AH=42h: CX sectors from LBA EAX to BX:DI. CF as the BIOS left it.
read:
    mov [dap_count], cx
    mov [dap_buf], di
    mov [dap_buf + 2], bx
    mov [dap_lba], eax
    mov dword [dap_lba + 4], 0
    mov ah, 0x42
    mov dl, [drive]
    mov si, dap
    int 0x13
    ret

%include "print.inc"

%include "report.inc"

drive:    db 0
file_lba: dd 0
dap:      db 16, 0
dap_count: dw 1
dap_buf:  dw 0, 0          ; offset, segment
dap_lba:  dq 0
params:   times 0x1A db 0  ; AH=48h result: size, flags, C/H/S, sectors (8), bytes/sector

s_begin:    db "BEGIN cdrom-boot", 10, 0
s_dl:       db "booted_from_cd_drive", 10, 0
s_edd:      db "edd_extensions", 10, 0
s_params:   db "drive_params_2048_byte_sectors", 10, 0
s_pvd:      db "ext_read_primary_volume_descriptor", 10, 0
s_find:     db "marker_txt_in_root_directory", 10, 0
s_file:     db "ext_read_marker_txt_3_sectors", 10, 0
s_past_end: db "read_past_the_end_fails", 10, 0
s_done:     db "DONE cdrom-boot: ", 0
t_cd001:    db "CD001"
t_name:     db "MARKER.TXT"
t_name_len  equ $ - t_name
t_file:     db "ORRERY-CD-FILE-0"

    times 2048 - ($ - $$) db 0
