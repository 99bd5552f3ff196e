/* The block translator (cpu/translate.c): every case runs the same code on two machines,
 * one with the translator and one with the interpreter, and checks the expected result
 * and that both end in the same state (registers, flags, instruction count, RAM).
 * Self-modifying code in each form the design names, faults and interrupts in the middle
 * of a block, the STI shadow, REP strings, HLT and a mode switch. The whole set runs twice:
 * with the native tier (cpu/jit.h, x86-64 hosts) and with every block threaded; the cases
 * at the end loop long enough for their blocks to become host code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpu/translate.h"
#include "harness.h"

#define CODE_LIN (H_CODE_SEG << 4)

struct pair {
    struct harness t; /* the translator */
    struct harness i; /* the interpreter */
};

/* The round of the set: the translator with its native tier, then threaded only. */
static bool threaded;

static struct pair *pair_new(void)
{
    struct pair *p = calloc(1, sizeof *p);
    assert_non_null(p);
    h_init(&p->t, CPU_P2);
    h_init(&p->i, CPU_P2);
    cpu_set_native(&p->t.cpu, !threaded);
    cpu_set_engine(&p->i.cpu, CPU_ENGINE_INTERP);
    return p;
}

static void pair_free(struct pair *p)
{
    h_free(&p->t);
    h_free(&p->i);
    free(p);
}

/* Both machines in flat 32-bit protected mode, EIP at the code, a stack below 0x90000. */
static void pair_flat32(struct pair *p)
{
    struct harness *hs[2] = { &p->t, &p->i };
    for (int k = 0; k < 2; k++) {
        struct cpu_flat_entry e = { .cs = 8, .ds = 16, .eip = CODE_LIN, .esp = 0x90000 };
        cpu_enter_flat32(&hs[k]->cpu, &e);
    }
}

/* Code at CS:off on both machines, told to physmem as a rig must. */
static void put(struct pair *p, uint32_t off, const uint8_t *code, size_t len)
{
    struct harness *hs[2] = { &p->t, &p->i };
    for (int k = 0; k < 2; k++) {
        memcpy(hs[k]->ram + CODE_LIN + off, code, len);
        physmem_wrote(&hs[k]->mem, CODE_LIN + off, (uint32_t)len);
    }
}
#define PUT(p, off, ...)                                                                   \
    do {                                                                                   \
        static const uint8_t c_[] = { __VA_ARGS__ };                                       \
        put(p, off, c_, sizeof c_);                                                        \
    } while (0)

/* Runs one machine until HLT or shutdown, in slices of `slice` instructions. */
static void run_one(struct harness *h, uint64_t slice)
{
    for (int k = 0; k < 100000 && !h->cpu.halted && !h->cpu.shutdown; k++)
        cpu_run(&h->cpu, slice);
}

static void assert_same(struct pair *p)
{
    struct cpu *a = &p->t.cpu, *b = &p->i.cpu;
    for (int r = 0; r < 8; r++)
        assert_int_equal(a->r[r], b->r[r]);
    assert_int_equal(a->eip, b->eip);
    assert_int_equal(cpu_get_eflags(a), cpu_get_eflags(b));
    assert_int_equal(a->seg[S_CS].sel, b->seg[S_CS].sel);
    assert_int_equal(a->icount, b->icount);
    assert_int_equal(a->halted, b->halted);
    assert_int_equal(a->shutdown, b->shutdown);
    assert_int_equal(a->cr[0], b->cr[0]);
    assert_memory_equal(p->t.ram, p->i.ram, 2u << 20);
}

static void run_both(struct pair *p, uint64_t slice)
{
    run_one(&p->t, slice);
    run_one(&p->i, slice);
    assert_same(p);
}

/* A write to the next instruction of the running block: the block stops after the
 * writing instruction and the new bytes run. Three rounds, so that the blocks exist
 * before their bytes change. */
