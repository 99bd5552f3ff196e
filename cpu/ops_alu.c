/* The eight ALU operations (ADD OR ADC SBB AND SUB XOR CMP) in all their forms, TEST,
 * NOT, NEG, INC, DEC (SDM Vol. 2). Results are written before flags are recorded, so a
 * faulting write leaves the flags untouched. */
#include "cpu/exec.h"
#include "cpu/handlers.h"

enum alu_kind { K_ADD, K_OR, K_ADC, K_SBB, K_AND, K_SUB, K_XOR, K_CMP };

static ALWAYS_INLINE uint32_t alu_res(const struct cpu *cpu, enum alu_kind k, uint32_t a, uint32_t b)
{
    switch (k) {
    case K_ADD: return a + b;
    case K_OR: return a | b;
    case K_ADC: return a + b + get_cf(cpu);
    case K_SBB: return a - b - get_cf(cpu);
    case K_AND: return a & b;
    case K_XOR: return a ^ b;
    default: return a - b; /* SUB, CMP */
    }
}

static ALWAYS_INLINE void alu_flags(struct cpu *cpu, enum alu_kind k, uint8_t bits, uint32_t a,
                                    uint32_t b, uint32_t r)
{
    switch (k) {
    case K_ADD:
    case K_ADC: set_lazy(cpu, LF_ADD, bits, r, a, b); break;
    case K_OR:
    case K_AND:
    case K_XOR: set_lazy(cpu, LF_LOGIC, bits, r, a, b); break;
    default: set_lazy(cpu, LF_SUB, bits, r, a, b); break;
    }
}

/* dst op= src on an r/m destination; CMP only sets flags. */
#define ALU_RM(k, bits, src_expr)                                                          \
    do {                                                                                   \
        uint32_t b_ = (src_expr);                                                          \
        if (in->mod == 3) {                                                                \
            uint32_t a_ = bits == 8 ? get_r8(cpu, in->rm) : cpu->r[in->rm] & size_mask(bits); \
            uint32_t r_ = alu_res(cpu, k, a_, b_);                                         \
            if (k != K_CMP) {                                                              \
                if (bits == 8) set_r8(cpu, in->rm, (uint8_t)r_);                           \
                else if (bits == 16) set_r16(cpu, in->rm, (uint16_t)r_);                   \
                else cpu->r[in->rm] = r_;                                                  \
            }                                                                              \
            alu_flags(cpu, k, bits, a_, b_, r_);                                           \
        } else {                                                                           \
            uint32_t off_ = ea(cpu, in);                                                   \
            uint32_t a_ = k != K_CMP ? rd_rmw(cpu, in->seg, off_, bits / 8)                \
                        : bits == 8 ? rd8(cpu, in->seg, off_)                              \
                        : bits == 16 ? rd16(cpu, in->seg, off_) : rd32(cpu, in->seg, off_); \
            uint32_t r_ = alu_res(cpu, k, a_, b_);                                         \
            if (k != K_CMP) {                                                              \
                if (bits == 8) wr8(cpu, in->seg, off_, (uint8_t)r_);                       \
                else if (bits == 16) wr16(cpu, in->seg, off_, (uint16_t)r_);              \
                else wr32(cpu, in->seg, off_, r_);                                         \
            }                                                                              \
            alu_flags(cpu, k, bits, a_, b_, r_);                                           \
        }                                                                                  \
    } while (0)

/* A register destination (reg field, or the accumulator). */
#define ALU_REG(k, bits, regno, src_expr)                                                  \
    do {                                                                                   \
        uint32_t b_ = (src_expr);                                                          \
        uint32_t a_ = bits == 8 ? get_r8(cpu, regno) : cpu->r[regno] & size_mask(bits);    \
        uint32_t r_ = alu_res(cpu, k, a_, b_);                                             \
        if (k != K_CMP) {                                                                  \
            if (bits == 8) set_r8(cpu, regno, (uint8_t)r_);                                \
            else if (bits == 16) set_r16(cpu, regno, (uint16_t)r_);                        \
            else cpu->r[regno] = r_;                                                       \
        }                                                                                  \
        alu_flags(cpu, k, bits, a_, b_, r_);                                               \
    } while (0)

