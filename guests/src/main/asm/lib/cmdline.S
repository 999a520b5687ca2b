/*
 * cmdline.S - Multiboot command line: copy at entry, then key=value lookups.
 *
 * The command line is "<image path> word word ...". The first word is always
 * skipped (it differs between VMMs, so it is never printed). Options are
 * words of the form key=value; values are unsigned 32-bit decimal or 0x-hex.
 * If a key appears more than once, the last one wins.
 */
#include "defs.h"

    .bss
    .globl cmdline_buf
cmdline_buf:
    .space CMDLINE_MAX

    .text
/* ---------------------------------------------------------------------------
 * cmdline_init(EAX = Multiboot info): copy the command line (if the cmdline
 * flag is set) into cmdline_buf, truncated to CMDLINE_MAX - 1 bytes.
 * ------------------------------------------------------------------------- */
    .globl cmdline_init
cmdline_init:
    pushl %eax
    pushl %ecx
    pushl %esi
    pushl %edi
    movl $cmdline_buf, %edi
    testl $MBI_FLAG_CMDLINE, MBI_FLAGS(%eax)
    jz 2f
    movl MBI_CMDLINE(%eax), %esi
    testl %esi, %esi
    jz 2f
    movl $(CMDLINE_MAX - 1), %ecx
1:  movb (%esi), %al
    testb %al, %al
    jz 2f
    movb %al, (%edi)
    incl %esi
    incl %edi
    loop 1b
2:  movb $0, (%edi)
    popl %edi
    popl %esi
    popl %ecx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * Word scanning helpers (ESI in/out). A blank is any byte 0x01-0x20.
 * ------------------------------------------------------------------------- */
skip_blank:
    cmpb $0, (%esi)
    je 1f
    cmpb $' ', (%esi)
    ja 1f
    incl %esi
    jmp skip_blank
1:  ret

skip_word:
    cmpb $' ', (%esi)
    jbe 1f
    incl %esi
    jmp skip_word
1:  ret

/* ESI -> first option word (or the terminating NUL) */
first_option:
    movl $cmdline_buf, %esi
    call skip_blank
    call skip_word
    ret

/* put_word(ESI): print the word at ESI. */
put_word:
    pushl %eax
    pushl %esi
1:  movb (%esi), %al
    cmpb $' ', %al
    jbe 2f
    call putc
    incl %esi
    jmp 1b
2:  popl %esi
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * parse_uint(ESI -> number ending at a blank or NUL) -> EAX, ESI past it;
 * CF set if empty, not a number, or more than 32 bits.
 * ------------------------------------------------------------------------- */
parse_uint:
    pushl %ebx
    pushl %ecx
    pushl %edx
    pushl %edi
    xorl %eax, %eax
    xorl %edi, %edi                     /* digit count */
    movl $10, %ebx
    cmpb $'0', (%esi)
    jne 1f
    movb 1(%esi), %cl
    orb $0x20, %cl
    cmpb $'x', %cl
    jne 1f
    addl $2, %esi
    movl $16, %ebx
1:  movzbl (%esi), %ecx
    cmpl $' ', %ecx
    jbe 4f
    subl $'0', %ecx
    cmpl $9, %ecx
    jbe 2f
    orl $0x20, %ecx                     /* 'A'-'0' | 0x20 == 'a'-'0' */
    subl $('a' - '0'), %ecx
    cmpl $5, %ecx
    ja 5f
    addl $10, %ecx
2:  cmpl %ebx, %ecx
    jae 5f
    mull %ebx
    jc 5f
    addl %ecx, %eax
    jc 5f
    incl %esi
    incl %edi
    jmp 1b
4:  testl %edi, %edi
    jz 5f
    clc
    jmp 6f
5:  stc
6:  popl %edi
    popl %edx
    popl %ecx
    popl %ebx
    ret

/* ---------------------------------------------------------------------------
 * opt_uint(EAX = key without '=', EDX = default) -> EAX = value.
 * A malformed value prints "bad value in option '<word>'" and exits 8.
 * ------------------------------------------------------------------------- */
    .globl opt_uint
opt_uint:
    pushl %ebx
    pushl %ecx
    pushl %esi
    pushl %edi
    movl %eax, %edi                     /* key */
    movl %edx, %ebx                     /* result so far */
    call first_option
1:  call skip_blank
    cmpb $0, (%esi)
    je 5f
    xorl %ecx, %ecx
2:  movb (%edi, %ecx), %al              /* compare the key */
    testb %al, %al
    jz 3f
    cmpb %al, (%esi, %ecx)
    jne 4f
    incl %ecx
    jmp 2b
3:  cmpb $'=', (%esi, %ecx)
    jne 4f
    pushl %esi
    leal 1(%esi, %ecx), %esi
    call parse_uint
    jc 6f
    addl $4, %esp
    movl %eax, %ebx
    jmp 1b
4:  call skip_word
    jmp 1b
5:  movl %ebx, %eax
    popl %edi
    popl %esi
    popl %ecx
    popl %ebx
    ret
6:  popl %esi
    call line_begin
    PUTS "bad value in option '"
    call put_word
    PUTS "' (expected a decimal or 0x-hex 32-bit number)"
    call line_end
    EXIT $EXIT_OPTION

/* ---------------------------------------------------------------------------
 * opt_check_known(EAX = list of NUL-terminated keys, ended by an empty string):
 * print "ignoring unknown option '<word>'" for every other option word.
 * ------------------------------------------------------------------------- */
    .globl opt_check_known
opt_check_known:
    pushl %eax
    pushl %ebx
    pushl %ecx
    pushl %edx
    pushl %esi
    pushl %edi
    movl %eax, %edx                     /* list */
    call first_option
1:  call skip_blank
    cmpb $0, (%esi)
    je 9f
    xorl %ecx, %ecx                     /* ECX = key length (up to '=') */
2:  movb (%esi, %ecx), %al
    cmpb $'=', %al
    je 3f
    cmpb $' ', %al
    jbe 7f                              /* no '=': not an option */
    incl %ecx
    jmp 2b
3:  movl %edx, %edi                     /* walk the list */
4:  cmpb $0, (%edi)
    je 7f                               /* end of list: unknown */
    xorl %ebx, %ebx
5:  cmpl %ecx, %ebx
    je 6f
    movb (%esi, %ebx), %al
    cmpb %al, (%edi, %ebx)
    jne 8f
    incl %ebx
    jmp 5b
6:  cmpb $0, (%edi, %ebx)               /* same length? */
    je 10f                              /* known */
8:  cmpb $0, (%edi)                     /* skip to the next list entry */
    je 81f
    incl %edi
    jmp 8b
81: incl %edi
    jmp 4b
7:  call line_begin
    PUTS "ignoring unknown option '"
    call put_word
    PUTS "'"
    call line_end
10: call skip_word
    jmp 1b
9:  popl %edi
    popl %esi
    popl %edx
    popl %ecx
    popl %ebx
    popl %eax
    ret