static void test_smc_next_instruction(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    PUT(p, 0, 0xB9, 0x03, 0x00,                   /* mov cx, 3 */
        0x2E, 0x88, 0x0E, 0x09, 0x00,             /* 3: mov [cs:9], cl */
        0xB0, 0x00,                               /* 8: mov al, 0 (imm at 9) */
        0x00, 0xC3,                               /* add bl, al */
        0xE2, 0xF5,                               /* loop 3 */
        0xF4);
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.r[R_EBX] & 0xFF, 3 + 2 + 1);
    pair_free(p);
}

/* A write to the running block itself, before the writing instruction: the block goes,
 * the next run of it sees the new code. */
static void test_smc_same_block_loop(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    PUT(p, 0, 0xB9, 0x03, 0x00,                   /* mov cx, 3 */
        0x04, 0x01,                               /* 3: add al, 1 (imm at 4) */
        0x2E, 0xFE, 0x06, 0x04, 0x00,             /* inc byte [cs:4] */
        0xE2, 0xF7,                               /* loop 3 */
        0xF4);
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.r[R_EAX] & 0xFF, 1 + 2 + 3);
    pair_free(p);
}

/* A subroutine called, modified, called again: in the same page, then in another. */
static void smc_subroutine(uint16_t sub)
{
    struct pair *p = pair_new();
    uint8_t main_code[] = {
        0xB9, 0x05, 0x00,                         /* mov cx, 5 */
        0xE8, 0, 0,                               /* 3: call sub */
        0x2E, 0x88, 0x0E, 0, 0,                   /* mov [cs:sub+1], cl */
        0xE2, 0xF6,                               /* loop 3 */
        0xF4,
    };
    uint16_t rel = (uint16_t)(sub - 6);
    main_code[4] = (uint8_t)rel;
    main_code[5] = (uint8_t)(rel >> 8);
    main_code[9] = (uint8_t)(sub + 1);
    main_code[10] = (uint8_t)((sub + 1) >> 8);
    put(p, 0, main_code, sizeof main_code);
    static const uint8_t sub_code[] = { 0x04, 0x01, 0xC3 }; /* add al, 1; ret */
    put(p, sub, sub_code, sizeof sub_code);
    run_both(p, 1000);
    /* Adds 1, then CX as written; five rounds, so that the subroutine's block exists
     * before its bytes change (the first runs of a page go through the interpreter). */
    assert_int_equal(p->t.cpu.r[R_EAX] & 0xFF, 1 + 5 + 4 + 3 + 2);
    pair_free(p);
}

static void test_smc_same_page(void **state)
{
    (void)state;
    smc_subroutine(0x40);
}

static void test_smc_other_page(void **state)
{
    (void)state;
    smc_subroutine(0x2800);
}

/* An instruction that crosses into the next page, whose second half is rewritten. */
static void test_smc_across_pages(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    /* 0xFFD: mov eax, imm32 (66 B8 + 4 bytes) ends at 0x1003; ret. */
    PUT(p, 0xFFD, 0x66, 0xB8, 0x11, 0x22, 0x33, 0x44, 0xC3);
    PUT(p, 0, 0xE8, 0xFA, 0x0F,                   /* call 0xFFD */
        0x2E, 0xC6, 0x06, 0x02, 0x10, 0x99,       /* mov byte [cs:0x1002], 0x99 */
        0xE8, 0xF1, 0x0F,                         /* call 0xFFD */
        0xF4);
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.r[R_EAX], 0x99332211u);
    pair_free(p);
}

