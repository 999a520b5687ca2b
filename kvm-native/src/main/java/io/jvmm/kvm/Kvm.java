package io.jvmm.kvm;

import com.sun.jna.Memory;
import io.jvmm.kvm.KvmAbi.KvmCpuid2;
import io.jvmm.kvm.KvmAbi.KvmCpuidEntry2;
import io.jvmm.kvm.KvmAbi.KvmMsrList;
import java.util.List;

/**
 * The {@code /dev/kvm} system file descriptor: capabilities, supported CPUID and MSRs, and the
 * factory for {@link VmFd}s.
 *
 * <p>Availability is probed once per process by really opening the device and checking the API
 * version ({@link #isAvailable()}, {@link #unavailabilityCause()}); CPU flags are not consulted,
 * since software virtualizers such as PVM provide {@code /dev/kvm} without vmx or svm.
 */
public final class Kvm extends NativeFd {
    /** The only stable KVM API version; KVM_GET_API_VERSION must return it. */
    public static final int API_VERSION = 12;
    /** Where the device normally lives. */
    public static final String DEVICE = "/dev/kvm";

    private static final int CPUID_MAX_ENTRIES = 512;

    private final String path;

    private Kvm(int fd, String path) {
        super(fd, "Kvm " + path);
        this.path = path;
    }

    /**
     * Opens {@code /dev/kvm} read-write and checks the API version.
     *
     * @throws KvmException "open /dev/kvm failed: ENOENT (...)" or an API version mismatch
     */
    public static Kvm open() {
        return open(DEVICE);
    }

    /** Opens a KVM device at {@code path}; see {@link #open()}. */
    public static Kvm open(String path) {
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new KvmException("open " + path, LibC.errno());
        }
        return checked(new Kvm(fd, path));
    }

    /**
     * Takes ownership of an already-open KVM system descriptor (one inherited from a parent
     * process, say) and checks its API version; the descriptor is closed if the check fails.
     *
     * @throws KvmException e.g. "KVM_GET_API_VERSION failed: EBADF (Bad file descriptor)"
     */
    public static Kvm adopt(int fd) {
        return checked(new Kvm(fd, "fd " + fd));
    }

    private static Kvm checked(Kvm kvm) {
        try {
            int version = kvm.apiVersion();
            if (version != API_VERSION) {
                throw new KvmException("KVM_GET_API_VERSION", "the kernel speaks API version " + version
                        + ", this binding needs " + API_VERSION);
            }
            return kvm;
        } catch (RuntimeException e) {
            kvm.close();
            throw e;
        }
    }

    /** Whether {@code /dev/kvm} could be opened and speaks API version 12 (probed once per process). */
    public static boolean isAvailable() {
        return Probe.CAUSE == null;
    }

    /** Why KVM is unavailable (e.g. "open /dev/kvm failed: ENOENT (No such file or directory)"), or null. */
    public static String unavailabilityCause() {
        return Probe.CAUSE;
    }

    private static final class Probe {
        static final String CAUSE = probe();

        private static String probe() {
            try (Kvm kvm = open()) {
                return null;
            } catch (KvmException e) {
                return e.getMessage();
            } catch (LinkageError e) {
                return "the JNA native library could not be loaded: " + e.getMessage();
            }
        }
    }

    /** The device path this fd was opened from. */
    public String path() {
        return path;
    }

    /** KVM_GET_API_VERSION. */
    public int apiVersion() {
        return ioctl("KVM_GET_API_VERSION", KvmIoctls.KVM_GET_API_VERSION, 0L);
    }

    /** KVM_CHECK_EXTENSION: 0 if absent; otherwise positive, a count for NR_VCPUS and MAX_VCPUS. */
    public int checkExtension(KvmCap cap) {
        return ioctl("KVM_CHECK_EXTENSION", KvmIoctls.KVM_CHECK_EXTENSION, cap.number());
    }

    /** Whether KVM_CHECK_EXTENSION reports {@code cap}. */
    public boolean hasCapability(KvmCap cap) {
        return checkExtension(cap) > 0;
    }

    /** KVM_GET_VCPU_MMAP_SIZE: bytes to mmap from each vCPU fd (kvm_run plus the PIO page and more). */
    public int vcpuMmapSize() {
        return ioctl("KVM_GET_VCPU_MMAP_SIZE", KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0L);
    }

    /** KVM_GET_SUPPORTED_CPUID: every leaf this KVM can expose, with the bits it supports. */
    public List<CpuidEntry> supportedCpuid() {
        // The buffer is a kvm_cpuid2 header followed by CPUID_MAX_ENTRIES entries; nent tells KVM its capacity.
        Memory buf = new Memory(KvmCpuid2.SIZE + (long) CPUID_MAX_ENTRIES * KvmCpuidEntry2.SIZE);
        buf.clear();
        buf.setInt(KvmCpuid2.NENT, CPUID_MAX_ENTRIES);
        ioctl("KVM_GET_SUPPORTED_CPUID", KvmIoctls.KVM_GET_SUPPORTED_CPUID, buf);
        return List.copyOf(CpuidEntry.readAll(buf));
    }

    /** KVM_GET_MSR_INDEX_LIST: the MSRs KVM saves and restores for a guest. */
    public int[] msrIndexList() {
        Memory probe = new Memory(KvmMsrList.SIZE);
        probe.setInt(KvmMsrList.NMSRS, 0);
        // With nmsrs = 0 the kernel answers E2BIG and writes the count it needs.
        ioctlAllowing("KVM_GET_MSR_INDEX_LIST", KvmIoctls.KVM_GET_MSR_INDEX_LIST, probe, Errno.E2BIG);
        int n = probe.getInt(KvmMsrList.NMSRS);
        if (n == 0) {
            return new int[0];
        }
        // Header plus n 32-bit indices, sized from the count the kernel just gave.
        Memory buf = new Memory(KvmMsrList.SIZE + 4L * n);
        buf.setInt(KvmMsrList.NMSRS, n);
        ioctl("KVM_GET_MSR_INDEX_LIST", KvmIoctls.KVM_GET_MSR_INDEX_LIST, buf);
        return buf.getIntArray(KvmMsrList.INDICES, buf.getInt(KvmMsrList.NMSRS));
    }

    /**
     * KVM_CREATE_VM: a new, empty VM (no memory, no vCPUs).
     *
     * @throws KvmException e.g. ENOMEM, or EMFILE when out of descriptors
     */
    public VmFd createVm() {
        int fd = ioctl("KVM_CREATE_VM", KvmIoctls.KVM_CREATE_VM, 0L);
        return new VmFd(fd, this);
    }
}
