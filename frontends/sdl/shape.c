/* The shape the window shows a guest picture in (frontends/sdl/display.h), apart from SDL
 * so that tests/unit/test_display_shape.c checks it alone. */
#include "frontends/sdl/display.h"

/* The least a VGA monitor shows: 640 dots across (720 in 9-dot text) and 350 lines. */
#define SHOWN_MIN_W 640
#define SHOWN_MIN_H 350

void display_shape(unsigned w, unsigned h, unsigned *sx, unsigned *sy)
{
    *sx = w && w < SHOWN_MIN_W ? (SHOWN_MIN_W + w - 1) / w : 1;
    *sy = h && h < SHOWN_MIN_H ? (SHOWN_MIN_H + h - 1) / h : 1;
}
