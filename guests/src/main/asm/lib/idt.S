/*
 * idt.S - interrupt descriptor table and the fatal exception handler.
 *
 * All 256 vectors get a stub. Vectors 0-31 report
 *     "<guest>: CPU <apic id> exception <vector> at EIP=0x........"
 * and vectors 32-255 report "... unexpected interrupt <vector> at EIP=...";
 * both then end the VM with exit code 99. A guest may replace any gate with
 * idt_set_gate (ipi-storm installs its own NMI handler on vector 2).
 * The BSP builds the table once; APs just lidt it.
 */
#include "defs.h"

    .bss
    .align 8
idt:
    .space 256 * 8

    .data
    .align 4
    .word 0
    .globl idtr
idtr:
    .word 256 * 8 - 1
    .long idt

/* ---------------------------------------------------------------------------
 * Stubs: push a dummy error code where the CPU does not push one, then the
 * vector, then jump to the common handler. Their addresses go to isr_table.
 * ------------------------------------------------------------------------- */
    .section .rodata.isr_table, "a"
    .align 4
isr_table:
    .text
    .altmacro
.macro ISR_STUB v
isr_stub_\v:
    .if (\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
    .else
    pushl $0
    .endif
    pushl $\v
    jmp isr_common
    .section .rodata.isr_table, "a"
    .long isr_stub_\v
    .text
.endm
    .set vec, 0
    .rept 256
    ISR_STUB %vec
    .set vec, vec + 1
    .endr
    .noaltmacro

/* ---------------------------------------------------------------------------
 * isr_common: stack = vector, error code, EIP, CS, EFLAGS. Never returns.
 * (ipi-storm also jumps here, with a synthesized frame, for real-mode faults.)
 * ------------------------------------------------------------------------- */
    .globl isr_common
isr_common:
    call line_begin                     /* nests if this CPU already holds the lock */
    PUTS "CPU "
    call cpu_apic_id
    call putdec
    movl (%esp), %eax
    cmpl $32, %eax
    jae 1f
    PUTS " exception "
    jmp 2f
1:  PUTS " unexpected interrupt "
2:  call putdec
    PUTS " at EIP="
    movl 8(%esp), %eax
    call puthex32
    call line_end
    EXIT $EXIT_EXCEPTION

/* ---------------------------------------------------------------------------
 * idt_set_gate(EAX = vector, EDX = handler): 32-bit interrupt gate, DPL 0.
 * ------------------------------------------------------------------------- */
    .globl idt_set_gate
idt_set_gate:
    pushl %ecx
    pushl %edx
    movl %edx, %ecx
    andl $0xFFFF, %ecx
    orl $(SEL_CODE32 << 16), %ecx
    movl %ecx, idt(, %eax, 8)
    andl $0xFFFF0000, %edx
    orl $0x8E00, %edx                   /* present, DPL 0, 32-bit interrupt gate */
    movl %edx, idt + 4(, %eax, 8)
    popl %edx
    popl %ecx
    ret

/* ---------------------------------------------------------------------------
 * idt_init: fill all 256 gates from isr_table and load the IDT on this CPU.
 * ------------------------------------------------------------------------- */
    .globl idt_init
idt_init:
    pushl %eax
    pushl %edx
    xorl %eax, %eax
1:  movl isr_table(, %eax, 4), %edx
    call idt_set_gate
    incl %eax
    cmpl $256, %eax
    jb 1b
    lidt idtr
    popl %edx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * cpu_apic_id -> EAX = initial APIC ID from CPUID.1 EBX[31:24]. Works on any
 * CPU in any state (no memory access), so the fault path uses it.
 * ------------------------------------------------------------------------- */
    .globl cpu_apic_id
cpu_apic_id:
    pushl %ebx
    pushl %ecx
    pushl %edx
    movl $1, %eax
    xorl %ecx, %ecx
    cpuid
    movl %ebx, %eax
    shrl $24, %eax
    popl %edx
    popl %ecx
    popl %ebx
    ret
