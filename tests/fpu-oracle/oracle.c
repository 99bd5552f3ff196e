/* fpu-oracle: differential test of orrery's x87/MMX against the host processor.
 *
 * Each case builds a random FPU state (an FSAVE image: control word with every rounding,
 * precision and mask setting, status word, tags, eight registers drawn from edge-case
 * classes), EFLAGS, EAX and a memory operand, then runs the same instruction bytes on the
 * host (tests/fpu-oracle/host.c) and on orrery's CPU as
 *     FRSTOR [edi]; <load EFLAGS, EAX>; <instruction>; <store EAX>; FNSAVE [edi]; ...
 * and compares the control, status and tag words, the registers, EAX, the arithmetic
 * flags, the memory operand and whether a fault happened. Transcendental results may
 * differ by a stated number of ulps; when such a result falls on the other side of the
 * underflow or overflow threshold, it is compared with the bias of the unmasked
 * exception undone.
 *
 *   fpu-oracle [--count N] [--seed S] [--group basic,mmx,trans,control|all]
 *              [--only NAME;NAME...] [--report K] [--list]
 *
 * prints a line per instruction (cases, differences, max ulps) and last
 * "N passed, N failed". Exit status 0 only when nothing failed. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "tests/fpu-oracle/host.h"
#include "tests/fpu-oracle/values.h"

/* ---- the instructions under test ---- */

enum group { G_BASIC, G_MMX, G_TRANS, G_CONTROL, G_COUNT };
static const char *const group_names[G_COUNT] = { "basic", "mmx", "trans", "control" };

/* Memory operand kinds (what the generator puts at [esi]). */
enum mem {
    M_NONE, M_F32, M_F64, M_F80, M_I16, M_I32, M_I64, M_BCD, M_CW, M_ENV16, M_ENV32,
    M_SAVE16, M_SAVE32, M_M64, M_FX
};

enum {
    T_STI = 1 << 0,    /* the last byte takes a random ST(i) (0-7) */
    T_MMREG = 1 << 1,  /* ModRM.reg takes a random MM register */
    T_MMRM = 1 << 2,   /* ModRM: a random MM register or [esi] */
    T_MMRMR = 1 << 3,  /* ModRM: a random MM register (register forms only) */
    T_IMM = 1 << 4,    /* a random imm8 follows */
    T_MMX = 1 << 5,    /* MMX state: random 64-bit register contents */
    T_FULL = 1 << 6,   /* prefer a full stack (FPTAN/FSINCOS/FXTRACT push) */
    T_DOM_TRIG = 1 << 7,  /* ST(0) mostly in the domain of FSIN etc.: |x| < 2^63 */
    T_DOM_F2XM1 = 1 << 8, /* ST(0) mostly in [-1, 1] */
    T_DOM_LNP1 = 1 << 9,  /* ST(0) mostly in (-(1 - sqrt(2)/2), 1 - sqrt(2)/2) */
    T_DOM_LOG = 1 << 10,  /* ST(0) mostly positive */
};

struct optest {
    const char *name;
    uint8_t group;
    uint8_t mem;
    uint8_t len;
    uint8_t bytes[4];
    uint16_t flags;
    uint8_t ulps;      /* allowed difference of result registers (transcendentals) */
    uint8_t mask_lo, mask_hi; /* memory bytes [mask_lo, mask_hi) not compared (pointers) */
};

#define R(name, g, m, fl, ...) { name, g, m, sizeof((uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ }, fl, 0, 0, 0 }
#define RU(name, g, m, fl, u, ...) { name, g, m, sizeof((uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ }, fl, u, 0, 0 }
#define RM(name, g, m, lo, hi, ...) { name, g, m, sizeof((uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ }, 0, 0, lo, hi }

/* [esi] is ModRM mod=0 rm=6 in both 32- and 64-bit addressing. */
#define MODRM_M(reg) (uint8_t)(0x06 | (reg) << 3)

