/*
 * powered-off - secondaries start powered off; the guest powers them on.
 *
 * For VMs whose secondary CPUs start powered off (jvmm --start-powered-off).
 * Proves: while the APs are off, the BSP alone does serial I/O (each access
 * exits to the VMM and takes its big lock); the jvmm CPU power controller at
 * ports 0x530-0x53f starts each AP at a 32-bit entry with EAX = CPU index,
 * EBX = argument, its local APIC in the reset state and the APIC ID the
 * topology predicts; its result codes 0/1/2 are right; and every AP checks in
 * exactly once (same table and verification as smp-boot).
 *
 * Power controller protocol (32-bit I/O):
 *   in  0x530 -> 0x4350564A ("JVPC") if present (0xFFFFFFFF under QEMU)
 *   out 0x534 <- entry address      out 0x538 <- argument  (latched per vCPU)
 *   out 0x53c <- CPU index to start in 0x53c -> 0 started, 1 no such CPU,
 *                                              2 not powered off, 3 bad entry
 *
 * Options: timeout_ms=T   deadline for the check-ins (default 10000)
 * Output (deterministic):
 *   powered-off: CPU power controller found at port 0x530
 *   powered-off: topology: ... / expected APIC IDs: ... / MADT: ...
 *   powered-off: result codes ok: start of CPU 8 -> 1 (no such CPU), CPU 0 -> 2 (not powered off)
 *   powered-off: starting 7 APs through the CPU power controller
 *   powered-off: APs checked in (APIC IDs): 1 2 3 4 5 6 7
 *   powered-off: restarting running CPU 1 -> 2 (not powered off): ok
 *   powered-off: PASS
 * Exit: 0 pass; 1 APs missing at the deadline; 2 wrong/duplicate/unexpected
 *       APIC IDs, wrong EAX/EBX at AP entry, or AP LAPIC not in reset state;
 *       3 MADT mismatch; 4 fw_cfg; 5 no power controller; 6 ACPI;
 *       7 a start call returned an unexpected result; 8 bad option;
 *       99 CPU exception.
 */
#include "lib/defs.h"

#define ARG_MAGIC 0xA5A50000        /* argument for CPU i = ARG_MAGIC | i */

    .section .rodata
    .globl guest_name
guest_name:
    .asciz "powered-off"
known_options:
    .asciz "timeout_ms"
    .byte 0
key_timeout:
    .asciz "timeout_ms"
result_names:                       /* indexed by result code */
    .long res0, res1, res2, res3
res0: .asciz "started"
res1: .asciz "no such CPU"
res2: .asciz "not powered off"
res3: .asciz "bad entry address"
resx: .asciz "unknown result"

    .text
/* ---------------------------------------------------------------------------
 * guest_main (BSP)
 * ------------------------------------------------------------------------- */
    .globl guest_main
guest_main:
    movl $known_options, %eax
    call opt_check_known
    movl $key_timeout, %eax
    movl $10000, %edx
    call opt_uint
    movl %eax, %ebx                     /* EBX = timeout_ms */

    /* Is there a power controller? */
    movw $PWRCTL_SIG, %dx
    inl %dx, %eax
    cmpl $PWRCTL_MAGIC, %eax
    je 1f
    PRINTLN "no CPU power controller at port 0x530 (run with --start-powered-off under jvmm)"
    EXIT $5
1:  PRINTLN "CPU power controller found at port 0x530"

    /* Platform (several serial lines while the APs are still off). */
    call acpi_init
    call smp_init
    call smp_check_madt
    movl $po_ap, ap_main_hook

    /* Result codes for a CPU that does not exist and for the running BSP. */
    movl ncpus, %ecx
    movl $1, %edx
    call start_cpu
    xorl %ecx, %ecx
    movl $2, %edx
    call start_cpu
    call line_begin
    PUTS "result codes ok: start of CPU "
    PUTDEC ncpus
    PUTS " -> 1 (no such CPU), CPU 0 -> 2 (not powered off)"
    call line_end

    /* Start every AP. */
    call line_begin
    PUTS "starting "
    movl ncpus, %eax
    decl %eax
    call putdec
    PUTS " APs through the CPU power controller"
    call line_end
    movl $1, %ecx
2:  cmpl ncpus, %ecx
    jae 3f
    xorl %edx, %edx
    call start_cpu
    incl %ecx
    jmp 2b
3:  movl %ebx, %eax
    call smp_wait_checkins
    movl %ebx, %eax
    call smp_verify

    /* A running AP is not powered off. */
    cmpl $1, ncpus
    je 4f
    movl $1, %ecx
    movl $2, %edx
    call start_cpu
    PRINTLN "restarting running CPU 1 -> 2 (not powered off): ok"
4:  PRINTLN "PASS"
    xorl %eax, %eax
    ret

/* ---------------------------------------------------------------------------
 * start_cpu(ECX = CPU index, EDX = expected result): latch entry and
 * argument, start the CPU, read the result; exit 7 if it is not EDX.
 * ------------------------------------------------------------------------- */
start_cpu:
    pushl %eax
    pushl %edx
    movw $PWRCTL_ENTRY, %dx
    movl $pwrctl_entry, %eax
    outl %eax, %dx
    movw $PWRCTL_ARG, %dx
    movl %ecx, %eax
    orl $ARG_MAGIC, %eax
    outl %eax, %dx
    movw $PWRCTL_START, %dx
    movl %ecx, %eax
    outl %eax, %dx
    inl %dx, %eax                       /* result of this vCPU's last start */
    popl %edx
    cmpl %edx, %eax
    jne 1f
    popl %eax
    ret
1:  call line_begin
    PUTS "start of CPU "
    PUTDEC %ecx
    PUTS " returned "
    call put_result
    PUTS ", expected "
    movl %edx, %eax
    call put_result
    call line_end
    EXIT $7

/* put_result(EAX = result code): "N (meaning)" */
put_result:
    pushl %eax
    call putdec
    PUTS " ("
    cmpl $3, %eax
    ja 1f
    movl result_names(, %eax, 4), %eax
    jmp 2f
1:  movl $resx, %eax
2:  call puts
    PUTS ")"
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * po_ap (each AP, via pwrctl_entry -> ap_entry32; EBP = EAX at entry = CPU
 * index, EDI = EBX at entry = argument): validate the entry state, check in.
 * ------------------------------------------------------------------------- */
po_ap:
    /* argument must be ARG_MAGIC | index, and the index in range */
    movl %ebp, %eax
    orl $ARG_MAGIC, %eax
    cmpl %eax, %edi
    jne 1f
    cmpl ncpus, %ebp
    jae 1f
    /* local APIC must be in the reset state (software-disabled) */
    movl LAPIC_SVR, %edx
    testl $SVR_ENABLE, %edx
    jnz 2f
    /* its APIC ID must be the one the topology gives CPU <index> */
    call lapic_id
    movzbl cpu_apic(%ebp), %edx
    cmpl %edx, %eax
    jne 3f
    call smp_ap_checkin
    ret
1:  movl $AP_ERR_BAD_INDEX, %eax
    movl %ebp, %edx
    movl %edi, %ecx
    jmp 9f
2:  movl $AP_ERR_APIC_ENABLED, %eax
    movl %edx, %ecx
    movl %ebp, %edx
    jmp 9f
3:  movl %eax, %ecx
    movl $AP_ERR_WRONG_APIC, %eax
    movl %ebp, %edx
9:  call ap_error
    call smp_ap_checkin                 /* still count it, so the BSP stops waiting */
    ret
