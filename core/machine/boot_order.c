#include "core/machine/boot_order.h"

#include <string.h>

static unsigned nibble(char c)
{
    return c == 'a' ? 1 : c == 'c' ? 2 : c == 'd' ? 3 : 0;
}

bool boot_order_valid(const char *order)
{
    size_t n = strlen(order);
    if (n == 0 || n > 3)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!nibble(order[i]) || strchr(order + i + 1, order[i]))
            return false;
    return true;
}

void boot_order_cmos(struct rtc *r, const char *order)
{
    unsigned v[3] = { 0, 0, 0 };
    for (unsigned i = 0; i < 3 && order[i]; i++)
        v[i] = nibble(order[i]);
    rtc_cmos_set(r, 0x3D, (uint8_t)(v[0] | v[1] << 4));
    /* Bit 0 clear: SeaBIOS checks a floppy's boot signature, as QEMU's default. */
    rtc_cmos_set(r, 0x38, (uint8_t)(v[2] << 4));
}
