package io.jvmm.kvm;

/**
 * Every kernel struct the binding hands to or reads from KVM, as sizes and field offsets, in one
 * place. x86_64 only. Each class mirrors one {@code struct} of {@code <linux/kvm.h>} (or of
 * {@code <asm/kvm.h>}, which it includes); {@code KvmAbiTest} compiles a C program that prints
 * sizeof and offsetof for every marked constant and fails on any difference, so a typo here cannot
 * reach an ioctl.
 *
 * <p>Only the members the binding touches are listed; padding and reserved members are covered by
 * the size check.
 */
public final class KvmAbi {
    private KvmAbi() {
    }

    /** General-purpose registers (KVM_GET_REGS / KVM_SET_REGS). */
    @Abi.Struct("kvm_regs")
    public static final class KvmRegs {
        public static final int SIZE = 144;
        @Abi.Field(value = "rax", size = 8) public static final int RAX = 0;
        @Abi.Field(value = "rbx", size = 8) public static final int RBX = 8;
        @Abi.Field(value = "rcx", size = 8) public static final int RCX = 16;
        @Abi.Field(value = "rdx", size = 8) public static final int RDX = 24;
        @Abi.Field(value = "rsi", size = 8) public static final int RSI = 32;
        @Abi.Field(value = "rdi", size = 8) public static final int RDI = 40;
        @Abi.Field(value = "rsp", size = 8) public static final int RSP = 48;
        @Abi.Field(value = "rbp", size = 8) public static final int RBP = 56;
        @Abi.Field(value = "r8", size = 8) public static final int R8 = 64;
        @Abi.Field(value = "r15", size = 8) public static final int R15 = 120;
        @Abi.Field(value = "rip", size = 8) public static final int RIP = 128;
        @Abi.Field(value = "rflags", size = 8) public static final int RFLAGS = 136;

        private KvmRegs() {
        }
    }

    /** One segment register with its hidden part. */
    @Abi.Struct("kvm_segment")
    public static final class KvmSegment {
        public static final int SIZE = 24;
        @Abi.Field(value = "base", size = 8) public static final int BASE = 0;
        @Abi.Field(value = "limit", size = 4) public static final int LIMIT = 8;
        @Abi.Field(value = "selector", size = 2) public static final int SELECTOR = 12;
        @Abi.Field(value = "type", size = 1) public static final int TYPE = 14;
        @Abi.Field(value = "present", size = 1) public static final int PRESENT = 15;
        @Abi.Field(value = "dpl", size = 1) public static final int DPL = 16;
        @Abi.Field(value = "db", size = 1) public static final int DB = 17;
        @Abi.Field(value = "s", size = 1) public static final int S = 18;
        @Abi.Field(value = "l", size = 1) public static final int L = 19;
        @Abi.Field(value = "g", size = 1) public static final int G = 20;
        @Abi.Field(value = "avl", size = 1) public static final int AVL = 21;
        @Abi.Field(value = "unusable", size = 1) public static final int UNUSABLE = 22;

        private KvmSegment() {
        }
    }

    /** GDTR or IDTR. */
    @Abi.Struct("kvm_dtable")
    public static final class KvmDtable {
        public static final int SIZE = 16;
        @Abi.Field(value = "base", size = 8) public static final int BASE = 0;
        @Abi.Field(value = "limit", size = 2) public static final int LIMIT = 8;

        private KvmDtable() {
        }
    }

