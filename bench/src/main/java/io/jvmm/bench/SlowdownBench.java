package io.jvmm.bench;

final class SlowdownBench {
    private SlowdownBench() {
    }

    static Section run(Env env) throws Exception {
        throw new UnsupportedOperationException("todo");
    }
}