/* A device writing RAM (physmem_write, as DMA does) between two runs of the same code. */
static void test_smc_dma_write(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    PUT(p, 0, 0xB0, 0x07, 0xF4); /* mov al, 7; hlt */
    struct harness *hs[2] = { &p->t, &p->i };
    for (int round = 0; round < 2; round++) { /* the block exists before the write */
        run_both(p, 1000);
        for (int k = 0; k < 2; k++) {
            hs[k]->cpu.eip = 0;
            hs[k]->cpu.halted = 0;
        }
    }
    for (int k = 0; k < 2; k++) {
        physmem_write(&hs[k]->mem, CODE_LIN + 1, 1, 0x09);
        hs[k]->cpu.eip = 0;
        hs[k]->cpu.halted = 0;
    }
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.r[R_EAX] & 0xFF, 9);
    /* And through a host pointer handed out for writing (fw_cfg's DMA). */
    for (int k = 0; k < 2; k++) {
        uint8_t *w = physmem_host_ptr(&hs[k]->mem, CODE_LIN, true);
        w[1] = 0x0B;
        hs[k]->cpu.eip = 0;
        hs[k]->cpu.halted = 0;
    }
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.r[R_EAX] & 0xFF, 0x0B);
    pair_free(p);
}

/* Paging maps the code's frame twice; a write through the second mapping reaches the
 * code run through the first. */
static void test_smc_alias_mapping(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    struct harness *hs[2] = { &p->t, &p->i };
    const uint32_t pd = 0x100000, pt0 = 0x101000, pt1 = 0x102000;
    pair_flat32(p);
    for (int k = 0; k < 2; k++) {
        struct harness *h = hs[k];
        uint32_t *dir = (uint32_t *)(h->ram + pd), *t0 = (uint32_t *)(h->ram + pt0),
                 *t1 = (uint32_t *)(h->ram + pt1);
        dir[0] = pt0 | 3;
        dir[1] = pt1 | 3; /* 0x400000.. */
        for (uint32_t i = 0; i < 512; i++)
            t0[i] = (i << 12) | 3; /* the first 2 MiB as they are */
        t1[0] = CODE_LIN | 3;      /* 0x400000 -> the code's frame */
        h->cpu.cr[3] = pd;
        h->cpu.cr[0] |= CR0_PG;
        tlb_flush_all(&h->cpu.tlb);
    }
    PUT(p, 0, 0xB9, 0x03, 0x00, 0x00, 0x00,       /* mov ecx, 3 */
        0x88, 0x0D, 0x0C, 0x00, 0x40, 0x00,       /* 5: mov [0x40000C], cl */
        0x04, 0x00,                               /* 11: add al, 0 (imm at 12) */
        0xE2, 0xF6,                               /* loop 5 */
        0xF4);
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.r[R_EAX] & 0xFF, 3 + 2 + 1);
    pair_free(p);
}

/* A fault in the middle of a block: the instructions before it retired, the frame
 * points at the faulting one, and the count is the interpreter's. */
static void test_fault_mid_block(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    PUT(p, 0, 0xB8, 0x01, 0x00,                   /* mov ax, 1 */
        0x43,                                     /* inc bx */
        0x8B, 0x0E, 0xFF, 0xFF,                   /* 4: mov cx, [0xFFFF]: #GP (limit) */
        0x40,                                     /* inc ax */
        0xF4);
    run_both(p, 1000);
    assert_int_equal(h_vector(&p->t), EXC_GP);
    assert_int_equal(p->t.cpu.r[R_EAX] & 0xFFFF, 1);
    assert_int_equal(p->t.ram[(0x4000 << 4) + 0x1000 - 6], 4); /* the pushed IP */
    pair_free(p);
}

static int ack_0x20(void *opaque)
{
    struct cpu *cpu = opaque;
    cpu_set_intr(cpu, 0);
    return 0x20;
}

/* An interrupt waiting while IF is clear: STI lets exactly one more instruction run
 * (SDM Vol. 3A §6.8.3), on both engines, whatever the slices. */
