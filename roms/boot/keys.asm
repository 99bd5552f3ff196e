; keys: a hard disk that SeaBIOS boots, echoing the keyboard and mouse it is given (for the
; window tests, tests/sdl/).
;
; One sector, a master boot record loaded at 0000:7C00. It sets text mode 3 (a clear
; screen), hides the cursor (a blinking cursor would make screenshots depend on the
; moment), sets the keyboard's typematic to its longest delay, 1 s (command F3h, 7Fh:
; a key the tests hold for less arrives once), and writes a title on the screen and
; "READY" on the debug console (port 0xE9).
; It asks the BIOS for the PS/2 mouse (INT 15h AX=C205h/C207h/C200h, 3-byte packets) and
; reports each packet its handler receives as "mouse SS XX YY" (status, X and Y bytes in
; hex) on port 0xE9. Then, for each key INT 16h AH=00h returns: "key SC AS" (scan code,
; ASCII) on port 0xE9, and the character on the screen (Enter starts a new line), unless
; it is the key before again (a held key's repeats: the screen does not depend on how long
; the host held it). Esc ends it: "BYE", then CLI; HLT.
bits 16
org 0x7C00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov ax, 0x0003         ; 80x25 colour text, screen cleared
    int 0x10
    mov ah, 0x01           ; cursor shape: bit 5 of CH hides it
    mov cx, 0x2000
    int 0x10
    cli                    ; the ACKs are ours, not the BIOS's keyboard handler's
    mov al, 0xF3           ; typematic: 1 s, then 2 a second
    call kbd_send
    mov al, 0x7F
    call kbd_send
    sti
    mov si, s_title
    call screen
    mov si, s_ready
    call debug
    ; The PS/2 mouse through the BIOS: 3-byte packets, our handler, reporting on.
    mov ax, 0xC205
    mov bh, 3
    int 0x15
    jc .nomouse
    mov bx, mouse
    mov ax, 0xC207
    int 0x15
    jc .nomouse
    mov ax, 0xC200
    mov bh, 1
    int 0x15
    jc .nomouse
    mov si, s_mouse_on
    jmp .said
.nomouse:
    mov si, s_mouse_off
.said:
    call debug
.key:
    xor ah, ah             ; wait for a key: AH scan code, AL ASCII
    int 0x16
    push ax
    mov si, s_key
    call debug
    mov al, ah
    call hex
    mov al, ' '
    out 0xE9, al
    pop ax
    push ax
    call hex
    mov al, 10
    out 0xE9, al
    pop ax
    cmp al, 27             ; Esc
    je .bye
    cmp ah, [last]         ; the same key again, a typematic repeat: reported, not drawn
    mov [last], ah
    je .key
    cmp al, 13
    jne .char
    mov si, s_newline
    call screen
    jmp .key
.char:
    cmp al, ' '
    jb .key
    cmp al, 0x7E
    ja .key
    mov ah, 0x0E           ; teletype output
    mov bx, 0x0007
    int 0x10
    jmp .key
.bye:
    mov si, s_bye
    call debug
    cli
    hlt
    jmp .bye

; The BIOS's mouse handler, called far with the packet's words on the stack: status at
; SP+10, X at SP+8, Y at SP+6, zero at SP+4.
mouse:
    push bp
    mov bp, sp
    pusha
    push ds
    xor ax, ax
    mov ds, ax
    mov si, s_mouse
    call debug
    mov al, [bp + 12]
    call hex
    mov al, ' '
    out 0xE9, al
    mov al, [bp + 10]
    call hex
    mov al, ' '
    out 0xE9, al
    mov al, [bp + 8]
    call hex
    mov al, 10
    out 0xE9, al
    pop ds
    popa
    pop bp
    retf

; Sends AL to the keyboard through the 8042 and reads its answer (the ACK), polling.
kbd_send:
    mov ah, al
.room:
    in al, 0x64
    test al, 0x02          ; input buffer full: wait
    jnz .room
    mov al, ah
    out 0x60, al
.answer:
    in al, 0x64
    test al, 0x01          ; output buffer full: the answer
    jz .answer
    in al, 0x60
    ret

; The zero-terminated string at SI on port 0xE9.
debug:
    lodsb
    test al, al
    jz .done
    out 0xE9, al
    jmp debug
.done:
    ret

; The zero-terminated string at SI on the screen.
screen:
    lodsb
    test al, al
    jz debug.done
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    jmp screen

; AL as two hex digits on port 0xE9.
hex:
    push ax
    shr al, 4
    call .digit
    pop ax
    and al, 0x0F
.digit:
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    out 0xE9, al
    ret

s_title     db "orrery keys: type, Esc ends", 13, 10, 0
s_newline   db 13, 10, 0
s_ready     db "READY", 10, 0
s_mouse_on  db "mouse on", 10, 0
s_mouse_off db "mouse off", 10, 0
s_mouse     db "mouse ", 0
s_key       db "key ", 0
s_bye       db "BYE", 10, 0
last        db 0           ; the scan code of the key before

times 510 - ($ - $$) db 0
dw 0xAA55
