package io.jvmm.kvm;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the Java constants that mirror the kernel ABI, so that one test
 * ({@code KvmAbiTest}) can compile a C program against {@code <linux/kvm.h>} and check every
 * marked constant against what the compiler computes. A constant without a mark is not checked;
 * the test also fails if a struct class in {@link KvmAbi} lacks its mark.
 */
public final class Abi {
    private Abi() {
    }

    /** A constant equal to a C expression, e.g. {@code @Abi.Value("KVM_RUN")}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD})
    public @interface Value {
        /** The C expression, evaluated as a 64-bit integer. */
        String value();
    }

    /** A class that describes {@code struct <value>}: its {@code SIZE} field is checked against sizeof. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Struct {
        /** The struct's tag, without {@code struct}. */
        String value();
    }

    /** A field offset inside the enclosing {@link Struct}, checked with offsetof and sizeof. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Field {
        /** The member designator, e.g. {@code "io.port"}. */
        String value();

        /** The member's size in bytes; for a flexible array, the size of one element. */
        int size();

        /** True for a flexible array member, whose sizeof is that of one element. */
        boolean flexible() default false;
    }
}
