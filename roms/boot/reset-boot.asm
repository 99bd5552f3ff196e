; reset-boot: a boot sector that says it ran and resets the machine, for the tests of a
; boot order that changes at a reset (-boot once=, tests/boot/bootorder.sh).
;
; Firmware loads it to 0000:7C00 from any drive (a floppy or a hard disk; it ends in the
; 55AAh signature). It writes "BOOT reset-boot: DL=XX, resetting" on the debug console
; (port 0xE9), XX the drive number the firmware passed, then pulses the CPU's reset line
; through the 8042 (command FEh on port 64h). Should the reset not come, it halts.
bits 16
org 0x7C00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov bl, dl             ; the boot drive
    mov si, s_boot
    call print
    mov al, bl
    shr al, 4
    call hex
    mov al, bl
    call hex
    mov si, s_reset
    call print
    mov al, 0xFE           ; 8042: pulse the reset line
    out 0x64, al
.halt:
    hlt
    jmp .halt

; The string at DS:SI, up to its NUL, on port 0xE9.
print:
    lodsb
    test al, al
    jz .done
    out 0xE9, al
    jmp print
.done:
    ret

; AL's low nibble as a hex digit on port 0xE9.
hex:
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    out 0xE9, al
    ret

s_boot  db "BOOT reset-boot: DL=", 0
s_reset db ", resetting", 10, 0

times 510 - ($ - $$) db 0
dw 0xAA55
