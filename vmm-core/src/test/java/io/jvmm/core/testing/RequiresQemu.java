package io.jvmm.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test that compares against QEMU. Where {@code qemu-system-x86_64} is missing the test
 * is skipped with that reason; {@code .ci/run} installs QEMU and fails on any skip.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RequiresQemu.Condition.class)
public @interface RequiresQemu {
    /** The JUnit condition behind the annotation. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String missing = Qemu.unavailabilityCause();
            return missing == null ? ConditionEvaluationResult.enabled("QEMU found")
                    : ConditionEvaluationResult.disabled("QEMU unavailable: " + missing);
        }
    }
}