    /** Segment, descriptor-table and control registers (KVM_GET_SREGS / KVM_SET_SREGS). */
    @Abi.Struct("kvm_sregs")
    public static final class KvmSregs {
        public static final int SIZE = 312;
        @Abi.Field(value = "cs", size = 24) public static final int CS = 0;
        @Abi.Field(value = "ds", size = 24) public static final int DS = 24;
        @Abi.Field(value = "es", size = 24) public static final int ES = 48;
        @Abi.Field(value = "fs", size = 24) public static final int FS = 72;
        @Abi.Field(value = "gs", size = 24) public static final int GS = 96;
        @Abi.Field(value = "ss", size = 24) public static final int SS = 120;
        @Abi.Field(value = "tr", size = 24) public static final int TR = 144;
        @Abi.Field(value = "ldt", size = 24) public static final int LDT = 168;
        @Abi.Field(value = "gdt", size = 16) public static final int GDT = 192;
        @Abi.Field(value = "idt", size = 16) public static final int IDT = 208;
        @Abi.Field(value = "cr0", size = 8) public static final int CR0 = 224;
        @Abi.Field(value = "cr2", size = 8) public static final int CR2 = 232;
        @Abi.Field(value = "cr3", size = 8) public static final int CR3 = 240;
        @Abi.Field(value = "cr4", size = 8) public static final int CR4 = 248;
        @Abi.Field(value = "cr8", size = 8) public static final int CR8 = 256;
        @Abi.Field(value = "efer", size = 8) public static final int EFER = 264;
        @Abi.Field(value = "apic_base", size = 8) public static final int APIC_BASE = 272;
        @Abi.Field(value = "interrupt_bitmap", size = 32) public static final int INTERRUPT_BITMAP = 280;

        private KvmSregs() {
        }
    }

    /** x87 and SSE state (KVM_GET_FPU / KVM_SET_FPU). */
    @Abi.Struct("kvm_fpu")
    public static final class KvmFpu {
        public static final int SIZE = 416;
        @Abi.Field(value = "fpr", size = 128) public static final int FPR = 0;
        @Abi.Field(value = "fcw", size = 2) public static final int FCW = 128;
        @Abi.Field(value = "fsw", size = 2) public static final int FSW = 130;
        @Abi.Field(value = "ftwx", size = 1) public static final int FTWX = 132;
        @Abi.Field(value = "last_opcode", size = 2) public static final int LAST_OPCODE = 134;
        @Abi.Field(value = "last_ip", size = 8) public static final int LAST_IP = 136;
        @Abi.Field(value = "last_dp", size = 8) public static final int LAST_DP = 144;
        @Abi.Field(value = "xmm", size = 256) public static final int XMM = 152;
        @Abi.Field(value = "mxcsr", size = 4) public static final int MXCSR = 408;

        private KvmFpu() {
        }
    }

    /** Header of the MSR array (KVM_GET_MSRS / KVM_SET_MSRS). */
    @Abi.Struct("kvm_msrs")
    public static final class KvmMsrs {
        public static final int SIZE = 8;
        @Abi.Field(value = "nmsrs", size = 4) public static final int NMSRS = 0;
        @Abi.Field(value = "entries", size = 16, flexible = true) public static final int ENTRIES = 8;

        private KvmMsrs() {
        }
    }

    /** One MSR index and value. */
    @Abi.Struct("kvm_msr_entry")
    public static final class KvmMsrEntry {
        public static final int SIZE = 16;
        @Abi.Field(value = "index", size = 4) public static final int INDEX = 0;
        @Abi.Field(value = "data", size = 8) public static final int DATA = 8;

        private KvmMsrEntry() {
        }
    }

    /** The list KVM_GET_MSR_INDEX_LIST fills. */
    @Abi.Struct("kvm_msr_list")
    public static final class KvmMsrList {
        public static final int SIZE = 4;
        @Abi.Field(value = "nmsrs", size = 4) public static final int NMSRS = 0;
        @Abi.Field(value = "indices", size = 4, flexible = true) public static final int INDICES = 4;

        private KvmMsrList() {
        }
    }

    /** Header of the CPUID array (KVM_GET_SUPPORTED_CPUID, KVM_SET_CPUID2, KVM_GET_CPUID2). */
    @Abi.Struct("kvm_cpuid2")
    public static final class KvmCpuid2 {
        public static final int SIZE = 8;
        @Abi.Field(value = "nent", size = 4) public static final int NENT = 0;
        @Abi.Field(value = "entries", size = 40, flexible = true) public static final int ENTRIES = 8;

        private KvmCpuid2() {
        }
    }

