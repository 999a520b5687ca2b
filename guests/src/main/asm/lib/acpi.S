/*
 * acpi.S - find the ACPI tables this project needs.
 *
 * RSDP: "RSD PTR " on a 16-byte boundary in 0xE0000-0xFFFFF with a valid
 * checksum. From it the RSDT (32-bit entries) or, if the RSDT is unusable,
 * the XSDT (64-bit entries, only those below 4 GiB). Tables found:
 *   FADT ("FACP"): PM_TMR_BLK at offset 76, flags at 112 (bit 8 TMR_VAL_EXT)
 *   MADT ("APIC"): local APIC entries (type 0) from offset 44
 */
#include "defs.h"

#define SIG_RSD_  0x20445352        /* "RSD " */
#define SIG_PTR_  0x20525450        /* "PTR " */
#define SIG_RSDT  0x54445352        /* "RSDT" */
#define SIG_XSDT  0x54445358        /* "XSDT" */
#define SIG_FACP  0x50434146        /* "FACP" */
#define SIG_APIC  0x43495041        /* "APIC" */
#define TABLE_MAX_LEN 0x100000      /* sanity bound for lengths we checksum */

    .data
    .align 4
    .globl acpi_rsdp, acpi_rsdt, acpi_xsdt, acpi_fadt, acpi_madt, pm_port, pm_mask
acpi_rsdp: .long 0
acpi_rsdt: .long 0                  /* 0 if absent/invalid */
acpi_xsdt: .long 0                  /* 0 if absent/invalid/above 4 GiB */
acpi_fadt: .long 0
acpi_madt: .long 0                  /* 0 if there is no MADT */
pm_port:   .long 0                  /* PM timer I/O port */
pm_mask:   .long 0x00FFFFFF         /* 0x00FFFFFF (24-bit) or 0xFFFFFFFF (TMR_VAL_EXT) */

    .text
/* ---------------------------------------------------------------------------
 * acpi_checksum(EAX = address, EDX = length) -> ZF set if the bytes sum to 0.
 * ------------------------------------------------------------------------- */
acpi_checksum:
    pushl %eax
    pushl %ecx
    pushl %esi
    movl %eax, %esi
    movl %edx, %ecx
    xorl %eax, %eax
1:  addb (%esi), %al
    incl %esi
    loop 1b
    testb %al, %al
    popl %esi
    popl %ecx
    popl %eax
    ret

/* table_ok(EAX = table, EDX = signature) -> ZF set if signature, length and checksum are good. */
table_ok:
    pushl %edx
    cmpl %edx, (%eax)
    jne 1f
    movl 4(%eax), %edx
    cmpl $36, %edx
    jb 1f
    cmpl $TABLE_MAX_LEN, %edx
    ja 1f
    call acpi_checksum
    jmp 2f
1:  cmpl $0, %esp                       /* clear ZF (ESP is never 0) */
2:  popl %edx
    ret

/* ---------------------------------------------------------------------------
 * acpi_find(EAX = signature dword) -> EAX = table address, or 0 if not found.
 * ------------------------------------------------------------------------- */
    .globl acpi_find
acpi_find:
    pushl %ecx
    pushl %edx
    pushl %esi
    pushl %edi
    movl %eax, %edx                     /* signature */
    movl acpi_rsdt, %esi
    testl %esi, %esi
    jz 3f
    movl 4(%esi), %ecx                  /* RSDT: 32-bit entries */
    subl $36, %ecx
    shrl $2, %ecx
    addl $36, %esi
1:  jecxz 8f
    movl (%esi), %eax
    call table_ok
    je 9f
    addl $4, %esi
    decl %ecx
    jmp 1b
3:  movl acpi_xsdt, %esi
    testl %esi, %esi
    jz 8f
    movl 4(%esi), %ecx                  /* XSDT: 64-bit entries */
    subl $36, %ecx
    shrl $3, %ecx
    addl $36, %esi
4:  jecxz 8f
    cmpl $0, 4(%esi)
    jne 5f                              /* above 4 GiB: unreachable without paging */
    movl (%esi), %eax
    call table_ok
    je 9f
5:  addl $8, %esi
    decl %ecx
    jmp 4b
8:  xorl %eax, %eax
9:  popl %edi
    popl %esi
    popl %edx
    popl %ecx
    ret

