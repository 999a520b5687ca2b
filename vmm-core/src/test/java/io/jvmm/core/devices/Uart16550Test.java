package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Uart16550 register by register, as a 16550 driver drives it (PC16550D datasheet register map). */
class Uart16550Test {
    private static final int RBR = 0;
    private static final int THR = 0;
    private static final int DLL = 0;
    private static final int IER = 1;
    private static final int DLM = 1;
    private static final int IIR = 2;
    private static final int FCR = 2;
    private static final int LCR = 3;
    private static final int MCR = 4;
    private static final int LSR = 5;
    private static final int MSR = 6;
    private static final int SCR = 7;

    private static final int IIR_NONE = 0x01;
    private static final int IIR_THRE = 0x02;
    private static final int IIR_RDA = 0x04;
    private static final int MCR_OUT2 = 0x08;
    private static final int MCR_LOOP = 0x10;

    private final List<Integer> sent = new ArrayList<>();
    private final List<Boolean> irqEdges = new ArrayList<>();
    private Uart16550 uart;

    @BeforeEach
    void create() {
        uart = new Uart16550(sent::add, irqEdges::add);
    }

    private int in(int reg) {
        return (int) uart.read(reg, 1, 0);
    }

    private void out(int reg, int value) {
        uart.write(reg, 1, value, 0);
    }

    /** The level the IRQ line was last driven to (low if never driven). */
    private boolean irq() {
        return !irqEdges.isEmpty() && irqEdges.get(irqEdges.size() - 1);
    }

    @Test
    void bytesWrittenToThrGoToTheSink() {
        for (int b : "Hi\n".getBytes()) {
            out(THR, b);
        }
        out(THR, 0x1ff); // only the low byte is a character
        assertEquals(List.of((int) 'H', (int) 'i', (int) '\n', 0xff), sent);
    }

    @Test
    void lsrSaysTheTransmitterIsAlwaysEmpty() {
        assertEquals(0x60, in(LSR), "THRE | TEMT, no data");
        out(THR, 'x');
        assertEquals(0x60, in(LSR), "transmission is instant");
    }

    @Test
    void lsrDataReadyFollowsTheReceiveQueue() {
        uart.receive('a');
        uart.receive('b');
        assertEquals(0x61, in(LSR));
        assertEquals('a', in(RBR));
        assertEquals(0x61, in(LSR));
        assertEquals('b', in(RBR));
        assertEquals(0x60, in(LSR));
        assertEquals(0, in(RBR), "empty receiver reads 0");
    }

    @Test
    void dlabSwitchesOffsetsZeroAndOneToTheDivisorLatch() {
        out(IER, 0x05);
        out(LCR, 0x83); // DLAB, 8N1
        assertEquals(0x0c, in(DLL), "9600 baud at reset");
        assertEquals(0x00, in(DLM));
        out(DLL, 0x01); // 115200 baud
        out(DLM, 0x00);
        assertEquals(0x01, in(DLL));
        assertEquals(0x83, in(LCR));
        assertTrue(sent.isEmpty(), "a divisor write is not a character");
        out(LCR, 0x03);
        assertEquals(0x05, in(IER), "IER untouched by the divisor writes");
        uart.receive('z');
        assertEquals('z', in(RBR), "offset 0 is RBR again");
        out(THR, 'k');
        assertEquals(List.of((int) 'k'), sent);
        out(LCR, 0x80);
        assertEquals(0x01, in(DLL), "the divisor was kept");
        out(DLM, 0x12);
        assertEquals(0x12, in(DLM));
        out(LCR, 0);
        assertEquals(0x05, in(IER));
    }

    @Test
    void ierKeepsOnlyItsFourBits() {
        out(IER, 0xff);
        assertEquals(0x0f, in(IER));
    }

    @Test
    void noInterruptPendingAtReset() {
        assertEquals(IIR_NONE, in(IIR));
        assertTrue(irqEdges.isEmpty());
    }

