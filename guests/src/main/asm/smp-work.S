/*
 * smp-work - all CPUs compute; the BSP reports throughput once per interval.
 *
 * The guest for monitor tests and slowdown benchmarks. Proves: every CPU is
 * brought up as in smp-boot (same checks, same exit codes), then all CPUs
 * (BSP included) make steady progress. Each CPU runs xorshift32 in a loop and
 * bumps its own work counter (one cache line per CPU) after every unit of
 * 16384 iterations; the BSP sums the counters every report_ms (PM timer).
 * It reads the clock after every quarter unit (4096 iterations), so reports
 * stay on time even when many vCPUs share few host cores.
 *
 * NMIs: every CPU (BSP included) has an NMI handler that counts the NMI in
 * its own record and resumes the interrupted code exactly where it was, with
 * all registers and EFLAGS restored, but without IRET (protected-mode IRET
 * cannot run on the reference host, see README). It rebuilds the stack as
 * "EFLAGS, EIP" and does POPFL; RET. Same CS (flat ring 0), same stack, so
 * this is an IRET in all but one respect: NMIs stay blocked on that CPU until
 * it is reset, so each CPU counts at most one NMI per boot; later NMIs stay
 * pending in the VMM/KVM and are never delivered. Every CPU also programs its
 * LVT LINT1 as NMI (local APIC software-enabled), as an OS does from the
 * MADT, so QEMU's "nmi" monitor command (which goes through LINT1) reaches
 * every CPU, not only the BSP that SeaBIOS set up. Because the interrupted
 * code simply continues, an NMI that lands while a CPU holds the print lock
 * (or is anywhere else) is harmless. The handler is installed at the start
 * of guest_main (BSP) and is active on an AP once it has loaded the IDT; an
 * NMI earlier than that (during an AP's real-mode trampoline) is not handled.
 * Send NMIs after the "N CPUs up" line.
 *
 * Unit size: on the reference host (PVM, guest code run by KVM's instruction
 * emulator at roughly 2.5 million instructions/s per vCPU) a unit takes about
 * 70 ms on an uncontended vCPU, about 14 units/s; with hardware
 * virtualization it is microseconds. Compare U between VMMs on the same host.
 *
 * Options: seconds=S      run S seconds then print "done" and exit 0
 *                         (default 0 = run forever)
 *          report_ms=R    report interval (default 1000, must be > 0)
 *          timeout_ms=T   AP bring-up deadline (default 10000)
 * Output: the smp-boot lines (deterministic), then
 *   smp-work: 8 CPUs up
 *   smp-work: tick 1 units 1234 nmis 0 <- NOT deterministic (throughput);
 *                                         nmis = NMIs counted by all CPUs so far
 *   ...
 *   smp-work: done
 * Exit: 0 done; 1 APs missing; 2 wrong/duplicate/unexpected APIC IDs;
 *       3 MADT mismatch; 4 fw_cfg; 6 ACPI; 8 bad option; 10 ICR stuck;
 *       99 CPU exception.
 */
#include "lib/defs.h"

#define CHUNK_ITERATIONS 4096      /* the BSP checks the clock after each chunk */
#define CHUNKS_PER_UNIT  4          /* one unit = 16384 iterations */
#define W_UNITS 0               /* per-CPU record: units done (written by its CPU only) */
#define W_STATE 4               /*                 xorshift state (keeps the work observable) */
#define W_NMIS  8               /*                 NMIs handled (written by its CPU only) */

    .section .rodata
    .globl guest_name
guest_name:
    .asciz "smp-work"
known_options:
    .asciz "seconds"
    .asciz "report_ms"
    .asciz "timeout_ms"
    .byte 0
key_seconds:   .asciz "seconds"
key_report:    .asciz "report_ms"
key_timeout:   .asciz "timeout_ms"

    .bss
    .align PERCPU_STRIDE
work:           .space 256 * PERCPU_STRIDE     /* indexed by APIC ID */
tick_deadline:  .space 8
end_deadline:   .space 8
seconds:        .space 4
report_ms:      .space 4

    .text
/* ---------------------------------------------------------------------------
 * guest_main (BSP): options, bring-up (as smp-boot), then work + report loop.
 * ------------------------------------------------------------------------- */
    .globl guest_main
guest_main:
    movl $2, %eax                       /* NMI: count and resume (all CPUs share the IDT) */
    movl $nmi_handler, %edx
    call idt_set_gate
    call lapic_lint1_nmi
    movl $known_options, %eax
    call opt_check_known
    movl $key_seconds, %eax
    xorl %edx, %edx
    call opt_uint
    cmpl $4294967, %eax                 /* seconds * 1000 must fit in 32 bits */
    ja bad_seconds
    movl %eax, seconds
    movl $key_report, %eax
    movl $1000, %edx
    call opt_uint
    testl %eax, %eax
    jz bad_report
    movl %eax, report_ms
    movl $key_timeout, %eax
    movl $10000, %edx
    call opt_uint
    movl %eax, %ebx                     /* EBX = timeout_ms */

    movl $work_ap, %eax
    call smp_bring_up                   /* ACPI, topology, every AP woken and checked in */
    call line_begin
    PUTDEC ncpus
    PUTS " CPUs up"
    call line_end

    /* Deadlines: periodic report and optional end. */
    movl $tick_deadline, %eax
    movl report_ms, %edx
    call dl_set_ms
    movl seconds, %edx
    imull $1000, %edx
    movl $end_deadline, %eax
    call dl_set_ms
    call sum_units
    movl %eax, %esi                     /* ESI = units at the last tick */
    xorl %edi, %edi                     /* EDI = tick number */
    movl bsp_apic, %ebx
    imull $PERCPU_STRIDE, %ebx
    addl $work, %ebx                    /* EBX = BSP's work record */

    /* Work loop: a unit in chunks, checking the clock after each chunk. */
