#!/usr/bin/env bash
# run-qemu.sh NAME [-smp SPEC] [-append "ARGS"] [-m MEM] [-- EXTRA QEMU ARGS...]
#
# Runs one jvmm guest under QEMU/KVM with the reference flags, building the
# guests first if any source is newer than the image. Exits with the guest's
# result (QEMU's isa-debug-exit status is (v << 1) | 1; this undoes that).
# Exit 124 if the guest did not finish within $RUN_QEMU_TIMEOUT seconds
# (default 120), 125 if QEMU itself failed.
#
# Examples:
#   guests/run-qemu.sh hello -append exit=3            # exits 3
#   guests/run-qemu.sh smp-boot -smp 8,sockets=2,cores=2,threads=2
#   guests/run-qemu.sh ipi-storm -smp 8 -append "rounds=50 nmis=4"
set -euo pipefail

die() {
    echo "run-qemu.sh: $*" >&2
    exit 125
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
outdir="$here/target/classes/io/jvmm/guests"
[[ $# -ge 1 ]] || die "usage: run-qemu.sh NAME [-smp SPEC] [-append ARGS] [-m MEM] [-- QEMU ARGS...]"
name=$1
shift
smp=1
append=""
mem=64M
extra=()
while [[ $# -gt 0 ]]; do
    case $1 in
        -smp) smp=${2:?-smp needs a value}; shift 2 ;;
        -append) append=${2?-append needs a value}; shift 2 ;;
        -m) mem=${2:?-m needs a value}; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) die "unknown argument '$1' (put extra QEMU arguments after --)" ;;
    esac
done

# Build if the image is missing or older than any source or the build script.
image="$outdir/$name.elf"
if [[ ! -f $image ]] || [[ -n $(find "$here/src/main/asm" "$here/build-guests.sh" -newer "$image" -print -quit) ]]; then
    bash "$here/build-guests.sh" "$outdir"
fi
[[ -f $image ]] || die "no guest '$name' (have: $(tr '\n' ' ' <"$outdir/index.txt"))"

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found"
set +e
timeout "${RUN_QEMU_TIMEOUT:-120}" qemu-system-x86_64 \
    -enable-kvm -cpu host,-arch-capabilities -display none -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot -m "$mem" -smp "$smp" \
    -kernel "$image" -append "$append" "${extra[@]}"
status=$?
set -e
if ((status == 124)); then
    echo "run-qemu.sh: $name did not exit within ${RUN_QEMU_TIMEOUT:-120} s" >&2
    exit 124
fi
((status % 2 == 1)) || die "QEMU exited with status $status without a guest result"
exit $((status >> 1))
