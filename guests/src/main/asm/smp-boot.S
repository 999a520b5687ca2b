/*
 * smp-boot - every CPU comes up, exactly once, with the right APIC ID.
 *
 * Proves: fw_cfg reports N CPUs; CPUID leaf 0xB describes a topology whose
 * APIC IDs are exactly the MADT's enabled local APICs; the classic BIOS-style
 * wake-up (INIT to all-excluding-self, 10 ms, SIPI, 200 us, SIPI with vector
 * 0x08) starts every AP in real mode at 0x8000; each AP's LAPIC ID register
 * agrees with its CPUID initial APIC ID; no AP is missing, duplicated or
 * unexpected.
 *
 * Options: timeout_ms=T   how long the BSP waits for the APs (default 10000)
 *          init_ms=D      the INIT-to-SIPI delay (default 10): how long the APs
 *                         sit in wait-for-SIPI, the window of a monitor race
 * Output (deterministic for a given -smp):
 *   smp-boot: topology: cpus=8 sockets=2 cores=2 threads=2 smt_bits=1 core_bits=1
 *   smp-boot: expected APIC IDs: 0 1 2 3 4 5 6 7
 *   smp-boot: MADT: 8 enabled local APICs, matching the expected APIC IDs
 *   smp-boot: waking 7 APs: INIT, SIPI, SIPI to all-excluding-self, vector 0x08
 *   smp-boot: APs checked in (APIC IDs): 1 2 3 4 5 6 7
 *   smp-boot: PASS
 * Exit: 0 pass; 1 APs missing at the deadline; 2 wrong/duplicate/unexpected
 *       APIC IDs (or LAPIC/CPUID disagree); 3 MADT mismatch; 4 fw_cfg problem;
 *       6 ACPI tables unusable; 8 bad option; 10 ICR stuck; 99 CPU exception.
 */
#include "lib/defs.h"


    .section .rodata
    .globl guest_name
guest_name:
    .asciz "smp-boot"
known_options:
    .asciz "timeout_ms"
    .asciz "init_ms"
    .byte 0
key_timeout:
    .asciz "timeout_ms"
key_init:
    .asciz "init_ms"

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
    movl $key_init, %eax
    movl $10, %edx
    call opt_uint
    movl %eax, wake_init_ms

    movl $smpboot_ap, %eax
    call smp_bring_up                   /* ACPI, topology, every AP woken and checked in */
    PRINTLN "PASS"
    xorl %eax, %eax
    ret

/* ---------------------------------------------------------------------------
 * smpboot_ap (each AP, on its own stack): check in, then park (ap_park).
 * ------------------------------------------------------------------------- */
smpboot_ap:
    call smp_ap_checkin
    ret