    /** One CPUID leaf/subleaf. */
    @Abi.Struct("kvm_cpuid_entry2")
    public static final class KvmCpuidEntry2 {
        public static final int SIZE = 40;
        @Abi.Field(value = "function", size = 4) public static final int FUNCTION = 0;
        @Abi.Field(value = "index", size = 4) public static final int INDEX = 4;
        @Abi.Field(value = "flags", size = 4) public static final int FLAGS = 8;
        @Abi.Field(value = "eax", size = 4) public static final int EAX = 12;
        @Abi.Field(value = "ebx", size = 4) public static final int EBX = 16;
        @Abi.Field(value = "ecx", size = 4) public static final int ECX = 20;
        @Abi.Field(value = "edx", size = 4) public static final int EDX = 24;
        @Abi.Value("KVM_CPUID_FLAG_SIGNIFCANT_INDEX") public static final int FLAG_SIGNIFICANT_INDEX = 1;

        private KvmCpuidEntry2() {
        }
    }

    /** The local APIC register page (KVM_GET_LAPIC / KVM_SET_LAPIC). */
    @Abi.Struct("kvm_lapic_state")
    public static final class KvmLapicState {
        public static final int SIZE = 1024;
        @Abi.Field(value = "regs", size = 1024) public static final int REGS = 0;

        private KvmLapicState() {
        }
    }

    /** KVM_GET_MP_STATE / KVM_SET_MP_STATE. */
    @Abi.Struct("kvm_mp_state")
    public static final class KvmMpState {
        public static final int SIZE = 4;
        @Abi.Field(value = "mp_state", size = 4) public static final int MP_STATE = 0;

        private KvmMpState() {
        }
    }

    /** Pending and injected events (KVM_GET_VCPU_EVENTS / KVM_SET_VCPU_EVENTS). */
    @Abi.Struct("kvm_vcpu_events")
    public static final class KvmVcpuEvents {
        public static final int SIZE = 64;
        @Abi.Field(value = "exception.injected", size = 1) public static final int EXCEPTION_INJECTED = 0;
        @Abi.Field(value = "exception.nr", size = 1) public static final int EXCEPTION_NR = 1;
        @Abi.Field(value = "exception.has_error_code", size = 1) public static final int EXCEPTION_HAS_ERROR_CODE = 2;
        @Abi.Field(value = "exception.pending", size = 1) public static final int EXCEPTION_PENDING = 3;
        @Abi.Field(value = "exception.error_code", size = 4) public static final int EXCEPTION_ERROR_CODE = 4;
        @Abi.Field(value = "interrupt.injected", size = 1) public static final int INTERRUPT_INJECTED = 8;
        @Abi.Field(value = "interrupt.nr", size = 1) public static final int INTERRUPT_NR = 9;
        @Abi.Field(value = "interrupt.soft", size = 1) public static final int INTERRUPT_SOFT = 10;
        @Abi.Field(value = "interrupt.shadow", size = 1) public static final int INTERRUPT_SHADOW = 11;
        @Abi.Field(value = "nmi.injected", size = 1) public static final int NMI_INJECTED = 12;
        @Abi.Field(value = "nmi.pending", size = 1) public static final int NMI_PENDING = 13;
        @Abi.Field(value = "nmi.masked", size = 1) public static final int NMI_MASKED = 14;
        @Abi.Field(value = "sipi_vector", size = 4) public static final int SIPI_VECTOR = 16;
        @Abi.Field(value = "flags", size = 4) public static final int FLAGS = 20;
        @Abi.Field(value = "smi.smm", size = 1) public static final int SMI_SMM = 24;
        @Abi.Field(value = "smi.pending", size = 1) public static final int SMI_PENDING = 25;
        @Abi.Field(value = "smi.smm_inside_nmi", size = 1) public static final int SMI_SMM_INSIDE_NMI = 26;
        @Abi.Field(value = "smi.latched_init", size = 1) public static final int SMI_LATCHED_INIT = 27;
        @Abi.Field(value = "triple_fault.pending", size = 1) public static final int TRIPLE_FAULT_PENDING = 28;
        @Abi.Field(value = "exception_has_payload", size = 1) public static final int EXCEPTION_HAS_PAYLOAD = 55;
        @Abi.Field(value = "exception_payload", size = 8) public static final int EXCEPTION_PAYLOAD = 56;

