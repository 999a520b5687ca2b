package io.jvmm.core.devices;

import java.util.ArrayDeque;

/**
 * A 16550-class UART (COM1 at 0x3f8, IRQ 4): enough of the register set for a real driver.
 *
 * <p>Registers (offset, DLAB): 0 RBR/THR (0) or DLL (1); 1 IER (0) or DLM (1); 2 IIR (read) /
 * FCR (write); 3 LCR; 4 MCR; 5 LSR; 6 MSR; 7 SCR. Transmission is instant: THR is always empty,
 * so LSR reads THRE|TEMT and a polling driver never waits. Interrupts: received-data-available
 * and THR-empty, reported in IIR by priority and raised on the IRQ line while pending and MCR.OUT2
 * is set (the PC wiring). MCR loopback routes THR to RBR and MCR's outputs to MSR's inputs, which
 * is what drivers probe. Guarded by the Big Lock.
 */
public final class Uart16550 implements BusDevice {
    /** COM1's base port. */
    public static final int COM1 = 0x3f8;
    /** COM1's IRQ. */
    public static final int COM1_IRQ = 4;

    private static final int IER_RDA = 0x1;
    private static final int IER_THRE = 0x2;
    private static final int IIR_NONE = 0x1;
    private static final int IIR_THRE = 0x2;
    private static final int IIR_RDA = 0x4;
    private static final int IIR_FIFO = 0xc0;
    private static final int LCR_DLAB = 0x80;
    private static final int LSR_DR = 0x1;
    private static final int LSR_THRE = 0x20;
    private static final int LSR_TEMT = 0x40;
    private static final int MCR_LOOP = 0x10;
    private static final int MCR_OUT2 = 0x8;
    private static final int RX_CAPACITY = 4096;

    private final SerialSink sink;
    private final IrqLine irq;
    private final ArrayDeque<Integer> rx = new ArrayDeque<>();
    private int ier;
    private int lcr;
    private int mcr;
    private int scr;
    private int dll = 0x0c; // 9600 baud at reset, as on real hardware
    private int dlm;
    private boolean fifo;
    private boolean thrEmptyPending;
    private boolean irqLevel;

    /** A UART sending to {@code sink} and interrupting on {@code irq}. */
    public Uart16550(SerialSink sink, IrqLine irq) {
        this.sink = sink;
        this.irq = irq;
    }

    @Override
    public long read(long offset, int size, int cpu) {
        int v;
        switch ((int) offset) {
            case 0:
                if ((lcr & LCR_DLAB) != 0) {
                    v = dll;
                } else {
                    Integer b = rx.poll();
                    v = b == null ? 0 : b;
                }
                break;
            case 1:
                v = (lcr & LCR_DLAB) != 0 ? dlm : ier;
                break;
            case 2:
                v = iir() | (fifo ? IIR_FIFO : 0);
                if ((v & 0xf) == IIR_THRE) {
                    thrEmptyPending = false; // reading IIR clears a THR-empty interrupt
                }
                break;
            case 3:
                v = lcr;
                break;
            case 4:
                v = mcr;
                break;
            case 5:
                v = LSR_THRE | LSR_TEMT | (rx.isEmpty() ? 0 : LSR_DR);
                break;
            case 6:
                v = msr();
                break;
            case 7:
                v = scr;
                break;
            default:
                v = 0xff;
        }
        updateIrq();
        return v & 0xff;
    }

    @Override
    public void write(long offset, int size, long value, int cpu) {
        int v = (int) value & 0xff;
        switch ((int) offset) {
            case 0:
                if ((lcr & LCR_DLAB) != 0) {
                    dll = v;
                } else {
                    if ((mcr & MCR_LOOP) != 0) {
                        receive(v);
                    } else {
                        sink.write(v);
                    }
                    thrEmptyPending = true; // the byte left at once; THR is empty again
                }
                break;
            case 1:
                if ((lcr & LCR_DLAB) != 0) {
                    dlm = v;
                } else {
                    boolean thriBefore = (ier & IER_THRE) != 0;
                    ier = v & 0x0f;
                    if (!thriBefore && (ier & IER_THRE) != 0) {
                        thrEmptyPending = true; // enabling the interrupt with THR empty raises it at once
                    }
                }
                break;
            case 2:
                fifo = (v & 1) != 0;
                if ((v & 2) != 0) {
                    rx.clear();
                }
                break;
            case 3:
                lcr = v;
                break;
            case 4:
                mcr = v & 0x1f;
                break;
            case 7:
                scr = v;
                break;
            default:
                break; // LSR and MSR are read-only
        }
        updateIrq();
    }

    /** Queues bytes for the guest to read (input from the outside world). Call with the Big Lock held. */
    public void receive(int b) {
        if (rx.size() < RX_CAPACITY) {
            rx.add(b & 0xff);
        }
        updateIrq();
    }

    private int iir() {
        if ((ier & IER_RDA) != 0 && !rx.isEmpty()) {
            return IIR_RDA;
        }
        if ((ier & IER_THRE) != 0 && thrEmptyPending) {
            return IIR_THRE;
        }
        return IIR_NONE;
    }

    private int msr() {
        if ((mcr & MCR_LOOP) != 0) {
            // DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD
            return ((mcr & 0x1) << 5) | ((mcr & 0x2) << 3) | ((mcr & 0x4) << 4) | ((mcr & 0x8) << 4);
        }
        return 0xb0; // DCD, DSR, CTS: a terminal is always there
    }

    private void updateIrq() {
        boolean level = iir() != IIR_NONE && (mcr & MCR_OUT2) != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    @Override
    public void reset() {
        rx.clear();
        ier = 0;
        lcr = 0;
        mcr = 0;
        scr = 0;
        dll = 0x0c;
        dlm = 0;
        fifo = false;
        thrEmptyPending = false;
        if (irqLevel) {
            irqLevel = false;
            irq.set(false);
        }
    }
}
