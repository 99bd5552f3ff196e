/* The monitor's drives: info block, change and eject, in QEMU's spelling and layout
 * (drives named ide0-hd0, ide1-cd0, floppy0, ...). Everything goes through machine.h's
 * machine_drive_info, machine_change_medium and machine_eject, so GDB's monitor has
 * them too. */
#include <stdio.h>
#include <string.h>

#include "frontends/monitor/cmd.h"

static const char *const place[MACHINE_IDE_DISKS] = { "primary master", "primary slave",
                                                       "secondary master", "secondary slave" };

void mon_info_block(struct mon_ctx *c)
{
    for (unsigned i = 0; i < MACHINE_DRIVES; i++) {
        struct machine_drive_info d;
        if (!machine_drive_info(c->m, i, &d))
            continue;
        if (d.inserted) /* a disc the guest ejected stays in the open tray, as QEMU shows */
            mon_printf(c, "%s: %s (%s%s%s)\n", d.name, d.path, d.format,
                       d.readonly ? ", read-only" : "",
                       d.snapshot ? ", snapshot: writes to a temporary overlay" : "");
        else
            mon_printf(c, "%s: [not inserted]\n", d.name);
        if (d.floppy)
            mon_printf(c, "    Attached to:      floppy drive %c:\n",
                       'A' + (i - MACHINE_IDE_DISKS));
        else
            mon_printf(c, "    Attached to:      IDE %s%s\n", place[i],
                       d.cdrom ? " (ATAPI CD-ROM)" : "");
        if (d.cdrom || d.floppy)
            mon_printf(c, "    Removable device: %slocked, tray %s\n", d.locked ? "" : "not ",
                       d.tray_open ? "open" : "closed");
    }
}

/* "-f" where QEMU takes it (eject -f DEVICE, change DEVICE -f FILE): true when it was
 * there. */
static bool force_flag(struct mon_args *a)
{
    mon_skip_space(a);
    if (strncmp(a->p, "-f", 2) == 0 && (a->p[2] == ' ' || a->p[2] == '\t' || !a->p[2])) {
        a->p += 2;
        return true;
    }
    return false;
}

/* change DEVICE [-f] FILE [FORMAT]: a new CD or floppy image in the drive. */
void mon_cmd_change(struct mon_ctx *c, struct mon_args *a)
{
    char dev[64], path[1024], format[16] = "";
    bool force = force_flag(a);
    if (!mon_arg_word(a, dev, sizeof dev, "device")) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    force |= force_flag(a);
    if (!mon_arg_word(a, path, sizeof path, "filename") ||
        (mon_skip_space(a), *a->p && !mon_arg_word(a, format, sizeof format, "format")) ||
        !mon_args_end(a)) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    char err[MACHINE_ERRMAX];
    if (machine_change_medium(c->m, dev, path, format[0] ? format : NULL, force, err) !=
        MACHINE_OK)
        mon_printf(c, "%s\n", err);
}

/* eject [-f] DEVICE: the medium out; -f also when the guest locked the CD-ROM's door. */
void mon_cmd_eject(struct mon_ctx *c, struct mon_args *a)
{
    char dev[64];
    bool force = force_flag(a);
    if (!mon_arg_word(a, dev, sizeof dev, "device") || !mon_args_end(a)) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    char err[MACHINE_ERRMAX];
    if (machine_eject(c->m, dev, force, err) != MACHINE_OK)
        mon_printf(c, "%s\n", err);
}
