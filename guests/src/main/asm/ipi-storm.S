/*
 * ipi-storm - the race detector: repeated per-AP INIT/SIPI restarts and NMIs.
 *
 * Proves, round after round, that INIT and SIPI sent to one AP (physical
 * destination = its APIC ID) restart exactly that AP, exactly once, from the
 * SIPI vector of *this* round, and that every NMI sent to an AP reaches its
 * NMI handler exactly once. The SIPI vector alternates between 0x07 and 0x09
 * (same trampoline code in both pages; the AP reports the page it actually
 * ran from, CS >> 8), so a stale vector or an AP restarted from an old round
 * is caught.
 *
 * Each round r = 1..R:
 *   1. INIT (level assert) to every AP, one IPI per AP.
 *   2. cur_round = r; reset the AP stack allocator (every AP is in INIT now).
 *   3. 10 ms, SIPI(v) to every AP, 200 us, SIPI(v) again; v = 0x07 for odd r,
 *      0x09 for even r.
 *   4. Wait (timeout_ms) until every AP's record says round r; then check its
 *      tag == v and its start count == r (one start per round).
 *   5. For k = 1..B: NMI to every AP, wait (timeout_ms) until every AP's NMI
 *      handler counter == k AND its hlt loop has acknowledged k, i.e. the
 *      handler has returned (IRET) and NMIs are unblocked again. Only then is
 *      NMI k+1 sent, so an NMI never arrives while the previous one is still
 *      being handled (it would be held pending, or coalesce with a third).
 * APs wait in a hlt loop with IF=0; NMIs still wake them. The loop copies the
 * handler's counter to the acknowledgement field, then halts. The handler
 * returns to the start of the loop (not into it), so an NMI that arrives
 * between the acknowledgement and the HLT is acknowledged too.
 *
 * Why the APs wait in REAL mode: on this project's reference host (KVM with
 * PVM, no hardware virtualization) all guest code is run by KVM's instruction
 * emulator, which cannot emulate a protected-mode IRET ("KVM internal error,
 * emulation failure"). A real-mode IRET is emulated and, as on hardware,
 * unblocks NMIs. So each AP starts exactly as in smp-boot (real-mode
 * trampoline -> protected mode -> own stack), records its start, then drops
 * to real mode (via 16-bit protected mode) and publishes its check-in there;
 * its real-mode IVT sends vector 2 to a handler that counts and IRETs.
 *
 * Low memory used (besides the trampolines at 0x7000 and 0x9000):
 *   0x3000-0x4fff  per-AP records, 32 bytes, indexed by APIC ID
 *   0x5000-0x5fff  real-mode wait loop, NMI handler, fault stub and IVT
 *   0x6000-0x6fff  real-mode stacks, 16 bytes per APIC ID
 * A fault in real mode is reported like any other exception (exit 99).
 *
 * Options: rounds=R (default 20), nmis=B (default 8), timeout_ms=T (default 5000)
 * Output (deterministic):
 *   ipi-storm: topology: ... / expected APIC IDs: ...
 *   ipi-storm: 20 rounds of per-AP INIT/SIPI/SIPI (vectors 0x07/0x09) + 8 NMIs, 7 APs
 *   ipi-storm: 20 rounds, 8 CPUs, 8 NMIs each: PASS
 * Exit: 0 pass; 1 an AP did not check in after INIT/SIPI; 2 an NMI was lost
 *       or counted twice; 3 an AP started from the wrong vector or a wrong
 *       number of times; 4 fw_cfg; 6 ACPI; 8 bad option; 10 ICR stuck;
 *       99 CPU exception. (Start-up consistency checks shared with smp-boot,
 *       BSP APIC ID / CPUID leaf 0xb, also use 2.)
 */
#include "lib/defs.h"

#define VECTOR_ODD   0x07           /* trampoline at 0x7000: odd rounds */
#define VECTOR_EVEN  0x09           /* trampoline at 0x9000: even rounds */

