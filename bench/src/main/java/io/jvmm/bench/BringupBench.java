package io.jvmm.bench;

final class BringupBench {
    private BringupBench() {
    }

    static Section run(Env env) throws Exception {
        throw new UnsupportedOperationException("todo");
    }
}
