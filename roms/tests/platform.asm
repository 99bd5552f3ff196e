; platform: the PC devices from real mode, as firmware uses them. The 8259 pair is
; initialised (ICW1-4) and its mask read back; the 8254's channel 0 in mode 2 raises IRQ 0,
; first seen polled in the IRR, then taken as interrupts that end HLT, with the ISR bit set
; in the handler until its EOI; a latched count runs down; channel 2's OUT rises at
; terminal count through port 0x61. The RTC: registers A, B and D, a valid BCD time read
; after UIP clears, the periodic interrupt on IRQ 8 through the cascade. CMOS holds the
; memory sizes of the default -m 128. COM1 in loopback: scratch, divisor latch, a byte
; back, the modem lines, FIFO bits. The 8042 self-test; A20 off through its output port
; wraps at 1 MiB, port 0x92 turns it back on. PCI mechanism #1 finds the i440FX, the
; PIIX3 and the VGA. An unmasked x87 exception with CR0.NE clear raises FERR#, IRQ 13 comes, and port
; 0xF0 plus FNCLEX let the waiting instruction go on. Port 0x80 keeps the POST code.
; (8259A, 8254, MC146818A, NS16550A datasheets; PCI 2.1 §3.7.4.1; SDM Vol. 1 §D.2.1.)
%define LIB_386
%include "lib.inc"

PIC1        equ 0x20
PIC2        equ 0xA0
PIT_CH0     equ 0x40
PIT_CH2     equ 0x42
PIT_CTRL    equ 0x43
PORT_B      equ 0x61
CMOS_IDX    equ 0x70
CMOS_DATA   equ 0x71
COM1        equ 0x3F8
KBC_DATA    equ 0x60
KBC_CMD     equ 0x64

; Variables in segment 0.
ticks       equ 0x1000          ; IRQ 0 handler count
isr_seen    equ 0x1002          ; master ISR read inside the IRQ 0 handler
rtc_irqs    equ 0x1004          ; IRQ 8 handler count
rtc_c       equ 0x1006          ; register C as the IRQ 8 handler read it
ferr_irqs   equ 0x1008          ; IRQ 13 handler count
halts       equ 0x100A
cw_unmask_z equ 0x100C          ; an x87 control word

; Sets IVT entry %1 to F000:%2.
%macro SET_VECTOR 2
    mov word [ss:%1 * 4], %2
    mov word [ss:%1 * 4 + 2], ROM_SEG
%endmacro

; Reads CMOS register %1 into al.
%macro CMOS_READ 1
    mov al, %1
    out CMOS_IDX, al
    in al, CMOS_DATA
%endmacro

ROM_START "platform"
    xor ax, ax
    mov [ss:ticks], ax
    mov [ss:rtc_irqs], ax
    mov [ss:ferr_irqs], ax
    mov [ss:halts], ax
    SET_VECTOR 0x08, irq0_handler
    SET_VECTOR 0x70, irq8_handler
    SET_VECTOR 0x75, irq13_handler

; ---- 8259A pair: the PC/AT initialisation, vectors 0x08 and 0x70 ----
    mov al, 0x11                    ; ICW1: edge, cascade, ICW4 follows
    out PIC1, al
    out PIC2, al
    mov al, 0x08                    ; ICW2
    out PIC1 + 1, al
    mov al, 0x70
    out PIC2 + 1, al
    mov al, 0x04                    ; ICW3: slave on IR2 / slave id 2
    out PIC1 + 1, al
    mov al, 0x02
    out PIC2 + 1, al
    mov al, 0x01                    ; ICW4: 8086 mode
    out PIC1 + 1, al
    out PIC2 + 1, al
    mov al, 0xFF                    ; everything masked
    out PIC1 + 1, al
    out PIC2 + 1, al
    in al, PIC1 + 1
    xor ah, ah
    CHECK16 ax, 0x00FF, "pic_imr_reads_back"

; ---- 8254 channel 0, mode 2, 1 kHz: IRQ 0 latched in the IRR while masked ----
    mov al, 0x34
    out PIT_CTRL, al
    mov ax, 1193
    out PIT_CH0, al
    mov al, ah
    out PIT_CH0, al
    mov cx, 0xFFFF                  ; a bounded poll: the IRR, read through OCW3
.poll_irr:
    mov al, 0x0A
    out PIC1, al
    in al, PIC1
    test al, 0x01
    jnz .irr_set
    loop .poll_irr