static const struct optest ops[] = {
    /* arithmetic, register forms */
    R("fadd st,st(i)", G_BASIC, M_NONE, T_STI, 0xD8, 0xC0),
    R("fmul st,st(i)", G_BASIC, M_NONE, T_STI, 0xD8, 0xC8),
    R("fsub st,st(i)", G_BASIC, M_NONE, T_STI, 0xD8, 0xE0),
    R("fsubr st,st(i)", G_BASIC, M_NONE, T_STI, 0xD8, 0xE8),
    R("fdiv st,st(i)", G_BASIC, M_NONE, T_STI, 0xD8, 0xF0),
    R("fdivr st,st(i)", G_BASIC, M_NONE, T_STI, 0xD8, 0xF8),
    R("fadd st(i),st", G_BASIC, M_NONE, T_STI, 0xDC, 0xC0),
    R("fmul st(i),st", G_BASIC, M_NONE, T_STI, 0xDC, 0xC8),
    R("fsubr st(i),st", G_BASIC, M_NONE, T_STI, 0xDC, 0xE0),
    R("fsub st(i),st", G_BASIC, M_NONE, T_STI, 0xDC, 0xE8),
    R("fdivr st(i),st", G_BASIC, M_NONE, T_STI, 0xDC, 0xF0),
    R("fdiv st(i),st", G_BASIC, M_NONE, T_STI, 0xDC, 0xF8),
    R("faddp", G_BASIC, M_NONE, T_STI, 0xDE, 0xC0),
    R("fmulp", G_BASIC, M_NONE, T_STI, 0xDE, 0xC8),
    R("fsubrp", G_BASIC, M_NONE, T_STI, 0xDE, 0xE0),
    R("fsubp", G_BASIC, M_NONE, T_STI, 0xDE, 0xE8),
    R("fdivrp", G_BASIC, M_NONE, T_STI, 0xDE, 0xF0),
    R("fdivp", G_BASIC, M_NONE, T_STI, 0xDE, 0xF8),
    /* arithmetic, memory forms */
    R("fadd m32", G_BASIC, M_F32, 0, 0xD8, MODRM_M(0)),
    R("fmul m32", G_BASIC, M_F32, 0, 0xD8, MODRM_M(1)),
    R("fsub m32", G_BASIC, M_F32, 0, 0xD8, MODRM_M(4)),
    R("fsubr m32", G_BASIC, M_F32, 0, 0xD8, MODRM_M(5)),
    R("fdiv m32", G_BASIC, M_F32, 0, 0xD8, MODRM_M(6)),
    R("fdivr m32", G_BASIC, M_F32, 0, 0xD8, MODRM_M(7)),
    R("fadd m64", G_BASIC, M_F64, 0, 0xDC, MODRM_M(0)),
    R("fmul m64", G_BASIC, M_F64, 0, 0xDC, MODRM_M(1)),
    R("fsub m64", G_BASIC, M_F64, 0, 0xDC, MODRM_M(4)),
    R("fsubr m64", G_BASIC, M_F64, 0, 0xDC, MODRM_M(5)),
    R("fdiv m64", G_BASIC, M_F64, 0, 0xDC, MODRM_M(6)),
    R("fdivr m64", G_BASIC, M_F64, 0, 0xDC, MODRM_M(7)),
    R("fiadd m32", G_BASIC, M_I32, 0, 0xDA, MODRM_M(0)),
    R("fimul m32", G_BASIC, M_I32, 0, 0xDA, MODRM_M(1)),
    R("fisub m32", G_BASIC, M_I32, 0, 0xDA, MODRM_M(4)),
    R("fisubr m32", G_BASIC, M_I32, 0, 0xDA, MODRM_M(5)),
    R("fidiv m32", G_BASIC, M_I32, 0, 0xDA, MODRM_M(6)),
    R("fidivr m32", G_BASIC, M_I32, 0, 0xDA, MODRM_M(7)),
    R("fiadd m16", G_BASIC, M_I16, 0, 0xDE, MODRM_M(0)),
    R("fimul m16", G_BASIC, M_I16, 0, 0xDE, MODRM_M(1)),
    R("fisub m16", G_BASIC, M_I16, 0, 0xDE, MODRM_M(4)),
    R("fidivr m16", G_BASIC, M_I16, 0, 0xDE, MODRM_M(7)),
    R("fsqrt", G_BASIC, M_NONE, 0, 0xD9, 0xFA),
    /* compares */
    R("fcom st(i)", G_BASIC, M_NONE, T_STI, 0xD8, 0xD0),
    R("fcomp st(i)", G_BASIC, M_NONE, T_STI, 0xD8, 0xD8),
    R("fcompp", G_BASIC, M_NONE, 0, 0xDE, 0xD9),
    R("fucom st(i)", G_BASIC, M_NONE, T_STI, 0xDD, 0xE0),
    R("fucomp st(i)", G_BASIC, M_NONE, T_STI, 0xDD, 0xE8),
    R("fucompp", G_BASIC, M_NONE, 0, 0xDA, 0xE9),
    R("fcomi", G_BASIC, M_NONE, T_STI, 0xDB, 0xF0),
    R("fcomip", G_BASIC, M_NONE, T_STI, 0xDF, 0xF0),
    R("fucomi", G_BASIC, M_NONE, T_STI, 0xDB, 0xE8),
    R("fucomip", G_BASIC, M_NONE, T_STI, 0xDF, 0xE8),
    R("fcom m32", G_BASIC, M_F32, 0, 0xD8, MODRM_M(2)),
    R("fcomp m64", G_BASIC, M_F64, 0, 0xDC, MODRM_M(3)),
    R("ficom m16", G_BASIC, M_I16, 0, 0xDE, MODRM_M(2)),
    R("ficomp m32", G_BASIC, M_I32, 0, 0xDA, MODRM_M(3)),
    R("ftst", G_BASIC, M_NONE, 0, 0xD9, 0xE4),
    R("fxam", G_BASIC, M_NONE, 0, 0xD9, 0xE5),
    R("fcom2 (dc d0+i)", G_BASIC, M_NONE, T_STI, 0xDC, 0xD0),
    R("fcomp3 (dc d8+i)", G_BASIC, M_NONE, T_STI, 0xDC, 0xD8),
    R("fcomp5 (de d0+i)", G_BASIC, M_NONE, T_STI, 0xDE, 0xD0),
    /* conversions: loads */
    R("fld m32", G_BASIC, M_F32, 0, 0xD9, MODRM_M(0)),
    R("fld m64", G_BASIC, M_F64, 0, 0xDD, MODRM_M(0)),
    R("fld m80", G_BASIC, M_F80, 0, 0xDB, MODRM_M(5)),
    R("fild m16", G_BASIC, M_I16, 0, 0xDF, MODRM_M(0)),
    R("fild m32", G_BASIC, M_I32, 0, 0xDB, MODRM_M(0)),
    R("fild m64", G_BASIC, M_I64, 0, 0xDF, MODRM_M(5)),
    R("fbld", G_BASIC, M_BCD, 0, 0xDF, MODRM_M(4)),
    R("fld st(i)", G_BASIC, M_NONE, T_STI, 0xD9, 0xC0),
    /* conversions: stores */
    R("fst m32", G_BASIC, M_F32, 0, 0xD9, MODRM_M(2)),
    R("fstp m32", G_BASIC, M_F32, 0, 0xD9, MODRM_M(3)),
    R("fst m64", G_BASIC, M_F64, 0, 0xDD, MODRM_M(2)),
    R("fstp m64", G_BASIC, M_F64, 0, 0xDD, MODRM_M(3)),
    R("fstp m80", G_BASIC, M_F80, 0, 0xDB, MODRM_M(7)),
    R("fist m16", G_BASIC, M_I16, 0, 0xDF, MODRM_M(2)),
    R("fistp m16", G_BASIC, M_I16, 0, 0xDF, MODRM_M(3)),
    R("fist m32", G_BASIC, M_I32, 0, 0xDB, MODRM_M(2)),
    R("fistp m32", G_BASIC, M_I32, 0, 0xDB, MODRM_M(3)),
    R("fistp m64", G_BASIC, M_I64, 0, 0xDF, MODRM_M(7)),
    R("fbstp", G_BASIC, M_BCD, 0, 0xDF, MODRM_M(6)),
    R("fst st(i)", G_BASIC, M_NONE, T_STI, 0xDD, 0xD0),
    R("fstp st(i)", G_BASIC, M_NONE, T_STI, 0xDD, 0xD8),
    R("fstp1 (d9 d8+i)", G_BASIC, M_NONE, T_STI, 0xD9, 0xD8),
    R("fstp8 (df d0+i)", G_BASIC, M_NONE, T_STI, 0xDF, 0xD0),
    R("fstp9 (df d8+i)", G_BASIC, M_NONE, T_STI, 0xDF, 0xD8),
    /* partial remainder, scale, round, extract */
    R("fprem", G_BASIC, M_NONE, 0, 0xD9, 0xF8),
    R("fprem1", G_BASIC, M_NONE, 0, 0xD9, 0xF5),
    R("fscale", G_BASIC, M_NONE, 0, 0xD9, 0xFD),
    R("frndint", G_BASIC, M_NONE, 0, 0xD9, 0xFC),
    R("fxtract", G_BASIC, M_NONE, T_FULL, 0xD9, 0xF4),
    /* stack, sign, constants, moves */
    R("fxch", G_CONTROL, M_NONE, T_STI, 0xD9, 0xC8),
    R("fxch4 (dd c8+i)", G_CONTROL, M_NONE, T_STI, 0xDD, 0xC8),
    R("fxch7 (df c8+i)", G_CONTROL, M_NONE, T_STI, 0xDF, 0xC8),
    R("fchs", G_CONTROL, M_NONE, 0, 0xD9, 0xE0),
    R("fabs", G_CONTROL, M_NONE, 0, 0xD9, 0xE1),
    R("fld1", G_CONTROL, M_NONE, T_FULL, 0xD9, 0xE8),
    R("fldl2t", G_CONTROL, M_NONE, 0, 0xD9, 0xE9),
    R("fldl2e", G_CONTROL, M_NONE, 0, 0xD9, 0xEA),
    R("fldpi", G_CONTROL, M_NONE, 0, 0xD9, 0xEB),
    R("fldlg2", G_CONTROL, M_NONE, 0, 0xD9, 0xEC),
    R("fldln2", G_CONTROL, M_NONE, 0, 0xD9, 0xED),
    R("fldz", G_CONTROL, M_NONE, 0, 0xD9, 0xEE),
    R("fcmovb", G_CONTROL, M_NONE, T_STI, 0xDA, 0xC0),
    R("fcmove", G_CONTROL, M_NONE, T_STI, 0xDA, 0xC8),
    R("fcmovbe", G_CONTROL, M_NONE, T_STI, 0xDA, 0xD0),
    R("fcmovu", G_CONTROL, M_NONE, T_STI, 0xDA, 0xD8),
    R("fcmovnb", G_CONTROL, M_NONE, T_STI, 0xDB, 0xC0),
    R("fcmovne", G_CONTROL, M_NONE, T_STI, 0xDB, 0xC8),
    R("fcmovnbe", G_CONTROL, M_NONE, T_STI, 0xDB, 0xD0),
    R("fcmovnu", G_CONTROL, M_NONE, T_STI, 0xDB, 0xD8),
    R("ffree", G_CONTROL, M_NONE, T_STI, 0xDD, 0xC0),
    R("ffreep", G_CONTROL, M_NONE, T_STI, 0xDF, 0xC0),
    R("fincstp", G_CONTROL, M_NONE, 0, 0xD9, 0xF7),
    R("fdecstp", G_CONTROL, M_NONE, 0, 0xD9, 0xF6),
    R("fnop", G_CONTROL, M_NONE, 0, 0xD9, 0xD0),
    R("fwait", G_CONTROL, M_NONE, 0, 0x9B),
    R("fnstsw ax", G_CONTROL, M_NONE, 0, 0xDF, 0xE0),
    R("fnstsw m16", G_CONTROL, M_I16, 0, 0xDD, MODRM_M(7)),
    R("fnstcw", G_CONTROL, M_I16, 0, 0xD9, MODRM_M(7)),
    R("fldcw", G_CONTROL, M_CW, 0, 0xD9, MODRM_M(5)),
    R("fnclex", G_CONTROL, M_NONE, 0, 0xDB, 0xE2),
    R("fninit", G_CONTROL, M_NONE, 0, 0xDB, 0xE3),
    R("fneni", G_CONTROL, M_NONE, 0, 0xDB, 0xE0),
    R("fnsetpm", G_CONTROL, M_NONE, 0, 0xDB, 0xE4),
    RM("fnstenv", G_CONTROL, M_ENV32, 12, 28, 0xD9, MODRM_M(6)),
    RM("fnstenv o16", G_CONTROL, M_ENV16, 6, 14, 0x66, 0xD9, MODRM_M(6)),
    R("fldenv", G_CONTROL, M_ENV32, 0, 0xD9, MODRM_M(4)),
    R("fldenv o16", G_CONTROL, M_ENV16, 0, 0x66, 0xD9, MODRM_M(4)),
    RM("fnsave", G_CONTROL, M_SAVE32, 12, 28, 0xDD, MODRM_M(6)),
    RM("fnsave o16", G_CONTROL, M_SAVE16, 6, 14, 0x66, 0xDD, MODRM_M(6)),
    R("frstor", G_CONTROL, M_SAVE32, 0, 0xDD, MODRM_M(4)),
    R("frstor o16", G_CONTROL, M_SAVE16, 0, 0x66, 0xDD, MODRM_M(4)),
    RM("fxsave", G_CONTROL, M_FX, 6, 24, 0x0F, 0xAE, MODRM_M(0)),
    R("fxrstor", G_CONTROL, M_FX, 0, 0x0F, 0xAE, MODRM_M(1)),
    /* transcendentals */
    RU("fsin", G_TRANS, M_NONE, T_DOM_TRIG, 1, 0xD9, 0xFE),
    RU("fcos", G_TRANS, M_NONE, T_DOM_TRIG, 1, 0xD9, 0xFF),
    RU("fsincos", G_TRANS, M_NONE, T_FULL | T_DOM_TRIG, 1, 0xD9, 0xFB),
    RU("fptan", G_TRANS, M_NONE, T_FULL | T_DOM_TRIG, 1, 0xD9, 0xF2),
    RU("fpatan", G_TRANS, M_NONE, 0, 1, 0xD9, 0xF3),
    RU("f2xm1", G_TRANS, M_NONE, T_DOM_F2XM1, 1, 0xD9, 0xF0),
    RU("fyl2x", G_TRANS, M_NONE, T_DOM_LOG, 1, 0xD9, 0xF1),
    RU("fyl2xp1", G_TRANS, M_NONE, T_DOM_LNP1, 1, 0xD9, 0xF9),
    /* MMX */
#define MMX2(name, op) R(name, G_MMX, M_M64, T_MMX | T_MMREG | T_MMRM, 0x0F, op, 0)
    MMX2("punpcklbw", 0x60), MMX2("punpcklwd", 0x61), MMX2("punpckldq", 0x62),
    MMX2("packsswb", 0x63), MMX2("pcmpgtb", 0x64), MMX2("pcmpgtw", 0x65),
    MMX2("pcmpgtd", 0x66), MMX2("packuswb", 0x67), MMX2("punpckhbw", 0x68),
    MMX2("punpckhwd", 0x69), MMX2("punpckhdq", 0x6A), MMX2("packssdw", 0x6B),
    MMX2("movq mm,mm/m64", 0x6F), MMX2("pcmpeqb", 0x74), MMX2("pcmpeqw", 0x75),
    MMX2("pcmpeqd", 0x76), MMX2("movq mm/m64,mm", 0x7F), MMX2("psrlw", 0xD1),
    MMX2("psrld", 0xD2), MMX2("psrlq", 0xD3), MMX2("pmullw", 0xD5), MMX2("psubusb", 0xD8),
    MMX2("psubusw", 0xD9), MMX2("pand", 0xDB), MMX2("paddusb", 0xDC), MMX2("paddusw", 0xDD),
    MMX2("pandn", 0xDF), MMX2("psraw", 0xE1), MMX2("psrad", 0xE2), MMX2("pmulhw", 0xE5),
    MMX2("psubsb", 0xE8), MMX2("psubsw", 0xE9), MMX2("por", 0xEB), MMX2("paddsb", 0xEC),
    MMX2("paddsw", 0xED), MMX2("pxor", 0xEF), MMX2("psllw", 0xF1), MMX2("pslld", 0xF2),
    MMX2("psllq", 0xF3), MMX2("pmaddwd", 0xF5), MMX2("psubb", 0xF8), MMX2("psubw", 0xF9),
    MMX2("psubd", 0xFA), MMX2("paddb", 0xFC), MMX2("paddw", 0xFD), MMX2("paddd", 0xFE),
    R("movd mm,r/m32", G_MMX, M_I32, T_MMX | T_MMREG, 0x0F, 0x6E, 0x06),
    R("movd mm,eax", G_MMX, M_NONE, T_MMX | T_MMREG, 0x0F, 0x6E, 0xC0),
    R("movd r/m32,mm", G_MMX, M_I32, T_MMX | T_MMREG, 0x0F, 0x7E, 0x06),
    R("movd eax,mm", G_MMX, M_NONE, T_MMX | T_MMREG, 0x0F, 0x7E, 0xC0),
#define MMXI(name, op, reg) R(name, G_MMX, M_NONE, T_MMX | T_MMRMR | T_IMM, 0x0F, op, (uint8_t)(0xC0 | (reg) << 3))
    MMXI("psrlw imm", 0x71, 2), MMXI("psraw imm", 0x71, 4), MMXI("psllw imm", 0x71, 6),
    MMXI("psrld imm", 0x72, 2), MMXI("psrad imm", 0x72, 4), MMXI("pslld imm", 0x72, 6),
    MMXI("psrlq imm", 0x73, 2), MMXI("psllq imm", 0x73, 6),
    R("emms", G_MMX, M_NONE, T_MMX, 0x0F, 0x77),
};
#define NOPS (sizeof ops / sizeof ops[0])

