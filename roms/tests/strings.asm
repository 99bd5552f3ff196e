; strings: the string instructions in real mode (SDM Vol. 2B "MOVS", "STOS", "LODS",
; "CMPS", "SCAS", "INS", "OUTS", "REP/REPE/REPNE"): data moved, SI/DI/CX stepped by the
; element size in the direction DF says, REP with CX = 0, segment overrides on the source,
; the address size choosing CX or ECX, and a fault part way leaving the progress made.
%define LIB_386
%include "lib.inc"

SRC equ 0x1000                      ; test buffers (segment 0)
DST equ 0x2000

ROM_START "strings"
    xor ax, ax
    mov ds, ax
    mov es, ax
    ; SRC = 00 01 02 ... 3F
    mov di, SRC
    mov cx, 64
    xor al, al
.fill:
    stosb
    inc al
    loop .fill

; ---- MOVS ----
    mov si, SRC
    mov di, DST
    mov cx, 5
    rep movsb
    CHECK16 cx, 0, "rep_movsb_cx"
    CHECK16 si, SRC + 5, "rep_movsb_si"
    CHECK16 di, DST + 5, "rep_movsb_di"
    CHECK32 [DST], 0x03020100, "rep_movsb_data"
    CHECK16 [DST + 4], 0x0004, "rep_movsb_stops_at_cx"

    mov si, SRC
    mov di, DST
    mov cx, 3
    rep movsw
    CHECK16 si, SRC + 6, "rep_movsw_si"
    CHECK16 [DST + 4], 0x0504, "rep_movsw_data"

    mov si, SRC
    mov di, DST
    mov cx, 2
    rep movsd
    CHECK16 di, DST + 8, "rep_movsd_di"
    CHECK32 [DST + 4], 0x07060504, "rep_movsd_data"

    ; backwards: DF = 1 steps down from the last element
    std
    mov si, SRC + 3
    mov di, DST + 0x13
    mov cx, 4
    rep movsb
    cld
    CHECK16 si, SRC - 1, "std_movsb_si"
    CHECK16 di, DST + 0x0F, "std_movsb_di"
    CHECK32 [DST + 0x10], 0x03020100, "std_movsb_data"

    ; REP with CX = 0 does nothing
    mov si, SRC
    mov di, DST
    xor cx, cx
    rep movsb
    CHECK16 si, SRC, "rep_cx0_si"
    CHECK16 di, DST, "rep_cx0_di"

    ; a source override: FS:SI, destination always ES:DI
    mov ax, SRC >> 4
    mov fs, ax
    mov si, 0x10
    mov di, DST
    fs movsb
    CHECK16 [DST], 0x0110, "movsb_fs_override"

; ---- STOS / LODS ----
    mov di, DST
    mov al, 0xAB
    mov cx, 3
    rep stosb
    CHECK16 [DST + 1], 0xABAB, "rep_stosb_data"
    CHECK16 di, DST + 3, "rep_stosb_di"
    mov ax, 0x1234
    mov cx, 2
    rep stosw
    CHECK16 [DST + 5], 0x1234, "rep_stosw_data"

    mov si, SRC + 7
    lodsb
    CHECK16 si, SRC + 8, "lodsb_si"
    and ax, 0xFF
    CHECK16 ax, 7, "lodsb_al"
    lodsd
    CHECK32 eax, 0x0B0A0908, "lodsd_eax"

; ---- CMPS / SCAS ----
    mov si, SRC
    mov di, DST
    mov cx, 16
    rep movsb                       ; DST = copy of SRC ...
    mov byte [DST + 5], 0xEE        ; ... except at 5
    mov si, SRC
    mov di, DST
    mov cx, 16
    repe cmpsb
    pushf
    pop bx
    CHECK16 cx, 10, "repe_cmpsb_cx"
    CHECK16 si, SRC + 6, "repe_cmpsb_si"
    and bx, 0x40
    CHECK16 bx, 0, "repe_cmpsb_zf_clear"

    mov di, SRC
    mov al, 0x20
    mov cx, 64
    repne scasb
    pushf
    pop bx
    CHECK16 di, SRC + 0x21, "repne_scasb_di"
    CHECK16 cx, 64 - 0x21, "repne_scasb_cx"
    and bx, 0x40
    CHECK16 bx, 0x40, "repne_scasb_zf_set"

    mov di, SRC
    mov al, 0x99                    ; not there: runs out
    mov cx, 64
    repne scasb
    CHECK16 cx, 0, "repne_scasb_not_found_cx"

; ---- INS / OUTS through the debug console (reads return 0xE9) ----
    mov di, DST
    mov dx, DEBUGCON
    mov cx, 3
    rep insb
    CHECK16 [DST + 1], 0xE9E9, "rep_insb_reads_e9"
    CHECK16 di, DST + 3, "rep_insb_di"
    mov si, outs_text
    mov cx, outs_len
    cs rep outsb
    CHECK16 cx, 0, "rep_outsb_cx"

; ---- address size: CX with a16, ECX with a32 ----
    mov ecx, 0x12340002
    mov si, SRC
    mov di, DST
    rep movsb                       ; a16: only CX counts and only CX changes
    CHECK32 ecx, 0x12340000, "a16_rep_uses_cx"

    mov ecx, 3
    mov esi, SRC
    mov edi, DST
    a32 rep movsb
    CHECK32 ecx, 0, "a32_rep_uses_ecx"
    CHECK32 esi, SRC + 3, "a32_rep_esi"

; ---- a fault part way: progress so far stays (SDM Vol. 2B "REP"), IP at the REP ----
    mov ecx, 4
    mov esi, 0xFFFE
    mov edi, DST
    EXPECT_EXC .partial
.partial_insn:
    a32 rep movsb                   ; the third byte is at 0x10000, past the limit
.partial:
    CHECK16 [ss:exc_vector], 13, "rep_fault_gp"
    CHECK16 [ss:exc_ip], .partial_insn, "rep_fault_ip_at_rep"
    CHECK32 ecx, 2, "rep_fault_ecx_progress"
    CHECK32 esi, 0x10000, "rep_fault_esi_progress"
    CHECK32 edi, DST + 2, "rep_fault_edi_progress"

    ROM_DONE

section .rodata
outs_text: db "# rep outsb wrote this line", 10
outs_len equ $ - outs_text