#define RECS         0x3000         /* per-AP records (low memory: real mode writes them) */
#define REC_STRIDE   32
#define RM_PAGE      0x5000         /* real-mode wait loop + IVT, copied here */
#define RM_STACKS    0x6000         /* 16 bytes per APIC ID */
#define RM_ADDR(sym) (RM_PAGE + ((sym) - rm_start))

/* per-AP record, indexed by APIC ID */
#define R_ROUND  0                  /* round the AP last started in (written last) */
#define R_TAG    4                  /* SIPI vector it started from */
#define R_BOOTS  8                  /* number of starts since the guest began */
#define R_NMIS   12                 /* NMIs handled since its last start (by the handler) */
#define R_ACK    16                 /* R_NMIS as seen by the hlt loop, i.e. after the IRET */
#define R_PMSP   20                 /* protected-mode ESP, to report real-mode faults */

    .section .rodata
    .globl guest_name
guest_name:
    .asciz "ipi-storm"
known_options:
    .asciz "rounds"
    .asciz "nmis"
    .asciz "timeout_ms"
    .byte 0
key_rounds:   .asciz "rounds"
key_nmis:     .asciz "nmis"
key_timeout:  .asciz "timeout_ms"

    .data
    .align 4
cur_round:  .long 0                 /* read by APs when they start */

    .bss
    .align 8
deadline:   .space 8
rounds:     .space 4
nmis:       .space 4
timeout_ms: .space 4
round:      .space 4                /* BSP: current round */
vector:     .space 4                /* BSP: current SIPI vector */
nmi_k:      .space 4                /* BSP: current NMI number */

    .text
/* ---------------------------------------------------------------------------
 * guest_main (BSP)
 * ------------------------------------------------------------------------- */
    .globl guest_main
guest_main:
    movl $known_options, %eax
    call opt_check_known
    movl $key_rounds, %eax
    movl $20, %edx
    call opt_uint
    movl %eax, rounds
    movl $key_nmis, %eax
    movl $8, %edx
    call opt_uint
    movl %eax, nmis
    movl $key_timeout, %eax
    movl $5000, %edx
    call opt_uint
    movl %eax, timeout_ms

    /* Platform: PM timer, N, topology. */
    call acpi_init
    call smp_init

    /* Low memory: zeroed records, the real-mode page, both trampolines;
       then the AP entry hook and our LAPIC. */
    pushl %edi
    pushl %esi
    pushl %ecx
    movl $RECS, %edi
    movl $(256 * REC_STRIDE), %ecx
    xorl %eax, %eax
    rep stosb
    movl $RM_PAGE, %edi
    movl $rm_start, %esi
    movl $(rm_end - rm_start), %ecx
    rep movsb
    popl %ecx
    popl %esi
    popl %edi
    movl $VECTOR_ODD, %eax
    call tramp_install
    movl $VECTOR_EVEN, %eax
    call tramp_install
    movl $storm_ap, ap_main_hook
    call lapic_enable

    call line_begin
    PUTDEC rounds
    PUTS " rounds of per-AP INIT/SIPI/SIPI (vectors 0x07/0x09) + "
    PUTDEC nmis
    PUTS " NMIs, "
    movl ncpus, %eax
    decl %eax
    call putdec
    PUTS " APs"
    call line_end

    /* Rounds. */
    movl $1, round
1:  movl round, %eax
    cmpl rounds, %eax
    ja 9f
    movl $VECTOR_ODD, vector
    testl $1, %eax
    jnz 2f
    movl $VECTOR_EVEN, vector
2:  call restart_aps
    call wait_checkins
    call check_starts
    movl $1, nmi_k
3:  movl nmi_k, %eax
    cmpl nmis, %eax
    ja 4f
    call nmi_step
    incl nmi_k
    jmp 3b
4:  incl round
    jmp 1b

9:  call line_begin
    PUTDEC rounds
    PUTS " rounds, "
    PUTDEC ncpus
    PUTS " CPUs, "
    PUTDEC nmis
    PUTS " NMIs each: PASS"
    call line_end
    xorl %eax, %eax
    ret

