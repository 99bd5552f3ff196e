/* The opcode map per model, from the manuals (see opmap.h). */
#include "opmap.h"

#include "cpu/cpu.h"

/* First model of each opcode, 16 to a row as the SDM's tables print them:
 *   .  every model here (8086/80186/80286 instructions; the 286 is the first model)
 *   3 4 5 6  from the 386, i486, Pentium, Pentium Pro/II
 *   u  undefined: #UD on every model
 *   p  a prefix on every model;  P  a prefix from the 386, an undefined opcode on the 286
 *   g  rules by ModRM (group_rule);  x  x87 escape;  e  the 0F escape */
static const char *const one_byte[16] = {
    "...............e", /* 0x: ADD OR PUSH/POP ES CS; 0F */
    "................", /* 1x: ADC SBB PUSH/POP SS DS */
    "......p.......p.", /* 2x: AND ES: DAA SUB CS: DAS */
    "......p.......p.", /* 3x: XOR SS: AAA CMP DS: AAS */
    "................", /* 4x: INC DEC */
    "................", /* 5x: PUSH POP */
    "..g.PPPP........", /* 6x: PUSHA POPA BOUND ARPL FS GS 66 67 PUSH IMUL INS OUTS */
    "................", /* 7x: Jcc */
    "............gggg", /* 8x: groups 1, TEST XCHG MOV, MOV Sreg LEA MOV Sreg POP Ev */
    "................", /* 9x: XCHG CBW CWD CALLF WAIT PUSHF POPF SAHF LAHF */
    "................", /* Ax: MOV moffs, string instructions, TEST */
    "................", /* Bx: MOV imm */
    "....gggg........", /* Cx: group 2, RET, LES LDS, group 11, ENTER LEAVE RETF INT INTO IRET */
    "........xxxxxxxx", /* Dx: group 2, AAM AAD SALC XLAT, x87 */
    "................", /* Ex: LOOPcc JCXZ IN OUT CALL JMP */
    "pgpp..........gg", /* Fx: LOCK INT1 REPNE REP HLT CMC group 3 CLC..STD groups 4 5 */
};

static const char *const two_byte[16] = {
    "gg..ug.g44uuuuuu", /* 0x: group 6, group 7, LAR LSL, CLTS, INVD WBINVD, UD2; 0D is
                         * AMD's 3DNow! PREFETCH/PREFETCHW (Intel: CPUID PRFCHW, long after
                         * the P6) and 0E 0F are 3DNow!: undefined on Intel's P6 */
    "uuuuuuuu66666666", /* 1x: SSE; the hint-NOP space 18-1F, NOP Ev with any ModRM and
                         * prefix from the Pentium Pro (18 too: PREFETCHh came later) */
    "g3g3gugu" "uuuuuuuu", /* 2x: MOV CRn/DRn/TRn; SSE */
    "555666uuuuuuuuuu", /* 3x: WRMSR RDTSC RDMSR RDPMC SYSENTER SYSEXIT; 38/3A escapes */
    "6666666666666666", /* 4x: CMOVcc */
    "uuuuuuuuuuuuuuuu", /* 5x: SSE */
    "666666666666uu66", /* 6x: MMX (6C 6D are SSE2) */
    "uggg6666uuuuuu66", /* 7x: PSHUFW (SSE), MMX shift groups 12-14, PCMPEQx EMMS, MOVD MOVQ */
    "3333333333333333", /* 8x: Jcc rel16/32 */
    "3333333333333333", /* 9x: SETcc */
    "335333uu33u333g3", /* Ax: PUSH/POP FS CPUID BT SHLD, PUSH/POP GS RSM BTS SHRD group 15 IMUL */
    "44g3gg33uug33333", /* Bx: CMPXCHG LSS BTR LFS LGS MOVZX, UD1 group 8 BTC BSF BSR MOVSX */
    "44uuuuug44444444", /* Cx: XADD, SSE, group 9, BSWAP */
    "u666u6uu66u666u6", /* Dx: MMX */
    "u66uu6uu66u666u6", /* Ex: MMX */
    "u666u6uu666u666u", /* Fx: MMX; UD0 */
};

