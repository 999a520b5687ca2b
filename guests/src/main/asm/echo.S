/*
 * echo - reads lines typed on COM1, interrupt-driven, and echoes each back.
 *
 * Proves: bytes sent to the guest's serial port reach the 16550's receive
 * buffer and raise its receive interrupt (IER bit 0, OUT2 on, ISA IRQ 4
 * through the IOAPIC, edge-triggered as ISA interrupts are), so a guest can
 * read a line; the console stream carries the answer back.
 *
 * Options: none.
 * Output:
 *   echo: ready
 *   echo: <each non-empty line received, without its end>
 *   echo: bye                    (after the line "quit", then exit 0)
 * Exit: 0 after "quit"; 3 a line longer than 200 bytes; 99 CPU exception.
 */
#include "lib/defs.h"

#define RX_VECTOR       0x41
#define IOAPIC_BASE     0xFEC00000
#define COM1_GSI        4
#define RBR             (COM1 + 0)
#define IER             (COM1 + 1)
#define MCR             (COM1 + 4)
#define LSR             (COM1 + 5)
#define LINE_MAX        200

    .section .rodata
    .globl guest_name
guest_name:
    .asciz "echo"
known_options:
    .byte 0
quit_word:
    .asciz "quit"

    .bss
line:
    .space LINE_MAX + 1
line_len:
    .long 0
line_ready:
    .long 0

    .text
    .globl guest_main
guest_main:
    movl $known_options, %eax
    call opt_check_known
    movb $0xff, %al                     /* the 8259s stay masked: the IOAPIC delivers */
    outb %al, $0x21
    outb %al, $0xa1
    movl $RX_VECTOR, %eax
    movl $rx_isr, %edx
    call idt_set_gate
    call lapic_enable
    call lapic_id
    shll $24, %eax
    movl $(0x11 + 2 * COM1_GSI), IOAPIC_BASE      /* redirection entry 4, high: destination */
    movl %eax, IOAPIC_BASE + 0x10
    movl $(0x10 + 2 * COM1_GSI), IOAPIC_BASE      /* low: vector, fixed, edge, active high, unmasked */
    movl $RX_VECTOR, IOAPIC_BASE + 0x10
    movw $MCR, %dx                      /* DTR, RTS, OUT2 (the interrupt line's gate) */
    movb $0x0b, %al
    outb %al, %dx
    movw $IER, %dx                      /* received-data-available interrupt */
    movb $0x01, %al
    outb %al, %dx
    PRINTLN "ready"
    /*
     * Interrupts are on only at the hlt below, so the receive interrupt is
     * always taken there, and its handler need not return: it discards its
     * frame and comes back to wait_line. A PVM host's instruction emulator
     * fails on the guest's iret (KVM internal error, emulation failure; seen
     * on kernel 6.18.44-fc-v857), so this guest does without one.
     */
wait_line:
    cli
    cmpl $0, line_ready
    jne 2f
    sti
    hlt
    jmp wait_line
2:  call line_begin
    movl $line, %eax
    call puts
    call line_end
    movl $line, %esi                    /* "quit"? */
    movl $quit_word, %edi
3:  movb (%esi), %al
    cmpb (%edi), %al
    jne 4f
    testb %al, %al
    jz 5f
    incl %esi
    incl %edi
    jmp 3b
4:  cli
    movl $0, line_len
    movl $0, line_ready
    call drain                          /* bytes that waited in the UART behind this line */
    jmp wait_line
5:  PRINTLN "bye"
    xorl %eax, %eax
    ret

/*
 * rx_isr: take the bytes of the next line from the UART, then back to
 * wait_line, dropping the interrupt frame (EIP, CS, EFLAGS): it was taken at
 * wait_line's hlt, with nothing else on the stack.
 */
rx_isr:
    call drain
    movl $0, LAPIC_EOI
    addl $12, %esp
    jmp wait_line

/*
 * drain: move bytes from the UART into the line until it ends (CR or LF) or
 * the UART is empty; with a line waiting to be printed, leave the rest in the
 * UART (the main loop drains again once it has printed it). Interrupts off.
 */
drain:
    pushl %edx
    pushl %ecx
1:  cmpl $0, line_ready
    jne 4f
    movw $LSR, %dx
    inb %dx, %al
    testb $0x01, %al                    /* data ready */
    jz 4f
    movw $RBR, %dx
    inb %dx, %al
    cmpb $'\n', %al
    je 2f
    cmpb $'\r', %al
    je 2f
    movl line_len, %ecx
    cmpl $LINE_MAX, %ecx
    jae 3f
    movb %al, line(%ecx)
    incl line_len
    jmp 1b
2:  movl line_len, %ecx
    jecxz 1b                            /* an empty line (the LF of a CR LF) is no line */
    movb $0, line(%ecx)
    movl $1, line_ready
    jmp 1b
3:  PRINTLN "line longer than 200 bytes"
    EXIT $3
4:  popl %ecx
    popl %edx
    ret
