/* Unit tests for direct Linux boot (core/machine/linux_boot.c and -kernel in core/machine/machine.c).
 *
 * Each test builds a fake bzImage: one setup sector with a setup header ("HdrS", protocol
 * 2.15) and a tiny 32-bit payload as the protected-mode kernel, which reads the boot_params
 * through ESI, prints on the debug console and halts. The checks read the zero page, the
 * GDT and the registers through the machine facade, as a debugger would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bits.h"
#include "core/machine/linux_boot.h"
#include "core/machine/machine.h"

#define SETUP_SECTS 1
#define SETUP_SIZE ((SETUP_SECTS + 1) * 512)

/* The payload: prints the 4 bytes at boot_params + 0x202 ("HdrS": only right with 32-bit
 * addressing, flat DS and ESI = boot_params), then EBX, EBP and EDI OR-ed together as one
 * byte ('0' when all are 0), a newline, and halts (IF is clear, so the machine stops). */
static const uint8_t payload[] = {
    0x8B, 0x86, 0x02, 0x02, 0x00, 0x00, /* mov eax, [esi + 0x202] */
    0xE6, 0xE9, 0xC1, 0xE8, 0x08,       /* out 0xE9, al; shr eax, 8 */
    0xE6, 0xE9, 0xC1, 0xE8, 0x08,
    0xE6, 0xE9, 0xC1, 0xE8, 0x08,
    0xE6, 0xE9,
    0x89, 0xD8,                         /* mov eax, ebx */
    0x09, 0xE8,                         /* or eax, ebp */
    0x09, 0xF8,                         /* or eax, edi */
    0x04, 0x30,                         /* add al, '0' */
    0xE6, 0xE9,
    0xB0, 0x0A, 0xE6, 0xE9,             /* mov al, 10; out 0xE9, al */
    0xF4,                               /* hlt */
};

struct fake {
    uint8_t *data;
    size_t size;
};

/* A bzImage with the given protocol version and fields; pm_size bytes of protected-mode
 * kernel (the payload, then zeros). */
static struct fake fake_kernel(uint16_t version, uint32_t pm_size, uint32_t pref,
                               uint32_t init_size)
{
    struct fake f;
    f.size = SETUP_SIZE + pm_size;
    f.data = calloc(1, f.size);
    assert_non_null(f.data);
    uint8_t *k = f.data;
    k[HDR_SETUP_SECTS] = SETUP_SECTS;
    store_le32(k + HDR_SYSSIZE, (pm_size + 15) / 16);
    store_le16(k + HDR_BOOT_FLAG, 0xAA55);
    k[HDR_JUMP] = 0xEB;
    k[HDR_JUMP + 1] = 0x6A; /* the header ends at 0x26C, as in Linux 6.x */
    memcpy(k + HDR_MAGIC, "HdrS", 4);
    store_le16(k + HDR_VERSION, version);
    k[HDR_LOADFLAGS] = LF_LOADED_HIGH;
    store_le32(k + HDR_CODE32_START, 0x100000);
    store_le32(k + HDR_INITRD_ADDR_MAX, 0x7FFFFFFF);
    store_le32(k + HDR_KERNEL_ALIGNMENT, 0x100000);
    k[HDR_RELOCATABLE] = 1;
    store_le32(k + HDR_CMDLINE_SIZE, 255);
    store_le32(k + HDR_PREF_ADDRESS, pref);
    store_le32(k + HDR_INIT_SIZE, init_size);
    k[0x26B] = 0x5A; /* the header's last byte, to see that the copy reaches it */
    memcpy(k + SETUP_SIZE, payload, sizeof payload);
    return f;
}

static struct fake default_kernel(void)
{
    return fake_kernel(0x020F, 8192, 0x100000, 0x40000);
}

struct tmp {
    char path[64];
};

static void tmp_make(struct tmp *t)
{
    snprintf(t->path, sizeof t->path, "/tmp/orrery-test-XXXXXX");
    int fd = mkstemp(t->path);
    assert_true(fd >= 0);
    close(fd);
}

