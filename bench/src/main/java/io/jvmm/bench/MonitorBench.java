package io.jvmm.bench;

final class MonitorBench {
    private MonitorBench() {
    }

    static Section run(Env env) throws Exception {
        throw new UnsupportedOperationException("todo");
    }
}
