package io.jvmm.monitor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.vcpu.VcpuSnapshot;
import io.jvmm.kvm.DebugRegs;
import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.Fpu;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.VcpuEvents;
import io.jvmm.kvm.Xcr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The register dump against QEMU's own output for the same register values. */
class RegisterDumpTest {
    /**
     * QEMU 7.2's {@code info registers} for vCPU 0 of the smp-work guest, captured from its HMP
     * monitor on the reference machine (the FPR/XMM lines at their reset values).
     */
    private static final String QEMU_CPU0 = """

            CPU#0
            EAX=bbb4793c EBX=00102d80 ECX=0000d375 EDX=bbb4793c
            ESI=0000001f EDI=00000005 EBP=00000000 ESP=0010ad8c
            EIP=001001e5 EFL=00000086 [--S--P-] CPL=0 II=0 A20=1 SMM=0 HLT=0
            ES =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]
            CS =0008 00000000 ffffffff 00c09b00 DPL=0 CS32 [-RA]
            SS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]
            DS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]
            FS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]
            GS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]
            LDT=0000 00000000 0000ffff 00008200 DPL=0 LDT
            TR =0000 00000000 0000ffff 00008b00 DPL=0 TSS32-busy
            GDT=     00102cc8 00000017
            IDT=     0020a1a0 000007ff
            CR0=00000011 CR2=00000000 CR3=00000000 CR4=00000000
            DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000\040
            DR6=00000000ffff0ff0 DR7=0000000000000400
            EFER=0000000000000000
            FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80
            FPR0=0000000000000000 0000 FPR1=0000000000000000 0000
            FPR2=0000000000000000 0000 FPR3=0000000000000000 0000
            FPR4=0000000000000000 0000 FPR5=0000000000000000 0000
            FPR6=0000000000000000 0000 FPR7=0000000000000000 0000
            XMM00=0000000000000000 0000000000000000 XMM01=0000000000000000 0000000000000000
            XMM02=0000000000000000 0000000000000000 XMM03=0000000000000000 0000000000000000
            XMM04=0000000000000000 0000000000000000 XMM05=0000000000000000 0000000000000000
            XMM06=0000000000000000 0000000000000000 XMM07=0000000000000000 0000000000000000
            """;

    private static Segment data() {
        return new Segment(0, 0xffffffff, 0x10, 3, true, 0, true, true, false, true, false, false);
    }

    private static VcpuSnapshot snapshot(Regs regs, Sregs sregs, MpState mp) {
        return new VcpuSnapshot(0, 0, VcpuEvents.empty(), mp, regs, sregs, Fpu.reset(), List.of(Xcr.xcr0Reset()),
                DebugRegs.reset(), List.<MsrEntry>of(), 0, new LapicState(new byte[1024]));
    }

    private static Sregs protectedMode() {
        Segment ldt = new Segment(0, 0xffff, 0, 2, true, 0, false, false, false, false, false, false);
        Segment tr = new Segment(0, 0xffff, 0, 0xb, true, 0, false, false, false, false, false, false);
        Segment cs = new Segment(0, 0xffffffff, 0x08, 0xb, true, 0, true, true, false, true, false, false);
        return new Sregs(cs, data(), data(), data(), data(), data(), tr, ldt, new DescriptorTable(0x102cc8, 0x17),
                new DescriptorTable(0x20a1a0, 0x7ff), 0x11, 0, 0, 0, 0, 0, 0xfee00900L, new long[4]);
    }

    @Test
    void aProtectedModeCpuPrintsExactlyAsQemuDoes() {
        Regs regs = new Regs(0xbbb4793cL, 0x102d80, 0xd375, 0xbbb4793cL, 0x1f, 0x5, 0x10ad8c, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0x1001e5, 0x86);
        assertEquals(QEMU_CPU0, RegisterDump.format(snapshot(regs, protectedMode(), MpState.RUNNABLE)));
    }

    @Test
    void aHaltedRealModeApShowsHltAndNoDecodedSegments() {
        Segment rm = new Segment(0, 0xffff, 0, 3, true, 0, false, true, false, false, false, false);
        Segment rcs = new Segment(0xffff0000L, 0xffff, 0xf000, 0xb, true, 0, false, true, false, false, false, false);
        Sregs real = new Sregs(rcs, rm, rm, rm, rm, rm, rm, rm, new DescriptorTable(0, 0xffff),
                new DescriptorTable(0, 0xffff), 0x60000010L, 0, 0, 0, 0, 0, 0xfee00800L, new long[4]);
        String dump = RegisterDump.format(snapshot(Regs.reset().withRip(0xfff0), real, MpState.HALTED));
        assertTrue(dump.contains("EIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=1\n"), dump);
        assertTrue(dump.contains("\nCS =f000 ffff0000 0000ffff 00009b00\n"), dump);
        assertTrue(dump.contains("\nCR0=60000010 "), dump);
    }

    @Test
    void aLongModeCpuUsesSixtyFourBitFieldsAndSixteenXmmRegisters() {
        Segment cs64 = new Segment(0, 0xffffffff, 0x08, 0xb, true, 0, false, true, true, true, false, false);
        Sregs lm = protectedMode();
        lm = new Sregs(cs64, lm.ds(), lm.es(), lm.fs(), lm.gs(), lm.ss(), lm.tr(), lm.ldt(), lm.gdt(), lm.idt(),
                0x80000011L, 0, 0x1000, 0x20, 0, 0x500, lm.apicBase(), new long[4]);
        Regs r = Regs.reset().withRip(0xffffffff81000000L);
        String dump = RegisterDump.format(snapshot(r, lm, MpState.RUNNABLE));
        assertTrue(dump.contains("\nRAX=0000000000000000 RBX="), dump);
        assertTrue(dump.contains("\nR8 =0000000000000000 R9 =0000000000000000 R10="), dump);
        assertTrue(dump.contains("\nRIP=ffffffff81000000 RFL=00000002 [-------] CPL=0"), dump);
        assertTrue(dump.contains("\nCS =0008 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]\n"), dump);
        assertTrue(dump.contains("\nGDT=     0000000000102cc8 00000017\n"), dump);
        assertTrue(dump.contains("\nCR0=80000011 CR2=0000000000000000 CR3=0000000000001000 CR4=00000020\n"), dump);
        assertTrue(dump.contains("\nEFER=0000000000000500\n"), dump);
        assertTrue(dump.contains("\nTR =0000 0000000000000000 0000ffff 00008b00 DPL=0 TSS64-busy\n"), dump);
        assertTrue(dump.contains("XMM15="), dump);
    }
}