/* ---- the frame both sides run ---- */

enum { MEM_BYTES = 512 };

struct frame_set {
    struct host_frame f;
    _Alignas(16) uint8_t mem[MEM_BYTES];
};

/* Bytes before and after the instruction: identical on both sides (host.c emits the same
 * for x86-64). Guest: FRSTOR [edi]; mov eax,[edi+6C]; push eax; popfd; mov eax,[edi+70];
 * <insn>; mov [edi+70],eax; fnsave [edi]; pushfd; pop eax; mov [edi+6C],eax; hlt */
static const uint8_t guest_pro[] = { 0xDD, 0x27, 0x8B, 0x47, 0x6C, 0x50, 0x9D, 0x8B, 0x47, 0x70 };
static const uint8_t guest_epi[] = { 0x89, 0x47, 0x70, 0xDD, 0x37, 0x9C, 0x58, 0x89, 0x47, 0x6C, 0xF4 };

enum { G_CODE = 0x1000, G_FRAME = 0x2000, G_MEM = 0x3000, G_STACK = 0x8000, G_HANDLERS = 0xF000 };

struct guest {
    struct physmem mem;
    struct iobus io;
    struct cpu cpu;
    uint8_t *ram;
};

/* Real mode with a 32-bit code segment ("big real"), so [esi] addressing and the 32-bit
 * FSAVE layout match the host's; every interrupt vector n points at a HLT at F000:n so a
 * fault shows as the vector. CR0.NE = 1: pending exceptions are #MF. */
