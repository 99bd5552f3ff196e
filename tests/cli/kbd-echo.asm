; tests/cli/kbd-echo.asm — a 64 KiB firmware image for tests/cli/monitor.sh: it prints
; "READY" on the debug console (port 0xE9), then forever echoes every byte the 8042 hands
; it from port 0x60 as two hex digits and a space, so that the monitor's sendkey can be
; seen reaching the guest (scan code set 1: the 8042 translates, as after a BIOS).
; It never halts: the monitor's stop, cont and quit have a running guest to act on.
bits 16
org 0

start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7C00
    mov al, 0x60            ; write the 8042's command byte:
    out 0x64, al
    mov al, 0x44            ; translation on, system flag, keyboard on, no interrupts
    out 0x60, al
    mov si, ready
.hello:
    mov al, [cs:si]
    test al, al
    jz .loop
    out 0xE9, al
    inc si
    jmp .hello
.loop:
    in al, 0x64
    test al, 1              ; output buffer full?
    jz .loop
    in al, 0x60
    mov ah, al
    shr al, 4
    call hex
    mov al, ah
    and al, 0x0F
    call hex
    mov al, ' '
    out 0xE9, al
    jmp .loop

hex:                        ; the low nibble of AL as a hex digit on port 0xE9
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'a' - '0' - 10
.out:
    out 0xE9, al
    ret

ready: db "READY", 10, 0

    times 0xFFF0 - ($ - $$) db 0
reset:
    jmp 0xF000:start        ; the reset vector, seen at F000:FFF0
    times 0x10000 - ($ - $$) db 0
