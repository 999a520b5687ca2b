package io.jvmm.kvm;

/** One extended control register ({@code struct kvm_xcr}); XCR0 is {@code index} 0. */
public record Xcr(int index, long value) {
    /** XCR0 after INIT: x87 state enabled only. */
    public static Xcr xcr0Reset() {
        return new Xcr(0, 1);
    }
}
