; vga-modes: a hard disk that SeaBIOS boots, drawing one standard VGA mode through the
; VGA BIOS and directly, and reading it back.
;
; Byte 3 of the image selects the mode (tests/boot/vga-modes.sh writes it): a BIOS mode
; 00h-07h or 0Dh-13h, or 'X' (58h) for mode X, the unchained 320x240 256-colour mode
; made from mode 13h by programming the sequencer and CRTC. Sector 0 loads the rest with
; INT 13h AH=02h. Then, with one PASS/FAIL line per check on port 0xE9:
; - the mode set with INT 10h AH=00h, and AH=0Fh reporting it with its column count;
; - text modes: a title written by BIOS teletype (AH=0Eh), the 16 colours as blocks and
;   as backgrounds written with AH=09h, and all 256 characters written directly to the
;   text buffer in a 16x16 grid; AH=08h reads every one of them back, and the title is
;   in the buffer; the cursor is hidden and blinking turned off (AX=1003h), so the
;   picture does not depend on time;
; - graphics modes: a title by BIOS teletype, one 8x8 square of each colour (up to 16)
;   drawn pixel by pixel with AH=0Ch, and below them the whole screen filled directly
;   with diagonal colour bands in the mode's own memory layout (CGA's interleaved 2- and
;   1-bit pixels, planar through write mode 2 and the bit mask, chained bytes, mode X
;   through the map mask); the squares and a sample of the bands are read back, with
;   AH=0Dh (mode X: through the read map select).
; It ends with "DONE vga-modes: N passed, M failed" and CLI; HLT, which stops orrery; the
; test compares orrery's -screendump with a golden picture per mode.
bits 16
org 0x7C00

STAGE2_SECTORS equ 6

F_TEXT   equ 0                 ; the families of memory layouts
F_CGA2   equ 1                 ; 4 colours, 2 bits a pixel, even/odd lines 8 KiB apart
F_CGA1   equ 2                 ; 2 colours, 1 bit a pixel, interleaved likewise
F_PLANAR equ 3                 ; 16 colours (or fewer) in four planes, 1 bit a pixel each
F_256    equ 4                 ; a byte a pixel, chain-4
F_X      equ 5                 ; a byte a pixel, unchained: plane = x mod 4
TOP      equ 32                ; where the bands begin (graphics modes)

start:
    jmp short boot
    nop
selected: db 0x03              ; byte 3: the mode to draw

boot:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov ax, 0x0200 + STAGE2_SECTORS
    mov cx, 0x0002             ; cylinder 0, sector 2
    xor dh, dh                 ; head 0; DL is the boot drive
    mov bx, stage2
    int 0x13
    jc .fail
    cmp word [stage2_magic], 0x5A3C
    jne .fail
    jmp stage2
.fail:
    mov si, s_noload
    call print
    cli
    hlt

%include "print.inc"

s_noload: db "FAIL stage2_read", 10, "DONE vga-modes: 0 passed, 1 failed", 10, 0

    times 446 - ($ - $$) db 0
    times 64 db 0              ; no partitions
    dw 0xAA55

; ---- Sectors 1-6: the drawing and the checks ----
stage2:
    jmp short stage2_go
stage2_magic: dw 0x5A3C
stage2_go:
    mov si, s_begin
    call print
    mov al, [selected]
    call print_hex
    mov al, 10
    out 0xE9, al
    mov si, modes
.find:
    mov al, [si]
    cmp al, 0xFF
    je .unknown
    cmp al, [selected]
    je .found
    add si, ENTRY
    jmp .find
.unknown:
    mov si, s_unknown
    call failed
    jmp report_done
.found:
    mov di, mode               ; copy the entry to the variables below
    mov cx, ENTRY
    rep movsb
    mov al, [mode]
    cmp byte [family], F_X
    jne .bios_mode
    mov byte [bios_mode], 0x13 ; what the BIOS believes
    call set_mode_x
    jmp .set
.bios_mode:
    mov [bios_mode], al
    xor ah, ah
    int 0x10
.set:
    mov ah, 0x0F               ; AL mode, AH columns, BH page
    int 0x10
    and al, 0x7F
    mov si, s_getmode
    cmp al, [bios_mode]
    jne .getmode_bad
    cmp ah, [columns]
    jne .getmode_bad
    test bh, bh
    jne .getmode_bad
    call passed
    jmp .draw
