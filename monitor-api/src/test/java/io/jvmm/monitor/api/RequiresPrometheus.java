package io.jvmm.monitor.api;

import java.io.File;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A test that runs a real Prometheus and promtool; skipped with the reason where they are missing. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RequiresPrometheus.Condition.class)
@interface RequiresPrometheus {
    /** The JUnit condition, and the PATH lookup the test uses. */
    final class Condition implements ExecutionCondition {
        /** Finds a binary on PATH, or null. */
        static String which(String name) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                File f = new File(dir, name);
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
            return null;
        }

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            for (String b : new String[] {"prometheus", "promtool"}) {
                if (which(b) == null) {
                    return ConditionEvaluationResult.disabled("Prometheus unavailable: " + b
                            + " not found on PATH (apt-get install prometheus)");
                }
            }
            return ConditionEvaluationResult.enabled("Prometheus found");
        }
    }
}