        @Abi.Value("KVM_VCPUEVENT_VALID_NMI_PENDING") public static final int VALID_NMI_PENDING = 0x1;
        @Abi.Value("KVM_VCPUEVENT_VALID_SIPI_VECTOR") public static final int VALID_SIPI_VECTOR = 0x2;
        @Abi.Value("KVM_VCPUEVENT_VALID_SHADOW") public static final int VALID_SHADOW = 0x4;
        @Abi.Value("KVM_VCPUEVENT_VALID_SMM") public static final int VALID_SMM = 0x8;
        @Abi.Value("KVM_VCPUEVENT_VALID_PAYLOAD") public static final int VALID_PAYLOAD = 0x10;
        @Abi.Value("KVM_VCPUEVENT_VALID_TRIPLE_FAULT") public static final int VALID_TRIPLE_FAULT = 0x20;

        private KvmVcpuEvents() {
        }
    }

    /** One extended control register. */
    @Abi.Struct("kvm_xcr")
    public static final class KvmXcr {
        public static final int SIZE = 16;
        @Abi.Field(value = "xcr", size = 4) public static final int XCR = 0;
        @Abi.Field(value = "value", size = 8) public static final int VALUE = 8;

        private KvmXcr() {
        }
    }

    /** Extended control registers (KVM_GET_XCRS / KVM_SET_XCRS). */
    @Abi.Struct("kvm_xcrs")
    public static final class KvmXcrs {
        public static final int SIZE = 392;
        public static final int MAX = 16;
        @Abi.Field(value = "nr_xcrs", size = 4) public static final int NR_XCRS = 0;
        @Abi.Field(value = "flags", size = 4) public static final int FLAGS = 4;
        @Abi.Field(value = "xcrs", size = 256) public static final int XCRS = 8;

        private KvmXcrs() {
        }
    }

    /** Debug registers (KVM_GET_DEBUGREGS / KVM_SET_DEBUGREGS). */
    @Abi.Struct("kvm_debugregs")
    public static final class KvmDebugregs {
        public static final int SIZE = 128;
        @Abi.Field(value = "db", size = 32) public static final int DB = 0;
        @Abi.Field(value = "dr6", size = 8) public static final int DR6 = 32;
        @Abi.Field(value = "dr7", size = 8) public static final int DR7 = 40;
        @Abi.Field(value = "flags", size = 8) public static final int FLAGS = 48;

        private KvmDebugregs() {
        }
    }

    /**
     * The XSAVE image (KVM_GET_XSAVE / KVM_SET_XSAVE, KVM_CAP_XSAVE): 4 KiB in the processor's
     * XSAVE format, whose layout is the SDM's, not the kernel's (see {@link Fpu#fromXsave}).
     */
    @Abi.Struct("kvm_xsave")
    public static final class KvmXsave {
        public static final int SIZE = 4096;
        @Abi.Field(value = "region", size = 4096) public static final int REGION = 0;

        private KvmXsave() {
        }
    }

    /** A guest memory slot (KVM_SET_USER_MEMORY_REGION). */
    @Abi.Struct("kvm_userspace_memory_region")
    public static final class KvmUserspaceMemoryRegion {
        public static final int SIZE = 32;
        @Abi.Field(value = "slot", size = 4) public static final int SLOT = 0;
        @Abi.Field(value = "flags", size = 4) public static final int FLAGS = 4;
        @Abi.Field(value = "guest_phys_addr", size = 8) public static final int GUEST_PHYS_ADDR = 8;
        @Abi.Field(value = "memory_size", size = 8) public static final int MEMORY_SIZE = 16;
        @Abi.Field(value = "userspace_addr", size = 8) public static final int USERSPACE_ADDR = 24;

        private KvmUserspaceMemoryRegion() {
        }
    }

    /** KVM_CREATE_PIT2's argument. */
    @Abi.Struct("kvm_pit_config")
    public static final class KvmPitConfig {
        public static final int SIZE = 64;
        @Abi.Field(value = "flags", size = 4) public static final int FLAGS = 0;
        @Abi.Value("KVM_PIT_SPEAKER_DUMMY") public static final int SPEAKER_DUMMY = 1;

        private KvmPitConfig() {
        }
    }

    /** KVM_IRQ_LINE's argument. */
    @Abi.Struct("kvm_irq_level")
    public static final class KvmIrqLevel {
        public static final int SIZE = 8;
        @Abi.Field(value = "irq", size = 4) public static final int IRQ = 0;
        @Abi.Field(value = "level", size = 4) public static final int LEVEL = 4;

