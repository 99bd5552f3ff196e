; cpuid: what a Pentium II class CPU (-cpu pentium2, the default) reports about itself in
; real mode: the reset signature in EDX and CR0 (SDM Vol. 3A §9.1.1), EFLAGS.ID, CPUID
; leaves 0-2 (Vol. 2A "CPUID"), the time-stamp counter through RDTSC and MSR 0x10, WRMSR
; to it, #GP for an MSR the model lacks, and CMOVcc, which its CPUID announces.
%define LIB_386
%include "lib.inc"

CPUID_TSC  equ 1 << 4
CPUID_MSR  equ 1 << 5
CPUID_CX8  equ 1 << 8
CPUID_CMOV equ 1 << 15

ROM_START "cpuid"
; ---- state at reset ----
    CHECK32 [ss:reset_edx], 0x00000652, "reset_edx_signature"
    mov eax, cr0
    CHECK32 eax, 0x60000010, "reset_cr0_cd_nw_et"

; ---- EFLAGS.ID can be toggled: CPUID exists ----
    pushfd
    pop eax
    mov ebx, eax
    xor eax, 1 << 21
    push eax
    popfd
    pushfd
    pop eax
    push ebx
    popfd
    xor eax, ebx
    CHECK32 eax, 1 << 21, "eflags_id_toggles"

; ---- leaf 0: maximum leaf and vendor ----
    xor eax, eax
    cpuid
    CHECK32 eax, 2, "cpuid0_max_leaf"
    CHECK32 ebx, "Genu", "cpuid0_vendor_ebx"
    CHECK32 edx, "ineI", "cpuid0_vendor_edx"
    CHECK32 ecx, "ntel", "cpuid0_vendor_ecx"

; ---- leaf 1: signature and the features orrery implements ----
    mov eax, 1
    cpuid
    CHECK32 eax, 0x00000652, "cpuid1_signature_family6"
    mov eax, edx
    and eax, CPUID_TSC | CPUID_MSR | CPUID_CX8 | CPUID_CMOV
    CHECK32 eax, CPUID_TSC | CPUID_MSR | CPUID_CX8 | CPUID_CMOV, "cpuid1_tsc_msr_cx8_cmov"

; ---- leaf 2: cache descriptors, first byte 1 (one call needed) ----
    mov eax, 2
    cpuid
    and eax, 0xFF
    CHECK32 eax, 1, "cpuid2_call_count"

; ---- a leaf above the maximum answers as the highest basic leaf ----
    mov eax, 2
    cpuid
    mov esi, eax
    mov eax, 0x7F
    cpuid
    CHECK32 eax, esi, "cpuid_above_max_is_max_leaf"

; ---- the time-stamp counter ----
    rdtsc
    mov esi, eax
    mov edi, edx
    mov ecx, 0x10
    rdmsr
    mov ebx, eax
    mov ebp, edx
    rdtsc
    ; first < msr < second (each 64-bit; the high halves are equal this early)
    CHECK32 edi, ebp, "tsc_high_halves_agree"
    cmp esi, ebx
    OK_IF b, "rdmsr_tsc_after_first_rdtsc"
    cmp ebx, eax
    OK_IF b, "rdtsc_after_rdmsr_tsc"

    mov ecx, 0x10
    xor eax, eax
    mov edx, 1
    wrmsr                           ; TSC := 1 << 32
    rdtsc
    CHECK32 edx, 1, "wrmsr_tsc_sets_high"
    ; It counts on from the value written: the low half holds the virtual nanoseconds since
    ; the write, which a loaded host can stretch to milliseconds in real time -- but not to
    ; 2^31 (2.1 s).
    cmp eax, 0x80000000
    OK_IF b, "wrmsr_tsc_counts_on_from_value"

; ---- MSRs ----
    mov ecx, 0x8B                   ; BIOS_SIGN_ID (microcode revision): P6 family
    EXPECT_EXC .sign
    rdmsr
.sign:
    DISARM
    CHECK16 [ss:exc_vector], 0xFFFF, "rdmsr_bios_sign_id_ok"

    mov ecx, 0xC0000080             ; EFER does not exist before the Pentium 4 / K6
    EXPECT_EXC .efer
.efer_insn:
    rdmsr
.efer:
    CHECK16 [ss:exc_vector], 13, "rdmsr_missing_msr_gp"
    CHECK16 [ss:exc_ip], .efer_insn, "rdmsr_gp_ip_at_insn"

; ---- CMOVcc ----
    mov eax, 1
    mov ebx, 2
    xor ecx, ecx                    ; ZF = 1
    cmovz eax, ebx
    cmovnz eax, ecx
    CHECK32 eax, 2, "cmov_moves_on_condition"

    ROM_DONE
