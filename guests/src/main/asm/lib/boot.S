/*
 * boot.S - Multiboot header, BSP entry, GDT, the AP 32-bit entry path and guest_exit.
 *
 * Flow on the BSP:  _start -> POST 0x01 -> own GDT/segments/stack -> IDT -> COM1
 *                   -> check Multiboot magic -> copy command line -> guest_main
 *                   -> guest_exit(return value).
 * Flow on an AP:    trampoline (real mode) or jvmm power controller (protected mode)
 *                   -> ap_entry32 -> own stack (atomic counter) -> IDT -> *ap_main_hook.
 *
 * Every guest must define:  guest_name (NUL-terminated string) and guest_main.
 */
#include "defs.h"

/* ---------------------------------------------------------------------------
 * Multiboot v1 header. The linker script puts .multiboot first in the image so
 * it lands within the first 8 KiB of the file. No a.out kludge (bit 16): the
 * loader uses the ELF program headers.
 * ------------------------------------------------------------------------- */
    .section .multiboot, "a"
    .align 4
    .globl multiboot_header
multiboot_header:
    .long MB_HEADER_MAGIC
    .long MB_FLAGS
    .long -(MB_HEADER_MAGIC + MB_FLAGS)

/* ---------------------------------------------------------------------------
 * GDT: flat 4 GiB code and data, plus 16-bit 64 KiB code and data used to
 * drop back to real mode. Accessed bits pre-set so the CPU never writes to
 * the table.
 * ------------------------------------------------------------------------- */
    .data
    .align 8
    .globl gdt
gdt:
    .quad 0                             /* 0x00 null */
    .quad 0x00CF9B000000FFFF            /* 0x08 code32, base 0, limit 4G */
    .quad 0x00CF93000000FFFF            /* 0x10 data32, base 0, limit 4G */
    .quad 0x00009B000000FFFF            /* 0x18 code16, base 0, limit 64K */
    .quad 0x000093000000FFFF            /* 0x20 data16, base 0, limit 64K */
    .align 4
    .word 0                             /* pad so the base below is 4-aligned */
    .globl gdtr
gdtr:
    .word GDT_LIMIT
    .long gdt

/* Multiboot values saved at entry, and the AP dispatch hook. */
    .globl mb_magic, mb_info, ap_main_hook, ap_stack_next, ap_stack_overflow
mb_magic:          .long 0
mb_info:           .long 0
ap_main_hook:      .long ap_park        /* set by the guest before waking APs */
ap_stack_next:     .long 0              /* atomic counter: next free AP stack */
ap_stack_overflow: .long 0              /* APs that found no free stack */

/* ---------------------------------------------------------------------------
 * Stacks (zero-filled .bss, part of the PT_LOAD segment).
 * ------------------------------------------------------------------------- */
    .bss
    .align 16
bsp_stack:
    .space BSP_STACK_SIZE
bsp_stack_top:
    .globl ap_stacks
ap_stacks:
    .space MAX_CPUS * AP_STACK_SIZE

/* ---------------------------------------------------------------------------
 * BSP entry (Multiboot state: protected mode, flat segments, paging off,
 * EAX = 0x2BADB002, EBX = Multiboot info).
 * ------------------------------------------------------------------------- */
    .text
    .globl _start
_start:
    movl %eax, %ecx                     /* keep the magic; AL is needed for the POST code */
    movb $0x01, %al
    outb %al, $PORT_POST                /* POST 0x01: reached guest entry */
    cli
    cld
    lgdt gdtr
    ljmp $SEL_CODE32, $1f
1:  LOAD_DATA_SEGMENTS $SEL_DATA32
    movl $bsp_stack_top, %esp
    movl %ecx, mb_magic
    movl %ebx, mb_info
    call idt_init
    call serial_init
    cmpl $MB_BOOT_MAGIC, mb_magic
    je 2f
    call line_begin
    PUTS "not entered by a Multiboot loader (EAX="
    PUTHEX mb_magic
    PUTS ", expected 0x2badb002)"
    call line_end
    EXIT $EXIT_MULTIBOOT
2:  movl mb_info, %eax
    call cmdline_init                   /* copy it before low memory gets reused */
    call guest_main
    jmp guest_exit

/* ---------------------------------------------------------------------------
 * guest_exit(EAX = result): report the result on port 0xf4, then halt forever.
 * ------------------------------------------------------------------------- */
    .globl guest_exit
guest_exit:
    movw $PORT_EXIT, %dx
    outl %eax, %dx
1:  cli
    hlt
    jmp 1b

/* ---------------------------------------------------------------------------
 * ap_entry32: common 32-bit AP path. Entered with CS = SEL_CODE32 of our GDT,
 * interrupts off, any stack. ESI, EDI, EBP carry entry-specific values that are
 * passed unchanged to the hook:
 *   trampoline:       ESI = SIPI vector the AP started from, EDI = EBP = 0
 *   power controller: ESI = 0xFFFFFFFF, EDI = argument (EBX), EBP = CPU index (EAX)
 * The hook runs on a private stack; if it returns, the AP parks.
 * ------------------------------------------------------------------------- */
    .globl ap_entry32
ap_entry32:
    cld
    LOAD_DATA_SEGMENTS $SEL_DATA32
    movl $1, %eax
    lock xaddl %eax, ap_stack_next      /* EAX = my stack slot */
    cmpl $MAX_CPUS, %eax
    jae ap_no_stack
    incl %eax
    imull $AP_STACK_SIZE, %eax
    leal ap_stacks(%eax), %esp
    lidt idtr
    call *ap_main_hook
    /* fall through */
    .globl ap_park
ap_park:                                /* cli; hlt forever (NMIs still run their handler) */
    cli
    hlt
    jmp ap_park
ap_no_stack:
    lock incl ap_stack_overflow
    jmp ap_park

/* ---------------------------------------------------------------------------
 * pwrctl_entry: where CPUs started by the jvmm CPU power controller begin.
 * State: 32-bit flat protected mode (CS 0x08, data 0x10) but the GDTR is not
 * ours, EAX = CPU index, EBX = argument, ESP = 0 (unusable).
 * ------------------------------------------------------------------------- */
    .globl pwrctl_entry
pwrctl_entry:
    cli
    movl %eax, %ebp                     /* CPU index */
    movl %ebx, %edi                     /* argument */
    movl $0xFFFFFFFF, %esi              /* "no trampoline" */
    lgdt gdtr
    ljmp $SEL_CODE32, $ap_entry32