static void test_sti_shadow(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    struct harness *hs[2] = { &p->t, &p->i };
    PUT(p, 0, 0x40, 0x40, 0xFB, /* inc ax; inc ax; sti */
        0x40, 0x40, 0x40, 0x40, /* inc ax x4 */
        0xF4);
    for (int k = 0; k < 2; k++) {
        struct cpu_hooks hk = { .intr_ack = ack_0x20, .opaque = &hs[k]->cpu };
        cpu_set_hooks(&hs[k]->cpu, &hk);
        cpu_set_eflags(&hs[k]->cpu, 0x2);
        cpu_set_intr(&hs[k]->cpu, 1);
    }
    run_both(p, 1000);
    assert_int_equal(h_vector(&p->t), 0x20);
    assert_int_equal(p->t.cpu.r[R_EAX] & 0xFFFF, 3);
    pair_free(p);
}

/* REP STOSB beyond one chunk, then more instructions in the block after it. */
static void test_rep_string(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    PUT(p, 0, 0xB9, 0x88, 0x13,                   /* mov cx, 5000 */
        0xB0, 0x5A,                               /* mov al, 0x5A */
        0x31, 0xFF,                               /* xor di, di */
        0xF3, 0xAA,                               /* rep stosb */
        0x43,                                     /* inc bx */
        0xF4);
    run_both(p, 1000);
    run_both(p, 1);
    assert_int_equal(p->t.cpu.r[R_ECX] & 0xFFFF, 0);
    assert_int_equal(p->t.cpu.r[R_EDI] & 0xFFFF, 5000);
    assert_int_equal(p->t.ram[(0x3000 << 4) + 4999], 0x5A);
    pair_free(p);
}

/* Slices shorter than a block end it on the instruction the interpreter would stop at. */
static void test_slices_count_exactly(void **state)
{
    (void)state;
    for (uint64_t slice = 1; slice <= 7; slice++) {
        struct pair *p = pair_new();
        PUT(p, 0, 0x40, 0x43, 0x41, 0x42, 0x46, 0x47, 0x45, 0x40, 0x40, 0xF4);
        run_one(&p->t, slice);
        run_one(&p->i, slice);
        assert_same(p);
        assert_int_equal(p->t.cpu.icount, 10);
        pair_free(p);
    }
}

/* HLT ends the run with EIP after it; the next run resumes after an interrupt. */
static void test_hlt(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    PUT(p, 0, 0x40, 0xF4, 0x40, 0xF4);
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.eip, 2);
    assert_int_equal(p->t.cpu.halted, 1);
    pair_free(p);
}

/* Protected mode entered in the middle of straight-line code: MOV CR0 ends the block and
 * what follows runs with the new mode. */
static void test_mode_switch_mid_block(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    PUT(p, 0, 0x0F, 0x20, 0xC0,                   /* mov eax, cr0 */
        0x0C, 0x01,                               /* or al, 1 */
        0x0F, 0x22, 0xC0,                         /* mov cr0, eax */
        0x43, 0x43,                               /* inc bx x2 */
        0x0F, 0x20, 0xC1,                         /* mov ecx, cr0 */
        0xF4);
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.r[R_ECX] & 1, 1);
    assert_int_equal(p->t.cpu.r[R_EBX] & 0xFFFF, 2);
    pair_free(p);
}

/* Whether the translator ran blocks as host code: on x86-64 with the native tier on, a
 * loop of more than a hundred rounds must have compiled some; threaded, none. */
static void assert_native_ran(struct pair *p)
{
#ifdef ORRERY_JIT
    if (!threaded) {
        assert_true(tb_native_blocks(&p->t.cpu) > 0);
        return;
    }
#endif
    assert_int_equal(tb_native_blocks(&p->t.cpu), 0);
}

/* A fault in the middle of a hot block on its 101st round (a 32-bit load, inline on the
 * native tier, whose segment check fails): the instructions before it in that round retired, the frame points at the faulting one, the count is the
 * interpreter's -- in whole runs and in slices that end inside the block. */