static void guest_setup(struct guest *g)
{
    cpu_init(&g->cpu, CPU_P2, &g->mem, &g->io);
    for (unsigned v = 0; v < 256; v++) {
        g->ram[v * 4 + 0] = (uint8_t)v;
        g->ram[v * 4 + 1] = 0;
        g->ram[v * 4 + 2] = (uint8_t)G_HANDLERS;
        g->ram[v * 4 + 3] = (uint8_t)(G_HANDLERS >> 8);
        g->ram[(G_HANDLERS << 4) + v] = 0xF4;
    }
    g->cpu.cr[0] |= 0x20; /* NE */
    for (int s = 0; s < S_COUNT; s++)
        cpu_load_seg_real(&g->cpu, s, 0);
    g->cpu.seg[S_CS].attr |= SEG_ATTR_DB;
}

static void guest_init(struct guest *g)
{
    physmem_init(&g->mem);
    iobus_init(&g->io);
    g->ram = physmem_add_ram(&g->mem, 0, 2u << 20);
    guest_setup(g);
}

/* Returns -1 when the code ran to its HLT, else the vector of the fault taken. */
static int guest_run(struct guest *g, const uint8_t *insn, size_t len, struct frame_set *fs)
{
    struct cpu *cpu = &g->cpu;
    size_t n = 0;
    memcpy(g->ram + G_CODE, guest_pro, sizeof guest_pro);
    n += sizeof guest_pro;
    memcpy(g->ram + G_CODE + n, insn, len);
    n += len;
    memcpy(g->ram + G_CODE + n, guest_epi, sizeof guest_epi);
    n += sizeof guest_epi;
    physmem_wrote(&g->mem, G_CODE, (uint32_t)n); /* the code changed behind the CPU's back */
    memcpy(g->ram + G_FRAME, &fs->f, sizeof fs->f);
    memcpy(g->ram + G_MEM, fs->mem, MEM_BYTES);
    cpu_load_seg_real(cpu, S_CS, 0);
    cpu->seg[S_CS].attr |= SEG_ATTR_DB;
    cpu->eip = G_CODE;
    cpu->r[R_EDI] = G_FRAME;
    cpu->r[R_ESI] = G_MEM;
    cpu->r[R_ESP] = G_STACK;
    cpu->halted = 0;
    cpu_set_eflags(cpu, 0x2);
    for (int i = 0; i < 64 && !cpu->halted && !cpu->shutdown; i++)
        cpu_run(cpu, 1);
    if (cpu->shutdown || !cpu->halted) {
        guest_setup(g);
        return 255;
    }
    memcpy(&fs->f, g->ram + G_FRAME, sizeof fs->f);
    memcpy(fs->mem, g->ram + G_MEM, MEM_BYTES);
    if (cpu->seg[S_CS].sel == G_HANDLERS) {
        int v = (int)cpu->eip - 1;
        guest_setup(g);
        return v;
    }
    if (cpu->eip != G_CODE + n)
        return 254;
    return -1;
}