/* x87 register forms (mod = 3), the 64 ModRM bytes C0-FF of each escape, 8 to a row:
 *   .  an instruction;  6  from the Pentium Pro/II;  u  #UD
 *   a  an alias the opcode map leaves blank but every Intel x87 from the 387 executes:
 *      FSTP1, FCOM2, FCOMP3, FXCH4, FCOMP5, FFREEP, FXCH7, FSTP8, FSTP9, and the 8087/80287
 *      controls FENI, FDISI, FSETPM (no operation since the 80287, SDM Vol. 1 "x87 FPU
 *      compatibility") */
static const char *const x87_reg[8][8] = {
    /* D8: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR ST(0),ST(i) */
    { "........", "........", "........", "........", "........", "........", "........", "........" },
    /* D9: FLD FXCH; FNOP; FSTP1; FCHS FABS FTST FXAM; constants; F2XM1 ... FCOS */
    { "........", "........", ".uuuuuuu", "aaaaaaaa", "..uu..uu", ".......u", "........", "........" },
    /* DA: FCMOVB FCMOVE FCMOVBE FCMOVU; FUCOMPP */
    { "66666666", "66666666", "66666666", "66666666", "uuuuuuuu", "u.uuuuuu", "uuuuuuuu", "uuuuuuuu" },
    /* DB: FCMOVNB FCMOVNE FCMOVNBE FCMOVNU; FENI FDISI FCLEX FINIT FSETPM; FUCOMI; FCOMI */
    { "66666666", "66666666", "66666666", "66666666", "aa..auuu", "66666666", "66666666", "uuuuuuuu" },
    /* DC: FADD FMUL ST(i),ST(0); FCOM2 FCOMP3; FSUBR FSUB FDIVR FDIV ST(i),ST(0) */
    { "........", "........", "aaaaaaaa", "aaaaaaaa", "........", "........", "........", "........" },
    /* DD: FFREE FXCH4 FST FSTP FUCOM FUCOMP */
    { "........", "aaaaaaaa", "........", "........", "........", "........", "uuuuuuuu", "uuuuuuuu" },
    /* DE: FADDP FMULP FCOMP5 FCOMPP FSUBRP FSUBP FDIVRP FDIVP */
    { "........", "........", "aaaaaaaa", "u.uuuuuu", "........", "........", "........", "........" },
    /* DF: FFREEP FXCH7 FSTP8 FSTP9; FNSTSW AX; FUCOMIP; FCOMIP */
    { "aaaaaaaa", "aaaaaaaa", "aaaaaaaa", "aaaaaaaa", ".uuuuuuu", "66666666", "66666666", "uuuuuuuu" },
};

/* x87 memory forms by ModRM.reg: #UD where the map is blank (FISTTP in DB/DD/DF /1 is SSE3). */
static const char *const x87_mem[8] = {
    "........", /* D8: FADD ... FDIVR m32fp */
    ".u......", /* D9: FLD, -, FST FSTP m32fp, FLDENV FLDCW FNSTENV FNSTCW */
    "........", /* DA: FIADD ... FIDIVR m32int */
    ".u..u.u.", /* DB: FILD, -, FIST FISTP m32int, -, FLD m80fp, -, FSTP m80fp */
    "........", /* DC: FADD ... FDIVR m64fp */
    ".u...u..", /* DD: FLD, -, FST FSTP m64fp, FRSTOR, -, FNSAVE FNSTSW */
    "........", /* DE: FIADD ... FIDIVR m16int */
    ".u......", /* DF: FILD, -, FIST FISTP m16int, FBLD FILD m64int FBSTP FISTP m64int */
};

