/*
 * The JNI half of io.jvmm.kvm.RunShim: one entry point, a raw ioctl, used for KVM_RUN.
 *
 * KVM_RUN is the one call on jvmm's exit path, made once per guest exit. Through JNA's
 * direct mapping it costs about 250 ns more than the same call from C on a PVM host (libffi
 * marshalling and errno bookkeeping on every call); through this entry point about 60 ns.
 * Everything else in the binding stays on JNA. The request number and its argument come
 * from Java (KvmIoctls), so this file holds no ABI knowledge of its own.
 */
#include <errno.h>
#include <jni.h>
#include <sys/ioctl.h>

/* The shim's interface version; RunShim checks it so a stale library is never used. */
#define JVMM_KVM_SHIM_VERSION 1

JNIEXPORT jint JNICALL
Java_io_jvmm_kvm_RunShim_version(JNIEnv *env, jclass cls)
{
    (void) env;
    (void) cls;
    return JVMM_KVM_SHIM_VERSION;
}

/* ioctl(fd, request, arg): the result when non-negative, else minus errno. */
JNIEXPORT jint JNICALL
Java_io_jvmm_kvm_RunShim_ioctl(JNIEnv *env, jclass cls, jint fd, jlong request, jlong arg)
{
    (void) env;
    (void) cls;
    int r = ioctl(fd, (unsigned long) request, (unsigned long) arg);
    return r < 0 ? -errno : r;
}