        private KvmIrqLevel() {
        }
    }

    /** KVM_SET_SIGNAL_MASK's argument: a length, then the kernel sigset. */
    @Abi.Struct("kvm_signal_mask")
    public static final class KvmSignalMask {
        public static final int SIZE = 4;
        /** The kernel's sigset_t on x86_64 is 64 bits; KVM rejects any other length. */
        public static final int KERNEL_SIGSET_BYTES = 8;
        @Abi.Field(value = "len", size = 4) public static final int LEN = 0;
        @Abi.Field(value = "sigset", size = 1, flexible = true) public static final int SIGSET = 4;

        private KvmSignalMask() {
        }
    }

    /** The shared page each vCPU maps from its fd: the exit reason and its data. */
    @Abi.Struct("kvm_run")
    public static final class KvmRun {
        public static final int SIZE = 2352;
        @Abi.Field(value = "request_interrupt_window", size = 1) public static final int REQUEST_INTERRUPT_WINDOW = 0;
        @Abi.Field(value = "immediate_exit", size = 1) public static final int IMMEDIATE_EXIT = 1;
        @Abi.Field(value = "exit_reason", size = 4) public static final int EXIT_REASON = 8;
        @Abi.Field(value = "ready_for_interrupt_injection", size = 1) public static final int READY_FOR_INTERRUPT_INJECTION = 12;
        @Abi.Field(value = "if_flag", size = 1) public static final int IF_FLAG = 13;
        @Abi.Field(value = "cr8", size = 8) public static final int CR8 = 16;
        @Abi.Field(value = "apic_base", size = 8) public static final int APIC_BASE = 24;
        @Abi.Field(value = "hw.hardware_exit_reason", size = 8) public static final int HW_EXIT_REASON = 32;
        @Abi.Field(value = "fail_entry.hardware_entry_failure_reason", size = 8) public static final int FAIL_ENTRY_REASON = 32;
        @Abi.Field(value = "fail_entry.cpu", size = 4) public static final int FAIL_ENTRY_CPU = 40;
        @Abi.Field(value = "ex.exception", size = 4) public static final int EX_EXCEPTION = 32;
        @Abi.Field(value = "ex.error_code", size = 4) public static final int EX_ERROR_CODE = 36;
        @Abi.Field(value = "io.direction", size = 1) public static final int IO_DIRECTION = 32;
        @Abi.Field(value = "io.size", size = 1) public static final int IO_SIZE = 33;
        @Abi.Field(value = "io.port", size = 2) public static final int IO_PORT = 34;
        @Abi.Field(value = "io.count", size = 4) public static final int IO_COUNT = 36;
        @Abi.Field(value = "io.data_offset", size = 8) public static final int IO_DATA_OFFSET = 40;
        @Abi.Field(value = "mmio.phys_addr", size = 8) public static final int MMIO_PHYS_ADDR = 32;
        @Abi.Field(value = "mmio.data", size = 8) public static final int MMIO_DATA = 40;
        @Abi.Field(value = "mmio.len", size = 4) public static final int MMIO_LEN = 48;
        @Abi.Field(value = "mmio.is_write", size = 1) public static final int MMIO_IS_WRITE = 52;
        @Abi.Field(value = "internal.suberror", size = 4) public static final int INTERNAL_SUBERROR = 32;
        @Abi.Field(value = "internal.ndata", size = 4) public static final int INTERNAL_NDATA = 36;
        @Abi.Field(value = "internal.data", size = 128) public static final int INTERNAL_DATA = 40;
        @Abi.Field(value = "system_event.type", size = 4) public static final int SYSTEM_EVENT_TYPE = 32;
        @Abi.Field(value = "system_event.ndata", size = 4) public static final int SYSTEM_EVENT_NDATA = 36;
        @Abi.Field(value = "system_event.data", size = 128) public static final int SYSTEM_EVENT_DATA = 40;

        @Abi.Value("KVM_EXIT_IO_IN") public static final int IO_IN = 0;
        @Abi.Value("KVM_EXIT_IO_OUT") public static final int IO_OUT = 1;

        private KvmRun() {
        }
    }
}