static int host_vector(void)
{
    switch (host_last_signal()) {
    case SIGFPE: return 16;
    case SIGILL: return 6;
    default: return 13;
    }
}

/* ---- case generation ---- */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static void put_reg(uint8_t *img, unsigned i, struct f80 v)
{
    for (int b = 0; b < 8; b++)
        img[28 + 10 * i + b] = (uint8_t)(v.m >> (8 * b));
    put16(img + 28 + 10 * i + 8, v.se);
}

static struct f80 get_reg(const uint8_t *img, unsigned i)
{
    uint64_t m = 0;
    for (int b = 0; b < 8; b++)
        m |= (uint64_t)img[28 + 10 * i + b] << (8 * b);
    return f80_make(get16(img + 28 + 10 * i + 8), m);
}

static uint16_t random_cw(struct rng *r)
{
    uint16_t cw = (uint16_t)((rng_u32(r) & 0x0F00) | 0x40);
    unsigned k = rng_below(r, 10);
    if (k < 6)
        cw |= 0x3F;                         /* all masked */
    else if (k < 9)
        cw |= (uint16_t)(rng_u32(r) & 0x3F); /* some unmasked */
    if (rng_below(r, 4) == 0)
        cw |= 0x1000;                       /* the 287's infinity control bit */
    return cw;
}

