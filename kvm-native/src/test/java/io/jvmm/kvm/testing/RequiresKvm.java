package io.jvmm.kvm.testing;

import io.jvmm.kvm.Kvm;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class or method that needs a usable {@code /dev/kvm}. Where KVM is missing the
 * test is reported as skipped with the probe's cause ("KVM unavailable: open /dev/kvm failed:
 * ENOENT ..."), never as passed; {@code .ci/run} fails the build if any test was skipped.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RequiresKvm.Condition.class)
public @interface RequiresKvm {
    /** The JUnit condition behind the annotation. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return Kvm.isAvailable()
                    ? ConditionEvaluationResult.enabled("KVM is available")
                    : ConditionEvaluationResult.disabled("KVM unavailable: " + Kvm.unavailabilityCause());
        }
    }
}
