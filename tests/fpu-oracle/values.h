/* Random operands for the oracle: a seeded generator and edge-case classes of every x87
 * format. */
#ifndef ORRERY_TESTS_FPU_ORACLE_VALUES_H
#define ORRERY_TESTS_FPU_ORACLE_VALUES_H

#include <stdint.h>

#include "cpu/fpu/float80.h"

struct rng {
    uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_u64(struct rng *r);
uint32_t rng_u32(struct rng *r);
unsigned rng_below(struct rng *r, unsigned n);
uint64_t rng_u64_mmx(struct rng *r); /* 64-bit lanes with saturation edge values */

/* One 80-bit value from the classes: normal (with rounding-critical low bits and
 * exponents at format boundaries), zero, denormal, pseudo-denormal, infinity, QNaN, SNaN,
 * unnormal, pseudo-NaN/infinity. */
struct f80 gen_f80(struct rng *r);
/* Eight register values where ST(0), ST(1) and ST(sti) are related (close exponents,
 * cancellation, over/underflowing products, small integers for FSCALE/FPREM). */
void gen_operands(struct rng *r, struct f80 regs[8], unsigned sti);

/* Memory operands, little-endian at p. */
void gen_f32(struct rng *r, uint8_t *p);
void gen_f64(struct rng *r, uint8_t *p);
void gen_f80_bytes(struct rng *r, uint8_t *p);
void gen_int(struct rng *r, uint8_t *p, unsigned bytes);
void gen_bcd(struct rng *r, uint8_t *p);

#endif