/* A random initial state for the test: registers ST(0).. filled with related values. */
static void random_state(struct rng *r, const struct optest *t, unsigned sti, struct frame_set *fs)
{
    uint8_t *img = fs->f.fsave;
    memset(img, 0, sizeof fs->f.fsave);
    uint16_t cw = random_cw(r);
    unsigned top = rng_below(r, 8);
    /* sticky flags, only masked ones (an unmasked pending one would fault at once) */
    uint16_t flags = (uint16_t)(rng_below(r, 4) == 0 ? rng_u32(r) & cw & 0x3F : 0);
    uint16_t sw = (uint16_t)((rng_u32(r) & 0x4700) | flags | top << 11);
    if (rng_below(r, 4) == 0 && (rng_u32(r) & 0x3F & cw))
        sw |= 0x40; /* SF */
    /* how deep the stack is: mostly enough for the instruction, sometimes not */
    unsigned depth;
    unsigned k = rng_below(r, 100);
    if (k < 4)
        depth = 0;
    else if (k < 8)
        depth = 1;
    else if (k < 16 || (t->flags & T_FULL && k < 30))
        depth = 8;
    else
        depth = 2 + rng_below(r, 5);
    uint16_t tw = 0xFFFF;
    struct f80 regs[8];
    gen_operands(r, regs, sti);
    if ((t->flags & (T_DOM_TRIG | T_DOM_F2XM1 | T_DOM_LNP1 | T_DOM_LOG)) && rng_below(r, 10) < 7) {
        /* in the domain: exponent below the bound, any significand */
        uint16_t s = rng_below(r, 2) ? 0x8000 : 0;
        int bound = t->flags & T_DOM_TRIG ? 62 : t->flags & T_DOM_F2XM1 ? -1 : t->flags & T_DOM_LNP1 ? -3 : 40;
        int e = bound - (int)(rng_below(r, 3) ? rng_below(r, 70) : rng_below(r, 16000));
        if (t->flags & T_DOM_LOG)
            s = 0;
        regs[0] = f80_make((uint16_t)(s | (F80_BIAS + e)), rng_u64(r) | 0x8000000000000000ull);
        if (t->flags & T_DOM_F2XM1 && rng_below(r, 20) == 0)
            regs[0] = f80_one(rng_below(r, 2));
    }
    for (unsigned i = 0; i < 8; i++) {
        unsigned phys = (top + i) & 7;
        bool valid = i < depth;
        if (rng_below(r, 30) == 0)
            valid = !valid;
        if (valid)
            tw = (uint16_t)(tw & ~(3u << (2 * phys)));
        put_reg(img, i, regs[i]);
    }
    if (t->flags & T_MMX) {
        for (unsigned i = 0; i < 8; i++) {
            uint64_t v = rng_below(r, 4) ? rng_u64_mmx(r) : rng_below(r, 70); /* shift counts */
            put_reg(img, i, f80_make(rng_below(r, 2) ? 0xFFFF : (uint16_t)rng_u32(r), v));
        }
        tw = (uint16_t)rng_u32(r);
    }
    put16(img + 0, cw);
    put16(img + 4, sw);
    put16(img + 8, tw);
    /* pointer fields: whatever, they are not compared */
    fs->f.eflags = (rng_u32(r) & 0x8D5) | 0x202;
    fs->f.eax = rng_u32(r);

    /* the memory operand */
    uint8_t *m = fs->mem;
    for (unsigned i = 0; i < MEM_BYTES; i++)
        m[i] = (uint8_t)rng_u32(r);
    switch (t->mem) {
    case M_F32:
        gen_f32(r, m);
        if (rng_below(r, 5) == 0) { /* ST(0) equal to the operand */
            struct f80_ctx c = { 0x037F, 0, 0 };
            put_reg(img, 0, f80_from_f32(&c, (uint32_t)(m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24)));
        }
        break;
    case M_F64:
        gen_f64(r, m);
        if (rng_below(r, 5) == 0) {
            struct f80_ctx c = { 0x037F, 0, 0 };
            uint64_t v = 0;
            for (int b = 7; b >= 0; b--)
                v = v << 8 | m[b];
            put_reg(img, 0, f80_from_f64(&c, v));
        }
        break;
    case M_F80: gen_f80_bytes(r, m); break;
    case M_I16: gen_int(r, m, 2); break;
    case M_I32: gen_int(r, m, 4); break;
    case M_I64: gen_int(r, m, 8); break;
    case M_BCD: gen_bcd(r, m); break;
    case M_CW: put16(m, rng_below(r, 2) ? random_cw(r) : (uint16_t)rng_u32(r)); break;
    case M_M64: {
        uint64_t v = rng_below(r, 3) ? rng_u64_mmx(r) : rng_below(r, 70);
        for (int b = 0; b < 8; b++)
            m[b] = (uint8_t)(v >> (8 * b));
        break;
    }
    case M_ENV16:
    case M_ENV32:
    case M_SAVE16:
    case M_SAVE32: {
        bool o32 = t->mem == M_ENV32 || t->mem == M_SAVE32;
        unsigned w = o32 ? 4 : 2;
        uint16_t ecw = random_cw(r);
        put16(m, ecw);
        put16(m + w, (uint16_t)(rng_u32(r) & 0x7F7F));
        put16(m + 2 * w, (uint16_t)rng_u32(r));
        if (t->mem == M_SAVE16 || t->mem == M_SAVE32) {
            struct f80 v[8];
            gen_operands(r, v, 1);
            for (unsigned i = 0; i < 8; i++) {
                uint8_t *p = m + (o32 ? 28 : 14) + 10 * i;
                for (int b = 0; b < 8; b++)
                    p[b] = (uint8_t)(v[i].m >> (8 * b));
                put16(p + 8, v[i].se);
            }
        }
        break;
    }
    case M_FX: {
        put16(m, random_cw(r));
        put16(m + 2, (uint16_t)(rng_u32(r) & 0x7F7F));
        m[4] = (uint8_t)rng_u32(r);
        m[5] = 0;
        m[24] = 0x80; m[25] = 0x1F; m[26] = 0; m[27] = 0; /* MXCSR: its default */
        struct f80 v[8];
        gen_operands(r, v, 1);
        for (unsigned i = 0; i < 8; i++) {
            uint8_t *p = m + 32 + 16 * i;
            for (int b = 0; b < 8; b++)
                p[b] = (uint8_t)(v[i].m >> (8 * b));
            put16(p + 8, v[i].se);
            memset(p + 10, 0, 6);
        }
        break;
    }
    default: break;
    }
}

/* Rarely, a state with an unmasked exception pending: both sides must fault (#MF) at a
 * waiting instruction and not at a non-waiting one. */
static void maybe_pending(struct rng *r, struct frame_set *fs)
{
    if (rng_below(r, 50) != 0)
        return;
    uint16_t cw = get16(fs->f.fsave);
    cw = (uint16_t)(cw & ~1u);
    put16(fs->f.fsave, cw);
    put16(fs->f.fsave + 4, (uint16_t)(get16(fs->f.fsave + 4) | 1));
}

/* ---- comparison ---- */

static unsigned mem_bytes(int kind)
{
    switch (kind) {
    case M_F32: case M_I32: return 4;
    case M_F64: case M_I64: case M_M64: return 8;
    case M_F80: case M_BCD: return 10;
    case M_I16: case M_CW: return 2;
    case M_ENV16: return 14;
    case M_ENV32: return 28;
    case M_SAVE16: return 94;
    case M_SAVE32: return 108;
    case M_FX: return 160;
    default: return 0;
    }
}

/* Distance in units in the last place between two finite values of the same sign;
 * denormals count in the ulps of the smallest normal binade they continue. */
static uint64_t ulp_distance(struct f80 a, struct f80 b)
{
    if ((a.se ^ b.se) & 0x8000)
        return UINT64_MAX;
    unsigned ea = a.se & 0x7FFF, eb = b.se & 0x7FFF;
    if (ea == 0x7FFF || eb == 0x7FFF)
        return UINT64_MAX;
    ea = ea ? ea : 1;
    eb = eb ? eb : 1;
    if (ea == eb)
        return a.m > b.m ? a.m - b.m : b.m - a.m;
    if (ea > eb) {
        struct f80 t = a; a = b; b = t;
        unsigned te = ea; ea = eb; eb = te;
    }
    if (eb - ea != 1 || !(b.m >> 63))
        return UINT64_MAX;
    /* a in the binade below b: ulp(b) = 2 ulp(a) */
    return (~a.m + 1) + 2 * (b.m - 0x8000000000000000ull);
}

/* The exponent adjustment that undoes the 24,576 bias an unmasked underflow (subtracted)
 * or overflow (added) puts on a result that is stored (SDM Vol. 1 §4.9.1.4-5), judged from
 * the status word the instruction left and the control word: 0 when neither applies. */
static int bias_undone(uint16_t sw, uint16_t cw)
{
    if ((sw & 0x10) && !(cw & 0x10))
        return -24576;
    if ((sw & 0x08) && !(cw & 0x08))
        return 24576;
    return 0;
}

/* Distance in ulps between two finite values of the same sign whose exponents are first
 * adjusted by adj_a and adj_b; the ulp is that of the larger value's binade, and never less
 * than the smallest normal binade's (a value taken below the normal range by the
 * adjustment counts in the ulps of denormals). Rounded up. */
