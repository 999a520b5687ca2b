/*
 * exitloop - the C peer of the exit round-trip benchmark (bench/run, docs/benchmarks.md).
 *
 *   exitloop IMAGE N [--sigmask]
 *
 * Boots IMAGE (the Multiboot ELF bench/src/main/asm/exitloop.S) the way jvmm does: a VM
 * with the in-kernel irqchip and PIT, 64 MiB of RAM, the ELF's PT_LOAD segments copied to
 * their physical addresses, a flat GDT, one vCPU entered in 32-bit protected mode with
 * EAX = 0x2BADB002 and EBX = a Multiboot info block whose command line is "IMAGE n=N". Then
 * it runs the smallest KVM_RUN loop that handles the guest's OUTs in user space: count the
 * exit, time the two marker writes, stop at the debug-exit port.
 *
 * With --sigmask the vCPU thread blocks jvmm's kick signal and hands KVM a mask with it
 * unblocked (KVM_SET_SIGNAL_MASK), as jvmm's vCPU threads do, so KVM_RUN swaps signal masks on
 * every entry and exit.
 *
 * Prints one line: "exits=E loop_ns=T ns_per_exit=X run_ns=R" where T is the time between
 * the two marker writes (the guest's N OUTs to the unclaimed port) and R the time from the
 * first KVM_RUN to the exit.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RAM_SIZE (64UL << 20)
#define TSS_ADDR 0xfffbd000UL
#define IDENTITY_MAP_ADDR 0xfffbc000UL
#define GDT_BASE 0xff000UL
#define INFO_ADDR 0x9000UL
#define CMDLINE_ADDR 0x9100UL
#define LOOP_PORT 0x700
#define MARK_PORT 0x704
#define EXIT_PORT 0xf4
#define POST_PORT 0x80
#define KICK_SIGNAL 40 /* jvmm's kick signal, SIGRTMIN + 6 */

static void die(const char *what) {
    fprintf(stderr, "exitloop: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void fail(const char *what) {
    fprintf(stderr, "exitloop: %s\n", what);
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t load_elf(const char *path, uint8_t *ram) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die(path);
    struct stat st;
    if (fstat(fd, &st) < 0) die("fstat");
    uint8_t *img = malloc(st.st_size);
    if (!img) fail("out of memory");
    if (read(fd, img, st.st_size) != st.st_size) die("read");
    close(fd);
    Elf32_Ehdr *eh = (Elf32_Ehdr *)img;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_machine != EM_386)
        fail("not a 32-bit x86 ELF");
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf32_Phdr *ph = (Elf32_Phdr *)(img + eh->e_phoff + i * eh->e_phentsize);
        if (ph->p_type != PT_LOAD) continue;
        if ((uint64_t)ph->p_paddr + ph->p_memsz > RAM_SIZE) fail("segment outside RAM");
        memcpy(ram + ph->p_paddr, img + ph->p_offset, ph->p_filesz);
        memset(ram + ph->p_paddr + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
    }
    uint64_t entry = eh->e_entry;
    free(img);
    return entry;
}

