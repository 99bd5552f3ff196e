/* The native side's trampoline (i386, assembled with gcc -m32; the only assembly in the
 * oracle). oracle_run loads the case's registers and EFLAGS and jumps to its code; the
 * case falls through into a JMP to oracle_exit, which saves what the case left and
 * returns to C. A case that faults or branches away ends in the child's signal handler
 * instead (child.c).
 *
 *   oracle_in:  EAX ECX EDX EBX ESP EBP ESI EDI, EFLAGS, EIP, data selector (11 dwords)
 *   oracle_out: EAX ECX EDX EBX ESP EBP ESI EDI, EFLAGS, ES CS SS DS FS GS (15 dwords)
 *
 * DS, ES, FS, GS and SS are loaded with the case's data selector: the flat user selector,
 * or the LDT segment whose base is the data region. After that the trampoline reads only
 * through CS, which stays flat. The host's FS and GS are put back on the way out. The exit
 * path is used by flat cases only and addresses memory through SS alone (the generator
 * never loads SS with anything but a flat selector there): the case may have loaded DS or
 * ES with a null selector. LDT cases end on the INT3 after their code instead. */

        .data
        .balign 4
        .globl oracle_in, oracle_out, oracle_host_fs, oracle_host_gs, oracle_host_ds
oracle_in:      .space 44
oracle_out:     .space 60
oracle_host_esp: .long 0
oracle_host_ds: .long 0
oracle_host_fs: .long 0
oracle_host_gs: .long 0

        .text
        .globl oracle_run, oracle_exit
        .type oracle_run, @function
oracle_run:
        pushl %ebp
        pushl %ebx
        pushl %esi
        pushl %edi
        movl %esp, oracle_host_esp
        movw %ds, oracle_host_ds
        movw %fs, oracle_host_fs
        movw %gs, oracle_host_gs
        pushl oracle_in+32
        popfl
        movl oracle_in+40, %eax
        movw %ax, %fs
        movw %ax, %gs
        movw %ax, %es
        movw %ax, %ds
        movw %ax, %ss
        movl %cs:oracle_in+0, %eax
        movl %cs:oracle_in+4, %ecx
        movl %cs:oracle_in+8, %edx
        movl %cs:oracle_in+12, %ebx
        movl %cs:oracle_in+20, %ebp
        movl %cs:oracle_in+24, %esi
        movl %cs:oracle_in+28, %edi
        movl %cs:oracle_in+16, %esp
        jmp *%cs:oracle_in+36

oracle_exit:
        movl %eax, %ss:oracle_out+0
        movl %ecx, %ss:oracle_out+4
        movl %edx, %ss:oracle_out+8
        movl %ebx, %ss:oracle_out+12
        movl %esp, %ss:oracle_out+16
        movl %ebp, %ss:oracle_out+20
        movl %esi, %ss:oracle_out+24
        movl %edi, %ss:oracle_out+28
        movl %ss:oracle_host_esp, %esp
        pushfl
        popl %ss:oracle_out+32
        movl %es, %eax
        movl %eax, %ss:oracle_out+36
        movl %cs, %eax
        movl %eax, %ss:oracle_out+40
        movl %ss, %eax
        movl %eax, %ss:oracle_out+44
        movl %ds, %eax
        movl %eax, %ss:oracle_out+48
        movl %fs, %eax
        movl %eax, %ss:oracle_out+52
        movl %gs, %eax
        movl %eax, %ss:oracle_out+56
        movl %ss:oracle_host_ds, %eax
        movw %ax, %ds
        movw %ax, %es
        movw oracle_host_fs, %ax
        movw %ax, %fs
        movw oracle_host_gs, %ax
        movw %ax, %gs
        pushl $0x202            /* DF, AC, NT, ID clear for C code (IF is not ours to change) */
        popfl
        popl %edi
        popl %esi
        popl %ebx
        popl %ebp
        ret
        .size oracle_run, .-oracle_run

        .section .note.GNU-stack,"",@progbits