/* ---------------------------------------------------------------------------
 * for_each_ap(EAX = routine): call routine with ECX = CPU index, EDX = APIC
 * ID, EBX = record, for every AP in CPU index order. Preserves all registers.
 * ------------------------------------------------------------------------- */
for_each_ap:
    pushal
    movl %eax, %esi
    movl $1, %ecx
1:  cmpl ncpus, %ecx
    jae 2f
    movzbl cpu_apic(%ecx), %edx
    movl %edx, %ebx
    imull $REC_STRIDE, %ebx
    addl $RECS, %ebx
    call *%esi
    incl %ecx
    jmp 1b
2:  popal
    ret

/* ---------------------------------------------------------------------------
 * restart_aps: steps 1-3 of a round.
 * ------------------------------------------------------------------------- */
restart_aps:
    pushl %eax
    movl $send_init, %eax
    call for_each_ap
    movl round, %eax
    movl %eax, cur_round
    movl $0, ap_stack_next              /* every AP is held in INIT: stacks are free */
    movl $10, %eax
    call delay_ms
    movl $send_sipi, %eax
    call for_each_ap
    movl $200, %eax
    call delay_us
    movl $send_sipi, %eax
    call for_each_ap
    popl %eax
    ret

send_init:
    movl $(ICR_ASSERT | ICR_DM_INIT), %eax
    call lapic_ipi
    ret

send_sipi:
    movl $(ICR_ASSERT | ICR_DM_SIPI), %eax
    orl vector, %eax
    call lapic_ipi
    ret

send_nmi:
    movl $(ICR_ASSERT | ICR_DM_NMI), %eax
    call lapic_ipi
    ret

/* ---------------------------------------------------------------------------
 * wait_checkins: step 4a. Exit 1 naming the first AP (by CPU index) that has
 * not checked in for this round at the deadline.
 * ------------------------------------------------------------------------- */
wait_checkins:
    pushal
    movl $deadline, %eax
    movl timeout_ms, %edx
    call dl_set_ms
1:  movl $check_round, %eax
    movl $0, pending
    call for_each_ap
    cmpl $0, pending
    je 2f
    movl $deadline, %eax
    call dl_expired
    jnc 1b
    movl $report_round, %eax            /* deadline passed: report the first straggler */
    call for_each_ap
2:  popal
    ret

check_round:                            /* counts APs not yet in this round */
    movl round, %eax
    cmpl %eax, R_ROUND(%ebx)
    je 1f
    incl pending
1:  ret

report_round:
    movl round, %eax
    cmpl %eax, R_ROUND(%ebx)
    je 1f
    call line_begin
    call put_round_cpu
    PUTS " did not check in after INIT/SIPI (mp state unknown; last check-in: round "
    PUTDEC R_ROUND(%ebx)
    PUTS ")"
    call line_end
    EXIT $1
1:  ret

/* put_round_cpu: print "round R: CPU i (APIC a)" for ECX = index, EDX = APIC ID. */
put_round_cpu:
    PUTS "round "
    PUTDEC round
    PUTS ": CPU "
    PUTDEC %ecx
    PUTS " (APIC "
    PUTDEC %edx
    PUTS ")"
    ret

/* ---------------------------------------------------------------------------
 * check_starts: step 4b, right vector and exactly one start per round (exit 3).
 * ------------------------------------------------------------------------- */
check_starts:
    pushl %eax
    movl $check_start, %eax
    call for_each_ap
    popl %eax
    ret

check_start:
    movl vector, %eax
    cmpl %eax, R_TAG(%ebx)
    jne 1f
    movl round, %eax
    cmpl %eax, R_BOOTS(%ebx)
    jne 2f
    ret
1:  call line_begin
    PUTS "round "
    PUTDEC round
    PUTS ": CPU "
    PUTDEC %ecx
    PUTS " (APIC "
    PUTDEC %edx
    PUTS ") started from trampoline "
    PUTHEX8 R_TAG(%ebx)
    PUTS ", expected "
    PUTHEX8 vector
    call line_end
    EXIT $3
