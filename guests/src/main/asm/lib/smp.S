/*
 * smp.S - topology, MADT check, AP wake-up, AP check-in and verification,
 * shared by smp-boot, smp-work and powered-off (ipi-storm uses the topology).
 *
 * Topology (both VMMs): CPU index i has thread t = i % T, core c = (i/T) % C,
 * socket s = i / (T*C), APIC ID = s << (smt_bits+core_bits) | c << smt_bits | t.
 * T, C, smt_bits, core_bits come from CPUID leaf 0xB (subleaf 0 = SMT level,
 * subleaf 1 = core level); without leaf 0xB: T = 1, C = N.
 *
 * Check-in: each AP increments checkin_count[its LAPIC ID] and then the total
 * `checkins` with locked instructions; the BSP waits for N-1 check-ins and
 * then verifies the per-ID counts against the expected set.
 */
#include "defs.h"

#define SETTLE_MS 20        /* extra wait after the last expected check-in, to catch extras */

    .data
    .align 4
    .globl ncpus, topo_threads, topo_cores, topo_sockets, topo_smt_bits, topo_core_bits
    .globl bsp_apic, checkins, ap_err_kind, ap_err_a, ap_err_b, wake_init_ms
ncpus:          .long 1
wake_init_ms:   .long 10        /* smp_wake_broadcast's INIT-to-SIPI delay; a guest option may set it */
topo_threads:   .long 1
topo_cores:     .long 1
topo_sockets:   .long 1
topo_smt_bits:  .long 0
topo_core_bits: .long 0
topo_leafb:     .long 0         /* 1 if taken from CPUID leaf 0xB */
bsp_apic:       .long 0
checkins:       .long 0         /* APs checked in (locked increments) */
ap_err_claim:   .long 0         /* first AP to claim it reports its error */
ap_err_kind:    .long 0         /* AP_ERR_* (written last) */
ap_err_a:       .long 0
ap_err_b:       .long 0

    .bss
    .globl cpu_apic, apic_cpu, checkin_count
cpu_apic:       .space 256      /* byte: APIC ID of CPU index i */
apic_cpu:       .space 256      /* byte: CPU index + 1 for expected APIC IDs, 0 otherwise */
madt_counts:    .space 256
    .align 4
checkin_count:  .space 256 * 4  /* per APIC ID */
wait_deadline:  .space 8

    .text
/* ---------------------------------------------------------------------------
 * print_id_list: print " <id>" for every APIC ID whose byte in the 256-byte
 * array at EAX is nonzero (ascending, so the output is sorted).
 * ------------------------------------------------------------------------- */
    .globl print_id_list
print_id_list:
    pushl %eax
    pushl %ecx
    xorl %ecx, %ecx
1:  cmpb $0, (%eax, %ecx)
    je 2f
    pushl %eax
    movb $' ', %al
    call putc
    movl %ecx, %eax
    call putdec
    popl %eax
2:  incl %ecx
    cmpl $256, %ecx
    jb 1b
    popl %ecx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * topo_compute: fill topo_* and the cpu_apic / apic_cpu maps for ncpus CPUs.
 * ------------------------------------------------------------------------- */
topo_compute:
    pushal
    xorl %eax, %eax
    xorl %ecx, %ecx
    cpuid
    cmpl $0xB, %eax
    jb 5f
    movl $0xB, %eax                     /* subleaf 0: SMT level */
    xorl %ecx, %ecx
    cpuid
    movzbl %ch, %edx
    cmpl $1, %edx
    jne 5f
    andl $0xFFFF, %ebx
    jz 5f
    movl %ebx, topo_threads
    andl $0x1F, %eax
    movl %eax, topo_smt_bits
    movl $0xB, %eax                     /* subleaf 1: core level */
    movl $1, %ecx
    cpuid
    movzbl %ch, %edx
    cmpl $2, %edx
    jne 5f
    andl $0xFFFF, %ebx
    jz 5f
    andl $0x1F, %eax
    subl topo_smt_bits, %eax
    jb 5f
    movl %eax, topo_core_bits
    movl %ebx, %eax
    xorl %edx, %edx
    divl topo_threads
    testl %eax, %eax
    jz 5f
    movl %eax, topo_cores
    movl $1, topo_leafb
    jmp 7f
