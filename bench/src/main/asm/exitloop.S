/*
 * exitloop - the guest of the exit round-trip benchmark (bench/run, docs/benchmarks.md).
 *
 * A Multiboot v1 guest with no library: it writes POST 0x01 (reached guest entry), reads
 * n=N from the Multiboot command line (default 0), writes N to the marker port, does N
 * one-byte OUTs to LOOP_PORT, a port no device claims, writes the marker port again and
 * exits with 0 through the isa-debug-exit port 0xf4. The VMM side times the loop between
 * the two marker writes, so guest entry, set-up and teardown are not part of the figure.
 *
 * Both sides run this same ELF: jvmm through Machine and its vCPU loop (the marker is a
 * device the benchmark adds to the port bus; LOOP_PORT stays unclaimed, so every exit goes
 * through the Big Lock, the bus and the metrics), and bench/src/main/c/exitloop.c through a
 * bare KVM_RUN loop. Per loop turn the guest runs 3 instructions (out, dec, jnz).
 */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_FLAGS        0x00000003
#define MB_INFO_CMDLINE 0x4
#define PORT_POST       0x80
#define PORT_EXIT       0xf4
#define LOOP_PORT       0x700
#define MARK_PORT       0x704

    .section .multiboot, "a"
    .align 4
    .long MB_HEADER_MAGIC
    .long MB_FLAGS
    .long -(MB_HEADER_MAGIC + MB_FLAGS)

    .text
    .globl _start
_start:
    movb $0x01, %al
    outb %al, $PORT_POST            /* POST 0x01: reached guest entry */
    cli
    cld
    xorl %ecx, %ecx                 /* N = 0 unless n=N is given */
    testl $MB_INFO_CMDLINE, (%ebx)
    jz have_n
    movl 16(%ebx), %edi             /* command line (C string) */
    movb $' ', %dl                  /* the character before the current one */
scan:
    movb (%edi), %al
    testb %al, %al
    jz have_n
    cmpb $' ', %dl
    jne next
    cmpb $'n', %al
    jne next
    cmpb $'=', 1(%edi)
    jne next
    addl $2, %edi
digits:
    movzbl (%edi), %eax
    subl $'0', %eax
    cmpl $9, %eax
    ja have_n
    imull $10, %ecx, %ecx
    addl %eax, %ecx
    incl %edi
    jmp digits
next:
    movb %al, %dl
    incl %edi
    jmp scan

have_n:
    movl %ecx, %eax
    movw $MARK_PORT, %dx
    outl %eax, %dx                  /* marker 1: the loop starts (value N) */
    movw $LOOP_PORT, %dx
    testl %ecx, %ecx
    jz done
loop:
    outb %al, %dx                   /* one exit to user space */
    decl %ecx
    jnz loop
done:
    movw $MARK_PORT, %dx
    outl %eax, %dx                  /* marker 2: the loop ended */
    xorl %eax, %eax
    movw $PORT_EXIT, %dx
    outl %eax, %dx                  /* exit 0 */
1:  cli
    hlt
    jmp 1b