    @Test
    void enablingThreInterruptRaisesItAtOnceAndReadingIirClearsIt() {
        out(MCR, MCR_OUT2);
        out(IER, 0x02);
        assertTrue(irq(), "THR is empty: the interrupt is pending at once");
        assertEquals(IIR_THRE, in(IIR));
        assertEquals(IIR_NONE, in(IIR), "reading IIR cleared the THR-empty interrupt");
        assertTrue(!irq());
        assertEquals(List.of(true, false), irqEdges);
    }

    @Test
    void thrWriteClearsThreAndTheInstantTransmissionRaisesItAgain() {
        out(MCR, MCR_OUT2);
        out(IER, 0x02);
        in(IIR); // acknowledge
        assertEquals(IIR_NONE, in(IIR));
        out(THR, 'x');
        // the byte left at once, so THR is empty again: a new THR-empty interrupt, as on real hardware
        assertEquals(IIR_THRE, in(IIR));
        assertEquals(List.of(true, false, true, false), irqEdges);
    }

    @Test
    void reenablingThreWhileEnabledDoesNotRaiseItAgain() {
        out(IER, 0x02);
        in(IIR);
        out(IER, 0x03); // THRE was already enabled
        assertEquals(IIR_NONE, in(IIR));
        out(IER, 0x00);
        out(IER, 0x02); // off then on: raised again
        assertEquals(IIR_THRE, in(IIR));
    }

    @Test
    void threNotReportedWhileDisabled() {
        out(THR, 'a');
        assertEquals(IIR_NONE, in(IIR));
    }

    @Test
    void receivedDataInterrupt() {
        out(MCR, MCR_OUT2);
        out(IER, 0x01);
        assertEquals(IIR_NONE, in(IIR));
        uart.receive('q');
        assertTrue(irq());
        assertEquals(IIR_RDA, in(IIR));
        assertEquals(IIR_RDA, in(IIR), "reading IIR does not clear received data");
        assertEquals('q', in(RBR));
        assertEquals(IIR_NONE, in(IIR));
        assertEquals(List.of(true, false), irqEdges);
    }

    @Test
    void receivedDataTakesPriorityOverThre() {
        out(MCR, MCR_OUT2);
        out(IER, 0x03);
        uart.receive('1');
        assertEquals(IIR_RDA, in(IIR));
        assertEquals(IIR_RDA, in(IIR), "the THR-empty interrupt stays pending behind it");
        in(RBR);
        assertEquals(IIR_THRE, in(IIR));
        assertEquals(IIR_NONE, in(IIR));
        assertTrue(!irq());
    }

    @Test
    void irqLineNeedsOut2() {
        out(IER, 0x01);
        uart.receive('x');
        assertEquals(IIR_RDA, in(IIR), "pending...");
        assertTrue(irqEdges.isEmpty(), "...but not on the line without OUT2");
        out(MCR, MCR_OUT2 | 0x03);
        assertEquals(List.of(true), irqEdges);
        out(MCR, 0x03);
        assertEquals(List.of(true, false), irqEdges);
        out(MCR, MCR_OUT2);
        in(RBR);
        assertEquals(List.of(true, false, true, false), irqEdges);
    }

    @Test
    void irqLineIsDrivenOnlyOnChanges() {
        out(MCR, MCR_OUT2);
        out(IER, 0x01);
        uart.receive('a');
        uart.receive('b');
        in(LSR);
        in(RBR);
        assertEquals(List.of(true), irqEdges, "still pending: no second edge");
        in(RBR);
        assertEquals(List.of(true, false), irqEdges);
    }

    @Test
    void loopbackSendsThrToRbrInsteadOfTheSink() {
        out(MCR, MCR_LOOP);
        out(THR, 0x55);
        out(THR, 0xAA);
        assertTrue(sent.isEmpty());
        assertEquals(0x61, in(LSR));
        assertEquals(0x55, in(RBR));
        assertEquals(0xAA, in(RBR));
        assertEquals(0x60, in(LSR));
        out(MCR, 0);
        out(THR, 'o');
        assertEquals(List.of((int) 'o'), sent);
    }

