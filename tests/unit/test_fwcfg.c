/* The fw_cfg device through its ports (QEMU's docs/specs/fw_cfg.rst): selector 0x510,
 * data 0x511, the DMA address register at 0x514, DMA into guest RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/fwcfg.h"
#include "devrig.h"

#define RAM_SIZE (1u << 20)
#define ACC 0x1000u   /* where the tests put a DMA control structure */
#define BUF 0x2000u   /* and its target */

struct t {
    struct devrig r;
    struct physmem mem;
    uint8_t *ram;
    struct fwcfg f;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    rig_init(&t->r);
    assert_int_equal(physmem_init(&t->mem), 0);
    t->ram = physmem_add_ram(&t->mem, 0, RAM_SIZE);
    assert_non_null(t->ram);
    assert_int_equal(fwcfg_init(&t->f, &t->r.io, &t->mem), 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    fwcfg_free(&t->f);
    physmem_free(&t->mem);
    rig_free(&t->r);
    free(t);
    return 0;
}

static void select_item(struct t *t, uint16_t key)
{
    iobus_out(&t->r.io, 0x510, 2, key);
}

static void read_data(struct t *t, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = inb(&t->r, 0x511);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A DMA operation as SeaBIOS makes it: the structure at ACC, its address written
 * big-endian to the low half of the register (one OUT starts it). Returns control after. */
static uint32_t dma(struct t *t, uint32_t control, uint32_t length, uint32_t target)
{
    uint8_t *a = t->ram + ACC;
    put_be32(a, control);
    put_be32(a + 4, length);
    put_be32(a + 8, 0);
    put_be32(a + 12, target);
    uint32_t addr = ACC;
    uint32_t be = addr >> 24 | (addr >> 8 & 0xFF00) | (addr << 8 & 0xFF0000) | addr << 24;
    outl(&t->r, 0x518, be);
    return be32(a);
}

static void test_signature_and_features(void **state)
{
    struct t *t = *state;
    uint8_t b[8];
    select_item(t, FWCFG_SIGNATURE);
    read_data(t, b, 5);
    assert_memory_equal(b, "QEMU", 4);
    assert_int_equal(b[4], 0); /* past the end: 0 */
    select_item(t, FWCFG_ID);
    read_data(t, b, 4);
    assert_int_equal(b[0], FWCFG_ID_TRADITIONAL | FWCFG_ID_DMA);
    assert_int_equal(b[1] | b[2] | b[3], 0);
    /* Selecting again starts over; bit 14 (the old write channel) changes nothing. */
    select_item(t, 0x4000 | FWCFG_SIGNATURE);
    read_data(t, b, 2);
    assert_memory_equal(b, "QE", 2);
    /* The DMA register reads "QEMU CFG" in memory order. */
    for (unsigned i = 0; i < 8; i++)
        b[i] = inb(&t->r, (uint16_t)(0x514 + i));
    assert_memory_equal(b, "QEMU CFG", 8);
    assert_int_equal(inl(&t->r, 0x514), 0x554D4551);
}

static void test_items_and_unknown_keys(void **state)
{
    struct t *t = *state;
    uint8_t ram[8] = { 0, 0, 0, 4, 0, 0, 0, 0 };
    assert_int_equal(fwcfg_add(&t->f, FWCFG_RAM_SIZE, ram, sizeof ram), 0);
    assert_int_equal(fwcfg_add(&t->f, FWCFG_ARCH_LOCAL + 3, "\x07\x00", 2), 0);
    assert_int_equal(fwcfg_add(&t->f, FWCFG_SIGNATURE, "XXXX", 4), -1); /* the device's own */
    uint8_t b[8];
    select_item(t, FWCFG_RAM_SIZE);
    read_data(t, b, 8);
    assert_memory_equal(b, ram, 8);
    select_item(t, FWCFG_ARCH_LOCAL + 3);
    read_data(t, b, 3);
    assert_int_equal(b[0], 7);
    assert_int_equal(b[1], 0);
    select_item(t, 0x1234); /* nothing there: zeros */
    b[0] = 0xFF;
    read_data(t, b, 1);
    assert_int_equal(b[0], 0);
    /* Data writes are ignored (fw_cfg.rst: writes only through DMA). */
    select_item(t, FWCFG_SIGNATURE);
    outb(&t->r, 0x511, 'X');
    select_item(t, FWCFG_SIGNATURE);
    assert_int_equal(inb(&t->r, 0x511), 'Q');
    /* A word read of the data port returns the next two bytes. */
    assert_int_equal(iobus_in(&t->r.io, 0x511, 2), 'E' | 'M' << 8);
}

static void test_file_directory(void **state)
{
    struct t *t = *state;
    uint32_t wait = 0xFFFFFFFFu;
    assert_int_equal(fwcfg_add_file(&t->f, "etc/boot-fail-wait", &wait, 4), 0x20);
    assert_int_equal(fwcfg_add_file(&t->f, "etc/e820", "0123456789abcdefghij", 20), 0x21);
    assert_int_equal(fwcfg_add_file(&t->f, "etc/e820", "x", 1), -1); /* already there */
    uint8_t dir[4 + 2 * 64];
    select_item(t, FWCFG_FILE_DIR);
    read_data(t, dir, sizeof dir);
    assert_int_equal(be32(dir), 2);
    assert_int_equal(be32(dir + 4), 4);
    assert_int_equal(dir[8] << 8 | dir[9], 0x20);
    assert_string_equal((char *)dir + 12, "etc/boot-fail-wait");
    assert_int_equal(be32(dir + 68), 20);
    assert_int_equal(dir[72] << 8 | dir[73], 0x21);
    assert_string_equal((char *)dir + 76, "etc/e820");
    uint8_t b[20];
    select_item(t, 0x21);
    read_data(t, b, 20);
    assert_memory_equal(b, "0123456789abcdefghij", 20);
}

/* -boot once=: the bootorder file gets other contents at reset; its key stays, its
 * directory entry gives the new size. */
static void test_file_new_contents(void **state)
{
    struct t *t = *state;
    assert_int_equal(fwcfg_set_file(&t->f, "etc/e820", "e", 1), 0x20); /* added */
    assert_int_equal(fwcfg_set_file(&t->f, "bootorder", "/a\n/b", 6), 0x21);
    assert_int_equal(fwcfg_set_file(&t->f, "bootorder", "/longer\n/c\n/d", 13), 0x21);
    uint8_t dir[4 + 2 * 64];
    select_item(t, FWCFG_FILE_DIR);
    read_data(t, dir, sizeof dir);
    assert_int_equal(be32(dir), 2);
    assert_int_equal(be32(dir + 68), 13);
    assert_string_equal((char *)dir + 76, "bootorder");
    uint8_t b[14];
    select_item(t, 0x21);
    read_data(t, b, sizeof b);
    assert_memory_equal(b, "/longer\n/c\n/d\0", 14); /* 0 past the end */
    assert_int_equal(fwcfg_set_file(&t->f, "", "x", 1), -1);
}

static void test_dma_select_read_skip(void **state)
{
    struct t *t = *state;
    assert_int_equal(fwcfg_add_file(&t->f, "etc/e820", "0123456789abcdefghij", 20), 0x20);
    /* Select and read in one operation; past the item's end the target gets zeros. */
    memset(t->ram + BUF, 0xEE, 32);
    assert_int_equal(dma(t, 0x20u << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_READ, 24, BUF), 0);
    assert_memory_equal(t->ram + BUF, "0123456789abcdefghij\0\0\0\0", 24);
    assert_int_equal(t->ram[BUF + 24], 0xEE);
    /* Skip then read, as SeaBIOS reads a file at an offset; the data port follows. */
    memset(t->ram + BUF, 0xEE, 32);
    assert_int_equal(dma(t, 0x20u << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_SKIP, 5, 0), 0);
    assert_int_equal(dma(t, FWCFG_DMA_READ, 3, BUF), 0);
    assert_memory_equal(t->ram + BUF, "567", 3);
    assert_int_equal(t->ram[BUF + 3], 0xEE);
    assert_int_equal(inb(&t->r, 0x511), '8');
    /* A skip past the end stops there. */
    assert_int_equal(dma(t, FWCFG_DMA_SKIP, 1000, 0), 0);
    assert_int_equal(inb(&t->r, 0x511), 0);
    /* Reading the directory by DMA gives its count. */
    assert_int_equal(dma(t, FWCFG_FILE_DIR << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_READ, 4, BUF),
                     0);
    assert_int_equal(be32(t->ram + BUF), 1);
}

static void test_dma_errors(void **state)
{
    struct t *t = *state;
    /* Writes are refused: every item is read only. */
    memcpy(t->ram + BUF, "ABCD", 4);
    assert_int_equal(dma(t, FWCFG_SIGNATURE << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_WRITE, 4, BUF),
                     FWCFG_DMA_ERROR);
    select_item(t, FWCFG_SIGNATURE);
    assert_int_equal(inb(&t->r, 0x511), 'Q');
    /* A target that runs past 4 GiB is an error, and nothing is written. */
    assert_int_equal(dma(t, FWCFG_SIGNATURE << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_READ, 8,
                         0xFFFFFFFCu), FWCFG_DMA_ERROR);
    /* A structure above 4 GiB (high half set) is not in memory: nothing happens, and the
     * register is 0 again afterwards. */
    put_be32(t->ram + ACC, FWCFG_DMA_READ);
    put_be32(t->ram + ACC + 4, 0); /* length 0 */
    put_be32(t->ram + ACC + 12, BUF);
    outl(&t->r, 0x514, 0x01000000); /* high half 1, big-endian */
    outl(&t->r, 0x518, 0x00100000); /* low half 0x1000 */
    assert_int_equal(be32(t->ram + ACC), FWCFG_DMA_READ);
    outl(&t->r, 0x518, 0x00100000);
    assert_int_equal(be32(t->ram + ACC), 0); /* now at 0x1000: done */
    /* Targets in unmapped space are skipped without harm. */
    assert_int_equal(dma(t, FWCFG_SIGNATURE << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_READ, 4096,
                         0x80000000u), 0);
}

static void test_state_round_trip_mid_item(void **state)
{
    struct t *t = *state;
    select_item(t, FWCFG_SIGNATURE);
    assert_int_equal(inb(&t->r, 0x511), 'Q');
    uint8_t buf[64];
    size_t n = savestate_save(&fwcfg_savestate, &t->f.s, buf, sizeof buf);
    assert_int_equal(n, savestate_size(&fwcfg_savestate));
    fwcfg_reset(&t->f);
    assert_int_equal(inb(&t->r, 0x511), 'Q'); /* back at the start */
    fwcfg_reset(&t->f);
    assert_int_equal(savestate_load(&fwcfg_savestate, &t->f.s, buf, n), 0);
    assert_int_equal(inb(&t->r, 0x511), 'E');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signature_and_features, setup, teardown),
        cmocka_unit_test_setup_teardown(test_items_and_unknown_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_new_contents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dma_select_read_skip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dma_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_round_trip_mid_item, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
