; reset-boot: a boot sector that says it ran and resets the machine, for the tests of a
; boot order that changes at a reset (-boot once=, tests/boot/bootorder.sh).
;
; Firmware loads it to 0000:7C00 from any drive (a floppy or a hard disk; it ends in the
; 55AAh signature). It writes "BOOT reset-boot: resetting" on the debug console (port
; 0xE9), then pulses the CPU's reset line through the 8042 (command FEh on port 64h).
; Should the reset not come, it halts.
bits 16
org 0x7C00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov si, s_boot
    call print
    mov al, 0xFE           ; 8042: pulse the reset line
    out 0x64, al
.halt:
    hlt
    jmp .halt

%include "print.inc"

s_boot  db "BOOT reset-boot: resetting", 10, 0

times 510 - ($ - $$) db 0
dw 0xAA55
