/*
 * lapic.S - local APIC (xAPIC, MMIO at 0xFEE00000) helpers.
 *
 * lapic_ipi uses a PM-timer deadline while waiting for the ICR delivery
 * status, so (like the clock) it is for the BSP only.
 */
#include "defs.h"

#define ICR_TIMEOUT_MS 1000

    .text
/* lapic_id -> EAX = this CPU's local APIC ID (ID register bits 31:24). */
    .globl lapic_id
lapic_id:
    movl LAPIC_ID, %eax
    shrl $24, %eax
    ret

/* lapic_enable: software-enable this CPU's local APIC (SVR bit 8, spurious vector 0xFF). */
    .globl lapic_enable
lapic_enable:
    pushl %eax
    movl LAPIC_SVR, %eax
    andl $~0xFF, %eax
    orl $(SVR_ENABLE | SPURIOUS_VECTOR), %eax
    movl %eax, LAPIC_SVR
    popl %eax
    ret

/* lapic_lint1_nmi: software-enable this CPU's local APIC and program LVT
 * LINT1 as an unmasked NMI input, as an OS does from the MADT (the NMI pin is
 * wired to LINT1 of every CPU). QEMU's "nmi" monitor command reaches a CPU
 * only through LINT1 when its local APIC is enabled; KVM_NMI does not need it. */
    .globl lapic_lint1_nmi
lapic_lint1_nmi:
    call lapic_enable                   /* LVT mask bits cannot be cleared while disabled */
    movl $LVT_DM_NMI, LAPIC_LVT_LINT1
    ret

/* ---------------------------------------------------------------------------
 * lapic_ipi(EAX = ICR low, EDX = destination APIC ID): write ICR high
 * (destination), then ICR low (sends), then wait until delivery status is
 * idle. Exits 10 if it stays busy for ICR_TIMEOUT_MS.
 * ------------------------------------------------------------------------- */
    .globl lapic_ipi
lapic_ipi:
    pushl %eax
    pushl %edx
    shll $24, %edx
    movl %edx, LAPIC_ICR_HI
    movl %eax, LAPIC_ICR_LO
    testl $ICR_BUSY, LAPIC_ICR_LO
    jz 9f
    subl $8, %esp                       /* slow path: wait with a deadline */
    movl %esp, %eax
    movl $ICR_TIMEOUT_MS, %edx
    call dl_set_ms
1:  testl $ICR_BUSY, LAPIC_ICR_LO
    jz 8f
    movl %esp, %eax
    call dl_expired
    jc 2f
    pause
    jmp 1b
8:  addl $8, %esp
9:  popl %edx
    popl %eax
    ret
2:  call line_begin
    PUTS "local APIC ICR still busy after 1000 ms (ICR low "
    PUTHEX LAPIC_ICR_LO
    PUTS ", destination APIC ID "
    movl 8(%esp), %eax
    call putdec
    PUTS ")"
    call line_end
    EXIT $EXIT_ICR
