/*
 * fwcfg.S - QEMU-style fw_cfg, legacy I/O interface.
 *
 * Write the 16-bit key to port 0x510, then read the item's bytes one at a
 * time from port 0x511. The signature item (key 0) must read "QEMU" before
 * anything else is trusted.
 */
#include "defs.h"

#define FWCFG_SIGNATURE_QEMU 0x554D4551     /* "QEMU" as a little-endian dword */

    .text
/* ---------------------------------------------------------------------------
 * fwcfg_read(EAX = key, EDX = buffer, ECX = length): copy the item's first
 * ECX bytes to the buffer.
 * ------------------------------------------------------------------------- */
    .globl fwcfg_read
fwcfg_read:
    pushl %eax
    pushl %ecx
    pushl %edx
    pushl %edi
    movl %edx, %edi
    movw $FWCFG_SEL, %dx
    outw %ax, %dx
    movw $FWCFG_DATA, %dx
    jecxz 2f
1:  inb %dx, %al
    stosb
    loop 1b
2:  popl %edi
    popl %edx
    popl %ecx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * fwcfg_ncpus -> EAX = number of CPUs (key 0x0005). Checks the signature
 * first. Exits 4 with a message if fw_cfg is absent or reports 0 or more
 * than MAX_CPUS CPUs.
 * ------------------------------------------------------------------------- */
    .globl fwcfg_ncpus
fwcfg_ncpus:
    pushl %ecx
    pushl %edx
    subl $4, %esp
    movl $FW_CFG_SIGNATURE, %eax
    movl %esp, %edx
    movl $4, %ecx
    call fwcfg_read
    cmpl $FWCFG_SIGNATURE_QEMU, (%esp)
    jne 8f
    movl $0, (%esp)
    movl $FW_CFG_NB_CPUS, %eax
    movl $2, %ecx
    call fwcfg_read                     /* u16, little-endian */
    movl (%esp), %eax
    testl %eax, %eax
    jz 9f
    cmpl $MAX_CPUS, %eax
    ja 9f
    addl $4, %esp
    popl %edx
    popl %ecx
    ret
8:  movl (%esp), %eax
    call line_begin
    PUTS "fw_cfg not found: signature (port 0x510 key 0x0000) reads "
    call puthex32
    PUTS ", expected \"QEMU\" (0x554d4551)"
    call line_end
    EXIT $EXIT_FWCFG
9:  call line_begin
    PUTS "fw_cfg reports "
    PUTDEC %eax
    PUTS " CPUs (key 0x0005); supported: 1 to 255"
    call line_end
    EXIT $EXIT_FWCFG