static struct kvm_segment flat(uint16_t selector, uint8_t type) {
    struct kvm_segment s;
    memset(&s, 0, sizeof s);
    s.base = 0;
    s.limit = 0xffffffff;
    s.selector = selector;
    s.type = type;
    s.present = 1;
    s.dpl = 0;
    s.db = 1;
    s.s = 1;
    s.l = 0;
    s.g = 1;
    return s;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--sigmask") != 0)) {
        fprintf(stderr, "usage: exitloop IMAGE N [--sigmask]\n");
        return 2;
    }
    int sigmask = argc == 4;
    const char *image = argv[1];
    unsigned long n = strtoul(argv[2], NULL, 10);

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("/dev/kvm");
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) fail("KVM API version mismatch");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    if (ioctl(vm, KVM_SET_TSS_ADDR, TSS_ADDR) < 0) die("KVM_SET_TSS_ADDR");
    uint64_t idmap = IDENTITY_MAP_ADDR;
    if (ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0) die("KVM_SET_IDENTITY_MAP_ADDR");
    if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) die("KVM_CREATE_IRQCHIP");
    struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
    if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0) die("KVM_CREATE_PIT2");

    uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) die("mmap RAM");
    struct kvm_userspace_memory_region region = {
        .slot = 0, .flags = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE, .userspace_addr = (uint64_t)ram};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");

    uint64_t entry = load_elf(image, ram);
    /* The same flat GDT jvmm's firmware writes, and a Multiboot info block with a command line. */
    uint64_t gdt[3] = {0, 0x00cf9a000000ffffULL, 0x00cf92000000ffffULL};
    memcpy(ram + GDT_BASE, gdt, sizeof gdt);
    snprintf((char *)ram + CMDLINE_ADDR, 256, "%s n=%lu", image, n);
    uint32_t *info = (uint32_t *)(ram + INFO_ADDR);
    memset(info, 0, 128);
    info[0] = 1u << 2; /* flags: cmdline valid */
    info[4] = CMDLINE_ADDR;

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    int cpuid_max = 256;
    struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + cpuid_max * sizeof(struct kvm_cpuid_entry2));
    cpuid->nent = cpuid_max;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) die("KVM_GET_SUPPORTED_CPUID");
    if (ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0) die("KVM_SET_CPUID2");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size <= 0) die("KVM_GET_VCPU_MMAP_SIZE");
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) die("mmap kvm_run");

    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("KVM_GET_SREGS");
    sregs.cs = flat(0x08, 0xb);
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = flat(0x10, 0x3);
    sregs.gdt.base = GDT_BASE;
    sregs.gdt.limit = sizeof gdt - 1;
    sregs.idt.base = 0;
    sregs.idt.limit = 0x3ff;
    sregs.cr0 = 0x11; /* PE | ET */
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("KVM_SET_SREGS");
    struct kvm_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rflags = 0x2;
    regs.rip = entry;
    regs.rax = 0x2badb002;
    regs.rbx = INFO_ADDR;
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");

    if (sigmask) {
        /* As jvmm's vCPU threads do: block the kick signal, and have KVM unblock it inside KVM_RUN. */
        sigset_t set, old;
        sigemptyset(&set);
        sigaddset(&set, KICK_SIGNAL);
        if (pthread_sigmask(SIG_BLOCK, &set, &old) != 0) fail("pthread_sigmask");
        struct kvm_signal_mask *m = calloc(1, sizeof *m + 8);
        m->len = 8;
        sigdelset(&old, KICK_SIGNAL);
        memcpy(m->sigset, &old, 8);
        if (ioctl(vcpu, KVM_SET_SIGNAL_MASK, m) < 0) die("KVM_SET_SIGNAL_MASK");
    }

    uint64_t exits = 0, marks = 0, t_mark[2] = {0, 0};
    uint64_t t_run = now_ns();
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            die("KVM_RUN");
        }
        if (run->exit_reason == KVM_EXIT_IO) {
            if (run->io.direction == KVM_EXIT_IO_OUT) {
                uint16_t port = run->io.port;
                if (port == LOOP_PORT) {
                    exits++;
                    continue;
                }
                if (port == MARK_PORT) {
                    if (marks < 2) t_mark[marks] = now_ns();
                    marks++;
                    continue;
                }
                if (port == EXIT_PORT) break;
                if (port == POST_PORT) continue;
            } else {
                /* Unclaimed reads return all ones, as on a PC bus. */
                memset((uint8_t *)run + run->io.data_offset, 0xff, run->io.size * run->io.count);
                continue;
            }
            continue;
        }
        if (run->exit_reason == KVM_EXIT_HLT) fail("guest halted before the exit port");
        fprintf(stderr, "exitloop: unexpected exit reason %u\n", run->exit_reason);
        return 1;
    }
    uint64_t t_end = now_ns();
    if (marks != 2) fail("guest did not write both markers");
    if (exits != n) {
        fprintf(stderr, "exitloop: counted %lu exits, expected %lu\n", (unsigned long)exits, n);
        return 1;
    }
    uint64_t loop_ns = t_mark[1] - t_mark[0];
    printf("exits=%lu loop_ns=%lu ns_per_exit=%.1f run_ns=%lu\n", (unsigned long)exits, (unsigned long)loop_ns,
           n ? (double)loop_ns / n : 0.0, (unsigned long)(t_end - t_run));
    return 0;
}
