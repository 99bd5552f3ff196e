/* The host processor runs the instruction under test: a generated code page holds
 *   FRSTOR [frame]; load EFLAGS and EAX; <instruction>; store EAX; FNSAVE [frame];
 *   store EFLAGS; return
 * FNSAVE is a non-waiting instruction, so an unmasked exception the instruction flagged
 * stays pending in the saved image and is never delivered; FNSAVE's reinitialisation then
 * clears it from the host. This file is the only place where host x87 code runs. */
#define _DEFAULT_SOURCE
#include "tests/fpu-oracle/host.h"

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#if !defined(__x86_64__) && !defined(__i386__)
#error "the host oracle needs an x86 host"
#endif

static uint8_t *page;
static sigjmp_buf trap;
static int last_signal;

static void on_signal(int sig)
{
    siglongjmp(trap, sig);
}

static void call_page(struct host_frame *f, void *mem)
{
    typedef void (*code_fn)(struct host_frame *, void *);
    code_fn fn;
    void *p = page;
    memcpy(&fn, &p, sizeof fn); /* object to function pointer, without the cast warning */
    fn(f, mem);
}

/* After a fault the host x87 may still hold a pending exception: FNINIT drops it. */
static void host_fninit(void)
{
    static const uint8_t code[] = { 0xDB, 0xE3, 0xC3 }; /* fninit; ret */
    memcpy(page, code, sizeof code);
    call_page(NULL, NULL);
}

int host_last_signal(void)
{
    return last_signal;
}

bool host_init(void)
{
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    if (page == MAP_FAILED) {
        perror("fpu-oracle: mmap of an executable page");
        return false;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    return true;
}

static size_t emit(size_t n, const void *bytes, size_t len)
{
    memcpy(page + n, bytes, len);
    return n + len;
}

bool host_run(const uint8_t *insn, size_t len, struct host_frame *f, void *mem)
{
    /* Frame offsets: fsave 0, eflags 108 (0x6C), eax 112 (0x70). */
#if defined(__x86_64__)
    /* SysV: RDI = frame, RSI = mem. */
    static const uint8_t pro[] = {
        0xDD, 0x27,             /* frstor [rdi] */
        0x8B, 0x47, 0x6C,       /* mov eax, [rdi+0x6C] */
        0x50,                   /* push rax */
        0x9D,                   /* popfq */
        0x8B, 0x47, 0x70,       /* mov eax, [rdi+0x70] */
    };
    static const uint8_t epi[] = {
        0x89, 0x47, 0x70,       /* mov [rdi+0x70], eax */
        0xDD, 0x37,             /* fnsave [rdi] */
        0x9C,                   /* pushfq */
        0x58,                   /* pop rax */
        0x89, 0x47, 0x6C,       /* mov [rdi+0x6C], eax */
        0xC3,                   /* ret */
    };
#else
    /* cdecl: arguments on the stack; EDI and ESI are callee-saved. */
    static const uint8_t pro[] = {
        0x57, 0x56,             /* push edi; push esi */
        0x8B, 0x7C, 0x24, 0x0C, /* mov edi, [esp+12] */
        0x8B, 0x74, 0x24, 0x10, /* mov esi, [esp+16] */
        0xDD, 0x27,             /* frstor [edi] */
        0x8B, 0x47, 0x6C,       /* mov eax, [edi+0x6C] */
        0x50,                   /* push eax */
        0x9D,                   /* popfd */
        0x8B, 0x47, 0x70,       /* mov eax, [edi+0x70] */
    };
    static const uint8_t epi[] = {
        0x89, 0x47, 0x70,       /* mov [edi+0x70], eax */
        0xDD, 0x37,             /* fnsave [edi] */
        0x9C,                   /* pushfd */
        0x58,                   /* pop eax */
        0x89, 0x47, 0x6C,       /* mov [edi+0x6C], eax */
        0x5E, 0x5F,             /* pop esi; pop edi */
        0xC3,                   /* ret */
    };
#endif
    if (len > 64)
        return false;
    size_t n = emit(0, pro, sizeof pro);
    n = emit(n, insn, len);
    emit(n, epi, sizeof epi);
    f->eflags = (f->eflags & 0x8D5) | 0x202;

    int sig = sigsetjmp(trap, 1);
    if (sig != 0) {
        last_signal = sig;
        host_fninit();
        return false;
    }
    call_page(f, mem);
    return true;
}
