; tests/replay/input-echo.asm — a 64 KiB firmware image for tests/replay/rom.sh: it prints
; "READY" on the debug console (port 0xE9), then polls COM1 and the 8042 in a loop that
; counts its turns, and for every byte prints "S" or "K", the byte and the
; turn count in hex, so that the instruction where each input arrived shows in the output:
; a replay that gives an input one turn late prints another number. 'q' on COM1 halts.
bits 16
org 0

start:
    cli
    xor ax, ax
    mov ss, ax
    mov ds, ax
    mov sp, 0x7C00
    mov dx, 0x3FB           ; COM1 LCR: 8 bits, no parity, one stop bit
    mov al, 0x03
    out dx, al
    mov al, 0x60            ; the 8042's command byte: translation, keyboard, no IRQs
    out 0x64, al
    mov al, 0x44
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
    inc ebx                 ; the turn count
    mov dx, 0x3FD           ; COM1 LSR: data ready?
    in al, dx
    test al, 1
    jz .kbd
    mov dx, 0x3F8
    in al, dx
    mov cl, 'S'
    call report
    cmp byte [0x500], 'q'   ; the byte report kept
    jne .loop
    mov al, 10
    out 0xE9, al
    hlt                     ; interrupts are off: orrery stops here
.kbd:
    in al, 0x64             ; the 8042's output buffer full?
    test al, 1
    jz .loop
    in al, 0x60
    mov cl, 'K'
    call report
    jmp .loop

report:                     ; CL, then AL and EBX in hex, then a space
    mov [0x500], al         ; kept in RAM for the 'q' test
    mov ah, al
    mov al, cl
    out 0xE9, al
    mov al, ah
    call hex8
    mov al, '@'
    out 0xE9, al
    mov eax, ebx
    mov cx, 4
.word:
    rol eax, 8
    push eax
    call hex8
    pop eax
    loop .word
    mov al, ' '
    out 0xE9, al
    ret

hex8:                       ; AL as two hex digits
    push ax
    shr al, 4
    call hex4
    pop ax
hex4:
    and al, 0x0F
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