static void test_hot_fault_mid_block(void **state)
{
    (void)state;
    /* Slices longer than the block, most ending inside it (shorter ones never let it
     * run whole, so never natively). */
    static const uint64_t slices[] = { 1000, 7, 13 };
    for (unsigned k = 0; k < 3; k++) {
        struct pair *p = pair_new();
        const uint32_t edx0 = p->t.cpu.r[R_EDX]; /* the reset signature */
        PUT(p, 0, 0xB9, 0xC8, 0x00,               /* mov cx, 200 */
            0xBE, 0xFF, 0x9B,                     /* mov si, 0x9BFF */
            0x05, 0x01, 0x00,                     /* 6: add ax, 1 */
            0x66, 0x8B, 0x1C,                     /* 9: mov ebx, [si]: #GP at si = 0xFFFF */
            0x66, 0x89, 0x1D,                     /* mov [di], ebx */
            0x81, 0xC6, 0x00, 0x01,               /* add si, 0x100 */
            0x42,                                 /* inc dx */
            0xE2, 0xF0,                           /* loop 6 */
            0xF4);
        for (int m = 0; m < 2; m++) { /* what the loads find: a pattern */
            struct harness *h = m ? &p->i : &p->t;
            for (uint32_t a = 0; a < 0x10000; a++)
                h->ram[(0x2000 << 4) + a] = (uint8_t)(a * 7 + (a >> 8));
        }
        run_both(p, slices[k]);
        assert_int_equal(h_vector(&p->t), EXC_GP);
        assert_int_equal(p->t.cpu.r[R_EAX] & 0xFFFF, 101);
        assert_int_equal((p->t.cpu.r[R_EDX] - edx0) & 0xFFFF, 100);
        assert_int_equal(p->t.ram[(0x4000 << 4) + 0x1000 - 6], 9); /* the pushed IP */
        assert_native_ran(p);
        pair_free(p);
    }
}

/* Byte, word and MOVZX loads and stores in a hot block (inline on the native tier),
 * AH and BX among the registers: the same registers and memory as the interpreter. */
static void test_hot_narrow_moves(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    PUT(p, 0, 0xB9, 0x64, 0x00,                   /* mov cx, 100 */
        0x31, 0xF6,                               /* xor si, si */
        0xBF, 0x00, 0x80,                         /* mov di, 0x8000 */
        0x8A, 0x24,                               /* 8: mov ah, [si] */
        0x88, 0x25,                               /* mov [di], ah */
        0x8B, 0x5C, 0x01,                         /* mov bx, [si + 1] */
        0x89, 0x5D, 0x02,                         /* mov [di + 2], bx */
        0x66, 0x0F, 0xB6, 0x54, 0x03,             /* movzx edx, byte [si + 3] */
        0x83, 0xC6, 0x04,                         /* add si, 4 */
        0x83, 0xC7, 0x04,                         /* add di, 4 */
        0xE2, 0xE9,                               /* loop 8 */
        0xF4);
    for (int m = 0; m < 2; m++) {
        struct harness *h = m ? &p->i : &p->t;
        for (uint32_t a = 0; a < 0x1000; a++)
            h->ram[(0x2000 << 4) + a] = (uint8_t)(a * 13 + 5);
    }
    run_both(p, 1000);
    assert_int_equal(p->t.ram[(0x2000 << 4) + 0x8000 + 4 * 99], (uint8_t)(4 * 99 * 13 + 5));
    assert_int_equal(p->t.cpu.r[R_EDX], (uint8_t)((4 * 99 + 3) * 13 + 5));
    assert_native_ran(p);
    pair_free(p);
}

/* 32-bit Jcc after CMP, TEST, ADD and SUB in hot blocks, taken and not (the native tier
 * takes the condition from the host's flags of the same operation), in flat 32-bit mode. */
