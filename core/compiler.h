/* The only place where compiler extensions are named; everything else is C11. */
#ifndef ORRERY_CORE_COMPILER_H
#define ORRERY_CORE_COMPILER_H

#if defined(__GNUC__) || defined(__clang__)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define likely(x) (x)
#define unlikely(x) (x)
#define ALWAYS_INLINE inline
#define NOINLINE
#define PRINTF_LIKE(f, a)
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
