/* Save-state descriptions (core/savestate.h): every device's state goes through its
 * description and comes back equal after a reset (save, reset, load, compare); each
 * description covers every byte of its struct (state structs spell out their padding, so
 * a member someone forgot to describe shows up here); sections refuse another version,
 * another device and a cut-short buffer with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "core/savestate.h"
#include "devices/dma8237.h"
#include "devices/fdc82077.h"
#include "devices/ferr.h"
#include "devices/i440fx.h"
#include "devices/kbc8042.h"
#include "devices/pic8259.h"
#include "devices/piix3.h"
#include "devices/vga.h"
#include "devices/fwcfg.h"
#include "devices/piix3_ide.h"
#include "devices/pit8254.h"
#include "devices/port92.h"
#include "devices/postcode.h"
#include "devices/rtc146818.h"
#include "devices/uart16550.h"
#include "devrig.h"

/* Bytes of a struct of `size` bytes that no field of d describes. */
static void mark(const struct savestate_desc *d, uint8_t *covered, size_t base)
{
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct savestate_field *f = &d->fields[i];
        for (uint32_t k = 0; k < f->count; k++) {
            size_t off = base + f->offset + (size_t)k * f->size;
            if (f->sub)
                mark(f->sub, covered, off);
            else
                memset(covered + off, 1, f->size);
        }
    }
}

static size_t uncovered(const struct savestate_desc *d, size_t size)
{
    uint8_t covered[4096] = { 0 };
    assert_true(size <= sizeof covered);
    mark(d, covered, 0);
    size_t n = 0;
    for (size_t i = 0; i < size; i++)
        if (!covered[i]) {
            printf("  %s: byte %zu not described\n", d->name, i);
            n++;
        }
    return n;
}

/* Save obj, run reset, load, and compare with the state before. */
static void round_trip(const struct savestate_desc *d, void *obj, size_t size,
                       void (*reset)(void *), void *dev)
{
    char err[128];
    assert_true(savestate_check(d, err, sizeof err));
    uint8_t before[4096], buf[4096];
    assert_true(size <= sizeof before);
    memcpy(before, obj, size);
    size_t n = savestate_save(d, obj, buf, sizeof buf);
    assert_int_equal(n, savestate_size(d));
    reset(dev);
    assert_int_equal(savestate_load(d, obj, buf, n), 0);
    char diff[128];
    if (!savestate_equal(d, obj, before, diff, sizeof diff))
        fail_msg("%s differs after the round trip: %s", d->name, diff);
}

static void reset_pic(void *p) { pic_reset(p); }
static void reset_pit(void *p) { pit_reset(p); }
static void reset_uart(void *p) { uart_reset(p); }
static void reset_kbc(void *p) { kbc_reset(p); }
static void reset_port92(void *p) { port92_reset(p); }
static void reset_postcode(void *p) { postcode_reset(p); }
static void reset_ferr(void *p) { ferr_reset(p); }
static void reset_piix3(void *p) { piix3_reset(p); }
static void reset_i440fx(void *p) { i440fx_reset(p); }
static void reset_pci(void *p) { pci_bus_reset(p); }

/* The RTC's reset pin keeps the time; a power cycle is what loses it. */
static void reset_rtc_power(void *p)
{
    struct rtc *r = p;
    memset(&r->s, 0, sizeof(r->s));
}

static void test_pic_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct pic pic;
    rig_init(&r);
    pic_init(&pic, &r.io, &r.line[0]);
    outb(&r, 0x20, 0x11); outb(&r, 0x21, 0x20); outb(&r, 0x21, 0x04); outb(&r, 0x21, 0x01);
    outb(&r, 0x21, 0xB8);
    outb(&r, 0x4D1, 0x0E);
    pic_set_irq(&pic, 1, 1);
    pic_set_irq(&pic, 10, 1);
    pic_intack(&pic);
    round_trip(&pic_savestate, &pic.s, sizeof pic.s, reset_pic, &pic);
    assert_int_equal(uncovered(&pic_savestate, sizeof pic.s), 0);
    rig_free(&r);
}

static void test_pit_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct pit pit;
    rig_init(&r);
    pit_init(&pit, &r.io, &r.sched, &r.line[0]);
    outb(&r, 0x43, 0x34); outb(&r, 0x40, 0x9C); outb(&r, 0x40, 0x2E);
    outb(&r, 0x43, 0xB6); outb(&r, 0x42, 0x33);
    outb(&r, 0x61, 0x03);
    rig_advance(&r, 123456);
    outb(&r, 0x43, 0x00);
    inb(&r, 0x40);
    round_trip(&pit_savestate, &pit.s, sizeof pit.s, reset_pit, &pit);
    assert_int_equal(uncovered(&pit_savestate, sizeof pit.s), 0);
    rig_free(&r);
}