20: movl $CHUNKS_PER_UNIT, %ebp
21: call work_chunk
    call bsp_poll
    decl %ebp
    jnz 21b
    incl W_UNITS(%ebx)
    jmp 20b

/* ---------------------------------------------------------------------------
 * bsp_poll: print a tick line if report_ms passed, finish if seconds passed.
 * State: ESI = units at the last tick, EDI = tick number.
 * ------------------------------------------------------------------------- */
bsp_poll:
    movl $tick_deadline, %eax
    call dl_expired
    jnc 3f
    incl %edi
    call sum_units
    movl %eax, %ecx
    subl %esi, %ecx                     /* units since the last tick (mod 2^32) */
    movl %eax, %esi
    call line_begin
    PUTS "tick "
    PUTDEC %edi
    PUTS " units "
    PUTDEC %ecx
    PUTS " nmis "
    call sum_nmis
    call putdec
    call line_end
    movl $tick_deadline, %eax
    movl report_ms, %edx
    call dl_add_ms
3:  cmpl $0, seconds
    je 4f
    movl $end_deadline, %eax
    call dl_expired
    jnc 4f
    PRINTLN "done"
    EXIT $EXIT_PASS
4:  ret

bad_seconds:
    PRINTLN "bad value in option 'seconds' (at most 4294967)"
    EXIT $EXIT_OPTION
bad_report:
    PRINTLN "bad value in option 'report_ms' (must be > 0)"
    EXIT $EXIT_OPTION

/* ---------------------------------------------------------------------------
 * work_chunk(EBX = work record): CHUNK_ITERATIONS xorshift32 steps on the
 * record's state. Only this CPU writes its record (plain stores).
 * ------------------------------------------------------------------------- */
work_chunk:
    pushl %eax
    pushl %ecx
    pushl %edx
    movl W_STATE(%ebx), %edx
    testl %edx, %edx
    jnz 1f
    movl $0x2545F491, %edx              /* xorshift state must be nonzero */
1:  movl $CHUNK_ITERATIONS, %ecx
2:  movl %edx, %eax
    shll $13, %eax
    xorl %eax, %edx
    movl %edx, %eax
    shrl $17, %eax
    xorl %eax, %edx
    movl %edx, %eax
    shll $5, %eax
    xorl %eax, %edx
    decl %ecx
    jnz 2b
    movl %edx, W_STATE(%ebx)
    popl %edx
    popl %ecx
    popl %eax
    ret

/* sum_units -> EAX = total units of all N CPUs (mod 2^32).
 * sum_nmis  -> EAX = total NMIs counted by all N CPUs. */
sum_units:
    pushl %ebx
    movl $W_UNITS, %ebx
    jmp sum_field
sum_nmis:
    pushl %ebx
    movl $W_NMIS, %ebx
sum_field:                              /* EBX = field offset (saved by the caller above) */
    pushl %ecx
    pushl %edx
    xorl %eax, %eax
    xorl %ecx, %ecx
1:  cmpl ncpus, %ecx
    jae 2f
    movzbl cpu_apic(%ecx), %edx
    imull $PERCPU_STRIDE, %edx
    addl work(%ebx, %edx), %eax
    incl %ecx
    jmp 1b
2:  popl %edx
    popl %ecx
    popl %ebx
    ret

/* ---------------------------------------------------------------------------
 * nmi_handler (vector 2, any CPU): count the NMI in this CPU's record, then
 * resume the interrupted code without IRET. Frame: EIP, CS, EFLAGS (the CS is
 * ours: everything runs flat in ring 0). The frame is rewritten in place to
 * [unused, EFLAGS, EIP] so POPFL; RET restores EFLAGS, EIP and ESP exactly.
 * NMIs stay blocked on this CPU afterwards (only IRET or reset unblocks them).
 * ------------------------------------------------------------------------- */
nmi_handler:
    pushl %ecx
    pushl %eax                          /* [0] EAX [4] ECX [8] EIP [12] CS [16] EFLAGS */
    call cpu_apic_id                    /* CPUID: no memory needed */
    imull $PERCPU_STRIDE, %eax
    incl work + W_NMIS(%eax)            /* only this CPU writes its count */
    movl 8(%esp), %eax                  /* EIP */
    movl 16(%esp), %ecx                 /* EFLAGS */
    movl %eax, 16(%esp)
    movl %ecx, 12(%esp)                 /* [12] EFLAGS [16] EIP */
    popl %eax
    popl %ecx
    leal 4(%esp), %esp                  /* drop the old EIP slot */
    popfl
    ret

/* ---------------------------------------------------------------------------
 * work_ap (each AP): check in, then compute forever on its own record.
 * ------------------------------------------------------------------------- */
work_ap:
    call smp_ap_checkin                 /* EAX = APIC ID */
    call lapic_lint1_nmi
    movl %eax, %ebx
    imull $PERCPU_STRIDE, %ebx
    addl $work, %ebx
1:  movl $CHUNKS_PER_UNIT, %ecx
2:  call work_chunk
    loop 2b
    incl W_UNITS(%ebx)                  /* one unit done */
    jmp 1b
