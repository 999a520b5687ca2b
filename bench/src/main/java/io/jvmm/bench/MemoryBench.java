package io.jvmm.bench;

final class MemoryBench {
    private MemoryBench() {
    }

    static Section run(Env env) throws Exception {
        throw new UnsupportedOperationException("todo");
    }
}