static void test_rtc_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct rtc rtc;
    rig_init(&r);
    rtc_init(&rtc, &r.io, &r.sched, &r.line[8], 1700000000);
    outb(&r, 0x70, 0x0B); outb(&r, 0x71, 0x52);
    outb(&r, 0x70, 0x55); outb(&r, 0x71, 0xAB);
    rig_advance(&r, 2500000000ull);
    round_trip(&rtc_savestate, &rtc.s, sizeof rtc.s, reset_rtc_power, &rtc);
    assert_int_equal(uncovered(&rtc_savestate, sizeof rtc.s), 0);
    rig_free(&r);
}

static void test_uart_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct uart u;
    rig_init(&r);
    uart_init(&u, &r.io, 0x3F8, &r.sched, &r.line[4]);
    outb(&r, 0x3FA, 0xC1);
    outb(&r, 0x3FC, 0x0B);
    outb(&r, 0x3F9, 0x0F);
    outb(&r, 0x3FF, 0x42);
    uart_receive(&u, (const uint8_t *)"hello", 5);
    inb(&r, 0x3F8);
    round_trip(&uart_savestate, &u.s, sizeof u.s, reset_uart, &u);
    assert_int_equal(uncovered(&uart_savestate, sizeof u.s), 0);
    rig_free(&r);
}

static void test_kbc_and_keyboard_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct kbc k;
    rig_init(&r);
    kbc_init(&k, &r.io, &r.line[1], &r.line[12], &r.line[20], &r.line[21]);
    outb(&r, 0x64, 0x60); outb(&r, 0x60, 0x47);
    outb(&r, 0x60, 0xED); outb(&r, 0x60, 0x05);
    static const uint8_t keys[] = { 0x1C, 0xF0, 0x1C, 0x32 };
    kbc_key(&k, keys, sizeof keys);
    outb(&r, 0x64, 0xD3); outb(&r, 0x60, 0x77);
    outb(&r, 0x64, 0xD1);                      /* pending data byte */
    round_trip(&kbc_savestate, &k.s, sizeof k.s, reset_kbc, &k);
    assert_int_equal(uncovered(&kbc_savestate, sizeof k.s), 0);
    struct ps2kbd_state kb = k.kbd.s;
    uint8_t buf[256];
    size_t n = savestate_save(&ps2kbd_savestate, &k.kbd.s, buf, sizeof buf);
    ps2kbd_reset(&k.kbd);
    assert_int_equal(savestate_load(&ps2kbd_savestate, &k.kbd.s, buf, n), 0);
    assert_true(savestate_equal(&ps2kbd_savestate, &k.kbd.s, &kb, NULL, 0));
    assert_int_equal(uncovered(&ps2kbd_savestate, sizeof k.kbd.s), 0);
    rig_free(&r);
}

static void reset_mouse(void *p) { ps2mouse_reset(p); }

static void test_mouse_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct kbc k;
    rig_init(&r);
    kbc_init(&k, &r.io, &r.line[1], &r.line[12], &r.line[20], &r.line[21]);
    static const uint8_t bytes[] = { 0xF3, 200, 0xF3, 100, 0xF3, 80, 0xE8, 0x01, 0xE7, 0xF4,
                                     0xF3 };               /* the last awaits its rate */
    for (size_t i = 0; i < sizeof bytes; i++) {
        outb(&r, 0x64, 0xD4);
        outb(&r, 0x60, bytes[i]);
    }
    kbc_mouse_move(&k, -300, 17, 12, PS2MOUSE_LEFT | PS2MOUSE_MIDDLE);
    round_trip(&ps2mouse_savestate, &k.mouse.s, sizeof k.mouse.s, reset_mouse, &k.mouse);
    assert_int_equal(uncovered(&ps2mouse_savestate, sizeof k.mouse.s), 0);
    rig_free(&r);
}

