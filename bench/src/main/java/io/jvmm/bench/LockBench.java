package io.jvmm.bench;

final class LockBench {
    private LockBench() {
    }

    static Section run(Env env) throws Exception {
        throw new UnsupportedOperationException("todo");
    }
}