/* ---------------------------------------------------------------------------
 * acpi_init: locate RSDP, RSDT/XSDT, FADT (-> pm_port, pm_mask) and MADT.
 * Exits 6 with a message if there is no usable RSDP/RSDT/FADT/PM timer.
 * ------------------------------------------------------------------------- */
    .globl acpi_init
acpi_init:
    pushl %eax
    pushl %edx
    pushl %esi
    /* RSDP scan */
    movl $0xE0000, %esi
1:  cmpl $SIG_RSD_, (%esi)
    jne 2f
    cmpl $SIG_PTR_, 4(%esi)
    jne 2f
    movl %esi, %eax
    movl $20, %edx
    call acpi_checksum
    je 3f
2:  addl $16, %esi
    cmpl $0x100000, %esi
    jb 1b
    PRINTLN "no ACPI RSDP (\"RSD PTR \" with valid checksum) in 0xE0000-0xFFFFF"
    EXIT $EXIT_ACPI
3:  movl %esi, acpi_rsdp
    /* RSDT */
    movl 16(%esi), %eax
    movl $SIG_RSDT, %edx
    testl %eax, %eax
    jz 4f
    call table_ok
    jne 4f
    movl %eax, acpi_rsdt
4:  /* XSDT (ACPI 2.0+ RSDP, 36 bytes with its own checksum) */
    cmpb $2, 15(%esi)
    jb 5f
    movl %esi, %eax
    movl $36, %edx
    call acpi_checksum
    jne 5f
    cmpl $0, 28(%esi)
    jne 5f
    movl 24(%esi), %eax
    movl $SIG_XSDT, %edx
    testl %eax, %eax
    jz 5f
    call table_ok
    jne 5f
    movl %eax, acpi_xsdt
5:  movl acpi_rsdt, %eax
    orl acpi_xsdt, %eax
    jnz 6f
    PRINTLN "ACPI RSDP found but neither RSDT nor XSDT is valid"
    EXIT $EXIT_ACPI
6:  /* FADT -> PM timer */
    movl $SIG_FACP, %eax
    call acpi_find
    testl %eax, %eax
    jnz 7f
    PRINTLN "no ACPI FADT (\"FACP\") table"
    EXIT $EXIT_ACPI
7:  movl %eax, acpi_fadt
    movl 76(%eax), %edx                 /* PM_TMR_BLK */
    testl %edx, %edx
    jnz 8f
    PRINTLN "ACPI FADT has no PM timer (PM_TMR_BLK = 0)"
    EXIT $EXIT_ACPI
8:  movl %edx, pm_port
    movl $0x00FFFFFF, pm_mask
    cmpl $116, 4(%eax)
    jb 9f
    testl $(1 << 8), 112(%eax)          /* TMR_VAL_EXT */
    jz 9f
    movl $0xFFFFFFFF, pm_mask
9:  /* MADT (optional here; users check acpi_madt) */
    movl $SIG_APIC, %eax
    call acpi_find
    movl %eax, acpi_madt
    popl %esi
    popl %edx
    popl %eax
    ret

/* ---------------------------------------------------------------------------
 * madt_count_lapics(EAX = 256-byte array, zeroed by the caller) -> EAX =
 * number of enabled type-0 (local APIC) entries; array[apic_id] counts them
 * (saturating at 255). Requires acpi_madt != 0.
 * ------------------------------------------------------------------------- */
    .globl madt_count_lapics
madt_count_lapics:
    pushl %ebx
    pushl %ecx
    pushl %edx
    pushl %esi
    pushl %edi
    movl %eax, %edi
    xorl %ebx, %ebx                     /* count */
    movl acpi_madt, %esi
    movl 4(%esi), %edx
    addl %esi, %edx                     /* EDX = end */
    addl $44, %esi
1:  leal 2(%esi), %eax
    cmpl %edx, %eax
    ja 9f
    movzbl 1(%esi), %ecx                /* entry length */
    cmpl $2, %ecx
    jb 9f                               /* malformed: stop */
    cmpb $0, (%esi)
    jne 2f
    cmpl $8, %ecx
    jb 2f
    testl $1, 4(%esi)                   /* enabled */
    jz 2f
    incl %ebx
    movzbl 3(%esi), %eax                /* APIC ID */
    cmpb $255, (%edi, %eax)
    je 2f
    incb (%edi, %eax)
2:  addl %ecx, %esi
    jmp 1b
9:  movl %ebx, %eax
    popl %edi
    popl %esi
    popl %edx
    popl %ecx
    popl %ebx
    ret
