/*
 * spinlock.S - a minimal test-and-test-and-set spinlock (lock word: 0 = free).
 */
#include "defs.h"

    .text
/* spin_lock(EAX = address of lock word) */
    .globl spin_lock
spin_lock:
    pushl %ecx
1:  movl $1, %ecx
    xchgl %ecx, (%eax)                  /* xchg with memory is implicitly locked */
    testl %ecx, %ecx
    jz 3f
2:  pause
    cmpl $0, (%eax)
    jne 2b
    jmp 1b
3:  popl %ecx
    ret

/* spin_unlock(EAX = address of lock word) */
    .globl spin_unlock
spin_unlock:
    movl $0, (%eax)
    ret