5:  /* no usable leaf 0xB: T = 1, C = N, core_bits = ceil(log2 N) */
    movl $1, topo_threads
    movl $0, topo_smt_bits
    movl ncpus, %eax
    movl %eax, topo_cores
    xorl %ecx, %ecx
6:  movl $1, %edx
    shll %cl, %edx
    cmpl %eax, %edx
    jae 61f
    incl %ecx
    jmp 6b
61: movl %ecx, topo_core_bits
    movl $0, topo_leafb
7:  /* sockets = ceil(N / (C*T)) */
    movl topo_cores, %ecx
    imull topo_threads, %ecx
    movl ncpus, %eax
    addl %ecx, %eax
    decl %eax
    xorl %edx, %edx
    divl %ecx
    movl %eax, topo_sockets
    /* per-CPU APIC IDs */
    xorl %esi, %esi                     /* i */
8:  cmpl ncpus, %esi
    jae 9f
    movl %esi, %eax
    xorl %edx, %edx
    divl topo_threads
    movl %edx, %edi                     /* t */
    xorl %edx, %edx
    divl topo_cores                     /* EAX = s, EDX = c */
    movl topo_smt_bits, %ecx
    shll %cl, %edx
    orl %edx, %edi
    addl topo_core_bits, %ecx
    cmpl $32, %ecx
    jae 81f
    shll %cl, %eax
    orl %eax, %edi                      /* EDI = APIC ID */
    cmpl $MAX_CPUS, %edi
    jae 81f
    movl %edi, %eax
    movb %al, cpu_apic(%esi)
    cmpb $0, apic_cpu(%edi)
    jne 82f
    leal 1(%esi), %eax
    movb %al, apic_cpu(%edi)
    incl %esi
    jmp 8b
9:  popal
    ret
81: call line_begin
    PUTS "CPU "
    PUTDEC %esi
    PUTS " would need an APIC ID above 254 (x2APIC), which these guests do not support"
    call line_end
    EXIT $EXIT_FWCFG
82: call line_begin
    PUTS "CPUID leaf 0xb is inconsistent: CPU "
    PUTDEC %esi
    PUTS " and another CPU both map to APIC ID "
    PUTDEC %edi
    call line_end
    EXIT $2

/* ---------------------------------------------------------------------------
 * smp_init: N from fw_cfg, topology, expected APIC IDs; prints
 *   "topology: cpus=N sockets=S cores=C threads=T smt_bits=a core_bits=b (...)"
 *   "expected APIC IDs: ..."
 * and checks the BSP is CPU 0 with matching LAPIC / CPUID IDs (exit 2 if not).
 * Returns EAX = N.
 * ------------------------------------------------------------------------- */
    .globl smp_init
smp_init:
    call fwcfg_ncpus
    movl %eax, ncpus
    call topo_compute
    call line_begin
    PUTS "topology: cpus="
    PUTDEC ncpus
    PUTS " sockets="
    PUTDEC topo_sockets
    PUTS " cores="
    PUTDEC topo_cores
    PUTS " threads="
    PUTDEC topo_threads
    PUTS " smt_bits="
    PUTDEC topo_smt_bits
    PUTS " core_bits="
    PUTDEC topo_core_bits
    cmpl $0, topo_leafb
    jne 1f
    PUTS " (no CPUID leaf 0xb: assuming 1 thread per core)"
1:  call line_end
    call line_begin
    PUTS "expected APIC IDs:"
    movl $apic_cpu, %eax
    call print_id_list
    call line_end
    /* the BSP must be CPU 0 */
    call lapic_id
    movl %eax, bsp_apic
    movzbl cpu_apic, %edx
    cmpl %edx, %eax
    jne 2f
    pushl %eax
    call cpu_apic_id
    cmpl (%esp), %eax
    popl %eax
    jne 3f
    movl ncpus, %eax
    ret
