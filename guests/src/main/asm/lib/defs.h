/*
 * defs.h - constants and assembler macros shared by every jvmm guest.
 *
 * Included (via the C preprocessor) by every .S file under src/main/asm.
 *
 * Calling convention used throughout lib/ (documented once, here):
 *   - arguments in EAX, EDX, ECX (in that order), result in EAX (EDX:EAX for
 *     64-bit values); a routine may also report failure in CF.
 *   - every routine preserves every register that is not one of its
 *     documented outputs (so callers never need to save anything).
 *   - the direction flag is always clear.
 */
#ifndef JVMM_GUEST_DEFS_H
#define JVMM_GUEST_DEFS_H

/* ---- segment selectors of our own GDT (lib/boot.S) ---- */
#define SEL_CODE32      0x08
#define SEL_DATA32      0x10
#define SEL_CODE16      0x18            /* 16-bit code, base 0, limit 64 KiB (to leave protected mode) */
#define SEL_DATA16      0x20            /* 16-bit data, base 0, limit 64 KiB */
#define GDT_LIMIT       (5 * 8 - 1)

/* ---- Multiboot v1 ---- */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_FLAGS        0x00000003      /* bit 0: page-align modules, bit 1: memory info */
#define MB_BOOT_MAGIC   0x2BADB002      /* EAX at entry */
#define MBI_FLAGS       0               /* offsets into the Multiboot info structure */
#define MBI_CMDLINE     16
#define MBI_FLAG_CMDLINE (1 << 2)

/* ---- I/O ports ---- */
#define PORT_POST       0x80            /* POST code port; byte 0x01 = "reached guest entry" */
#define PORT_EXIT       0xf4            /* isa-debug-exit: outl result */
#define COM1            0x3f8
#define FWCFG_SEL       0x510           /* fw_cfg legacy selector (16-bit write) */
#define FWCFG_DATA      0x511           /* fw_cfg legacy data (8-bit reads) */
#define PWRCTL_SIG      0x530           /* jvmm CPU power controller: signature (read) */
#define PWRCTL_ENTRY    0x534           /*   entry address latch (write)                */
#define PWRCTL_ARG      0x538           /*   argument latch (write)                     */
#define PWRCTL_START    0x53c           /*   write: start CPU index; read: last result  */
#define PWRCTL_MAGIC    0x4350564A      /* "JVPC" as little-endian bytes */

/* ---- fw_cfg keys ---- */
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_RAM_SIZE  0x0003
#define FW_CFG_NB_CPUS   0x0005
#define FW_CFG_MAX_CPUS  0x000f

/* ---- ACPI ---- */
#define PMTIMER_HZ      3579545

/* ---- local APIC (xAPIC MMIO) ---- */
#define LAPIC_BASE      0xFEE00000
#define LAPIC_ID        (LAPIC_BASE + 0x020)
#define LAPIC_EOI       (LAPIC_BASE + 0x0B0)
#define LAPIC_SVR       (LAPIC_BASE + 0x0F0)
#define LAPIC_LVT_LINT1 (LAPIC_BASE + 0x360)
#define LVT_DM_NMI      (4 << 8)         /* delivery mode NMI, edge, not masked */
#define LAPIC_ICR_LO    (LAPIC_BASE + 0x300)
#define LAPIC_ICR_HI    (LAPIC_BASE + 0x310)
#define SVR_ENABLE      (1 << 8)
#define SPURIOUS_VECTOR 0xFF
#define ICR_BUSY        (1 << 12)        /* delivery status */
#define ICR_ASSERT      (1 << 14)
#define ICR_DM_NMI      (4 << 8)
#define ICR_DM_INIT     (5 << 8)
#define ICR_DM_SIPI     (6 << 8)
#define ICR_ALL_BUT_SELF (3 << 18)

/* ---- limits and memory layout ---- */
#define MAX_CPUS        255             /* xAPIC: APIC IDs 0..254 */
#define AP_STACK_SIZE   4096
#define BSP_STACK_SIZE  16384
#define CMDLINE_MAX     1024
#define PERCPU_STRIDE   64              /* one cache line per CPU in per-CPU tables */

/* ---- exit codes shared by all guests (guest-specific ones in each guest) ---- */
#define EXIT_PASS       0
#define EXIT_FWCFG      4               /* fw_cfg missing or nonsensical */
#define EXIT_ACPI       6               /* no RSDP / RSDT / FADT / PM timer */
#define EXIT_OPTION     8               /* malformed command-line option value */
#define EXIT_MULTIBOOT  9               /* not entered by a Multiboot loader */
#define EXIT_ICR        10              /* local APIC ICR stayed busy */
#define EXIT_EXCEPTION  99              /* CPU exception / unexpected interrupt */

/* ---- AP-detected error kinds (lib/smp.S ap_error) ---- */
#define AP_ERR_ID_MISMATCH   1      /* a = LAPIC ID register, b = CPUID.1 initial APIC ID */
#define AP_ERR_BAD_INDEX     2      /* a = EAX (CPU index), b = EBX (argument) */
#define AP_ERR_WRONG_APIC    3      /* a = CPU index, b = LAPIC ID */
#define AP_ERR_APIC_ENABLED  4      /* a = CPU index, b = SVR value */

#ifdef __ASSEMBLER__

/*
 * PUTS "text"   - print a string literal (no newline) via puts; preserves all registers.
 * PRINTLN "text" - print "<guest>: text\n" as one locked line.
 */
.macro PUTS s
    .pushsection .rodata.str, "a"
.Lputs_str\@: .asciz "\s"
    .popsection
    pushl %eax
    movl $.Lputs_str\@, %eax
    call puts
    popl %eax
.endm

.macro PRINTLN s
    call line_begin
    PUTS "\s"
    call line_end
.endm

/* PUTDEC src / PUTHEX src / PUTHEX8 src - print a 32-bit value from any r/m32 or
 * immediate (not ESP-relative: the macros push EAX first). */
.macro PUTDEC src
    pushl %eax
    movl \src, %eax
    call putdec
    popl %eax
.endm

.macro PUTHEX src
    pushl %eax
    movl \src, %eax
    call puthex32
    popl %eax
.endm

.macro PUTHEX8 src
    pushl %eax
    movl \src, %eax
    call puthex8
    popl %eax
.endm

/* LOAD_DATA_SEGMENTS sel - load selector sel into DS, ES, FS, GS and SS; clobbers AX. */
.macro LOAD_DATA_SEGMENTS sel
    movw \sel, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
.endm

/* EXIT code - terminate the VM with the given result (never returns). */
.macro EXIT code
    movl \code, %eax
    jmp guest_exit
.endm

#endif /* __ASSEMBLER__ */
#endif /* JVMM_GUEST_DEFS_H */