#define DEFINE_ALU(name, k)                                                                \
    void op_##name##_rm8_r8(struct cpu *cpu, const struct insn *in) { ALU_RM(k, 8, get_r8(cpu, in->reg)); } \
    void op_##name##_rm16_r16(struct cpu *cpu, const struct insn *in) { ALU_RM(k, 16, get_r16(cpu, in->reg)); } \
    void op_##name##_rm32_r32(struct cpu *cpu, const struct insn *in) { ALU_RM(k, 32, cpu->r[in->reg]); } \
    void op_##name##_r8_rm8(struct cpu *cpu, const struct insn *in) { ALU_REG(k, 8, in->reg, rm8_read(cpu, in)); } \
    void op_##name##_r16_rm16(struct cpu *cpu, const struct insn *in) { ALU_REG(k, 16, in->reg, rm16_read(cpu, in)); } \
    void op_##name##_r32_rm32(struct cpu *cpu, const struct insn *in) { ALU_REG(k, 32, in->reg, rm32_read(cpu, in)); } \
    void op_##name##_al_imm8(struct cpu *cpu, const struct insn *in) { ALU_REG(k, 8, R_EAX, in->imm); } \
    void op_##name##_ax_imm16(struct cpu *cpu, const struct insn *in) { ALU_REG(k, 16, R_EAX, in->imm); } \
    void op_##name##_eax_imm32(struct cpu *cpu, const struct insn *in) { ALU_REG(k, 32, R_EAX, in->imm); } \
    void op_##name##_rm8_imm8(struct cpu *cpu, const struct insn *in) { ALU_RM(k, 8, in->imm); } \
    void op_##name##_rm16_imm16(struct cpu *cpu, const struct insn *in) { ALU_RM(k, 16, in->imm); } \
    void op_##name##_rm32_imm32(struct cpu *cpu, const struct insn *in) { ALU_RM(k, 32, in->imm); } \
    void op_##name##_rm16_imm8(struct cpu *cpu, const struct insn *in) { ALU_RM(k, 16, (uint16_t)(int8_t)in->imm); } \
    void op_##name##_rm32_imm8(struct cpu *cpu, const struct insn *in) { ALU_RM(k, 32, (uint32_t)(int32_t)(int8_t)in->imm); }

DEFINE_ALU(add, K_ADD)
DEFINE_ALU(or, K_OR)
DEFINE_ALU(adc, K_ADC)
DEFINE_ALU(sbb, K_SBB)
DEFINE_ALU(and, K_AND)
DEFINE_ALU(sub, K_SUB)
DEFINE_ALU(xor, K_XOR)
DEFINE_ALU(cmp, K_CMP)

/* TEST: AND that only sets flags. */
#define TEST(bits, a_expr, b_expr)                                                         \
    do {                                                                                   \
        uint32_t a_ = (a_expr), b_ = (b_expr);                                             \
        set_lazy(cpu, LF_LOGIC, bits, a_ & b_, a_, b_);                                    \
    } while (0)

void op_test_rm8_r8(struct cpu *cpu, const struct insn *in) { TEST(8, rm8_read(cpu, in), get_r8(cpu, in->reg)); }
void op_test_rm16_r16(struct cpu *cpu, const struct insn *in) { TEST(16, rm16_read(cpu, in), get_r16(cpu, in->reg)); }
void op_test_rm32_r32(struct cpu *cpu, const struct insn *in) { TEST(32, rm32_read(cpu, in), cpu->r[in->reg]); }
void op_test_al_imm8(struct cpu *cpu, const struct insn *in) { TEST(8, get_r8(cpu, R_EAX), in->imm); }
void op_test_ax_imm16(struct cpu *cpu, const struct insn *in) { TEST(16, get_r16(cpu, R_EAX), in->imm); }
void op_test_eax_imm32(struct cpu *cpu, const struct insn *in) { TEST(32, cpu->r[R_EAX], in->imm); }
void op_test_rm8_imm(struct cpu *cpu, const struct insn *in) { TEST(8, rm8_read(cpu, in), in->imm); }
void op_test_rm16_imm(struct cpu *cpu, const struct insn *in) { TEST(16, rm16_read(cpu, in), in->imm); }
void op_test_rm32_imm(struct cpu *cpu, const struct insn *in) { TEST(32, rm32_read(cpu, in), in->imm); }