2:  call line_begin
    PUTS "BSP has local APIC ID "
    PUTDEC %eax
    PUTS ", expected "
    PUTDEC %edx
    PUTS " (CPU 0)"
    call line_end
    EXIT $2
3:  call line_begin
    PUTS "BSP local APIC ID "
    PUTDEC %eax
    PUTS " differs from its CPUID.1 initial APIC ID "
    call cpu_apic_id
    call putdec
    call line_end
    EXIT $2

/* ---------------------------------------------------------------------------
 * smp_check_madt: the MADT's enabled local APICs must be exactly the
 * expected APIC IDs, each once. Prints one line; exits 3 on any mismatch.
 * ------------------------------------------------------------------------- */
    .globl smp_check_madt
smp_check_madt:
    pushal
    cmpl $0, acpi_madt
    jne 1f
    PRINTLN "no ACPI MADT (\"APIC\") table"
    EXIT $3
1:  movl $madt_counts, %eax
    call madt_count_lapics
    movl %eax, %esi                     /* enabled entries */
    xorl %ecx, %ecx
2:  movzbl madt_counts(%ecx), %ebx
    movzbl apic_cpu(%ecx), %edx
    testl %edx, %edx
    jz 4f
    testl %ebx, %ebx                    /* expected */
    jz 5f
    cmpl $1, %ebx
    ja 6f
    jmp 3f
4:  testl %ebx, %ebx                    /* not expected */
    jnz 7f
3:  incl %ecx
    cmpl $256, %ecx
    jb 2b
    call line_begin
    PUTS "MADT: "
    PUTDEC %esi
    PUTS " enabled local APICs, matching the expected APIC IDs"
    call line_end
    popal
    ret
5:  call line_begin
    PUTS "MADT mismatch: no enabled local APIC entry for APIC ID "
    PUTDEC %ecx
    PUTS " (CPU "
    decl %edx
    PUTDEC %edx
    PUTS ")"
    call line_end
    EXIT $3
6:  call line_begin
    PUTS "MADT mismatch: APIC ID "
    PUTDEC %ecx
    PUTS " is listed "
    PUTDEC %ebx
    PUTS " times"
    call line_end
    EXIT $3
7:  call line_begin
    PUTS "MADT mismatch: lists enabled local APIC ID "
    PUTDEC %ecx
    PUTS ", which is not one of the expected CPUs"
    call line_end
    EXIT $3

/* ---------------------------------------------------------------------------
 * smp_wake_broadcast(EAX = trampoline page): the classic MP wake-up, as the
 * BIOS does it: install the trampoline, INIT to all-excluding-self, 10 ms
 * (wake_init_ms), SIPI, 200 us, SIPI. Prints one line.
 * ------------------------------------------------------------------------- */
    .globl smp_wake_broadcast
smp_wake_broadcast:
    pushl %eax
    pushl %ebx
    pushl %edx
    movl %eax, %ebx
    call line_begin
    PUTS "waking "
    movl ncpus, %eax
    decl %eax
    call putdec
    PUTS " APs: INIT, SIPI, SIPI to all-excluding-self, vector "
    PUTHEX8 %ebx
    call line_end
    movl %ebx, %eax
    call tramp_install
    call lapic_enable
    xorl %edx, %edx
    movl $(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_DM_INIT), %eax
    call lapic_ipi
    movl wake_init_ms, %eax
    call delay_ms
    movl $(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_DM_SIPI), %eax
    orl %ebx, %eax
    call lapic_ipi
    pushl %eax
    movl $200, %eax
    call delay_us
    popl %eax
    call lapic_ipi
    popl %edx
    popl %ebx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * ap_error(EAX = kind, EDX = a, ECX = b): record the first AP-detected error
 * for the BSP to report. Safe on any CPU.
 * ------------------------------------------------------------------------- */
    .globl ap_error