static void test_small_devices_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct port92 p92;
    struct postcode post;
    struct ferr ferr;
    rig_init(&r);
    port92_init(&p92, &r.io, &r.line[1], &r.line[2]);
    postcode_init(&post, &r.io, NULL);
    ferr_init(&ferr, &r.io, &r.line[13], &r.line[3]);
    outb(&r, 0x92, 0x0A);
    outb(&r, 0x80, 0x5C);
    ferr_set(&ferr, 1);
    round_trip(&port92_savestate, &p92.s, sizeof p92.s, reset_port92, &p92);
    round_trip(&postcode_savestate, &post.s, sizeof post.s, reset_postcode, &post);
    round_trip(&ferr_savestate, &ferr.s, sizeof ferr.s, reset_ferr, &ferr);
    assert_int_equal(uncovered(&port92_savestate, sizeof p92.s), 0);
    assert_int_equal(uncovered(&postcode_savestate, sizeof post.s), 0);
    assert_int_equal(uncovered(&ferr_savestate, sizeof ferr.s), 0);
    rig_free(&r);
}

static void test_pci_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct pci_bus bus;
    struct i440fx host;
    struct piix3 isa;
    rig_init(&r);
    pci_bus_init(&bus, &r.io);
    i440fx_init(&host, &bus, NULL);
    piix3_init(&isa, &bus, &r.line[0]);
    pci_config_write(&bus, 0, 0, I440FX_PAM0, 4, 0x33333330);
    pci_config_write(&bus, 1, 0, PIIX3_PIRQRC, 4, 0x0B0A0B0A);
    outl(&r, 0xCF8, 0x80000860);
    outb(&r, 0xCF9, 0x02);
    round_trip(&pci_bus_savestate, &bus.s, sizeof bus.s, reset_pci, &bus);
    round_trip(&i440fx_savestate, &host.cfg, sizeof host.cfg, reset_i440fx, &host);
    round_trip(&piix3_savestate, &isa.s, sizeof isa.s, reset_piix3, &isa);
    assert_int_equal(uncovered(&pci_bus_savestate, sizeof bus.s), 0);
    assert_int_equal(uncovered(&i440fx_savestate, sizeof host.cfg), 0);
    assert_int_equal(uncovered(&piix3_savestate, sizeof isa.s), 0);
    rig_free(&r);
}

static void reset_fwcfg(void *p) { fwcfg_reset(p); }
static void reset_dma(void *p) { dma_reset(p); }
static void reset_fdc(void *p) { fdc_reset(p); }

/* The DMA pair with a channel programmed, and the floppy controller in the middle of a
 * command's bytes with a seek under way. */
static void test_dma_and_fdc_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct physmem mem;
    static struct dma dma;
    static struct fdc fdc;
    rig_init(&r);
    assert_int_equal(physmem_init(&mem), 0);
    assert_int_equal(dma_init(&dma, &r.io, &mem), 0);
    assert_int_equal(fdc_init(&fdc, &r.io, &r.sched, &dma, &r.line[6], NULL, NULL), 0);
    outb(&r, 0x04, 0x34);
    outb(&r, 0x04, 0x12);
    outb(&r, 0x0B, 0x46);
    outb(&r, 0x81, 0x07);
    outb(&r, 0xD6, 0xC0);
    outb(&r, 0x3F2, 0x1C);
    rig_advance(&r, FDC_RESET_NS);
    outb(&r, 0x3F5, 0x0F);            /* SEEK drive 0 to 9 */
    outb(&r, 0x3F5, 0x00);
    outb(&r, 0x3F5, 9);
    outb(&r, 0x3F5, 0x13);            /* CONFIGURE, two bytes of four in */
    outb(&r, 0x3F5, 0x00);
    assert_int_equal(fdc.s.ncmd, 2);
    round_trip(&dma_savestate, &dma.s, sizeof dma.s, reset_dma, &dma);
    round_trip(&fdc_savestate, &fdc.s, sizeof fdc.s, reset_fdc, &fdc);
    assert_int_equal(uncovered(&dma_savestate, sizeof dma.s), 0);
    assert_int_equal(uncovered(&fdc_savestate, sizeof fdc.s), 0);
    physmem_free(&mem);
    rig_free(&r);
}
static void reset_ide(void *p) { piix3_ide_reset(p); }

