/*
 * trampoline.S - real-mode AP start code, copied below 1 MiB for INIT/SIPI.
 *
 * A SIPI with vector V starts the AP in real mode at CS = V << 8, IP = 0. The
 * code is position independent (everything is CS-relative), so the same bytes
 * work in any page. It reports the vector it actually ran from (CS >> 8) in ESI,
 * loads our GDT, enters protected mode and far-jumps to ap_entry32 in the image.
 * The trampoline never writes memory, so any number of APs may run it at once.
 */
#include "defs.h"

    .text
    .code16
    .globl tramp_start, tramp_end
tramp_start:
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    movzwl %ax, %esi
    shrl $8, %esi                       /* ESI = SIPI vector this copy runs from */
    xorl %edi, %edi
    xorl %ebp, %ebp
    lgdtl tramp_gdtr - tramp_start      /* DS = CS: offset within this page */
    movl %cr0, %eax
    orl $1, %eax                        /* PE */
    movl %eax, %cr0
    ljmpl $SEL_CODE32, $ap_entry32      /* absolute 32-bit target in the image */
    .align 4
    .word 0
tramp_gdtr:
    .word GDT_LIMIT
    .long gdt
tramp_end:
    .code32

/* ---------------------------------------------------------------------------
 * tramp_install(EAX = page number < 0x100): copy the trampoline to EAX << 12.
 * ------------------------------------------------------------------------- */
    .globl tramp_install
tramp_install:
    pushl %ecx
    pushl %esi
    pushl %edi
    movl %eax, %edi
    shll $12, %edi
    movl $tramp_start, %esi
    movl $(tramp_end - tramp_start), %ecx
    rep movsb
    popl %edi
    popl %esi
    popl %ecx
    ret