ap_error:
    pushl %eax
    pushl %ebx
    movl %eax, %ebx
    movl $1, %eax
    xchgl %eax, ap_err_claim
    testl %eax, %eax
    jnz 1f                              /* someone else reported first */
    movl %edx, ap_err_a
    movl %ecx, ap_err_b
    movl %ebx, ap_err_kind              /* published last */
1:  popl %ebx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * smp_ap_checkin (on an AP) -> EAX = its local APIC ID. Compares the LAPIC ID
 * register with CPUID.1's initial APIC ID, then counts the check-in.
 * ------------------------------------------------------------------------- */
    .globl smp_ap_checkin
smp_ap_checkin:
    pushl %ecx
    pushl %edx
    call cpu_apic_id
    movl %eax, %ecx
    call lapic_id
    cmpl %eax, %ecx
    je 1f
    movl %eax, %edx
    movl $AP_ERR_ID_MISMATCH, %eax
    call ap_error
    movl %edx, %eax
1:  lock incl checkin_count(, %eax, 4)
    lock incl checkins                  /* after the per-ID count: the BSP reads them in this order */
    popl %edx
    popl %ecx
    ret

/* ---------------------------------------------------------------------------
 * smp_wait_checkins(EAX = timeout in ms): wait until N-1 APs checked in (then
 * SETTLE_MS more, so late extra check-ins are seen), an AP reported an error,
 * or the deadline passed.
 * ------------------------------------------------------------------------- */
    .globl smp_wait_checkins
smp_wait_checkins:
    pushl %eax
    pushl %edx
    movl %eax, %edx
    movl $wait_deadline, %eax
    call dl_set_ms
    movl ncpus, %edx
    decl %edx
1:  cmpl %edx, checkins
    jae 2f
    cmpl $0, ap_err_kind
    jne 3f
    call dl_expired
    jc 3f
    pause
    jmp 1b
2:  testl %edx, %edx
    jz 3f
    movl $SETTLE_MS, %eax
    call delay_ms
3:  popl %edx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * smp_verify(EAX = timeout in ms, for the message): check the check-in table
 * and print "APs checked in (APIC IDs): ...". Exits:
 *   2 - an AP reported an error, an unexpected/duplicate APIC ID checked in,
 *       or more APs started than there are stacks
 *   1 - expected APIC IDs missing (timeout)
 * ------------------------------------------------------------------------- */
    .globl smp_verify
smp_verify:
    pushal
    movl %eax, %ebp                     /* timeout, for the message */
    movl ap_err_kind, %eax
    testl %eax, %eax
    jz 1f
    call report_ap_error
    EXIT $2
1:  cmpl $0, ap_stack_overflow
    je 2f
    call line_begin
    PUTDEC ap_stack_overflow
    PUTS " AP start(s) found no free stack: the AP start code ran more than 255 times"
    call line_end
    EXIT $2
2:  xorl %ecx, %ecx                     /* per-ID checks, ascending */
    xorl %esi, %esi                     /* missing count */
3:  movl checkin_count(, %ecx, 4), %ebx
    movzbl apic_cpu(%ecx), %edx
    testl %ebx, %ebx
    jnz 4f
    testl %edx, %edx                    /* no check-in: missing if an expected AP */
    jz 6f
    cmpl bsp_apic, %ecx
    je 6f
    incl %esi
    jmp 6f
4:  testl %edx, %edx
    jz 7f
    cmpl bsp_apic, %ecx
    je 8f
    cmpl $1, %ebx
    ja 9f
6:  incl %ecx
    cmpl $256, %ecx
    jb 3b
    testl %esi, %esi
    jz 5f
    call line_begin                     /* timeout */
    PUTS "timeout after "
    PUTDEC %ebp
    PUTS " ms: "
    PUTDEC checkins
    PUTS " of "
    movl ncpus, %eax
    decl %eax
    call putdec
    PUTS " APs checked in; missing APIC IDs:"
    xorl %ecx, %ecx