.irr_set:
    and ax, 0x0001
    CHECK16 ax, 0x0001, "pit_irq0_sets_irr_bit0"

; ---- the latched count of channel 0 runs down ----
    mov al, 0x00                    ; counter latch, channel 0
    out PIT_CTRL, al
    in al, PIT_CH0
    mov ah, al
    in al, PIT_CH0
    xchg al, ah
    mov bx, ax                      ; first count
    mov cx, 200
.spin:
    loop .spin
    mov al, 0x00
    out PIT_CTRL, al
    in al, PIT_CH0
    mov ah, al
    in al, PIT_CH0
    xchg al, ah
    cmp bx, 1193
    ja .count_bad
    cmp ax, bx                      ; moved (down, or reloaded after passing 1)
    jne .count_ok
.count_bad:
    FAIL "pit_latched_count_runs", "count did not change or is out of range"
    jmp .count_done
.count_ok:
    PASS "pit_latched_count_runs"
.count_done:

; ---- IRQ 0 taken in real mode; HLT waits for it ----
    mov al, 0xFE                    ; only IRQ 0
    out PIC1 + 1, al
    sti
.wait_ticks:
    inc word [ss:halts]
    hlt
    cmp word [ss:ticks], 10
    jb .wait_ticks
    cli
    mov ax, [ss:ticks]
    cmp ax, 10
    OK_IF ae, "pit_irq0_interrupts_wake_hlt"
    mov ax, [ss:halts]
    cmp ax, 10
    OK_IF be, "hlt_ends_on_each_tick"
    CHECK16 [ss:isr_seen], 0x0001, "irq0_in_service_until_eoi"
    mov al, 0x0B
    out PIC1, al
    in al, PIC1
    xor ah, ah
    CHECK16 ax, 0x0000, "isr_clear_after_eoi"
    mov al, 0x0A
    out PIC1, al
    mov al, 0xFF
    out PIC1 + 1, al
    mov al, 0x30                    ; channel 0 back to mode 0 with no count: quiet
    out PIT_CTRL, al

; ---- 8254 channel 2: mode 0, OUT2 rises at terminal count (port 0x61 bit 5) ----
    mov al, 0x01                    ; gate 2 on, speaker off
    out PORT_B, al
    mov al, 0xB0                    ; channel 2, LSB/MSB, mode 0
    out PIT_CTRL, al
    mov al, 100
    out PIT_CH2, al
    xor al, al
    out PIT_CH2, al
    in al, PORT_B
    and ax, 0x20
    CHECK16 ax, 0x0000, "out2_low_while_counting"
    mov cx, 0xFFFF
.wait_out2:
    in al, PORT_B
    test al, 0x20
    jnz .out2_high
    loop .wait_out2
.out2_high:
    and ax, 0x20
    CHECK16 ax, 0x0020, "out2_high_at_terminal_count"
    xor al, al
    out PORT_B, al

; ---- RTC: registers and a valid time ----
    CMOS_READ 0x0D
    xor ah, ah
    CHECK16 ax, 0x0080, "rtc_reg_d_valid_ram"
    mov cx, 0xFFFF
.uip:
    CMOS_READ 0x0A
    test al, 0x80
    jz .uip_clear
    loop .uip
.uip_clear:
    xor ah, ah
    CHECK16 ax, 0x0026, "rtc_reg_a_divider_and_rate"
    CMOS_READ 0x0B
    and ax, 0x06
    CHECK16 ax, 0x0002, "rtc_reg_b_bcd_24h"
    CMOS_READ 0x00                  ; seconds: BCD below 0x60
    mov bl, al
    and bl, 0x0F
    cmp bl, 9
    ja .bad_sec
    cmp al, 0x60
    jae .bad_sec
    PASS "rtc_seconds_are_bcd"
    jmp .month
.bad_sec:
    FAIL "rtc_seconds_are_bcd", "not a BCD second"
.month:
    CMOS_READ 0x08
    cmp al, 0x01
    jb .bad_month
    cmp al, 0x12
    ja .bad_month
    PASS "rtc_month_in_range"
    jmp .century
.bad_month:
    FAIL "rtc_month_in_range", "not a BCD month"
.century:
    CMOS_READ 0x32
    cmp al, 0x19
    OK_IF ae, "rtc_century_byte"