static void test_hot_compare_and_branch(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    pair_flat32(p);
    PUT(p, 0, 0xB9, 0x2C, 0x01, 0x00, 0x00,       /* mov ecx, 300 */
        0x05, 0x78, 0x56, 0x34, 0x12,             /* 5: add eax, 0x12345678 */
        0x3D, 0x00, 0x00, 0x00, 0x40,             /* cmp eax, 0x40000000 */
        0x7C, 0x01,                               /* jl 18 (signed) */
        0x43,                                     /* inc ebx */
        0x89, 0xC2,                               /* 18: mov edx, eax */
        0x81, 0xE2, 0x00, 0x03, 0x00, 0x00,       /* and edx, 0x300 */
        0x85, 0xD2,                               /* test edx, edx */
        0x75, 0x01,                               /* jnz 31 */
        0x46,                                     /* inc esi */
        0x01, 0xC7,                               /* 31: add edi, eax */
        0x72, 0x01,                               /* jc 36 */
        0x45,                                     /* inc ebp */
        0x83, 0xE9, 0x01,                         /* 36: sub ecx, 1 */
        0x0F, 0x85, 0xD8, 0xFF, 0xFF, 0xFF,       /* jnz 5 */
        0xF4);
    run_both(p, 1000);
    /* Each branch went both ways. */
    assert_true(p->t.cpu.r[R_EBX] > 0 && p->t.cpu.r[R_EBX] < 300);
    assert_true(p->t.cpu.r[R_ESI] > 0 && p->t.cpu.r[R_ESI] < 300);
    assert_true(p->t.cpu.r[R_EBP] > 0 && p->t.cpu.r[R_EBP] < 300);
    assert_int_equal(p->t.cpu.r[R_ECX], 0);
    assert_native_ran(p);
    pair_free(p);
}

/* A hot block that, on its 51st round, rewrites its own next instruction (add bl, 1 ->
 * add bl, 5); on the other rounds it writes beside its code in the same page. The block
 * stops after the write and the new code runs from there. */
static void test_hot_smc_in_running_block(void **state)
{
    (void)state;
    static const uint64_t slices[] = { 1000, 37, 23 };
    for (unsigned k = 0; k < 3; k++) {
        struct pair *p = pair_new();
        const uint32_t edx0 = p->t.cpu.r[R_EDX];
        PUT(p, 0, 0xB9, 0x64, 0x00,               /* mov cx, 100 */
            0x89, 0xC8,                           /* 3: mov ax, cx */
            0x2D, 0x32, 0x00,                     /* sub ax, 50 */
            0xF7, 0xD8,                           /* neg ax: CF = (cx != 50) */
            0x19, 0xC0,                           /* sbb ax, ax */
            0x25, 0x00, 0x04,                     /* and ax, 0x400 */
            0x05, 0x1A, 0x00,                     /* add ax, 26 */
            0x89, 0xC7,                           /* mov di, ax */
            0x2E, 0xC6, 0x05, 0x05,               /* mov byte [cs:di], 5 */
            0x80, 0xC3, 0x01,                     /* 24: add bl, 1 (imm at 26) */
            0x42,                                 /* inc dx */
            0xE2, 0xE5,                           /* loop 3 */
            0xF4);
        run_both(p, slices[k]);
        assert_int_equal(p->t.cpu.r[R_EBX] & 0xFF, (50 * 1 + 50 * 5) & 0xFF);
        assert_int_equal((p->t.cpu.r[R_EDX] - edx0) & 0xFFFF, 100);
        assert_native_ran(p);
        pair_free(p);
    }
}

/* A device read in the middle of a hot block sees the instruction count of the
 * instruction reading it (the -icount clock), as with the interpreter. */
static uint32_t mmio_icount(void *opaque, uint32_t addr, unsigned size)
{
    (void)addr;
    (void)size;
    return (uint32_t)((struct cpu *)opaque)->icount;
}

