/* The opcode map as the manuals give it, per CPU model: which forms of every one-byte and
 * 0F xx opcode execute and which raise #UD, in protected mode at CPL 0. Written from the
 * SDM's opcode maps (Vol. 2D App. A: Tables, the group table A-6 and the x87
 * tables ), its instruction pages and the older processors' manuals (80286,
 * 80386, i486, Pentium, Pentium Pro/II), never from cpu/opcodes.def: it is what orrery's
 * table is checked against (tests/unit/test_opcode_map.c; orrery-oracle --sweep). */
#ifndef ORRERY_TESTS_OPMAP_H
#define ORRERY_TESTS_OPMAP_H

#include <stdbool.h>
#include <stdint.h>

enum opmap_want {
    OPMAP_EXEC,   /* the form is an instruction: it executes (it may still fault) */
    OPMAP_UD,     /* #UD */
    OPMAP_EITHER, /* the manuals do not settle it for this model: not compared */
    OPMAP_PREFIX, /* the byte is a prefix on this model, not an opcode */
};

/* One form: an optional prefix (0, 0x66, 0xF2 or 0xF3) before the opcode, the opcode
 * (0x00-0xFF, or 0x100 | xx for 0F xx), and the ModRM byte's reg field, rm field and
 * whether it names memory (mod != 3). Opcodes without a ModRM ignore reg/rm/mem. */
struct opmap_form {
    uint8_t model;  /* enum cpu_model */
    uint8_t prefix;
    uint16_t op;
    uint8_t reg, rm;
    bool mem;
};

/* What the manuals say the form does on its model; *why (may be NULL) gets a short reason
 * for OPMAP_EITHER and for the forms the host's later instruction sets redefine. */
enum opmap_want opmap_expect(const struct opmap_form *f, const char **why);

/* Whether the form means something else on a processor after the Pentium II that has the
 * extension named in *what (SSE and later, CET, VEX...): the host cannot be its oracle. */
bool opmap_redefined_later(const struct opmap_form *f, const char **what);

#endif
