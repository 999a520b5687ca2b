/*
 * pmtimer.S - wall-clock time from the ACPI PM timer (3,579,545 Hz).
 *
 * clock_now extends the 24- or 32-bit counter to 64 bits by accumulating
 * masked differences, so wraparound is handled as long as it is called at
 * least once per wrap period (4.7 s for 24 bits), which every wait loop does.
 * A deadline is an 8-byte absolute tick value. The clock state is not shared
 * safely between CPUs: only the BSP uses these routines.
 */
#include "defs.h"

    .data
    .align 4
clk_started: .long 0
clk_last:    .long 0
clk_lo:      .long 0
clk_hi:      .long 0

    .text
/* pm_read -> EAX = raw counter value (masked to 24/32 bits). */
    .globl pm_read
pm_read:
    pushl %edx
    movl pm_port, %edx
    inl %dx, %eax
    andl pm_mask, %eax
    popl %edx
    ret

/* clock_now -> EDX:EAX = ticks since the first call (monotonic, 64-bit). */
    .globl clock_now
clock_now:
    call pm_read
    cmpl $0, clk_started
    jne 1f
    movl %eax, clk_last
    movl $1, clk_started
1:  pushl %eax
    subl clk_last, %eax
    andl pm_mask, %eax                  /* delta modulo the counter width */
    popl clk_last
    addl %eax, clk_lo
    adcl $0, clk_hi
    movl clk_lo, %eax
    movl clk_hi, %edx
    ret

/* ms_to_ticks(EAX = ms) -> EDX:EAX = ms * 3579545 / 1000 (exact for all 32-bit ms). */
    .globl ms_to_ticks
ms_to_ticks:
    pushl %ebx
    pushl %ecx
    pushl %esi
    movl %eax, %ecx
    movl $3579, %eax
    mull %ecx
    movl %eax, %ebx
    movl %edx, %esi
    movl $545, %eax
    mull %ecx                           /* EDX < 545 < 1000: the divide cannot overflow */
    movl $1000, %ecx
    divl %ecx                           /* EAX = quotient (EDX = remainder, dropped) */
    movl %esi, %edx
    addl %ebx, %eax
    adcl $0, %edx
    popl %esi
    popl %ecx
    popl %ebx
    ret

/* us_to_ticks(EAX = us) -> EDX:EAX = us * 3579545 / 1000000. */
us_to_ticks:
    pushl %ebx
    pushl %ecx
    pushl %esi
    movl %eax, %ecx
    movl $3, %eax
    mull %ecx
    movl %eax, %ebx
    movl %edx, %esi
    movl $579545, %eax
    mull %ecx                           /* EDX < 579545 < 1000000 */
    movl $1000000, %ecx
    divl %ecx                           /* EAX = quotient (EDX = remainder, dropped) */
    movl %esi, %edx
    addl %ebx, %eax
    adcl $0, %edx
    popl %esi
    popl %ecx
    popl %ebx
    ret

/* dl_set_ms(EAX = deadline, EDX = ms): deadline = now + ms. */
    .globl dl_set_ms
dl_set_ms:
    pushl %eax
    pushl %ebx
    pushl %edx
    movl %eax, %ebx
    call clock_now
    movl %eax, (%ebx)
    movl %edx, 4(%ebx)
    movl (%esp), %eax                   /* ms */
    call ms_to_ticks
    addl %eax, (%ebx)
    adcl %edx, 4(%ebx)
    popl %edx
    popl %ebx
    popl %eax
    ret

/* dl_add_ms(EAX = deadline, EDX = ms): deadline += ms (for periodic ticks without drift). */
    .globl dl_add_ms
dl_add_ms:
    pushl %eax
    pushl %ebx
    pushl %edx
    movl %eax, %ebx
    movl %edx, %eax
    call ms_to_ticks
    addl %eax, (%ebx)
    adcl %edx, 4(%ebx)
    popl %edx
    popl %ebx
    popl %eax
    ret

/* dl_expired(EAX = deadline) -> CF set if the deadline has passed. */
    .globl dl_expired
dl_expired:
    pushl %eax
    pushl %ebx
    pushl %edx
    movl %eax, %ebx
    call clock_now
    subl (%ebx), %eax
    sbbl 4(%ebx), %edx                  /* CF = now < deadline */
    cmc
    popl %edx                           /* pops leave the flags alone */
    popl %ebx
    popl %eax
    ret

/* delay_us(EAX = microseconds) / delay_ms(EAX = milliseconds): busy-wait on the PM timer. */
    .globl delay_us, delay_ms
delay_us:
    pushl %ebx
    movl $us_to_ticks, %ebx
    jmp 1f
delay_ms:
    pushl %ebx
    movl $ms_to_ticks, %ebx
1:  pushl %eax
    pushl %edx
    subl $8, %esp
    pushl %eax
    call clock_now
    movl %eax, 4(%esp)
    movl %edx, 8(%esp)
    popl %eax
    call *%ebx
    addl %eax, (%esp)
    adcl %edx, 4(%esp)
2:  movl %esp, %eax
    call dl_expired
    jc 3f
    pause
    jmp 2b
3:  addl $8, %esp
    popl %edx
    popl %eax
    popl %ebx
    ret