static uint64_t ulp_distance_adjusted(struct f80 a, int adj_a, struct f80 b, int adj_b)
{
    if ((a.se ^ b.se) & 0x8000)
        return UINT64_MAX;
    const int emin = 1 - 16383 - 63;
    struct { int e, u; uint64_t m; } v[2];
    const struct f80 in[2] = { a, b };
    const int adj[2] = { adj_a, adj_b };
    for (int i = 0; i < 2; i++) {
        unsigned ex = in[i].se & 0x7FFF;
        if (ex == 0x7FFF)
            return UINT64_MAX;
        v[i].m = in[i].m;
        v[i].e = (int)(ex ? ex : 1) + adj[i] - 16383 - 63; /* value = m * 2^e */
        int lead = v[i].m ? v[i].e + 63 - __builtin_clzll(v[i].m) : emin;
        v[i].u = lead - 63 > emin ? lead - 63 : emin;
    }
    int u = v[0].u > v[1].u ? v[0].u : v[1].u;
    unsigned __int128 half[2]; /* in units of half an ulp */
    for (int i = 0; i < 2; i++) {
        int sh = v[i].e - (u - 1);
        if (sh > 63)
            return UINT64_MAX;
        half[i] = sh >= 0 ? (unsigned __int128)v[i].m << sh
                          : sh <= -64 ? 0 : (unsigned __int128)(v[i].m >> -sh);
    }
    unsigned __int128 d = half[0] > half[1] ? half[0] - half[1] : half[1] - half[0];
    d = (d + 1) / 2;
    return d > UINT64_MAX ? UINT64_MAX : (uint64_t)d;
}

struct result {
    uint64_t cases, fails, host_faults;
    uint64_t max_ulps, inexact; /* within the bound but not bit-identical */
};

/* Cases of the basic group by rounding control (4) and precision control (4). */
static uint64_t basic_by_rcpc[16];

static bool compare(const struct optest *t, const struct frame_set *h, int hv,
                    const struct frame_set *g, int gv, uint64_t *ulps, char *why, size_t whylen)
{
    *ulps = 0;
    if (hv != gv) {
        snprintf(why, whylen, "fault: host %d, orrery %d", hv, gv);
        return false;
    }
    if (hv >= 0)
        return true;
    const uint8_t *hi = h->f.fsave, *gi = g->f.fsave;
    bool reg_diff_ok = true;
    uint16_t tw_mask = 0xFFFF; /* a value off by an ulp may change class (denormal/normal) */
    unsigned top = (get16(hi + 4) >> 11) & 7;
    /* An approximation an ulp apart may fall on either side of the underflow or overflow
     * threshold: then one side stores a biased result (an unmasked exception) and the
     * other does not, and they are compared with the bias undone. */
    const uint16_t cw = get16(hi);
    const int hadj = bias_undone(get16(hi + 4), cw), gadj = bias_undone(get16(gi + 4), cw);
    for (unsigned i = 0; i < 8; i++) {
        struct f80 a = get_reg(hi, i), b = get_reg(gi, i);
        if (a.m == b.m && a.se == b.se)
            continue;
        uint64_t d = t->ulps ? ulp_distance(a, b) : UINT64_MAX;
        if (d > t->ulps && t->ulps && hadj != gadj) {
            uint64_t d1 = ulp_distance_adjusted(a, hadj, b, 0);
            uint64_t d2 = ulp_distance_adjusted(a, 0, b, gadj);
            d = d1 < d2 ? d1 : d2;
        }
        if (d > t->ulps) {
            snprintf(why, whylen, "ST(%u): host %04x %016" PRIx64 ", orrery %04x %016" PRIx64,
                     i, a.se, a.m, b.se, b.m);
            return false;
        }
        if (d > *ulps)
            *ulps = d;
        reg_diff_ok = false;
        tw_mask = (uint16_t)(tw_mask & ~(3u << (2 * ((top + i) & 7))));
    }
    uint16_t sw_mask = 0xFFFF;
    if (t->ulps) /* C1 tells how an approximation was rounded: it is the hardware's own */
        sw_mask = (uint16_t)~0x0200;
    if (!reg_diff_ok) /* a result within the bound may round the other way */
        sw_mask = (uint16_t)~(0x0200 | 0x0020 | 0x0010 | 0x0080 | 0x8000);
    static const char *const wn[3] = { "control word", "status word", "tag word" };
    for (unsigned w = 0; w < 3; w++) {
        uint16_t a = get16(hi + 4 * w), b = get16(gi + 4 * w);
        uint16_t mask = w == 1 ? sw_mask : w == 2 ? tw_mask : 0xFFFF;
        if ((a ^ b) & mask) {
            snprintf(why, whylen, "%s: host %04x, orrery %04x", wn[w], a, b);
            return false;
        }
    }
    if (h->f.eax != g->f.eax) {
        snprintf(why, whylen, "eax: host %08x, orrery %08x", h->f.eax, g->f.eax);
        return false;
    }
    if ((h->f.eflags ^ g->f.eflags) & 0x8D5) {
        snprintf(why, whylen, "eflags: host %03x, orrery %03x", h->f.eflags & 0x8D5,
                 g->f.eflags & 0x8D5);
        return false;
    }
    unsigned n = mem_bytes(t->mem);
    for (unsigned i = 0; i < n; i++) {
        if (i >= t->mask_lo && i < t->mask_hi)
            continue;
        if (t->mem == M_FX && ((i >= 24 && i < 32) || (i >= 32 && (i - 32) % 16 >= 10)))
            continue; /* MXCSR and reserved bytes: the Pentium II has no SSE */
        if (h->mem[i] != g->mem[i]) {
            snprintf(why, whylen, "memory byte %u: host %02x, orrery %02x", i, h->mem[i],
                     g->mem[i]);
            return false;
        }
    }
    return true;
}

static void dump_state(const char *who, const struct frame_set *fs, unsigned membytes)
{
    const uint8_t *img = fs->f.fsave;
    printf("    %s: cw %04x sw %04x tw %04x eax %08x eflags %03x\n", who, get16(img),
           get16(img + 4), get16(img + 8), fs->f.eax, fs->f.eflags & 0x8D5);
    for (unsigned i = 0; i < 8; i++) {
        struct f80 v = get_reg(img, i);
        printf("      ST(%u) %04x %016" PRIx64 "\n", i, v.se, v.m);
    }
    if (membytes) {
        printf("      mem");
        for (unsigned i = 0; i < membytes && i < 32; i++)
            printf(" %02x", fs->mem[i]);
        printf("\n");
    }
}