static enum opmap_want first(char c, unsigned model)
{
    switch (c) {
    case '.': return OPMAP_EXEC;
    case '3': return model >= CPU_386 ? OPMAP_EXEC : OPMAP_UD;
    case '4': return model >= CPU_486 ? OPMAP_EXEC : OPMAP_UD;
    case '5': return model >= CPU_PENTIUM ? OPMAP_EXEC : OPMAP_UD;
    case '6': return model >= CPU_P2 ? OPMAP_EXEC : OPMAP_UD;
    case 'p': return OPMAP_PREFIX;
    case 'P': return model >= CPU_386 ? OPMAP_PREFIX : OPMAP_UD;
    default: return OPMAP_UD;
    }
}

static const char *why_text;

static enum opmap_want either(const char *why)
{
    why_text = why;
    return OPMAP_EITHER;
}

static enum opmap_want x87(const struct opmap_form *f)
{
    /* Without an x87 on the chip (286, 386) an escape is handed to the coprocessor (or
     * raises #NM with CR0.EM): never #UD (the 80286 and 80386 manuals, "ESC"). */
    if (f->model < CPU_486)
        return OPMAP_EXEC;
    unsigned esc = f->op - 0xD8;
    if (f->mem)
        return first(x87_mem[esc][f->reg], f->model);
    char c = x87_reg[esc][f->reg][f->rm];
    if (c == 'a') {
        why_text = "an alias the map leaves blank; every Intel x87 executes it";
        return OPMAP_EXEC;
    }
    return first(c, f->model);
}