    @Test
    void loopbackRoutesModemControlOutputsToStatusInputs() {
        out(MCR, MCR_LOOP);
        assertEquals(0x00, in(MSR) & 0xf0);
        out(MCR, MCR_LOOP | 0x01);
        assertEquals(0x20, in(MSR) & 0xf0, "DTR -> DSR");
        out(MCR, MCR_LOOP | 0x02);
        assertEquals(0x10, in(MSR) & 0xf0, "RTS -> CTS");
        out(MCR, MCR_LOOP | 0x04);
        assertEquals(0x40, in(MSR) & 0xf0, "OUT1 -> RI");
        out(MCR, MCR_LOOP | 0x08);
        assertEquals(0x80, in(MSR) & 0xf0, "OUT2 -> DCD");
        out(MCR, MCR_LOOP | 0x0f);
        assertEquals(0xf0, in(MSR) & 0xf0);
    }

    @Test
    void withoutLoopbackATerminalIsAlwaysThere() {
        assertEquals(0xb0, in(MSR), "DCD, DSR, CTS");
        out(MCR, 0x0f);
        assertEquals(0xb0, in(MSR));
    }

    @Test
    void mcrKeepsFiveBits() {
        out(MCR, 0xff);
        assertEquals(0x1f, in(MCR));
    }

    @Test
    void fifoEnableShowsInIir() {
        out(FCR, 0x01);
        assertEquals(0xc0 | IIR_NONE, in(IIR));
        out(IER, 0x02);
        assertEquals(0xc0 | IIR_THRE, in(IIR), "the FIFO bits do not hide the interrupt");
        assertEquals(0xc0 | IIR_NONE, in(IIR), "and reading it still acknowledges THRE");
        out(FCR, 0x00);
        assertEquals(IIR_NONE, in(IIR));
    }

    @Test
    void fcrReceiverResetDropsReceivedBytes() {
        uart.receive('a');
        uart.receive('b');
        out(FCR, 0x03);
        assertEquals(0x60, in(LSR));
        assertEquals(0, in(RBR));
    }

    @Test
    void scratchRegisterHoldsAByte() {
        out(SCR, 0x5a);
        assertEquals(0x5a, in(SCR));
        out(SCR, 0x1a5);
        assertEquals(0xa5, in(SCR));
    }

    @Test
    void lsrAndMsrIgnoreWrites() {
        out(LSR, 0x00);
        out(MSR, 0x00);
        assertEquals(0x60, in(LSR));
        assertEquals(0xb0, in(MSR));
    }

    @Test
    void receiveQueueIsBounded() {
        for (int i = 0; i < 5000; i++) {
            uart.receive(i);
        }
        int n = 0;
        while ((in(LSR) & 1) != 0) {
            assertEquals(n & 0xff, in(RBR));
            n++;
        }
        assertEquals(4096, n);
    }

    @Test
    void resetReturnsToPowerOnState() {
        out(LCR, 0x80);
        out(DLL, 0x01);
        out(DLM, 0x02);
        out(LCR, 0x1b);
        out(IER, 0x03);
        out(MCR, MCR_OUT2 | MCR_LOOP);
        out(SCR, 0x77);
        out(FCR, 0x01);
        uart.receive('r');
        assertTrue(irq());

        uart.reset();
        assertTrue(!irq(), "the line is lowered");
        assertEquals(0, in(LCR));
        assertEquals(0, in(MCR));
        assertEquals(0, in(IER));
        assertEquals(0, in(SCR));
        assertEquals(IIR_NONE, in(IIR), "no interrupt, FIFO off");
        assertEquals(0x60, in(LSR), "received bytes dropped");
        out(LCR, 0x80);
        assertEquals(0x0c, in(DLL));
        assertEquals(0x00, in(DLM));
    }

    @Test
    void resetWithTheLineLowDoesNotDriveIt() {
        uart.reset();
        assertTrue(irqEdges.isEmpty());
    }
}
