; vbe-optrom: an option ROM for tests/boot/vga.sh. SeaBIOS runs it after the VGA BIOS
; (-option-rom: fw_cfg genroms/); it asks the VGA BIOS for VBE mode 0x112 (640x480, 24-bit
; direct colour, banked window), fills the first 64 KiB bank with 0x40 bytes (the top 34
; lines grey) and says on port 0x402 whether the mode was set. The last byte is the
; checksum, which the test fills in (SeaBIOS refuses a ROM whose bytes do not sum to 0).
bits 16
org 0
    db 0x55, 0xAA, 1                ; signature, one 512-byte block
    jmp init                        ; entry at offset 3, far-called by the BIOS
init:
    pushad
    push ds
    push es
    mov ax, 0x4F02                  ; VBE set mode
    mov bx, 0x0112
    int 0x10
    mov si, msg_fail
    cmp ax, 0x004F
    jne .report
    mov ax, 0xA000
    mov es, ax
    xor di, di
    mov cx, 0x8000
    mov ax, 0x4040
    cld
    rep stosw
    mov si, msg_ok
.report:
    mov dx, 0x402
.next:
    cs lodsb
    test al, al
    jz .done
    out dx, al
    jmp .next
.done:
    pop es
    pop ds
    popad
    retf
msg_ok:   db "vbe-optrom: mode 0x112 set", 10, 0
msg_fail: db "vbe-optrom: mode 0x112 refused", 10, 0
    times 511 - ($ - $$) db 0
    db 0                            ; checksum
