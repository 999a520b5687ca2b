package io.jvmm.bench;

final class ProfileBench {
    private ProfileBench() {
    }

    static Section run(Env env) throws Exception {
        throw new UnsupportedOperationException("todo");
    }
}