2:  call line_begin
    call put_round_cpu
    PUTS " has started "
    PUTDEC R_BOOTS(%ebx)
    PUTS " times in "
    PUTDEC round
    PUTS " rounds (expected exactly one start per round)"
    call line_end
    EXIT $3

/* ---------------------------------------------------------------------------
 * nmi_step: step 5 for NMI number nmi_k. Exit 2 on a lost or extra NMI.
 * ------------------------------------------------------------------------- */
nmi_step:
    pushal
    movl $send_nmi, %eax
    call for_each_ap
    movl $deadline, %eax
    movl timeout_ms, %edx
    call dl_set_ms
1:  movl $0, pending
    movl $check_nmi, %eax
    call for_each_ap
    cmpl $0, pending
    je 2f
    movl $deadline, %eax
    call dl_expired
    jnc 1b
    movl $report_nmi, %eax
    call for_each_ap
2:  popal
    ret

check_nmi:                              /* counts APs not done with k; above k is an error now */
    movl R_NMIS(%ebx), %eax
    cmpl nmi_k, %eax
    jb 1f
    ja 2f
    movl R_ACK(%ebx), %eax
    cmpl nmi_k, %eax
    jb 1f
    ret
1:  incl pending
    ret
2:  call line_begin
    call put_round_cpu
    PUTS " counted "
    PUTDEC %eax
    PUTS " NMIs after NMI "
    PUTDEC nmi_k
    PUTS " of "
    PUTDEC nmis
    call line_end
    EXIT $2

report_nmi:
    movl R_NMIS(%ebx), %eax
    cmpl nmi_k, %eax
    jae 3f
    call line_begin
    call put_round_cpu
    PUTS " lost NMI "
    PUTDEC nmi_k
    PUTS " of "
    PUTDEC nmis
    PUTS " (counted "
    PUTDEC %eax
    PUTS ")"
    call line_end
    EXIT $2
3:  movl R_ACK(%ebx), %eax
    cmpl nmi_k, %eax
    jae 1f
    call line_begin
    call put_round_cpu
    PUTS " handled NMI "
    PUTDEC nmi_k
    PUTS " of "
    PUTDEC nmis
    PUTS " but did not return from the handler (IRET) to its hlt loop"
    call line_end
    EXIT $2
1:  ret

    .data
pending: .long 0

    .text
/* ---------------------------------------------------------------------------
 * storm_ap (each AP, after the trampoline, in protected mode on its own
 * stack; ESI = SIPI vector it ran from): fill in the record except the round,
 * then switch to real mode and publish the round there.
 * ------------------------------------------------------------------------- */
storm_ap:
    call lapic_id
    movl %eax, %ebx
    imull $REC_STRIDE, %ebx
    addl $RECS, %ebx                    /* EBX = record (< 64 KiB) */
    movl $0, R_NMIS(%ebx)
    movl $0, R_ACK(%ebx)
    movl %esi, R_TAG(%ebx)
    lock incl R_BOOTS(%ebx)
    movl %esp, R_PMSP(%ebx)
    call lapic_enable
    shll $4, %eax
    leal RM_STACKS + 16(%eax), %edx     /* EDX = real-mode stack top */
    movl cur_round, %ecx                /* ECX = round to publish */
    ljmp $SEL_CODE16, $RM_ADDR(rm_pm16)

/* ---------------------------------------------------------------------------
 * Real-mode page (copied to RM_PAGE; all addresses via RM_ADDR, segment 0).
 * Registers across the switch: EBX = record, ECX = round, EDX = stack top.
 * ------------------------------------------------------------------------- */
    .code16
    .globl rm_start, rm_end              /* for the size check in guest.ld */