51: movzbl apic_cpu(%ecx), %edx
    testl %edx, %edx
    jz 52f
    cmpl bsp_apic, %ecx
    je 52f
    cmpl $0, checkin_count(, %ecx, 4)
    jne 52f
    movb $' ', %al
    call putc
    movl %ecx, %eax
    call putdec
52: incl %ecx
    cmpl $256, %ecx
    jb 51b
    call line_end
    EXIT $1
5:  call line_begin
    PUTS "APs checked in (APIC IDs):"
    cmpl $1, ncpus
    jne 53f
    PUTS " none (single CPU)"
53: xorl %ecx, %ecx
54: cmpl $0, checkin_count(, %ecx, 4)
    je 55f
    movb $' ', %al
    call putc
    movl %ecx, %eax
    call putdec
55: incl %ecx
    cmpl $256, %ecx
    jb 54b
    call line_end
    popal
    ret
7:  call line_begin
    PUTS "unexpected APIC ID "
    PUTDEC %ecx
    PUTS " checked in (not one of the "
    PUTDEC ncpus
    PUTS " expected CPUs)"
    call line_end
    EXIT $2
8:  call line_begin
    PUTS "APIC ID "
    PUTDEC %ecx
    PUTS " (the BSP's) checked in as an AP"
    call line_end
    EXIT $2
9:  call line_begin
    PUTS "APIC ID "
    PUTDEC %ecx
    PUTS " (CPU "
    decl %edx
    PUTDEC %edx
    PUTS ") checked in "
    PUTDEC %ebx
    PUTS " times"
    call line_end
    EXIT $2

/* ---------------------------------------------------------------------------
 * report_ap_error(EAX = kind): print the AP-reported error as one line.
 * ------------------------------------------------------------------------- */
report_ap_error:
    call line_begin
    cmpl $AP_ERR_ID_MISMATCH, %eax
    jne 1f
    PUTS "AP with local APIC ID "
    PUTDEC ap_err_a
    PUTS " reports CPUID.1 initial APIC ID "
    PUTDEC ap_err_b
    jmp 9f
1:  cmpl $AP_ERR_BAD_INDEX, %eax
    jne 2f
    PUTS "AP started with EAX (CPU index) "
    PUTDEC ap_err_a
    PUTS " but EBX (argument) "
    PUTHEX ap_err_b
    jmp 9f
2:  cmpl $AP_ERR_WRONG_APIC, %eax
    jne 3f
    PUTS "CPU "
    PUTDEC ap_err_a
    PUTS " has local APIC ID "
    PUTDEC ap_err_b
    PUTS ", expected "
    pushl %eax
    movl ap_err_a, %eax
    movzbl cpu_apic(%eax), %eax
    call putdec
    popl %eax
    jmp 9f
3:  cmpl $AP_ERR_APIC_ENABLED, %eax
    jne 4f
    PUTS "CPU "
    PUTDEC ap_err_a
    PUTS " started with its local APIC software-enabled (SVR "
    PUTHEX ap_err_b
    PUTS "), expected the reset state"
    jmp 9f
4:  PUTS "AP reported error "
    call putdec
9:  call line_end
    ret

/* ---------------------------------------------------------------------------
 * smp_bring_up(EAX = AP hook, EBX = timeout in ms): the bring-up every SMP
 * guest starts with: ACPI, fw_cfg and topology (smp_init), the MADT check,
 * the BIOS-style wake-up of every AP through the trampoline at 0x8000 (SIPI
 * vector 0x08), each AP running the hook once checked in, and the check of
 * who checked in (smp_verify, which exits on a problem).
 * ------------------------------------------------------------------------- */
    .globl smp_bring_up
smp_bring_up:
    pushl %eax
    call acpi_init
    call smp_init
    call smp_check_madt
    popl %eax
    cmpl $1, ncpus
    je 1f
    movl %eax, ap_main_hook
    movl $0x08, %eax
    call smp_wake_broadcast
    movl %ebx, %eax
    call smp_wait_checkins
1:  movl %ebx, %eax
    jmp smp_verify
