; media-watch: a hard disk that SeaBIOS boots, which watches the removable drives for the
; monitor's change and eject (tests/cli/media.sh) and reports what the guest sees on the
; debug console (port 0xE9), one line per change:
;
; - the floppy in drive A:: at each timer tick it reads the disk change line (DIR, port
;   3F7h, bit 7). While it is set, it reads cylinder 1 and then cylinder 0's first sector
;   through INT 13h (the step to cylinder 1 clears the line when a medium is in) and
;   prints "FLOPPY read: TEXT", the sector's first 16 bytes, or "FLOPPY empty: AH=XX" when
;   the reads fail; a report equal to the last one is not repeated.
; - the ATAPI CD-ROM at the secondary master (ports 170h-177h, 376h): it locks the door
;   (PREVENT ALLOW MEDIUM REMOVAL, prevent = 1), then at each tick sends TEST UNIT READY
;   and prints "CD sense K" when the sense key (the error register's high nibble, 0 when
;   the command passes) differs from the last: 6 UNIT ATTENTION after a new disc, 2 NOT
;   READY with none, 0 ready.
;
; Sector 0 loads sectors 1-2 with INT 13h AH=02h. "BEGIN media-watch" comes first and
; "READY" once the first reports are out.
bits 16
org 0x7C00

BUF equ 0x9000

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov si, s_begin
    call print
    mov ax, 0x0202         ; read 2 sectors
    mov cx, 0x0002         ; cylinder 0, sector 2
    xor dh, dh
    mov bx, stage2         ; DL: the boot drive, as SeaBIOS passed it
    int 0x13
    jc .fail
    jmp stage2
.fail:
    mov si, s_noload
    call print
    cli
    hlt

%include "print.inc"

s_begin:  db "BEGIN media-watch", 10, 0
s_noload: db "FAIL stage2_chs_read", 10, 0

    times 446 - ($ - $$) db 0
    times 64 db 0
    dw 0xAA55

; ---- Sectors 1-2 ----
stage2:
    mov dx, 0x376          ; device control: nIEN, SeaBIOS polls, so do we
    mov al, 0x02
    out dx, al
    mov si, pkt_lock
    call atapi
    mov byte [cd_last], 0xFF
    mov byte [fd_last], 0xFF
    call watch
    mov si, s_ready
    call print
.loop:
    sti
    hlt                    ; until the next interrupt (the timer's, 18.2 a second)
    call watch
    jmp .loop

watch:
    ; The CD: TEST UNIT READY's sense key, when it changed.
    mov si, pkt_tur
    call atapi
    cmp al, [cd_last]
    je .floppy
    mov [cd_last], al
    mov si, s_cd
    call print
    call print_hex_digit
    mov al, 10
    out 0xE9, al
.floppy:
    mov dx, 0x3F7
    in al, dx
    test al, 0x80
    jz .done
    mov bp, 3              ; tries
.try:
    mov ax, 0x0201         ; cylinder 1, head 0, sector 1: a step
    mov cx, 0x0101
    xor dx, dx
    mov bx, BUF
    int 0x13
    jc .again
    mov ax, 0x0201         ; cylinder 0, head 0, sector 1
    mov cx, 0x0001
    xor dx, dx
    mov bx, BUF
    int 0x13
    jnc .read
.again:
    push ax
    xor ax, ax             ; reset the diskette system, then try again
    xor dx, dx
    int 0x13
    pop ax
    dec bp
    jnz .try
    cmp ah, [fd_last]      ; failed: report AH once
    je .done
    mov [fd_last], ah
    mov si, s_empty
    call print
    mov al, ah
    call print_hex
    mov al, 10
    out 0xE9, al
.done:
    ret
.read:
    mov byte [fd_last], 0  ; a read, printed each time the line was set
    mov si, s_read
    call print
    mov si, BUF
    mov cx, 16
.byte:
    lodsb
    out 0xE9, al
    loop .byte
    mov al, 10
    out 0xE9, al
    ret

%include "hex.inc"

; Waits until the secondary channel's BSY is clear; AL: the status.
not_busy:
    mov dx, 0x177
.poll:
    in al, dx
    test al, 0x80
    jnz .poll
    ret

; Sends the 12-byte packet at SI to the secondary master, a command with no data. AL: the
; sense key (error register bits 7-4) when it ends with ERR, else 0.
atapi:
    mov dx, 0x176
    mov al, 0xA0           ; the master
    out dx, al
    call not_busy
    mov dx, 0x171
    xor al, al
    out dx, al             ; features: PIO
    mov dx, 0x174
    out dx, al             ; byte count limit 0 (no data)
    inc dx
    out dx, al
    mov dx, 0x177
    mov al, 0xA0           ; PACKET
    out dx, al
.drq:
    in al, dx
    test al, 0x80
    jnz .drq
    test al, 0x08          ; DRQ: the device takes the packet
    jz .status
    mov dx, 0x170
    mov cx, 6
    rep outsw
    call not_busy
.status:
    test al, 0x01
    jz .good
    mov dx, 0x171
    in al, dx
    shr al, 4
    ret
.good:
    xor al, al
    ret

pkt_tur:  db 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
pkt_lock: db 0x1E, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0
cd_last:  db 0
fd_last:  db 0
s_ready:  db "READY", 10, 0
s_cd:     db "CD sense ", 0
s_read:   db "FLOPPY read: ", 0
s_empty:  db "FLOPPY empty: AH=", 0

    times 3 * 512 - ($ - $$) db 0