rm_start:
rm_pm16:                                /* 16-bit protected mode, CS base 0 */
    LOAD_DATA_SEGMENTS $SEL_DATA16      /* real-mode-compatible 64 KiB limits */
    movl %cr0, %eax
    andl $~1, %eax                      /* PE off */
    movl %eax, %cr0
    ljmp $0, $RM_ADDR(rm_real)
rm_real:                                /* real mode */
    xorw %ax, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %edx, %esp
    lidtl RM_ADDR(rm_idtr)
    movl %ecx, R_ROUND(%bx)             /* publish the check-in */
rm_wait:                                /* the hlt loop: acknowledge, then wait */
    movl R_NMIS(%bx), %eax
    movl %eax, R_ACK(%bx)
    hlt                                 /* IF=0: only NMI/INIT/SIPI get us out */
    jmp rm_wait
rm_wait_end:

/* rm_nmi: vector 2. BX (record) and DS (0) are those of the wait loop.
 * If the NMI interrupted the wait loop anywhere, return to its start, not to
 * the interrupted instruction: otherwise an NMI arriving after the ACK store
 * but before the HLT (the BSP sends NMI k+1 as soon as it sees ACK = k, and
 * a preempted vCPU can take it at any instruction boundary) would return to
 * the HLT, or to a store of a stale count, and the AP would sleep with the
 * new NMI unacknowledged. Frame: IP, CS (0), FLAGS; IRET restores FLAGS. */
rm_nmi:
    lock incl R_NMIS(%bx)
    pushw %bp
    movw %sp, %bp                       /* [bp] BP, [bp+2] IP, [bp+4] CS, [bp+6] FLAGS */
    cmpw $RM_ADDR(rm_wait), 2(%bp)
    jb 1f
    cmpw $RM_ADDR(rm_wait_end), 2(%bp)
    jae 1f
    movw $RM_ADDR(rm_wait), 2(%bp)
1:  popw %bp
    iret

/* Real-mode faults (any vector 0-31 except 2): each stub pushes its vector;
 * rm_fault goes back to protected mode and reports through the common
 * exception handler ("CPU <id> exception <vector> at EIP=<linear CS:IP>"). */
    .altmacro
.macro RM_FAULT_STUB v
rm_fault_\v:
    pushw $\v
    jmp rm_fault
.endm
    .set vec, 0
    .rept 32
    RM_FAULT_STUB %vec
    .set vec, vec + 1
    .endr
    .noaltmacro
rm_fault:                               /* stack: vector, IP, CS, FLAGS */
    movw %sp, %bp
    movzwl (%bp), %ecx                  /* ECX = vector */
    movzwl 4(%bp), %eax
    shll $4, %eax
    movzwl 2(%bp), %edx
    addl %eax, %edx                     /* EDX = linear address of the fault */
    movl %cr0, %eax
    orl $1, %eax                        /* PE on (our GDT is still loaded) */
    movl %eax, %cr0
    ljmpl $SEL_CODE32, $rm_fault32

    .align 4
rm_idt:                                 /* real-mode IVT: offset, segment */
    .altmacro
.macro RM_IVT_ENTRY v
    .if \v == 2
    .word RM_ADDR(rm_nmi), 0            /* 2: NMI */
    .else
    .word RM_ADDR(rm_fault_\v), 0
    .endif
.endm
    .set vec, 0
    .rept 32
    RM_IVT_ENTRY %vec
    .set vec, vec + 1
    .endr
    .noaltmacro
rm_idt_end:
    .word 0
rm_idtr:
    .word rm_idt_end - rm_idt - 1
    .long RM_ADDR(rm_idt)
rm_end:
    .code32

/* rm_fault32: back in protected mode (runs in the image, not copied). */
rm_fault32:
    LOAD_DATA_SEGMENTS $SEL_DATA32
    movl R_PMSP(%ebx), %esp             /* this AP's protected-mode stack */
    pushl $0                            /* EFLAGS */
    pushl $0                            /* CS */
    pushl %edx                          /* EIP = linear CS:IP */
    pushl $0                            /* error code */
    pushl %ecx                          /* vector */
    jmp isr_common
