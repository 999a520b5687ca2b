/*
 * powerdown - the ACPI power button ends the guest through S5, as an OS does.
 *
 * Proves: the FADT's fixed-feature power button (PWR_BUTTON flag clear), its
 * PM1a status and enable bits (PWRBTN_STS, PWRBTN_EN, bit 8), the SCI it
 * raises (FADT SCI_INT, through the IOAPIC, level-triggered, active high, as
 * the MADT's interrupt override says), and S5 with the SLP_TYP that the DSDT's
 * \_S5 package gives: the VMM's "power button" (system_powerdown) powers the
 * machine off. Everything is read from the ACPI tables, so the same image
 * runs under QEMU (whose \_S5 sleep type differs).
 *
 * Options: none.
 * Output:
 *   powerdown: SCI on GSI 9, PM1a event block 0x600, control block 0x604, S5 sleep type 5
 *   powerdown: waiting for the power button
 *   powerdown: power button pressed; entering S5
 * Exit: none on success (the machine powers off); 3 an SCI without a power
 *       button event; 5 still running 1 s after the S5 request; 6 ACPI
 *       tables unusable (no \_S5 in the DSDT); 99 CPU exception.
 */
#include "lib/defs.h"

#define SCI_VECTOR      0x40
#define IOAPIC_BASE     0xFEC00000
#define PWRBTN          (1 << 8)
#define SLP_EN          (1 << 13)

    .section .rodata
    .globl guest_name
guest_name:
    .asciz "powerdown"
known_options:
    .byte 0

    .bss
pm1_evt:
    .long 0
pm1_cnt:
    .long 0
sci_gsi:
    .long 0
slp_typ:
    .long 0

    .text
    .globl guest_main
guest_main:
    movl $known_options, %eax
    call opt_check_known
    call acpi_init
    movl acpi_fadt, %ebx
    movl 56(%ebx), %eax                 /* PM1a_EVT_BLK */
    movl %eax, pm1_evt
    movl 64(%ebx), %eax                 /* PM1a_CNT_BLK */
    movl %eax, pm1_cnt
    movzwl 46(%ebx), %eax               /* SCI_INT */
    movl %eax, sci_gsi
    call find_s5
    call line_begin
    PUTS "SCI on GSI "
    PUTDEC sci_gsi
    PUTS ", PM1a event block "
    PUTHEX pm1_evt
    PUTS ", control block "
    PUTHEX pm1_cnt
    PUTS ", S5 sleep type "
    PUTDEC slp_typ
    call line_end

    /* Mask both 8259s: the SCI comes through the IOAPIC only. */
    movb $0xff, %al
    outb %al, $0x21
    outb %al, $0xa1
    movl $SCI_VECTOR, %eax
    movl $sci_isr, %edx
    call idt_set_gate
    call lapic_enable
    /* IOAPIC redirection entry for the SCI: vector, fixed, physical, level, active high, to this CPU. */
    call lapic_id
    shll $24, %eax
    movl sci_gsi, %ecx
    leal 0x11(, %ecx, 2), %edx          /* high dword of entry GSI */
    movl %edx, IOAPIC_BASE
    movl %eax, IOAPIC_BASE + 0x10
    decl %edx
    movl %edx, IOAPIC_BASE
    movl $(SCI_VECTOR | (1 << 15)), IOAPIC_BASE + 0x10
    /* PWRBTN_EN, after clearing a stale PWRBTN_STS. */
    movl pm1_evt, %edx
    movw $PWRBTN, %ax
    outw %ax, %dx
    addl $2, %edx
    outw %ax, %dx
    PRINTLN "waiting for the power button"
    sti
1:  hlt
    jmp 1b

/* find_s5: slp_typ = the first element of the DSDT's \_S5 package. */
find_s5:
    movl acpi_fadt, %esi
    movl 40(%esi), %esi                 /* DSDT */
    movl 4(%esi), %ecx
    leal -8(%esi, %ecx), %ecx           /* the last place "_S5_" plus a package can start */
1:  cmpl %ecx, %esi
    jae 4f
    cmpl $0x5f35535f, (%esi)            /* "_S5_" */
    jne 2f
    cmpb $0x12, 4(%esi)                 /* PackageOp */
    je 3f
2:  incl %esi
    jmp 1b
3:  movzbl 5(%esi), %eax                /* PkgLength: skip its extra bytes */
    shrl $6, %eax
    leal 7(%esi, %eax), %esi            /* past PackageOp, PkgLength, NumElements */
    movzbl (%esi), %eax
    cmpb $0x0a, %al                     /* BytePrefix n */
    jne 5f
    movzbl 1(%esi), %eax
5:  cmpl $1, %eax                       /* ZeroOp 0 and OneOp 1 are their own values */
    jbe 6f
    cmpb $0x0a, (%esi)
    je 6f
4:  PRINTLN "no \\_S5 package in the DSDT"
    EXIT $EXIT_ACPI
6:  movl %eax, slp_typ
    ret

sci_isr:
    movl pm1_evt, %edx
    inw %dx, %ax
    testw $PWRBTN, %ax
    jnz 1f
    PRINTLN "SCI without a power-button event"
    EXIT $3
1:  movw $PWRBTN, %ax
    outw %ax, %dx                       /* write 1 to clear PWRBTN_STS */
    movl $0, LAPIC_EOI
    PRINTLN "power button pressed; entering S5"
    movl slp_typ, %eax
    shll $10, %eax
    orl $SLP_EN, %eax
    movl pm1_cnt, %edx
    outw %ax, %dx
    movl $1000, %eax
    call delay_ms
    PRINTLN "still running 1 s after the S5 request"
    EXIT $5