; ---- RTC periodic interrupt on IRQ 8, through the cascade ----
    CMOS_READ 0x0C                  ; clear old flags
    mov al, 0xFB                    ; master: IR2 (cascade) only
    out PIC1 + 1, al
    mov al, 0xFE                    ; slave: IRQ 8 only
    out PIC2 + 1, al
    mov al, 0x0B
    out CMOS_IDX, al
    in al, CMOS_DATA
    or al, 0x40                     ; PIE
    mov ah, al
    mov al, 0x0B
    out CMOS_IDX, al
    mov al, ah
    out CMOS_DATA, al
    sti
.wait_rtc:
    hlt
    cmp word [ss:rtc_irqs], 8
    jb .wait_rtc
    cli
    mov al, 0x0B
    out CMOS_IDX, al
    in al, CMOS_DATA
    and al, ~0x40
    mov ah, al
    mov al, 0x0B
    out CMOS_IDX, al
    mov al, ah
    out CMOS_DATA, al
    mov al, 0xFF
    out PIC1 + 1, al
    out PIC2 + 1, al
    PASS "rtc_periodic_irq8_taken"
    mov ax, [ss:rtc_c]
    and ax, 0xC0
    CHECK16 ax, 0x00C0, "rtc_reg_c_irqf_pf_in_handler"

; ---- CMOS memory sizes for -m 128 ----
    CMOS_READ 0x16
    mov ah, al
    CMOS_READ 0x15
    CHECK16 ax, 640, "cmos_base_memory_640k"
    CMOS_READ 0x18
    mov ah, al
    CMOS_READ 0x17
    CHECK16 ax, 0xFFFF, "cmos_extended_memory_17_capped"
    CMOS_READ 0x31
    mov ah, al
    CMOS_READ 0x30
    CHECK16 ax, 0xFFFF, "cmos_extended_memory_30_capped"
    CMOS_READ 0x35
    mov ah, al
    CMOS_READ 0x34
    CHECK16 ax, (128 - 16) * 16, "cmos_memory_above_16m_in_64k"

; ---- COM1 in loopback ----
    mov dx, COM1 + 7
    mov al, 0xA5
    out dx, al
    in al, dx
    xor ah, ah
    CHECK16 ax, 0x00A5, "uart_scratch_register"
    mov dx, COM1 + 3
    mov al, 0x83                    ; DLAB, 8N1
    out dx, al
    mov dx, COM1
    mov al, 0x01                    ; 115200 baud
    out dx, al
    inc dx
    xor al, al
    out dx, al
    mov dx, COM1
    in al, dx
    xor ah, ah
    CHECK16 ax, 0x0001, "uart_divisor_latch_reads_back"
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al
    mov dx, COM1 + 4
    mov al, 0x13                    ; loopback, DTR, RTS
    out dx, al
    mov dx, COM1 + 6
    in al, dx
    and ax, 0xF0
    CHECK16 ax, 0x0030, "uart_loopback_dtr_rts_to_dsr_cts"
    mov dx, COM1
    mov al, 0x5A
    out dx, al
    mov dx, COM1 + 5
    in al, dx
    and ax, 0x61
    CHECK16 ax, 0x0061, "uart_lsr_data_ready_thr_empty"
    mov dx, COM1
    in al, dx
    xor ah, ah
    CHECK16 ax, 0x005A, "uart_loopback_byte_comes_back"
    mov dx, COM1 + 2
    mov al, 0x07                    ; FIFOs on and cleared
    out dx, al
    in al, dx
    and ax, 0xC0
    CHECK16 ax, 0x00C0, "uart_iir_shows_fifos"
    xor al, al
    out dx, al
    mov dx, COM1 + 4
    out dx, al

; ---- 8042: self-test ----
    mov al, 0xAA
    out KBC_CMD, al
    mov cx, 0xFFFF
.kbc_wait:
    in al, KBC_CMD
    test al, 0x01
    jnz .kbc_ready
    loop .kbc_wait
.kbc_ready:
    in al, KBC_DATA
    xor ah, ah
    CHECK16 ax, 0x0055, "kbc_self_test_passes"