.getmode_bad:
    call failed
.draw:
    mov es, [video_seg]
    cmp byte [family], F_TEXT
    jne .graphics
    call text_test
    jmp report_done
.graphics:
    call graphics_test
    jmp report_done

; ---- Text modes ----
text_test:
    mov ah, 0x01               ; cursor shape: bit 5 of CH hides it
    mov cx, 0x2000
    int 0x10
    mov ax, 0x1003             ; attribute bit 7: bright backgrounds, not blinking
    xor bl, bl
    int 0x10
    xor dx, dx
    mov bl, 0x07
    call title
    ; row 2: a block of each colour; row 3: a letter on each background (AH=09h)
    xor bp, bp
.blocks:
    mov dh, 2
    call cursor_bp
    mov ax, 0x09DB
    mov bx, bp                 ; BH = page 0, BL = the colour
    mov cx, 2
    int 0x10
    mov dh, 3
    call cursor_bp
    mov ax, bp
    add al, 'A'
    mov ah, 0x09
    mov bx, bp                 ; BL = the background, foreground 15 minus it
    mov bh, bl
    not bh
    and bh, 0x0F
    shl bl, 4
    or bl, bh
    xor bh, bh
    mov cx, 2
    int 0x10
    inc bp
    cmp bp, 16
    jb .blocks
    ; rows 5-20: every character, written directly
    xor bp, bp
.grid:
    call grid_cell             ; DI the cell's offset, AX what it holds
    mov [es:di], ax
    inc bp
    cmp bp, 256
    jb .grid
    ; read back with AH=08h: the blocks, the backgrounds, the grid
    xor bp, bp
    xor bx, bx                 ; mismatches
.read_blocks:
    mov dh, 2
    call cursor_bp
    mov ah, 0x08
    push bx
    xor bh, bh
    int 0x10
    pop bx
    cmp al, 0xDB
    jne .bad_block
    mov cx, bp
    cmp ah, cl
    je .next_block
.bad_block:
    inc bx
.next_block:
    inc bp
    cmp bp, 16
    jb .read_blocks
    mov si, s_text_blocks
    call verdict_bx
    xor bp, bp
    xor bx, bx
.read_grid:
    call grid_cell
    push ax
    mov dx, bp                 ; row 5 + i / 16, column 4 + 2 * (i mod 16)
    mov dh, dl
    shr dh, 4
    add dh, 5
    and dl, 0x0F
    shl dl, 1
    add dl, 4
    push bx
    mov ah, 0x02
    xor bh, bh
    int 0x10
    mov ah, 0x08
    int 0x10
    pop bx
    pop cx
    cmp ax, cx
    je .next_cell
    inc bx
.next_cell:
    inc bp
    cmp bp, 256
    jb .read_grid
    mov si, s_text_grid
    call verdict_bx
    ; the title reached the buffer: 'o' with attribute 07h at the top left
    mov si, s_text_title
    cmp word [es:0], 0x0700 + 'o'
    jne .title_bad
    jmp passed
.title_bad:
    jmp failed

; The grid cell of character BP: DI its offset in the buffer, AX character and attribute.
grid_cell:
    push bx
    push dx
    mov ax, bp
    shr ax, 4
    add ax, 5                  ; row
    mul byte [columns]
    mov di, bp
    and di, 0x0F
    shl di, 1
    add di, 4
    add di, ax
    shl di, 1
    mov ax, bp                 ; the attribute: white on each dark background, row by row
    shr al, 4
    and al, 7
    cmp byte [colours], 2
    jne .colour
    mov bx, mono_attrs         ; monochrome: normal, bright, reverse, underline
    and al, 3
    xlatb
    jmp .attr
.colour:
    shl al, 4
    or al, 0x0F
.attr:
    mov ah, al
    mov cx, bp
    mov al, cl
    pop dx
    pop bx
    ret

; Cursor to row DH, column 2 * BP.
cursor_bp:
    push ax
    push bx
    mov ax, bp
    mov dl, al
    shl dl, 1
    mov ah, 0x02
    xor bh, bh
    int 0x10
    pop bx
    pop ax
    ret