/* Unary read-modify-write on r/m: computes r_ from a_, writes it, then runs flags_stmt. */
#define UNARY_RM(bits, res_expr, flags_stmt)                                               \
    do {                                                                                   \
        uint32_t off_ = 0, a_;                                                             \
        if (in->mod == 3)                                                                  \
            a_ = bits == 8 ? get_r8(cpu, in->rm) : cpu->r[in->rm] & size_mask(bits);       \
        else {                                                                             \
            off_ = ea(cpu, in);                                                            \
            a_ = rd_rmw(cpu, in->seg, off_, bits / 8);                                     \
        }                                                                                  \
        uint32_t r_ = (res_expr) & size_mask(bits);                                        \
        if (in->mod == 3) {                                                                \
            if (bits == 8) set_r8(cpu, in->rm, (uint8_t)r_);                               \
            else if (bits == 16) set_r16(cpu, in->rm, (uint16_t)r_);                       \
            else cpu->r[in->rm] = r_;                                                      \
        } else {                                                                           \
            if (bits == 8) wr8(cpu, in->seg, off_, (uint8_t)r_);                           \
            else if (bits == 16) wr16(cpu, in->seg, off_, (uint16_t)r_);                   \
            else wr32(cpu, in->seg, off_, r_);                                             \
        }                                                                                  \
        flags_stmt;                                                                        \
    } while (0)

#define DEFINE_UNARY(name, res_expr, flags_stmt)                                          \
    void op_##name##_rm8(struct cpu *cpu, const struct insn *in) { UNARY_RM(8, res_expr, flags_stmt(8)); } \
    void op_##name##_rm16(struct cpu *cpu, const struct insn *in) { UNARY_RM(16, res_expr, flags_stmt(16)); } \
    void op_##name##_rm32(struct cpu *cpu, const struct insn *in) { UNARY_RM(32, res_expr, flags_stmt(32)); }

#define NO_FLAGS(bits) (void)0
#define NEG_FLAGS(bits) set_lazy(cpu, LF_SUB, bits, r_, 0, a_)
#define INC_FLAGS(bits) set_lazy_keep_cf(cpu, LF_INC, bits, r_, a_)
#define DEC_FLAGS(bits) set_lazy_keep_cf(cpu, LF_DEC, bits, r_, a_)

DEFINE_UNARY(not, ~a_, NO_FLAGS)
DEFINE_UNARY(neg, 0 - a_, NEG_FLAGS)
DEFINE_UNARY(inc, a_ + 1, INC_FLAGS)
DEFINE_UNARY(dec, a_ - 1, DEC_FLAGS)

void op_inc_r16(struct cpu *cpu, const struct insn *in)
{
    unsigned n = in->op & 7;
    uint16_t a = get_r16(cpu, n), r = (uint16_t)(a + 1);
    set_r16(cpu, n, r);
    set_lazy_keep_cf(cpu, LF_INC, 16, r, a);
}

void op_inc_r32(struct cpu *cpu, const struct insn *in)
{
    unsigned n = in->op & 7;
    uint32_t a = cpu->r[n], r = a + 1;
    cpu->r[n] = r;
    set_lazy_keep_cf(cpu, LF_INC, 32, r, a);
}

void op_dec_r16(struct cpu *cpu, const struct insn *in)
{
    unsigned n = in->op & 7;
    uint16_t a = get_r16(cpu, n), r = (uint16_t)(a - 1);
    set_r16(cpu, n, r);
    set_lazy_keep_cf(cpu, LF_DEC, 16, r, a);
}

void op_dec_r32(struct cpu *cpu, const struct insn *in)
{
    unsigned n = in->op & 7;
    uint32_t a = cpu->r[n], r = a - 1;
    cpu->r[n] = r;
    set_lazy_keep_cf(cpu, LF_DEC, 32, r, a);
}