/* The IDE function and both ATA channels, with a command in the middle of its data. */
static void test_ide_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct pci_bus bus;
    struct physmem mem;
    static struct piix3_ide ide;
    static struct piix3 isa;          /* function 0 makes 1.1 visible */
    rig_init(&r);
    pci_bus_init(&bus, &r.io);
    piix3_init(&isa, &bus, NULL);
    assert_int_equal(physmem_init(&mem), 0);
    static struct disk d = { .fd = -1, .size = 1u << 20 };
    struct disk *const disks[4] = { &d, NULL, NULL, &d };
    assert_int_equal(piix3_ide_init(&ide, &bus, &r.io, &mem, &r.line[14], &r.line[15],
                                    disks), 0);
    pci_config_write(&bus, 1, 1, PCI_COMMAND, 2, 0x0005);
    pci_config_write(&bus, 1, 1, PIIX3_IDE_BMIBA, 4, 0xC000);
    pci_config_write(&bus, 1, 1, 0x40, 4, 0x80008000);
    outl(&r, 0xC00C, 0x1234);
    outb(&r, 0x176, 0x00);
    outb(&r, 0x176, 0xB0);
    outb(&r, 0x172, 9);
    outb(&r, 0x177, 0xEC);            /* IDENTIFY: a block waiting to be read */
    iobus_in(&r.io, 0x170, 2);
    outb(&r, 0x1F2, 4);
    outb(&r, 0x1F7, 0xC6);            /* SET MULTIPLE MODE 4 */
    assert_int_equal(ide.ch[1].s.pos, 2);
    assert_int_equal(ide.ch[0].s.drive[0].multiple, 4);
    static uint8_t buf[4096];
    for (unsigned c = 0; c < 2; c++) {
        static struct ata_channel_state saved;
        saved = ide.ch[c].s;
        size_t n = savestate_save(&ata_savestate, &saved, buf, sizeof buf);
        ata_reset(&ide.ch[c]);
        assert_int_equal(savestate_load(&ata_savestate, &ide.ch[c].s, buf, n), 0);
        assert_true(savestate_equal(&ata_savestate, &ide.ch[c].s, &saved, NULL, 0));
    }
    assert_int_equal(ide.ch[1].s.pos, 2);
    round_trip(&piix3_ide_savestate, &ide.s, sizeof ide.s, reset_ide, &ide);
    assert_int_equal(uncovered(&piix3_ide_savestate, sizeof ide.s), 0);
    assert_int_equal(uncovered(&ata_savestate, sizeof ide.ch[0].s), 0);
    physmem_free(&mem);
    rig_free(&r);
}

static void test_fwcfg_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct physmem mem;
    struct fwcfg f;
    rig_init(&r);
    assert_int_equal(physmem_init(&mem), 0);
    assert_int_equal(fwcfg_init(&f, &r.io, &mem), 0);
    iobus_out(&r.io, 0x510, 2, FWCFG_SIGNATURE);
    inb(&r, 0x511);
    outl(&r, 0x514, 0x78563412);
    round_trip(&fwcfg_savestate, &f.s, sizeof f.s, reset_fwcfg, &f);
    assert_int_equal(uncovered(&fwcfg_savestate, sizeof f.s), 0);
    fwcfg_free(&f);
    physmem_free(&mem);
    rig_free(&r);
}

static void reset_vga(void *p) { vga_reset(p); }

static void test_vga_round_trip(void **state)
{
    (void)state;
    struct devrig r;
    struct physmem mem;
    struct pci_bus bus;
    struct vga v;
    rig_init(&r);
    assert_int_equal(physmem_init(&mem), 0);
    pci_bus_init(&bus, &r.io);
    assert_int_equal(vga_init(&v, &r.io, &mem, &r.sched, &bus, 2, NULL, 0), 0);
    outb(&r, 0x3C2, 0x67);
    outb(&r, 0x3D4, 0x0E);
    outb(&r, 0x3D5, 0x12);
    outb(&r, 0x3C0, 0x31);
    outb(&r, 0x3C8, 0x05);
    outb(&r, 0x3C9, 0x2A);
    iobus_out(&r.io, VBE_PORT_INDEX, 2, VBE_XRES);
    iobus_out(&r.io, VBE_PORT_DATA, 2, 1024);
    round_trip(&vga_savestate, &v.s, sizeof v.s, reset_vga, &v);
    assert_int_equal(uncovered(&vga_savestate, sizeof v.s), 0);
    vga_free(&v);
    physmem_free(&mem);
    rig_free(&r);
}

static void test_sched_description_covers_its_state(void **state)
{
    (void)state;
    char err[128];
    assert_true(savestate_check(&sched_savestate, err, sizeof err));
    assert_int_equal(uncovered(&sched_savestate, sizeof(struct sched_state)), 0);
}

/* Sections: framing, and the three ways a reader refuses one. */
struct two {
    uint32_t a;
    uint16_t b[3];
};
static const struct savestate_field two_fields[] = {
    SS_FIELD(struct two, a),
    SS_ARRAY(struct two, b),
};
static SAVESTATE_DESC(two_v1, "two", 1, two_fields);
static SAVESTATE_DESC(two_v2, "two", 2, two_fields);
static SAVESTATE_DESC(other, "other", 1, two_fields);

