/*
 * The JNI half of io.jvmm.kvm.RunShim: a raw ioctl, used for KVM_RUN, and the kick signal's
 * handler.
 *
 * KVM_RUN is the one call on jvmm's exit path, made once per guest exit. Through JNA's
 * direct mapping it costs about 250 ns more than the same call from C on a PVM host (libffi
 * marshalling and errno bookkeeping on every call); through this entry point about 60 ns.
 * Everything else in the binding stays on JNA. The request number and its argument come
 * from Java (KvmIoctls), so this file holds no ABI knowledge of its own.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

/* The shim's interface version; RunShim checks it so a stale library is never used. */
#define JVMM_KVM_SHIM_VERSION 3

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

/*
 * The kick signal's handler. It does nothing: its only purpose is that the signal, unblocked on
 * a vCPU thread, makes KVM_RUN return EINTR and is then consumed, without the per-entry signal
 * mask swap KVM_SET_SIGNAL_MASK costs. No Java code ever runs as a signal handler.
 *
 * It is exported under this name so that a handler installed by another copy of this library
 * is recognised as jvmm's (see installKickHandler).
 */
__attribute__((visibility("default"))) void jvmm_kick_handler(int sig)
{
    (void) sig;
}

/*
 * Whether handler is a jvmm kick handler: this library's, or the same function in another copy
 * of it. A JVM loads one copy per class loader that loads RunShim (each from its own temporary
 * file), as a second Quarkus application in one test JVM does, and each copy has its own
 * jvmm_kick_handler; the first one installed serves them all.
 */
static int is_kick_handler(void (*handler)(int))
{
    if (handler == jvmm_kick_handler) {
        return 1;
    }
    Dl_info info;
    return dladdr((void *) handler, &info) != 0 && info.dli_sname != NULL
            && strcmp(info.dli_sname, "jvmm_kick_handler") == 0 && info.dli_saddr == (void *) handler;
}

/*
 * Keeps this copy of the library mapped for the life of the process. The kick handler it
 * installs stays the signal's disposition after the class loader that loaded this copy is
 * gone; without this the JVM would unmap the code when that loader is collected and the next
 * kick would jump into nothing.
 */
static int pin_library(void)
{
    Dl_info info;
    if (dladdr((void *) jvmm_kick_handler, &info) == 0 || info.dli_fname == NULL) {
        return -ENOENT;
    }
    return dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != NULL ? 0 : -ENOENT;
}

/*
 * Installs the handler for signal sig, process-wide, with SA_RESTART so that other system calls
 * the thread makes are restarted (KVM_RUN returns EINTR regardless). Returns 0 (also when a jvmm
 * kick handler, from any copy of this library, is installed already), minus errno, or -EBUSY if
 * somebody else's handler is installed for sig (it is left in place).
 */
JNIEXPORT jint JNICALL
Java_io_jvmm_kvm_RunShim_installKickHandler(JNIEnv *env, jclass cls, jint sig)
{
    (void) env;
    (void) cls;
    struct sigaction old;
    if (sigaction(sig, NULL, &old) < 0) {
        return -errno;
    }
    if (!(old.sa_flags & SA_SIGINFO) && is_kick_handler(old.sa_handler)) {
        return 0;
    }
    if ((old.sa_flags & SA_SIGINFO) || (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)) {
        return -EBUSY;
    }
    int pinned = pin_library();
    if (pinned < 0) {
        return pinned;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = jvmm_kick_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(sig, &sa, NULL) < 0 ? -errno : 0;
}