static void test_hot_mmio_reads_icount(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    struct harness *hs[2] = { &p->t, &p->i };
    for (int k = 0; k < 2; k++) {
        struct harness *h = hs[k];
        assert_int_equal(physmem_add_mmio(&h->mem, 0x200000, 0x1000, mmio_icount, NULL,
                                          &h->cpu), 0);
    }
    pair_flat32(p);
    PUT(p, 0, 0xB9, 0x64, 0x00, 0x00, 0x00,       /* mov ecx, 100 */
        0x42,                                     /* 5: inc edx */
        0x8B, 0x05, 0x00, 0x00, 0x20, 0x00,       /* mov eax, [0x200000] */
        0x01, 0xC3,                               /* add ebx, eax */
        0x46,                                     /* inc esi */
        0xE2, 0xF4,                               /* loop 5 */
        0xF4);
    run_both(p, 1000);
    /* Round r (from 0) reads at count 1 + 5r + 1, as the interpreter counts. */
    assert_int_equal(p->t.cpu.r[R_EBX], 100 * 2 + 5 * (99 * 100 / 2));
    assert_native_ran(p);
    pair_free(p);
}

/* SHL, SHR and SAR of a 32-bit register by 1, by an immediate and by 32 (masked to 0:
 * nothing changes) in a hot block, in flat 32-bit mode (host code on the native tier): the
 * flags read after each by PUSHFD, SETcc, INC (which keeps CF) and Jcc, all summed. */
static void test_hot_shifts(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    pair_flat32(p);
    PUT(p, 0, 0xB9, 0x2C, 0x01, 0x00, 0x00,       /* mov ecx, 300 */
        0x05, 0xB9, 0x79, 0x37, 0x9E,             /* 5: add eax, 0x9E3779B9 */
        0x89, 0xC2,                               /* mov edx, eax */
        0xC1, 0xE2, 0x03,                         /* shl edx, 3 */
        0x9C,                                     /* pushfd */
        0x5E,                                     /* pop esi */
        0x01, 0xF7,                               /* add edi, esi */
        0xD1, 0xEA,                               /* shr edx, 1 */
        0x0F, 0x92, 0xC3,                         /* setc bl */
        0x0F, 0x90, 0xC7,                         /* seto bh */
        0x01, 0xDD,                               /* add ebp, ebx */
        0xC1, 0xEA, 0x01,                         /* shr edx, 1 (C1 form) */
        0x43,                                     /* inc ebx: CF kept from the shift */
        0x9C,                                     /* pushfd */
        0x5E,                                     /* pop esi */
        0x31, 0xF7,                               /* xor edi, esi */
        0xC1, 0xE0, 0x20,                         /* shl eax, 32: masked to 0 */
        0x9C,                                     /* pushfd: INC's flags still */
        0x5E,                                     /* pop esi */
        0x01, 0xF7,                               /* add edi, esi */
        0x89, 0xC2,                               /* mov edx, eax */
        0xC1, 0xFA, 0x1F,                         /* sar edx, 31 */
        0x0F, 0x98, 0xC3,                         /* sets bl */
        0x01, 0xDD,                               /* add ebp, ebx */
        0xC1, 0xEA, 0x05,                         /* shr edx, 5 */
        0x0F, 0x90, 0xC3,                         /* seto bl */
        0x01, 0xDD,                               /* add ebp, ebx */
        0x89, 0xC2,                               /* mov edx, eax */
        0xD1, 0xE2,                               /* shl edx, 1 */
        0x0F, 0x90, 0xC3,                         /* seto bl */
        0x01, 0xDD,                               /* add ebp, ebx */
        0xD1, 0xFA,                               /* sar edx, 1 */
        0xC1, 0xE2, 0x1F,                         /* shl edx, 31 */
        0x72, 0x01,                               /* jc +1 */
        0x45,                                     /* inc ebp */
        0x83, 0xE9, 0x01,                         /* sub ecx, 1 */
        0x0F, 0x85, 0xAD, 0xFF, 0xFF, 0xFF,       /* jnz 5 */
        0xF4);
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.r[R_ECX], 0);
    assert_int_equal(p->t.cpu.r[R_EAX], (uint32_t)(300u * 0x9E3779B9u));
    assert_native_ran(p);
    pair_free(p);
}

/* INC and DEC of 32-bit registers in a hot block right after ADD, CMP, XOR, SUB, a shift
 * and another INC/DEC (host code on the native tier), in flat 32-bit mode: CF kept from
 * each, the rest from the INC or DEC, read by PUSHFD and ADC. */
