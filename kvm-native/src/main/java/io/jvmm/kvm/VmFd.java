package io.jvmm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmIrqLevel;
import io.jvmm.kvm.KvmAbi.KvmPitConfig;
import io.jvmm.kvm.KvmAbi.KvmUserspaceMemoryRegion;

/**
 * A VM file descriptor (from KVM_CREATE_VM): memory slots, the in-kernel interrupt controllers
 * and timer, interrupt lines, and the factory for {@link VcpuFd}s.
 *
 * <p>The order KVM requires: KVM_CREATE_IRQCHIP and KVM_CREATE_PIT2 before the first
 * KVM_CREATE_VCPU, so each vCPU gets an in-kernel local APIC.
 */
public final class VmFd extends NativeFd {
    private final int vcpuMmapSize;

    VmFd(int fd, Kvm kvm) {
        super(fd, "VmFd");
        try {
            this.vcpuMmapSize = kvm.vcpuMmapSize();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** KVM_CHECK_EXTENSION on this VM (answers may differ from the system fd's, e.g. MAX_VCPUS). */
    public int checkExtension(KvmCap cap) {
        return ioctl("KVM_CHECK_EXTENSION", KvmIoctls.KVM_CHECK_EXTENSION, cap.number());
    }

    /**
     * KVM_SET_USER_MEMORY_REGION: maps {@code size} bytes of host memory at {@code hostAddress}
     * into guest physical {@code guestAddress} as slot {@code slot}. A size of 0 deletes the slot.
     *
     * @throws KvmException EINVAL for misaligned values, EEXIST for an overlapping slot
     */
    public void setUserMemoryRegion(int slot, int flags, long guestAddress, long size, long hostAddress) {
        // Sized to exactly one kvm_userspace_memory_region; the kernel copies it in and keeps no pointer.
        Memory m = new Memory(KvmUserspaceMemoryRegion.SIZE);
        m.clear();
        m.setInt(KvmUserspaceMemoryRegion.SLOT, slot);
        m.setInt(KvmUserspaceMemoryRegion.FLAGS, flags);
        m.setLong(KvmUserspaceMemoryRegion.GUEST_PHYS_ADDR, guestAddress);
        m.setLong(KvmUserspaceMemoryRegion.MEMORY_SIZE, size);
        m.setLong(KvmUserspaceMemoryRegion.USERSPACE_ADDR, hostAddress);
        ioctl("KVM_SET_USER_MEMORY_REGION", KvmIoctls.KVM_SET_USER_MEMORY_REGION, m);
    }

    /** KVM_CREATE_IRQCHIP: in-kernel PIC pair, IOAPIC and a local APIC per vCPU created afterwards. */
    public void createIrqchip() {
        ioctl("KVM_CREATE_IRQCHIP", KvmIoctls.KVM_CREATE_IRQCHIP, 0L);
    }

    /** KVM_CREATE_PIT2: the in-kernel i8254 timer on ports 0x40-0x43 (needs the irqchip). */
    public void createPit2(boolean dummySpeaker) {
        // One kvm_pit_config, zeroed but for the flags; copied in by the kernel.
        Memory m = new Memory(KvmPitConfig.SIZE);
        m.clear();
        m.setInt(KvmPitConfig.FLAGS, dummySpeaker ? KvmPitConfig.SPEAKER_DUMMY : 0);
        ioctl("KVM_CREATE_PIT2", KvmIoctls.KVM_CREATE_PIT2, m);
    }

    /** KVM_SET_TSS_ADDR: three pages of guest-physical space KVM may use for real-mode emulation. */
    public void setTssAddr(long address) {
        ioctl("KVM_SET_TSS_ADDR", KvmIoctls.KVM_SET_TSS_ADDR, address);
    }

    /** KVM_SET_IDENTITY_MAP_ADDR: one page of guest-physical space for the EPT identity map. */
    public void setIdentityMapAddr(long address) {
        // The argument is a pointer to a u64 holding the address.
        Memory m = new Memory(8);
        m.setLong(0, address);
        ioctl("KVM_SET_IDENTITY_MAP_ADDR", KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR, m);
    }

    /** KVM_IRQ_LINE: drives GSI {@code irq} of the in-kernel PIC/IOAPIC high or low. */
    public void irqLine(int irq, boolean level) {
        // One kvm_irq_level; copied in.
        Memory m = new Memory(KvmIrqLevel.SIZE);
        m.setInt(KvmIrqLevel.IRQ, irq);
        m.setInt(KvmIrqLevel.LEVEL, level ? 1 : 0);
        ioctl("KVM_IRQ_LINE", KvmIoctls.KVM_IRQ_LINE, m);
    }

    /**
     * KVM_CREATE_VCPU, then mmap of its {@code kvm_run} page.
     *
     * @throws KvmException EEXIST if {@code id} is taken, EINVAL above KVM_CAP_MAX_VCPU_ID
     */
    public VcpuFd createVcpu(int id) {
        int fd = ioctl("KVM_CREATE_VCPU", KvmIoctls.KVM_CREATE_VCPU, id);
        return new VcpuFd(fd, id, vcpuMmapSize);
    }

    /** The size each vCPU fd is mapped with. */
    public int vcpuMmapSize() {
        return vcpuMmapSize;
    }

    /** Maps a vCPU fd's kvm_run page; package-private so only VcpuFd calls it. */
    static Pointer mapRun(int vcpuFd, int size) {
        Pointer p = LibC.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, vcpuFd, 0);
        if (Pointer.nativeValue(p) == LibC.MAP_FAILED) {
            throw new KvmException("mmap of kvm_run", LibC.errno());
        }
        return p;
    }
}
