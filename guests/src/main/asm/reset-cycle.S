/*
 * reset-cycle - a guest-requested reset restarts the whole machine, and the
 * machine boots again as it did the first time.
 *
 * Proves: each of the PC's reset paths (via=1: bit 0 of port 0x92, fast
 * reset; via=2: command 0xFE to the i8042 at port 0x64, pulse the reset line;
 * via=3: 0x06 to the reset control register at 0xCF9, the FADT's RESET_REG)
 * restarts every CPU at its power-on state while guest RAM is kept: the boot
 * CPU comes back at the entry point, and every AP answers INIT/SIPI/SIPI and
 * checks in again, exactly once, with the right APIC ID, on every boot. A
 * counter in low memory (0x600, outside the image, which the loader writes
 * again at each reset) counts the boots.
 *
 * Options: via=1|2|3      the reset path (default 3)
 *          boots=N        pass on the Nth boot (default 3; 1 passes at once)
 *          timeout_ms=T   how long the BSP waits for the APs (default 10000)
 * Output, per boot:
 *   reset-cycle: boot 1 of 3, all N CPUs checked in
 *   reset-cycle: resetting through port 0xcf9
 *   ... and on the last boot:
 *   reset-cycle: PASS
 * Exit: 0 pass; 1 APs missing; 2 wrong APIC IDs; 5 the reset did nothing
 *       within 1 s; 8 bad option; 99 CPU exception.
 */
#include "lib/defs.h"

#define BOOT_RECORD     0x600           /* magic, then the boot count */
#define BOOT_MAGIC      0x54455352      /* "RSET" */
#define EXIT_NO_RESET   5

    .section .rodata
    .globl guest_name
guest_name:
    .asciz "reset-cycle"
known_options:
    .asciz "via"
    .asciz "boots"
    .asciz "timeout_ms"
    .byte 0
key_via:
    .asciz "via"
key_boots:
    .asciz "boots"
key_timeout:
    .asciz "timeout_ms"

    .bss
via:
    .long 0
boots:
    .long 0

    .text
    .globl guest_main
guest_main:
    movl $known_options, %eax
    call opt_check_known
    movl $key_via, %eax
    movl $3, %edx
    call opt_uint
    cmpl $1, %eax
    jb bad_option
    cmpl $3, %eax
    ja bad_option
    movl %eax, via
    movl $key_boots, %eax
    movl $3, %edx
    call opt_uint
    testl %eax, %eax
    jz bad_option
    movl %eax, boots
    movl $key_timeout, %eax
    movl $10000, %edx
    call opt_uint
    movl %eax, %ebx                     /* EBX = timeout_ms */

    movl $reset_ap, %eax
    call smp_bring_up                   /* ACPI, topology, every AP woken and checked in */

    /* Count this boot: the record survives a reset, the image's data does not. */
    cmpl $BOOT_MAGIC, BOOT_RECORD
    je 2f
    movl $BOOT_MAGIC, BOOT_RECORD
    movl $0, BOOT_RECORD + 4
2:  incl BOOT_RECORD + 4
    call line_begin
    PUTS "boot "
    PUTDEC BOOT_RECORD + 4
    PUTS " of "
    PUTDEC boots
    PUTS ", all "
    PUTDEC ncpus
    PUTS " CPUs checked in"
    call line_end
    movl BOOT_RECORD + 4, %eax
    cmpl boots, %eax
    jb reset
    movl $0, BOOT_RECORD                /* a fresh start after this run */
    PRINTLN "PASS"
    xorl %eax, %eax
    ret

reset:
    call line_begin
    PUTS "resetting through "
    cmpl $1, via
    jne 3f
    PUTS "port 0x92"
    call line_end
    inb $0x92, %al
    orb $0x01, %al
    outb %al, $0x92
    jmp 5f
3:  cmpl $2, via
    jne 4f
    PUTS "the i8042 (0xfe to port 0x64)"
    call line_end
    movb $0xfe, %al
    outb %al, $0x64
    jmp 5f
4:  PUTS "port 0xcf9"
    call line_end
    movw $0xcf9, %dx
    movb $0x06, %al
    outb %al, %dx
5:  movl $1000, %eax
    call delay_ms
    PRINTLN "the reset did nothing within 1 s"
    EXIT $EXIT_NO_RESET

bad_option:
    PRINTLN "via must be 1, 2 or 3 and boots at least 1"
    EXIT $EXIT_OPTION

/* Each AP: check in, then park. */
reset_ap:
    call smp_ap_checkin
    ret
