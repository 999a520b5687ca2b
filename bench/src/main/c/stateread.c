/*
 * stateread - the C peer of the register-read measurement (bench/run, section profile).
 *
 *   stateread N
 *
 * Creates a VM with the in-kernel irqchip and one vCPU, then reads that vCPU's state N times
 * the way jvmm answers a register read (VcpuState.read), one ioctl each in the same order:
 * KVM_GET_VCPU_EVENTS, KVM_GET_MP_STATE, KVM_GET_REGS, KVM_GET_SREGS, KVM_GET_XSAVE,
 * KVM_GET_XCRS, KVM_GET_DEBUGREGS, KVM_GET_MSRS (the MSRs jvmm manages that KVM lists, and the
 * TSC) and KVM_GET_LAPIC, into buffers allocated once.
 *
 * Prints one line: "reads=N ns_per_read=X".
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

/* VcpuState.MANAGED_MSRS: SYSENTER_CS/ESP/EIP, PAT, MISC_ENABLE, STAR, LSTAR, CSTAR, FMASK,
 * KERNEL_GS_BASE, TSC_AUX. */
static const uint32_t managed[] = {0x174, 0x175, 0x176, 0x277, 0x1a0, 0xc0000081, 0xc0000082,
                                   0xc0000083, 0xc0000084, 0xc0000102, 0xc0000103};
#define NMANAGED (sizeof(managed) / sizeof(managed[0]))
#define MSR_TSC 0x10

static void die(const char *what) {
    fprintf(stderr, "stateread: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void get(int fd, unsigned long req, void *arg, const char *what) {
    if (ioctl(fd, req, arg) < 0) {
        die(what);
    }
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: stateread N\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        die("open /dev/kvm");
    }
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) {
        die("KVM_CREATE_VM");
    }
    get(vm, KVM_CREATE_IRQCHIP, NULL, "KVM_CREATE_IRQCHIP");
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) {
        die("KVM_CREATE_VCPU");
    }

    /* The managed MSRs KVM lists, then the TSC, as VcpuState.managedMsrs keeps them. */
    struct kvm_msr_list *list = calloc(1, sizeof(*list) + 1024 * sizeof(uint32_t));
    list->nmsrs = 1024;
    get(kvm, KVM_GET_MSR_INDEX_LIST, list, "KVM_GET_MSR_INDEX_LIST");
    struct kvm_msrs *msrs = calloc(1, sizeof(*msrs) + (NMANAGED + 1) * sizeof(struct kvm_msr_entry));
    uint32_t count = 0;
    for (size_t i = 0; i < NMANAGED; i++) {
        for (uint32_t j = 0; j < list->nmsrs; j++) {
            if (list->indices[j] == managed[i]) {
                msrs->entries[count++].index = managed[i];
                break;
            }
        }
    }
    msrs->entries[count++].index = MSR_TSC;
    msrs->nmsrs = count;

    struct kvm_vcpu_events events;
    struct kvm_mp_state mp;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_xsave xsave;
    struct kvm_xcrs xcrs;
    struct kvm_debugregs debugregs;
    struct kvm_lapic_state lapic;
    int64_t start = 0;
    for (long i = -n / 2; i < n; i++) { /* the first n/2 warm up */
        if (i == 0) {
            start = now_ns();
        }
        get(vcpu, KVM_GET_VCPU_EVENTS, &events, "KVM_GET_VCPU_EVENTS");
        get(vcpu, KVM_GET_MP_STATE, &mp, "KVM_GET_MP_STATE");
        get(vcpu, KVM_GET_REGS, &regs, "KVM_GET_REGS");
        get(vcpu, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
        get(vcpu, KVM_GET_XSAVE, &xsave, "KVM_GET_XSAVE");
        get(vcpu, KVM_GET_XCRS, &xcrs, "KVM_GET_XCRS");
        get(vcpu, KVM_GET_DEBUGREGS, &debugregs, "KVM_GET_DEBUGREGS");
        if (ioctl(vcpu, KVM_GET_MSRS, msrs) != (int)count) {
            die("KVM_GET_MSRS");
        }
        get(vcpu, KVM_GET_LAPIC, &lapic, "KVM_GET_LAPIC");
    }
    int64_t elapsed = now_ns() - start;
    printf("reads=%ld ns_per_read=%.1f\n", n, (double)elapsed / (double)n);
    return 0;
}
