/*
 * serial.S - COM1 16550 output and formatted printing.
 *
 * Lines are printed between line_begin (takes the print lock, writes
 * "<guest>: ") and line_end (writes "\n", releases the lock), so lines from
 * different CPUs never interleave. The lock records its owner (initial APIC
 * ID + 1) and nests, so the exception handler can print even if the faulting
 * CPU was in the middle of a line.
 */
#include "defs.h"

#define THR (COM1 + 0)      /* transmit holding register (DLAB=0) */
#define DLL (COM1 + 0)      /* divisor latch low (DLAB=1) */
#define IER (COM1 + 1)
#define DLM (COM1 + 1)
#define FCR (COM1 + 2)
#define LCR (COM1 + 3)
#define MCR (COM1 + 4)
#define LSR (COM1 + 5)
#define LSR_THRE 0x20

    .data
    .align 4
print_owner: .long 0                    /* 0 = free, else owner's APIC ID + 1 */
print_depth: .long 0                    /* nesting depth, touched by the owner only */

    .text
/* ---------------------------------------------------------------------------
 * serial_init: 115200 baud, 8N1, FIFOs on, no interrupts.
 * ------------------------------------------------------------------------- */
    .globl serial_init
serial_init:
    pushl %eax
    pushl %edx
    movb $0x00, %al
    movw $IER, %dx
    outb %al, %dx
    movb $0x80, %al                     /* DLAB on */
    movw $LCR, %dx
    outb %al, %dx
    movb $0x01, %al                     /* divisor 1 = 115200 baud */
    movw $DLL, %dx
    outb %al, %dx
    movb $0x00, %al
    movw $DLM, %dx
    outb %al, %dx
    movb $0x03, %al                     /* 8N1, DLAB off */
    movw $LCR, %dx
    outb %al, %dx
    movb $0xC7, %al                     /* enable + clear FIFOs */
    movw $FCR, %dx
    outb %al, %dx
    movb $0x03, %al                     /* DTR | RTS */
    movw $MCR, %dx
    outb %al, %dx
    popl %edx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * putc(AL): wait for THRE, then write the byte.
 * ------------------------------------------------------------------------- */
    .globl putc
putc:
    pushl %eax
    pushl %edx
    movb %al, %ah
    movw $LSR, %dx
1:  inb %dx, %al
    testb $LSR_THRE, %al
    jnz 2f
    pause
    jmp 1b
2:  movb %ah, %al
    movw $THR, %dx
    outb %al, %dx
    popl %edx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * puts(EAX = NUL-terminated string)
 * ------------------------------------------------------------------------- */
    .globl puts
puts:
    pushl %eax
    pushl %esi
    movl %eax, %esi
1:  movb (%esi), %al
    testb %al, %al
    jz 2f
    call putc
    incl %esi
    jmp 1b
2:  popl %esi
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * putdec(EAX): unsigned decimal.
 * ------------------------------------------------------------------------- */
    .globl putdec
putdec:
    pushl %eax
    pushl %ecx
    pushl %edx
    pushl %esi
    subl $12, %esp
    leal 11(%esp), %esi
    movb $0, (%esi)
    movl $10, %ecx
1:  xorl %edx, %edx
    divl %ecx
    addb $'0', %dl
    decl %esi
    movb %dl, (%esi)
    testl %eax, %eax
    jnz 1b
    movl %esi, %eax
    call puts
    addl $12, %esp
    popl %esi
    popl %edx
    popl %ecx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * puthex32(EAX): "0x" + 8 lower-case hex digits.  puthex8(AL): "0x" + 2 digits.
 * ------------------------------------------------------------------------- */
    .globl puthex32, puthex8
puthex32:
    pushl %ecx
    movl $8, %ecx
    jmp puthex_n
puthex8:
    pushl %ecx
    movl $2, %ecx
    roll $24, %eax                      /* bring AL to the top nibbles */
puthex_n:                               /* ECX digits from the top of EAX; ECX saved */
    pushl %eax
    pushl %edx
    movl %eax, %edx
    movb $'0', %al
    call putc
    movb $'x', %al
    call putc
1:  roll $4, %edx
    movl %edx, %eax
    andl $0xF, %eax
    movb hexdigits(%eax), %al
    call putc
    loop 1b
    popl %edx
    popl %eax
    popl %ecx
    ret

/* ---------------------------------------------------------------------------
 * line_begin: take the print lock (nesting for the owner), print "<guest>: ".
 * line_end:   print "\n", release the lock at nesting depth 0.
 * ------------------------------------------------------------------------- */
    .globl line_begin, line_end
line_begin:
    pushl %eax
    pushl %ecx
    pushl %edx
    call cpu_apic_id
    leal 1(%eax), %ecx                  /* ECX = my owner tag */
    cmpl %ecx, print_owner
    je 2f                               /* already mine: nest */
1:  xorl %eax, %eax
    lock cmpxchgl %ecx, print_owner
    je 2f
    pause
    jmp 1b
2:  incl print_depth
    movl $guest_name, %eax
    call puts
    movb $':', %al
    call putc
    movb $' ', %al
    call putc
    popl %edx
    popl %ecx
    popl %eax
    ret

line_end:
    pushl %eax
    movb $'\n', %al
    call putc
    decl print_depth
    jnz 1f
    movl $0, print_owner                /* release (plain store is a release on x86) */
1:  popl %eax
    ret

/* println(EAX = string): one whole line. */
    .globl println
println:
    call line_begin
    call puts
    call line_end
    ret

    .section .rodata
hexdigits:
    .ascii "0123456789abcdef"