static void tmp_write(struct tmp *t, const void *data, size_t n)
{
    tmp_make(t);
    FILE *f = fopen(t->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void read_all(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
}

static enum machine_status create(struct machine_config *cfg, struct machine **m, char *err)
{
    *m = NULL;
    enum machine_status st = machine_create(cfg, m, err);
    if (st != MACHINE_OK) {
        assert_null(*m);
        assert_true(strlen(err) > 0);
        assert_null(strchr(err, '\n'));
    }
    return st;
}

static uint32_t rd32(struct machine *m, uint32_t addr)
{
    uint8_t b[4];
    machine_read_phys(m, addr, b, 4);
    return load_le32(b);
}

static uint16_t rd16(struct machine *m, uint32_t addr)
{
    uint8_t b[2];
    machine_read_phys(m, addr, b, 2);
    return load_le16(b);
}

static uint8_t rd8(struct machine *m, uint32_t addr)
{
    uint8_t b;
    machine_read_phys(m, addr, &b, 1);
    return b;
}

static uint64_t rd64(struct machine *m, uint32_t addr)
{
    return rd32(m, addr) | (uint64_t)rd32(m, addr + 4) << 32;
}

static void test_entry_state_follows_32bit_protocol(void **state)
{
    (void)state;
    struct fake k = default_kernel();
    struct tmp kt;
    tmp_write(&kt, k.data, k.size);
    struct machine_config cfg = { .ram_size = 8u << 20, .kernel_path = kt.path };
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(create(&cfg, &m, err), MACHINE_OK);

    struct machine_regs r;
    machine_get_regs(m, &r);
    assert_int_equal(r.eip, 0x100000);
    assert_int_equal(r.gpr[6], LINUX_PARAMS_ADDR); /* ESI */
    assert_int_equal(r.gpr[3], 0);                 /* EBX */
    assert_int_equal(r.gpr[5], 0);                 /* EBP */
    assert_int_equal(r.gpr[7], 0);                 /* EDI */
    assert_int_equal(r.eflags & 0x200, 0);         /* IF */
    assert_int_equal(r.cr0 & 0x80000001u, 1);      /* PE on, PG off */
    assert_int_equal(r.seg[1], 0x10);              /* CS = __BOOT_CS */
    assert_int_equal(r.seg[0], 0x18);              /* ES, SS, DS = __BOOT_DS */
    assert_int_equal(r.seg[2], 0x18);
    assert_int_equal(r.seg[3], 0x18);
    for (int s = 0; s < 6; s++) {
        assert_int_equal(r.seg_base[s], 0);
        assert_int_equal(r.seg_limit[s], 0xFFFFFFFFu);
    }
    /* The GDT holds the descriptors the selectors name: flat 4 GiB code and data. */
    assert_int_equal(r.gdt_base, LINUX_GDT_ADDR);
    assert_true(r.gdt_limit >= 0x1F);
    assert_int_equal(rd64(m, r.gdt_base + 0x10), 0x00CF9B000000FFFFull);
    assert_int_equal(rd64(m, r.gdt_base + 0x18), 0x00CF93000000FFFFull);
    /* The protected-mode kernel is at 1 MiB. */
    assert_int_equal(rd32(m, 0x100000), 0x0202868B);
    machine_destroy(m);
    unlink(kt.path);
    free(k.data);
}

static void test_zero_page_fields(void **state)
{
    (void)state;
    struct fake k = default_kernel();
    uint8_t initrd[10000];
    for (size_t i = 0; i < sizeof initrd; i++)
        initrd[i] = (uint8_t)(i * 7);
    struct tmp kt, it;
    tmp_write(&kt, k.data, k.size);
    tmp_write(&it, initrd, sizeof initrd);
    const char *cmdline = "console=ttyS0 orrery.script=test";
    struct machine_config cfg = { .ram_size = 64u << 20, .kernel_path = kt.path,
                                  .initrd_path = it.path, .append = cmdline };
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(create(&cfg, &m, err), MACHINE_OK);
    const uint32_t bp = LINUX_PARAMS_ADDR;

    /* The setup header, copied from the image to its end (0x202 + byte 0x201). */
    assert_int_equal(rd32(m, bp + HDR_MAGIC), 0x53726448); /* "HdrS" */
    assert_int_equal(rd16(m, bp + HDR_VERSION), 0x020F);
    assert_int_equal(rd8(m, bp + HDR_SETUP_SECTS), SETUP_SECTS);
    assert_int_equal(rd16(m, bp + HDR_BOOT_FLAG), 0xAA55);
    assert_int_equal(rd32(m, bp + HDR_CMDLINE_SIZE), 255);
    assert_int_equal(rd8(m, bp + 0x26B), 0x5A);
    assert_int_equal(rd8(m, bp + 0x26C), 0); /* past the header: not copied */
    /* What the loader fills in. */
    assert_int_equal(rd8(m, bp + HDR_TYPE_OF_LOADER), 0xFF);
    assert_int_equal(rd8(m, bp + HDR_LOADFLAGS), LF_LOADED_HIGH);
    assert_int_equal(rd32(m, bp + HDR_CODE32_START), 0x100000);
    assert_int_equal(rd32(m, bp + HDR_CMD_LINE_PTR), LINUX_CMDLINE_ADDR);
    char got[64];
    machine_read_phys(m, LINUX_CMDLINE_ADDR, got, strlen(cmdline) + 1);
    assert_string_equal(got, cmdline);

    /* The initrd: as high as it fits, page aligned, intact. */
    uint32_t ia = rd32(m, bp + HDR_RAMDISK_IMAGE);
    assert_int_equal(rd32(m, bp + HDR_RAMDISK_SIZE), sizeof initrd);
    assert_int_equal(ia & 0xFFF, 0);
    assert_true(ia + sizeof initrd <= (64u << 20));
    assert_true(ia + sizeof initrd + 4096 > (64u << 20));
    uint8_t back[sizeof initrd];
    machine_read_phys(m, ia, back, sizeof back);
    assert_memory_equal(back, initrd, sizeof initrd);

    /* e820: usable below 640 KiB, reserved to 1 MiB, usable from 1 MiB to the top. */
    assert_int_equal(rd8(m, bp + BP_E820_ENTRIES), 3);
    static const uint64_t want[3][3] = {
        { 0, 0xA0000, 1 }, { 0xA0000, 0x60000, 2 }, { 0x100000, (64u << 20) - 0x100000, 1 },
    };
    for (int i = 0; i < 3; i++) {
        uint32_t e = bp + BP_E820_TABLE + 20 * (uint32_t)i;
        assert_int_equal(rd64(m, e), want[i][0]);
        assert_int_equal(rd64(m, e + 8), want[i][1]);
        assert_int_equal(rd32(m, e + 16), want[i][2]);
    }
    assert_int_equal(rd32(m, bp + BP_ALT_MEM_K), 63 * 1024);
    /* screen_info: 80x25 VGA text. */
    assert_int_equal(rd8(m, bp + SI_ORIG_VIDEO_MODE), 3);
    assert_int_equal(rd8(m, bp + SI_ORIG_VIDEO_COLS), 80);
    assert_int_equal(rd8(m, bp + SI_ORIG_VIDEO_LINES), 25);
    assert_int_equal(rd8(m, bp + SI_ORIG_VIDEO_ISVGA), 1);
    assert_int_equal(rd16(m, bp + SI_ORIG_VIDEO_POINTS), 16);
    assert_int_equal(rd16(m, bp + SI_EXT_MEM_K), 63 * 1024);

    machine_destroy(m);
    unlink(kt.path);
    unlink(it.path);
    free(k.data);
}

static void test_payload_runs_and_reset_boots_again(void **state)
{
    (void)state;
    struct fake k = default_kernel();
    struct tmp kt, con;
    tmp_write(&kt, k.data, k.size);
    tmp_make(&con);
    struct machine_config cfg = { .ram_size = 4u << 20, .kernel_path = kt.path,
                                  .debugcon = MACHINE_DEBUGCON_FILE,
                                  .debugcon_path = con.path };
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    assert_non_null(strstr(machine_stop_message(m), "interrupts disabled"));
    assert_int_equal(machine_instructions(m), 16);
    /* There is no firmware: a reset loads the kernel again and re-enters it. */
    machine_reset(m);
    struct machine_regs r;
    machine_get_regs(m, &r);
    assert_int_equal(r.eip, 0x100000);
    assert_int_equal(r.seg[1], 0x10);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    machine_destroy(m);
    char out[64];
    read_all(con.path, out, sizeof out);
    assert_string_equal(out, "HdrS0\nHdrS0\n");
    unlink(kt.path);
    unlink(con.path);
    free(k.data);
}

/* A kernel and a BIOS together: the BIOS is mapped but the kernel is entered. */
static void test_kernel_with_bios_enters_kernel(void **state)
{
    (void)state;
    struct fake k = default_kernel();
    uint8_t *bios = calloc(1, 64u << 10);
    assert_non_null(bios);
    struct tmp kt, bt;
    tmp_write(&kt, k.data, k.size);
    tmp_write(&bt, bios, 64u << 10);
    struct machine_config cfg = { .ram_size = 4u << 20, .kernel_path = kt.path,
                                  .bios_path = bt.path };
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(create(&cfg, &m, err), MACHINE_OK);
    struct machine_regs r;
    machine_get_regs(m, &r);
    assert_int_equal(r.eip, 0x100000);
    machine_destroy(m);
    unlink(kt.path);
    unlink(bt.path);
    free(bios);
    free(k.data);
}

/* Bad kernels end with one line naming the problem. */
static void expect_bad(const struct fake *k, uint64_t ram, const char *initrd_path,
                       const char *append, const char *want)
{
    struct tmp kt;
    tmp_write(&kt, k->data, k->size);
    struct machine_config cfg = { .ram_size = ram, .kernel_path = kt.path,
                                  .initrd_path = initrd_path, .append = append };
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(create(&cfg, &m, err), MACHINE_ERR_KERNEL);
    if (!strstr(err, want))
        fail_msg("message '%s' lacks '%s'", err, want);
    unlink(kt.path);
}

static void test_bad_kernels_are_one_line(void **state)
{
    (void)state;
    struct fake k = default_kernel();
    memcpy(k.data + HDR_MAGIC, "HdrX", 4);
    expect_bad(&k, 8u << 20, NULL, NULL, "not a Linux bzImage");
    free(k.data);

    k = fake_kernel(0x0209, 8192, 0x100000, 0x40000);
    expect_bad(&k, 8u << 20, NULL, NULL, "boot protocol 2.09; orrery needs 2.10");
    free(k.data);

    k = default_kernel();
    k.data[HDR_LOADFLAGS] = 0;
    expect_bad(&k, 8u << 20, NULL, NULL, "zImage");
    free(k.data);

    k = default_kernel();
    store_le16(k.data + HDR_XLOADFLAGS, XLF_KERNEL_64);
    expect_bad(&k, 8u << 20, NULL, NULL, "64-bit kernel");
    free(k.data);

    k = default_kernel();
    store_le32(k.data + HDR_CODE32_START, 0x200000);
    k.data[HDR_RELOCATABLE] = 0;
    expect_bad(&k, 8u << 20, NULL, NULL, "not relocatable");
    free(k.data);

    k = default_kernel();
    k.size = SETUP_SIZE; /* no protected-mode part */
    expect_bad(&k, 8u << 20, NULL, NULL, "truncated");
    free(k.data);

    /* Debian's 686 kernel runs at 16 MiB and needs ~16 MiB there. */
    k = fake_kernel(0x020F, 8192, 0x1000000, 0x100C000);
    expect_bad(&k, 16u << 20, NULL, NULL, "give -m 33 or more");
    free(k.data);

    k = default_kernel();
    char longline[300];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    expect_bad(&k, 8u << 20, NULL, longline, "299 bytes");

    struct tmp it;
    uint8_t *big = calloc(1, 3u << 20);
    assert_non_null(big);
    tmp_write(&it, big, 3u << 20);
    expect_bad(&k, 4u << 20, it.path, NULL, "does not fit in RAM above the kernel");
    expect_bad(&k, 8u << 20, "/nonexistent/initrd.gz", NULL, "cannot open initrd");
    unlink(it.path);
    free(big);
    free(k.data);

    struct machine_config cfg = { .ram_size = 8u << 20, .kernel_path = "/nonexistent/bz" };
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(create(&cfg, &m, err), MACHINE_ERR_KERNEL);
    assert_non_null(strstr(err, "cannot open kernel '/nonexistent/bz'"));
    cfg.cpu_model = "286";
    assert_int_equal(create(&cfg, &m, err), MACHINE_ERR_KERNEL);
    assert_non_null(strstr(err, "-kernel needs a 32-bit processor"));
    cfg.cpu_model = NULL;
    cfg.kernel_path = NULL;
    cfg.initrd_path = "x";
    assert_int_equal(create(&cfg, &m, err), MACHINE_ERR_KERNEL);
    assert_non_null(strstr(err, "-initrd needs a kernel"));
}

/* The run address: a relocatable kernel rounds 1 MiB up to kernel_alignment but never goes
 * below pref_address; a fixed one runs at pref_address. */
static void test_run_address(void **state)
{
    (void)state;
    char err[256];
    struct linux_boot lb;
    struct fake k = fake_kernel(0x020F, 4096, 0x1000000, 0x1000);
    assert_int_equal(linux_boot_from_memory(&lb, k.data, k.size, NULL, 0, NULL, err,
                                            sizeof err), 0);
    assert_int_equal(lb.run_addr, 0x1000000);
    assert_int_equal(lb.pm_size, 4096);
    linux_boot_free(&lb);
    store_le32(k.data + HDR_KERNEL_ALIGNMENT, 0x400000);
    store_le32(k.data + HDR_PREF_ADDRESS, 0x100000);
    assert_int_equal(linux_boot_from_memory(&lb, k.data, k.size, NULL, 0, "", err,
                                            sizeof err), 0);
    assert_int_equal(lb.run_addr, 0x400000);
    linux_boot_free(&lb);
    k.data[HDR_RELOCATABLE] = 0;
    assert_int_equal(linux_boot_from_memory(&lb, k.data, k.size, NULL, 0, "", err,
                                            sizeof err), 0);
    assert_int_equal(lb.run_addr, 0x100000);
    linux_boot_free(&lb);
    free(k.data);

    struct linux_e820 map[4];
    assert_int_equal(linux_boot_e820(0x100000, map, 4), 2);
    assert_int_equal(linux_boot_e820(32u << 20, map, 4), 3);
    assert_int_equal(map[2].size, (32u << 20) - 0x100000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_state_follows_32bit_protocol),
        cmocka_unit_test(test_zero_page_fields),
        cmocka_unit_test(test_payload_runs_and_reset_boots_again),
        cmocka_unit_test(test_kernel_with_bios_enters_kernel),
        cmocka_unit_test(test_bad_kernels_are_one_line),
        cmocka_unit_test(test_run_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