; ---- A20: off through the 8042 output port, on again through port 0x92 ----
    push ds
    push es
    xor ax, ax
    mov ds, ax
    mov ax, 0xFFFF
    mov es, ax
    mov byte [0x0600], 0x11
    mov byte [es:0x0610], 0x22      ; linear 0x100600
    mov al, [0x0600]
    xor ah, ah
    CHECK16 ax, 0x0011, "a20_on_at_reset"
    mov al, 0xD1                    ; write the output port: A20 off, CPU running
    out KBC_CMD, al
    mov al, 0xCD
    out KBC_DATA, al
    mov byte [es:0x0610], 0x33      ; wraps to 0x000600
    mov al, [0x0600]
    xor ah, ah
    CHECK16 ax, 0x0033, "a20_off_wraps_at_1m"
    in al, 0x92
    or al, 0x02
    out 0x92, al
    mov byte [es:0x0610], 0x44
    mov al, [0x0600]
    xor ah, ah
    CHECK16 ax, 0x0033, "port92_turns_a20_on"
    mov al, 0xD1
    out KBC_CMD, al
    mov al, 0xCF
    out KBC_DATA, al
    in al, 0x92
    and al, ~0x02
    out 0x92, al
    pop es
    pop ds

; ---- PCI configuration mechanism #1 ----
    mov dx, 0xCF8
    mov eax, 0x80000000             ; 00:00.0 register 0
    out dx, eax
    mov dx, 0xCFC
    in eax, dx
    CHECK32 eax, 0x12378086, "pci_host_bridge_i440fx"
    mov dx, 0xCF8
    mov eax, 0x80000800             ; 00:01.0
    out dx, eax
    mov dx, 0xCFC
    in eax, dx
    CHECK32 eax, 0x70008086, "pci_isa_bridge_piix3"
    mov dx, 0xCF8
    mov eax, 0x80001000             ; 00:02.0: the VGA, as on QEMU's PC
    out dx, eax
    mov dx, 0xCFC
    in eax, dx
    CHECK32 eax, 0x11111234, "pci_vga_stdvga"
    mov dx, 0xCF8
    mov eax, 0x80001800             ; 00:03.0: nothing there
    out dx, eax
    mov dx, 0xCFC
    in eax, dx
    CHECK32 eax, 0xFFFFFFFF, "pci_empty_slot_reads_ones"

; ---- FERR# to IRQ 13 (CR0.NE clear at reset) ----
    mov al, 0xFB
    out PIC1 + 1, al
    mov al, 0xDF                    ; slave: IRQ 13 only
    out PIC2 + 1, al
    fninit
    mov word [ss:cw_unmask_z], 0x037B ; zero divide unmasked
    fldcw [ss:cw_unmask_z]
    fldz
    fld1
    fdiv st0, st1                   ; 1/0: the exception is pending
    sti
    fwait                           ; waits: FERR#, IRQ 13, the handler clears it
    nop
    cli
    CHECK16 [ss:ferr_irqs], 0x0001, "ferr_raises_irq13_and_fwait_goes_on"
    fnstsw ax
    and ax, 0x0080
    CHECK16 ax, 0x0000, "fnclex_in_handler_cleared_es"
    fninit
    mov al, 0xFF
    out PIC1 + 1, al
    out PIC2 + 1, al

; ---- port 0x80 keeps the POST code ----
    mov al, 0x5C
    out 0x80, al
    in al, 0x80
    xor ah, ah
    CHECK16 ax, 0x005C, "post_code_port_reads_back"
ROM_DONE

; IRQ 0: count, record the master's ISR, EOI.
irq0_handler:
    push ax
    inc word [ss:ticks]
    mov al, 0x0B
    out PIC1, al
    in al, PIC1
    xor ah, ah
    mov [ss:isr_seen], ax
    mov al, 0x0A
    out PIC1, al
    mov al, 0x20
    out PIC1, al
    pop ax
    iret

; IRQ 8: read register C (which also lowers the line), EOI to both chips.
irq8_handler:
    push ax
    mov al, 0x0C
    out CMOS_IDX, al
    in al, CMOS_DATA
    xor ah, ah
    mov [ss:rtc_c], ax
    inc word [ss:rtc_irqs]
    mov al, 0x20
    out PIC2, al
    out PIC1, al
    pop ax
    iret

; IRQ 13: clear the latch (port 0xF0), clear the x87 exception, EOI to both chips.
irq13_handler:
    push ax
    xor al, al
    out 0xF0, al
    fnclex
    inc word [ss:ferr_irqs]
    mov al, 0x20
    out PIC2, al
    out PIC1, al
    pop ax
    iret