; The title at row DH, column DL, by BIOS teletype in colour BL: "orrery VGA mode NNh".
title:
    mov ah, 0x02
    xor bh, bh
    int 0x10
    mov si, s_title
    call teletype
    mov al, [mode]
    shr al, 4
    call .digit
    mov al, [mode]
    call .digit
    mov al, 'h'
    jmp tele_char
.digit:
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe tele_char
    add al, 'A' - '9' - 1
    jmp tele_char
teletype:
    lodsb
    test al, al
    jz .done
    call tele_char
    jmp teletype
.done:
    ret
tele_char:
    mov ah, 0x0E
    xor bh, bh
    int 0x10
    ret

%include "hex.inc"
%include "report.inc"

; PASS or FAIL the check named at SI by the count of mismatches in BX.
verdict_bx:
    test bx, bx
    jnz .bad
    jmp passed
.bad:
    jmp failed

; ---- Graphics modes ----
graphics_test:
    cmp byte [family], F_X
    je .bands
    xor dx, dx
    mov bl, 15                 ; the title in the last colour (15 in the 256-colour mode)
    cmp byte [colours], 0
    je .lastcolour
    mov al, [colours]
    dec al
    call colour_of
    mov bl, al
.lastcolour:
    call title
    ; an 8x8 square of each colour (up to 16) with AH=0Ch, 10 pixels apart, rows 16-23
    xor bp, bp
.square:
    mov ax, bp
    call colour_of
    mov ah, 0x0C
    mov cx, bp                 ; x from 10 * colour
    imul cx, cx, 10
    mov si, cx
    add si, 8
    mov dx, 16
.sq_row:
    push cx
.sq_px:
    xor bh, bh
    push ax
    int 0x10
    pop ax
    inc cx
    cmp cx, si
    jb .sq_px
    pop cx
    inc dx
    cmp dx, 24
    jb .sq_row
    inc bp
    cmp bp, [nsquares]
    jb .square
    ; the squares read back at their centres
    xor bp, bp
    xor bx, bx
.read_square:
    mov ax, bp
    call colour_of
    mov [expect], al
    mov cx, bp
    imul cx, cx, 10
    add cx, 4
    mov dx, 20
    call get_pixel
    cmp al, [expect]
    je .square_ok
    inc bx
.square_ok:
    inc bp
    cmp bp, [nsquares]
    jb .read_square
    mov si, s_gfx_squares
    call verdict_bx
.bands:
    ; the bands: every pixel from row TOP down, in the mode's own layout
    call direct_begin
    mov dx, TOP
.band_row:
    xor cx, cx
.band_px:
    call band_colour
    call put_pixel
    inc cx
    cmp cx, [width]
    jb .band_px
    inc dx
    cmp dx, [height]
    jb .band_row
    call direct_end
    ; a sample read back: every 7th pixel of every 5th row
    xor bx, bx
    mov dx, TOP
.sample_row:
    xor cx, cx
.sample_px:
    call band_colour
    mov [expect], al
    call get_pixel
    cmp al, [expect]
    je .sample_ok
    inc bx
.sample_ok:
    add cx, 7
    cmp cx, [width]
    jb .sample_px
    add dx, 5
    cmp dx, [height]
    jb .sample_row
    mov si, s_gfx_bands
    jmp verdict_bx

; The colour of the band at CX, DX: (x >> xshift) + (y >> 3), within the mode's colours.
band_colour:
    push cx
    push dx
    mov ax, dx
    shr ax, 3
    mov dx, cx
    mov cl, [xshift]
    shr dx, cl
    add ax, dx
    pop dx
    pop cx
; The colour numbered AX among the mode's: AX modulo their count, then mode 0Fh's
; planes 0 and 2 (colours 0, 1, 4, 5).
colour_of:
    push bx
    mov bl, [colours]
    dec bl                     ; 0 -> FFh for 256
    and al, bl
    pop bx
    cmp byte [mode], 0x0F
    jne .done
    test al, 2
    jz .done
    xor al, 6                  ; 2 -> 4, 3 -> 5
.done:
    ret

direct_begin:
    cmp byte [family], F_PLANAR
    jne .done
    mov dx, 0x3CE
    mov ax, 0x0205             ; write mode 2: the CPU's byte is the colour
    out dx, ax
    mov ax, 0x0003             ; replace, no rotation
    out dx, ax
.done:
    ret

