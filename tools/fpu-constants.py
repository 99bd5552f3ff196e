#!/usr/bin/env python3
"""Prints the 128-bit constants of cpu/fpu/ftrans.c (needs mpmath).

Each constant is a significand with its integer bit at bit 127 (hi, lo) and an unbiased
binary exponent: value = (hi:lo / 2^127) * 2^e, truncated toward zero."""
import mpmath

mpmath.mp.prec = 400


def split(x):
    e = int(mpmath.floor(mpmath.log(x, 2)))
    m = x / mpmath.mpf(2) ** e
    while m >= 2:
        m /= 2
        e += 1
    while m < 1:
        m *= 2
        e -= 1
    v = int(mpmath.floor(m * mpmath.mpf(2) ** 127))
    return v >> 64, v & (2 ** 64 - 1), e


consts = [
    ("K_L2T", mpmath.log(10, 2)),
    ("K_L2E", 1 / mpmath.log(2)),
    ("K_PI", mpmath.pi),
    ("K_LG2", mpmath.log10(2)),
    ("K_LN2", mpmath.log(2)),
]
for name, v in consts:
    hi, lo, e = split(v)
    print("    [%s] = { 0x%016XULL, 0x%016XULL, %d }," % (name, hi, lo, e))
print()
for name, v in [("pi/2", mpmath.pi / 2), ("pi/4", mpmath.pi / 4), ("3pi/4", 3 * mpmath.pi / 4)]:
    hi, lo, e = split(v)
    print("    /* %s */ { false, %d, 0x%016XULL, 0x%016XULL }," % (name, e, hi, lo))
print()
for j in range(1, 9):
    hi, lo, e = split(mpmath.atan(mpmath.mpf(j) / 8))
    print("    /* atan(%d/8) */ { false, %d, 0x%016XULL, 0x%016XULL }," % (j, e, hi, lo))
