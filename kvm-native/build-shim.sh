#!/usr/bin/env bash
# build-shim.sh OUTFILE JAVA_HOME
#
# Compiles src/main/c/jvmm_kvm_run.c, the JNI entry point for KVM_RUN (see RunShim), into the
# shared library OUTFILE, against the JNI headers of the JDK at JAVA_HOME. Needs gcc and the
# JDK's include/ directory (every JDK has it; a JRE alone does not). Quiet on success.
set -euo pipefail

die() {
    echo "build-shim.sh: error: $*" >&2
    exit 1
}

[[ $# -eq 2 ]] || die "usage: build-shim.sh OUTFILE JAVA_HOME"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
jdk=$2
src="$here/src/main/c/jvmm_kvm_run.c"

command -v gcc >/dev/null 2>&1 || die "'gcc' not found in PATH (apt-get install gcc)"
[[ -f $jdk/include/jni.h && -f $jdk/include/linux/jni_md.h ]] \
    || die "no JNI headers under $jdk/include: build with a full JDK 17 (e.g. apt-get install openjdk-17-jdk-headless), not a JRE"
mkdir -p "$(dirname "$out")" || die "cannot create $(dirname "$out")"
gcc -O2 -fPIC -shared -Wall -Wextra -Werror -I"$jdk/include" -I"$jdk/include/linux" -o "$out" "$src" -ldl \
    || die "compiling $src failed"