direct_end:
    mov dx, 0x3CE
    cmp byte [family], F_PLANAR
    jne .x
    mov ax, 0x0005             ; write mode 0, as the BIOS left it
    out dx, ax
    mov ax, 0xFF08             ; bit mask: all bits
    out dx, ax
    ret
.x:
    cmp byte [family], F_X
    jne .done
    mov dx, 0x3C4
    mov ax, 0x0F02             ; map mask: all planes
    out dx, ax
.done:
    ret

; The pixel at CX, DX gets colour AL, written to memory as the mode lays it out.
put_pixel:
    push ax
    push bx
    push cx
    push dx
    push si
    push di
    mov bl, [family]
    cmp bl, F_256
    je .chained
    cmp bl, F_X
    je .x
    cmp bl, F_PLANAR
    je .planar
    ; CGA: line y at (y & 1) * 2000h + (y >> 1) * 80
    mov di, dx
    shr di, 1
    imul di, di, 80
    test dl, 1
    jz .even
    add di, 0x2000
.even:
    cmp bl, F_CGA1
    mov bx, 0x0107             ; mode 6: BH 1 bit a pixel, BL 8 pixels a byte - 1
    je .cga
    mov bx, 0x0203             ; modes 4-5: 2 bits a pixel, 4 a byte
.cga:
    mov si, cx                 ; the byte: x / (BL + 1)
    shr si, 2
    cmp bh, 2
    je .byte
    shr si, 1
.byte:
    add di, si
    and cl, bl                 ; the leftmost pixel in the top bits:
    xor cl, bl                 ; shift by (BL - x mod (BL + 1)) * BH
    cmp bh, 2
    jne .shifted
    shl cl, 1
.shifted:
    mov ah, bh                 ; the colour's mask: 1 or 3
    shr ah, 1
    or ah, bh
    and al, ah
    shl al, cl
    shl ah, cl
    not ah
    and [es:di], ah
    or [es:di], al
    jmp .done
.planar:
    mov bx, ax
    mov ax, dx
    mul word [bytes_per_line]
    mov di, ax
    mov ax, cx
    shr ax, 3
    add di, ax
    and cl, 7
    mov ah, 0x80
    shr ah, cl
    mov al, 0x08               ; the bit mask: this pixel only
    mov dx, 0x3CE
    out dx, ax
    mov al, [es:di]            ; load the latches
    mov [es:di], bl
    jmp .done
.chained:
    mov bx, ax
    mov ax, 320
    mul dx
    add ax, cx
    mov di, ax
    mov [es:di], bl
    jmp .done
.x:
    mov bx, ax
    mov ax, 80
    mul dx
    mov di, cx
    shr di, 2
    add di, ax
    and cl, 3
    mov ah, 1
    shl ah, cl
    mov al, 0x02               ; the map mask: this pixel's plane
    mov dx, 0x3C4
    out dx, ax
    mov [es:di], bl
.done:
    pop di
    pop si
    pop dx
    pop cx
    pop bx
    pop ax
    ret

; AL = the pixel at CX, DX: the BIOS's AH=0Dh, or (mode X) through the read map select.
get_pixel:
    push bx
    push cx
    push dx
    push di
    cmp byte [family], F_X
    je .x
    mov ah, 0x0D
    xor bh, bh
    int 0x10
    jmp .done
.x:
    mov ax, 80
    mul dx
    mov di, cx
    shr di, 2
    add di, ax
    mov ah, cl
    and ah, 3
    mov al, 0x04               ; read map select
    mov dx, 0x3CE
    out dx, ax
    mov al, [es:di]
.done:
    pop di
    pop dx
    pop cx
    pop bx
    ret

; Mode X: mode 13h unchained (sequencer memory mode 06h: no chain-4, no odd/even), the
; CRTC in byte mode (underline location 00h, mode control E3h), 480 scan lines for 240
; rows (each twice: maximum scan line 41h) with the 25 MHz clock and the 480-line sync
; polarities (miscellaneous output E3h), and all four planes cleared.
set_mode_x:
    mov ax, 0x0013
    int 0x10
    mov dx, 0x3C4
    mov ax, 0x0604
    out dx, ax
    mov ax, 0x0100             ; synchronous reset while the clock changes
    out dx, ax
    mov dx, 0x3C2
    mov al, 0xE3
    out dx, al
    mov dx, 0x3C4
    mov ax, 0x0300
    out dx, ax
    mov dx, 0x3D4
    mov al, 0x11               ; clear the protect bit of registers 0-7
    out dx, al
    inc dx
    in al, dx
    and al, 0x7F
    out dx, al
    dec dx
    mov si, modex_crtc
    mov cx, MODEX_CRTC_COUNT