static void test_section_is_little_endian_and_framed(void **state)
{
    (void)state;
    struct two x = { 0x11223344, { 0x5566, 0x7788, 0x99AA } };
    uint8_t buf[64];
    size_t n = savestate_write_section(&two_v1, &x, buf, sizeof buf);
    static const uint8_t want[] = { 3, 't', 'w', 'o', 1, 0, 0, 0, 10, 0, 0, 0,
                                    0x44, 0x33, 0x22, 0x11, 0x66, 0x55, 0x88, 0x77, 0xAA, 0x99 };
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    struct two y = { 0 };
    char err[128];
    assert_int_equal(savestate_read_section(&two_v1, &y, buf, n, err, sizeof err), n);
    assert_true(savestate_equal(&two_v1, &x, &y, NULL, 0)); /* fields only: not padding */
    assert_int_equal(y.b[2], 0x99AA);
}

static void test_section_of_other_version_is_refused(void **state)
{
    (void)state;
    struct two x = { 1, { 2, 3, 4 } }, y = { 0 };
    uint8_t buf[64];
    char err[128];
    size_t n = savestate_write_section(&two_v1, &x, buf, sizeof buf);
    assert_int_equal(savestate_read_section(&two_v2, &y, buf, n, err, sizeof err), 0);
    assert_string_equal(err, "saved state has 'two' version 1; this orrery reads version 2");
    assert_int_equal(y.a, 0);
    assert_int_equal(savestate_read_section(&other, &y, buf, n, err, sizeof err), 0);
    assert_non_null(strstr(err, "section 'two' where 'other' was expected"));
    assert_int_equal(savestate_read_section(&two_v1, &y, buf, n - 1, err, sizeof err), 0);
    assert_non_null(strstr(err, "ends inside section 'two'"));
    assert_int_equal(savestate_write_section(&two_v1, &x, buf, 5), 0);
}

static void test_check_rejects_odd_sizes(void **state)
{
    (void)state;
    struct odd {
        uint8_t three[3];
    };
    static const struct savestate_field f[] = {
        { "three", 0, 3, 1, NULL, 0, 0 },
    };
    static SAVESTATE_DESC(odd_desc, "odd", 1, f);
    char err[128];
    assert_false(savestate_check(&odd_desc, err, sizeof err));
    assert_non_null(strstr(err, "odd.three is 3 bytes"));
}

/* A bounded field refuses a value outside its range, naming it; the object is untouched. */
static void test_out_of_range_is_refused(void **state)
{
    (void)state;
    struct q {
        uint8_t head;
        uint8_t data;
    };
    static const struct savestate_field f[] = {
        SS_FIELD_RANGE(struct q, head, 0, 15),
        SS_FIELD(struct q, data),
    };
    static SAVESTATE_DESC(q_desc, "queue", 1, f);
    struct q a = { 15, 200 }, b = { 1, 2 };
    uint8_t buf[64];
    size_t n = savestate_write_section(&q_desc, &a, buf, sizeof buf);
    assert_true(n > 0);
    char err[160];
    assert_int_equal(savestate_read_section(&q_desc, &b, buf, n, err, sizeof err), n);
    assert_int_equal(b.head, 15);
    buf[n - 2] = 16; /* head */
    b = (struct q){ 1, 2 };
    assert_int_equal(savestate_read_section(&q_desc, &b, buf, n, err, sizeof err), 0);
    assert_non_null(strstr(err, "'queue' has head = 16; it must be 0 to 15"));
    assert_int_equal(b.head, 1);
    assert_int_equal(b.data, 2);
    assert_int_equal(savestate_load(&q_desc, &b, buf + n - 2, 2), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_of_range_is_refused),
        cmocka_unit_test(test_pic_round_trip),
        cmocka_unit_test(test_pit_round_trip),
        cmocka_unit_test(test_rtc_round_trip),
        cmocka_unit_test(test_uart_round_trip),
        cmocka_unit_test(test_kbc_and_keyboard_round_trip),
        cmocka_unit_test(test_mouse_round_trip),
        cmocka_unit_test(test_small_devices_round_trip),
        cmocka_unit_test(test_pci_round_trip),
        cmocka_unit_test(test_fwcfg_round_trip),
        cmocka_unit_test(test_ide_round_trip),
        cmocka_unit_test(test_dma_and_fdc_round_trip),
        cmocka_unit_test(test_vga_round_trip),
        cmocka_unit_test(test_sched_description_covers_its_state),
        cmocka_unit_test(test_section_is_little_endian_and_framed),
        cmocka_unit_test(test_section_of_other_version_is_refused),
        cmocka_unit_test(test_check_rejects_odd_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