/* Opcodes whose forms differ by ModRM (SDM Vol. 2D Table A-6 and the instruction pages). */
static enum opmap_want group_rule(const struct opmap_form *f)
{
    const unsigned m = f->model, reg = f->reg;
    const bool mem = f->mem;
    switch (f->op) {
    case 0x62: /* BOUND: "#UD if the second operand is not a memory location" */
    case 0x8D: /* LEA */
    case 0xC4: case 0xC5: /* LES LDS */
        return mem ? OPMAP_EXEC : OPMAP_UD;
    case 0x8C: /* MOV r/m, Sreg: ES CS SS DS, FS GS from the 386; 6 and 7 are #UD */
        if (reg < 4)
            return OPMAP_EXEC;
        if (m < CPU_386)
            return either("the 80286 manual leaves Sreg 4-7 undefined");
        return reg < 6 ? OPMAP_EXEC : OPMAP_UD;
    case 0x8E: /* MOV Sreg, r/m: "#UD if an attempt is made to load the CS register" */
        if (reg == 1)
            return OPMAP_UD;
        if (reg < 4)
            return OPMAP_EXEC;
        if (m < CPU_386)
            return either("the 80286 manual leaves Sreg 4-7 undefined");
        return reg < 6 ? OPMAP_EXEC : OPMAP_UD;
    case 0x8F: /* group 1A: POP Ev */
    case 0xC6: case 0xC7: /* group 11: MOV Ev, imm */
        return reg == 0 ? OPMAP_EXEC : OPMAP_UD;
    case 0xF1: /* INT1 (ICEBP): the 386 on; the 286 manual has no word for F1 */
        return m >= CPU_386 ? OPMAP_EXEC : either("F1 is not defined for the 80286");
    case 0xFE: /* group 4: INC DEC Eb */
        return reg < 2 ? OPMAP_EXEC : OPMAP_UD;
    case 0xFF: /* group 5: CALLF and JMPF take m16:16/32 only; /7 undefined */
        if (reg == 7)
            return OPMAP_UD;
        if (reg == 3 || reg == 5)
            return mem ? OPMAP_EXEC : OPMAP_UD;
        return OPMAP_EXEC;
    case 0x100: /* group 6: SLDT STR LLDT LTR VERR VERW */
        return reg < 6 ? OPMAP_EXEC : OPMAP_UD;
    case 0x101: /* group 7: SGDT SIDT LGDT LIDT (memory), SMSW, LMSW, INVLPG (486, memory) */
        if (reg < 4)
            return mem ? OPMAP_EXEC : OPMAP_UD;
        if (reg == 4 || reg == 6)
            return OPMAP_EXEC;
        if (reg == 7)
            return mem && m >= CPU_486 ? OPMAP_EXEC : OPMAP_UD;
        return OPMAP_UD;
    case 0x105: /* LOADALL on the 80286 only, undocumented in its manual */
        return m == CPU_286 ? either("80286 LOADALL (undocumented)") : OPMAP_UD;
    case 0x107: /* LOADALL on the 80386 only, undocumented */
        return m == CPU_386 ? either("80386 LOADALL (undocumented)") : OPMAP_UD;
    case 0x120: case 0x122: /* MOV r32, CRn / CRn, r32 (the mod field is ignored): CR0 CR2
                             * CR3, CR4 from the Pentium; CR1 CR5-CR7 #UD */
        if (m < CPU_386)
            return OPMAP_UD;
        if (reg == 0 || reg == 2 || reg == 3)
            return OPMAP_EXEC;
        if (reg == 4)
            return m >= CPU_PENTIUM ? OPMAP_EXEC : OPMAP_UD;
        return OPMAP_UD;
    case 0x124: case 0x126: /* MOV r32, TRn / TRn, r32: TR6 TR7 on the 386, TR3-TR7 on the
                             * i486; removed in the Pentium (SDM Vol. 3 §22 "Test registers") */
        if (m == CPU_386)
            return reg >= 6 ? OPMAP_EXEC : OPMAP_UD;
        if (m == CPU_486)
            return reg >= 3 ? OPMAP_EXEC : OPMAP_UD;
        return OPMAP_UD;
    case 0x171: case 0x172: /* groups 12 13: PSRL PSRA PSLL mm, imm8 (register forms) */
        return m >= CPU_P2 && !mem && (reg == 2 || reg == 4 || reg == 6) ? OPMAP_EXEC : OPMAP_UD;
    case 0x173: /* group 14: PSRLQ PSLLQ mm, imm8 (PSRLDQ PSLLDQ are SSE2) */
        return m >= CPU_P2 && !mem && (reg == 2 || reg == 6) ? OPMAP_EXEC : OPMAP_UD;
    case 0x1AE: /* group 15: FXSAVE FXRSTOR m512 (Pentium II); the rest is SSE and later */
        return m >= CPU_P2 && mem && reg < 2 ? OPMAP_EXEC : OPMAP_UD;
    case 0x1B2: case 0x1B4: case 0x1B5: /* LSS LFS LGS: memory only */
        return m >= CPU_386 && mem ? OPMAP_EXEC : OPMAP_UD;
    case 0x1BA: /* group 8: BT BTS BTR BTC Ev, imm8 */
        return m >= CPU_386 && reg >= 4 ? OPMAP_EXEC : OPMAP_UD;
    case 0x1C7: /* group 9: CMPXCHG8B m64 (Pentium) */
        return m >= CPU_PENTIUM && reg == 1 && mem ? OPMAP_EXEC : OPMAP_UD;
    default:
        return OPMAP_UD;
    }
}

enum opmap_want opmap_expect(const struct opmap_form *f, const char **why)
{
    why_text = NULL;
    enum opmap_want w;
    /* On the 286 the operand-size prefix is an undefined opcode (SDM Vol. 2A §2.1.1 holds
     * from the 386); elsewhere 66, F2 and F3 do not make a form valid or invalid on these
     * models: before SSE a repeat prefix on a non-string instruction and 66 on an MMX
     * instruction are ignored (the "reserved" uses that SSE and SSE2 later gave meaning). */
    if (f->prefix == 0x66 && f->model < CPU_386) {
        w = OPMAP_UD;
    } else if (f->op < 0x100) {
        char c = one_byte[f->op >> 4][f->op & 15];
        if (c == 'e')
            w = OPMAP_EXEC; /* never asked: the 0F forms are f->op 0x100-0x1FF */
        else if (c == 'g')
            w = group_rule(f);
        else if (c == 'x')
            w = x87(f);
        else
            w = first(c, f->model);
    } else {
        char c = two_byte[(f->op >> 4) & 15][f->op & 15];
        w = c == 'g' ? group_rule(f) : first(c, f->model);
    }
    if (why)
        *why = why_text;
    return w;
}