.crtc:
    lodsw
    out dx, ax
    loop .crtc
    mov dx, 0x3C4
    mov ax, 0x0F02
    out dx, ax
    push es
    mov ax, 0xA000
    mov es, ax
    xor di, di
    xor ax, ax
    mov cx, 0x8000
    rep stosw
    pop es
    ret

modex_crtc:               ; index in the low byte, value in the high
    dw 0x0D06, 0x3E07, 0x4109, 0xEA10, 0xAC11, 0xDF12, 0x0014, 0xE715, 0x0616, 0xE317
MODEX_CRTC_COUNT equ ($ - modex_crtc) / 2

; The modes: number, family, width, height, colours (0 = 256), text columns, the x shift
; of the bands, the memory segment, the bytes of a planar line, squares drawn.
%macro MODE 10
    db %1, %2
    dw %3, %4
    db %5, %6, %7
    dw %8, %9, %10
%endmacro
modes:
    MODE 0x00, F_TEXT,   320, 200, 16, 40, 0, 0xB800,  0,  0
ENTRY equ $ - modes
    MODE 0x01, F_TEXT,   320, 200, 16, 40, 0, 0xB800,  0,  0
    MODE 0x02, F_TEXT,   640, 200, 16, 80, 0, 0xB800,  0,  0
    MODE 0x03, F_TEXT,   640, 200, 16, 80, 0, 0xB800,  0,  0
    MODE 0x07, F_TEXT,   720, 350,  2, 80, 0, 0xB000,  0,  0
    MODE 0x04, F_CGA2,   320, 200,  4, 40, 2, 0xB800,  0,  4
    MODE 0x05, F_CGA2,   320, 200,  4, 40, 2, 0xB800,  0,  4
    MODE 0x06, F_CGA1,   640, 200,  2, 80, 3, 0xB800,  0,  2
    MODE 0x0D, F_PLANAR, 320, 200, 16, 40, 2, 0xA000, 40, 16
    MODE 0x0E, F_PLANAR, 640, 200, 16, 80, 3, 0xA000, 80, 16
    MODE 0x0F, F_PLANAR, 640, 350,  4, 80, 3, 0xA000, 80,  4
    MODE 0x10, F_PLANAR, 640, 350, 16, 80, 3, 0xA000, 80, 16
    MODE 0x11, F_PLANAR, 640, 480,  2, 80, 3, 0xA000, 80,  2
    MODE 0x12, F_PLANAR, 640, 480, 16, 80, 3, 0xA000, 80, 16
    MODE 0x13, F_256,    320, 200,  0, 40, 0, 0xA000,  0, 16
    MODE 'X',  F_X,      320, 240,  0, 40, 0, 0xA000,  0,  0
    db 0xFF

; The selected mode's entry, copied here.
mode:           db 0
family:         db 0
width:          dw 0
height:         dw 0
colours:        db 0
columns:        db 0
xshift:         db 0
video_seg:      dw 0
bytes_per_line: dw 0
nsquares:       dw 0
bios_mode:      db 0
expect:         db 0

mono_attrs:    db 0x07, 0x0F, 0x70, 0x01
s_begin:       db "BEGIN vga-modes: mode ", 0
s_done:        db "DONE vga-modes: ", 0
s_unknown:     db "mode_known", 10, 0
s_getmode:     db "bios_reports_the_mode_and_columns", 10, 0
s_title:       db "orrery VGA mode ", 0
s_text_blocks: db "bios_reads_back_its_colour_blocks", 10, 0
s_text_grid:   db "bios_reads_back_256_characters_written_directly", 10, 0
s_text_title:  db "bios_teletype_reaches_the_buffer", 10, 0
s_gfx_squares: db "bios_reads_back_its_squares", 10, 0
s_gfx_bands:   db "direct_bands_read_back", 10, 0

    times 512 * (1 + STAGE2_SECTORS) - ($ - $$) db 0