/* ---- main ---- */

static void usage(void)
{
    fprintf(stderr, "usage: fpu-oracle [--count N] [--seed S] [--group basic,mmx,trans,control|all]\n"
                    "                  [--only NAME;NAME...] [--report K] [--list]\n");
}

static bool selected(const struct optest *t, unsigned groups, const char *only)
{
    if (only) {
        size_t n = strlen(t->name);
        for (const char *p = only; *p;) {
            const char *e = strchr(p, ';');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len == n && strncmp(p, t->name, n) == 0)
                return true;
            if (!e)
                break;
            p = e + 1;
        }
        return false;
    }
    return (groups >> t->group) & 1;
}

int main(int argc, char **argv)
{
    uint64_t count = 100000, seed = 1;
    unsigned groups = ~0u;
    const char *only = NULL;
    unsigned report = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            count = strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--report") && i + 1 < argc) {
            report = (unsigned)strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--group") && i + 1 < argc) {
            groups = 0;
            for (char *g = strtok(argv[++i], ","); g; g = strtok(NULL, ",")) {
                unsigned bit = 0;
                for (int k = 0; k < G_COUNT; k++)
                    if (!strcmp(g, group_names[k]))
                        bit = 1u << k;
                if (!strcmp(g, "all"))
                    bit = ~0u;
                if (!bit) {
                    fprintf(stderr, "fpu-oracle: unknown group '%s' (basic, mmx, trans, control, all)\n", g);
                    return 2;
                }
                groups |= bit;
            }
        } else if (!strcmp(argv[i], "--list")) {
            for (size_t k = 0; k < NOPS; k++)
                printf("%-8s %s\n", group_names[ops[k].group], ops[k].name);
            return 0;
        } else {
            usage();
            return 2;
        }
    }
    const struct optest *sel[NOPS];
    size_t nsel = 0;
    for (size_t k = 0; k < NOPS; k++)
        if (selected(&ops[k], groups, only))
            sel[nsel++] = &ops[k];
    if (nsel == 0) {
        fprintf(stderr, "fpu-oracle: no instruction selected (see --list)\n");
        return 2;
    }
    if (!host_init())
        return 2;
    static struct guest g;
    guest_init(&g);
    static struct result res[NOPS];
    struct rng r;
    rng_seed(&r, seed);
    uint64_t failed = 0;
    unsigned reported = 0;
    for (uint64_t c = 0; c < count; c++) {
        size_t k = c % nsel;
        const struct optest *t = sel[k];
        uint8_t insn[8];
        size_t len = t->len;
        memcpy(insn, t->bytes, len);
        unsigned sti = rng_below(&r, 8);
        if (t->flags & T_STI)
            insn[len - 1] = (uint8_t)(insn[len - 1] + sti);
        if (t->flags & T_MMREG)
            insn[len - 1] = (uint8_t)(insn[len - 1] | rng_below(&r, 8) << 3);
        if (t->flags & T_MMRM)
            insn[len - 1] = (uint8_t)(insn[len - 1] |
                                      (rng_below(&r, 3) ? 0x06 : 0xC0 | rng_below(&r, 8)));
        if (t->flags & T_MMRMR)
            insn[len - 1] = (uint8_t)(insn[len - 1] | rng_below(&r, 8));
        if (t->flags & T_IMM)
            insn[len++] = (uint8_t)(rng_below(&r, 4) ? rng_below(&r, 70) : rng_u32(&r));
        static struct frame_set init, hs, gs;
        random_state(&r, t, (t->flags & T_STI) ? sti : 1, &init);
        maybe_pending(&r, &init);
        hs = init;
        gs = init;
        int hv = host_run(insn, len, &hs.f, hs.mem) ? -1 : host_vector();
        int gv = guest_run(&g, insn, len, &gs);
        char why[160];
        uint64_t ulps;
        struct result *rs = &res[t - ops];
        rs->cases++;
        if (t->group == G_BASIC)
            basic_by_rcpc[(get16(init.f.fsave) >> 8) & 15]++;
        if (hv >= 0)
            rs->host_faults++;
        if (!compare(t, &hs, hv, &gs, gv, &ulps, why, sizeof why)) {
            rs->fails++;
            failed++;
            if (reported < report) {
                reported++;
                printf("DIFF %s (case %" PRIu64 ", bytes", t->name, c);
                for (size_t i = 0; i < len; i++)
                    printf(" %02x", insn[i]);
                printf("): %s\n", why);
                dump_state("initial", &init, mem_bytes(t->mem));
                if (hv < 0)
                    dump_state("host", &hs, mem_bytes(t->mem));
                if (gv < 0)
                    dump_state("orrery", &gs, mem_bytes(t->mem));
            }
        }
        if (ulps > rs->max_ulps)
            rs->max_ulps = ulps;
        if (ulps)
            rs->inexact++;
    }
    for (size_t k = 0; k < NOPS; k++) {
        const struct result *rs = &res[k];
        if (!rs->cases)
            continue;
        printf("%-8s %-20s %10" PRIu64 " cases %8" PRIu64 " differences", group_names[ops[k].group],
               ops[k].name, rs->cases, rs->fails);
        if (ops[k].ulps)
            printf("  max %" PRIu64 " ulp (%" PRIu64 " not bit-identical)", rs->max_ulps,
                   rs->inexact);
        if (rs->host_faults)
            printf("  (%" PRIu64 " faulted on both)", rs->host_faults);
        printf("\n");
    }
    if (basic_by_rcpc[0] + basic_by_rcpc[15]) {
        static const char *const rc[4] = { "nearest", "down", "up", "zero" };
        static const char *const pc[4] = { "24", "res", "53", "64" };
        printf("basic cases by rounding/precision:");
        for (unsigned k = 0; k < 16; k++)
            printf(" %s/%s %" PRIu64, rc[k >> 2], pc[k & 3], basic_by_rcpc[k]);
        printf("\n");
    }
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n", count - failed, failed);
    physmem_free(&g.mem);
    iobus_free(&g.io);
    return failed ? 1 : 0;
}
