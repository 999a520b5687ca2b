/*
 * hello - the smallest guest and the toolchain smoke test.
 *
 * Proves: the VMM loads a Multiboot ELF at 1 MiB (with .bss), enters it in
 * 32-bit protected mode with the Multiboot magic and info, passes the command
 * line, and provides COM1 output and the exit port 0xf4.
 *
 * Options: exit=N   value to exit with (default 0)
 * Output:  "hello: Hello from a jvmm guest"
 * Exit:    N; 8 bad option value; 99 CPU exception
 */
#include "lib/defs.h"

    .section .rodata
    .globl guest_name
guest_name:
    .asciz "hello"
known_options:
    .asciz "exit"
    .byte 0
key_exit:
    .asciz "exit"

    .text
/* ---------------------------------------------------------------------------
 * guest_main: greet, then exit with exit=N.
 * ------------------------------------------------------------------------- */
    .globl guest_main
guest_main:
    movl $known_options, %eax
    call opt_check_known
    PRINTLN "Hello from a jvmm guest"
    movl $key_exit, %eax
    xorl %edx, %edx
    call opt_uint
    ret                                 /* boot.S exits with EAX */