static void test_hot_inc_dec(void **state)
{
    (void)state;
    struct pair *p = pair_new();
    pair_flat32(p);
    PUT(p, 0, 0xB9, 0x2C, 0x01, 0x00, 0x00,             /* mov ecx, 300 */
        0x05, 0xB9, 0x79, 0x37, 0x9E,             /* 5: add eax, 0x9E3779B9 */
        0x43,                                     /* inc ebx: CF of the ADD kept */
        0x9C,                                     /* pushfd */
        0x5E,                                     /* pop esi */
        0x01, 0xF7,                               /* add edi, esi */
        0x3D, 0x00, 0x00, 0x00, 0x80,             /* cmp eax, 0x80000000 */
        0x4B,                                     /* dec ebx: CF of the CMP kept */
        0x4A,                                     /* dec edx: after DEC */
        0x9C,                                     /* pushfd */
        0x5E,                                     /* pop esi */
        0x31, 0xF7,                               /* xor edi, esi */
        0x89, 0xC2,                               /* mov edx, eax */
        0xD1, 0xEA,                               /* shr edx, 1 */
        0x42,                                     /* inc edx: CF of the shift kept */
        0x9C,                                     /* pushfd */
        0x5E,                                     /* pop esi */
        0x01, 0xF7,                               /* add edi, esi */
        0x31, 0xC5,                               /* xor ebp, eax */
        0x45,                                     /* inc ebp: CF of the XOR (0) kept */
        0x83, 0xD7, 0x00,                         /* adc edi, 0 */
        0x29, 0xC5,                               /* sub ebp, eax */
        0x4D,                                     /* dec ebp: CF of the SUB kept */
        0x9C,                                     /* pushfd */
        0x5E,                                     /* pop esi */
        0x01, 0xF7,                               /* add edi, esi */
        0x89, 0xC2,                               /* mov edx, eax */
        0x81, 0xE2, 0x00, 0x00, 0x00, 0x80,       /* and edx, 0x80000000 */
        0x4A,                                     /* dec edx: OF when it was 0x80000000 */
        0x9C,                                     /* pushfd */
        0x5E,                                     /* pop esi */
        0x01, 0xF7,                               /* add edi, esi */
        0x83, 0xE9, 0x01,                         /* sub ecx, 1 */
        0x0F, 0x85, 0xBF, 0xFF, 0xFF, 0xFF,       /* jnz 5 */
        0xF4);
    run_both(p, 1000);
    assert_int_equal(p->t.cpu.r[R_ECX], 0);
    assert_native_ran(p);
    pair_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smc_next_instruction),
        cmocka_unit_test(test_smc_same_block_loop),
        cmocka_unit_test(test_smc_same_page),
        cmocka_unit_test(test_smc_other_page),
        cmocka_unit_test(test_smc_across_pages),
        cmocka_unit_test(test_smc_dma_write),
        cmocka_unit_test(test_smc_alias_mapping),
        cmocka_unit_test(test_fault_mid_block),
        cmocka_unit_test(test_sti_shadow),
        cmocka_unit_test(test_rep_string),
        cmocka_unit_test(test_slices_count_exactly),
        cmocka_unit_test(test_hlt),
        cmocka_unit_test(test_mode_switch_mid_block),
        cmocka_unit_test(test_hot_fault_mid_block),
        cmocka_unit_test(test_hot_narrow_moves),
        cmocka_unit_test(test_hot_compare_and_branch),
        cmocka_unit_test(test_hot_smc_in_running_block),
        cmocka_unit_test(test_hot_mmio_reads_icount),
        cmocka_unit_test(test_hot_shifts),
        cmocka_unit_test(test_hot_inc_dec),
    };
    int failed = cmocka_run_group_tests_name("native", tests, NULL, NULL);
    threaded = true;
    return failed + cmocka_run_group_tests_name("threaded", tests, NULL, NULL);
}