/* The 0F opcodes that SSE, SSE2, SSE3, VMX, SMX, AMD's 3DNow!/SYSCALL, PREFETCHW gave a
 * meaning with no prefix (P2: #UD), one character per opcode: r redefined, . not. */
static const char *const later_0f[16] = {
    ".............rrr", /* 0x: 0D PREFETCHW, 0E FEMMS, 0F 3DNow! (05 07 below) */
    "rrrrrrrr........",   /* 1x: SSE */
    "........rrrrrrrr",   /* 2x: SSE */
    ".......rr.r.....",   /* 3x: GETSEC, the 0F 38 and 0F 3A maps */
    "................",
    "rrrrrrrrrrrrrrrr",   /* 5x: SSE */
    "............rr..",   /* 6x: PUNPCKLQDQ PUNPCKHQDQ */
    "r.......rrrrrr..",   /* 7x: PSHUFW; VMREAD VMWRITE, SSE4a, SSE3 */
    "................",
    "................",
    "................",
    "................",
    "..rrrrr.........",   /* Cx: CMPPS MOVNTI PINSRW PEXTRW SHUFPS */
    "r...r.rr..r...r.",   /* Dx: SSE/SSE2 */
    "r..rr.rr..r...r.",   /* Ex: SSE/SSE2 */
    "r...r.rr...r....",   /* Fx: SSE3 LDDQU, PMULUDQ PSADBW MASKMOVQ PSUBQ */
};

bool opmap_redefined_later(const struct opmap_form *f, const char **what)
{
    const unsigned op = f->op;
    const char *w = NULL;
    if (op < 0x100) {
        if ((op == 0xC4 || op == 0xC5) && !f->mem)
            w = "VEX prefix (AVX)";
        else if (op == 0x62 && !f->mem)
            w = "EVEX prefix (AVX-512)";
        else if (op == 0x8F && f->reg != 0)
            w = "XOP prefix (AMD)";
        else if ((op == 0xC6 || op == 0xC7) && f->reg == 7 && !f->mem)
            w = "XABORT/XBEGIN (TSX)";
        else if (op == 0xDB || op == 0xDD || op == 0xDF)
            w = f->mem && f->reg == 1 ? "FISTTP (SSE3)" : NULL;
    } else {
        const unsigned lo = op & 0xFF;
        const bool mmx_range = (lo >= 0x60 && lo <= 0x7F) || lo >= 0xD0;
        if (later_0f[lo >> 4][lo & 15] == 'r')
            w = "SSE and later";
        else if (lo == 0x05 || lo == 0x07)
            w = "SYSCALL/SYSRET (AMD)";
        else if (lo == 0x01 && !f->mem && f->reg != 4 && f->reg != 6)
            w = "0F 01 register forms (VMX, MONITOR, XGETBV, RDTSCP...)";
        else if (lo == 0xAE && !(f->mem && f->reg < 2))
            w = "group 15 (SSE fences, LDMXCSR, CLFLUSH, XSAVE...)";
        else if (lo == 0xAE && f->prefix)
            w = "66/F2/F3 with group 15 (CLWB, CLFLUSHOPT, PTWRITE, RDFSBASE...: #UD otherwise)";
        else if (lo == 0xC7 && !(f->mem && f->reg == 1))
            w = "group 9 (RDRAND, RDSEED, XSAVEC...)";
        else if (f->prefix && mmx_range)
            w = "66/F2/F3 with an MMX opcode (SSE2, SSE3)";
        else if (f->prefix == 0xF3 && (lo == 0xB8 || lo == 0xBC || lo == 0xBD))
            w = "POPCNT, TZCNT, LZCNT";
    }
    if (what)
        *what = w;
    return w != NULL;
}
