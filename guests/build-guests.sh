#!/usr/bin/env bash
# build-guests.sh OUTDIR
#
# Assembles the jvmm guest programs: every src/main/asm/*.S is one guest,
# linked with all of src/main/asm/lib/*.S, into OUTDIR/<name>.elf (32-bit ELF,
# Multiboot v1, loaded at 1 MiB), and lists the guest names in OUTDIR/index.txt.
# Needs only bash, gcc (as the C preprocessor + GNU as driver) and binutils ld.
# Quiet on success; on failure prints what failed and exits non-zero.
set -euo pipefail

die() {
    echo "build-guests.sh: error: $*" >&2
    exit 1
}

[[ $# -eq 1 ]] || die "usage: build-guests.sh OUTDIR"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$here/src/main/asm"
lds="$src/guest.ld"
outdir=$1

for tool in gcc ld; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found in PATH"
done
[[ -f $lds ]] || die "missing linker script $lds"

mkdir -p "$outdir" || die "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jvmm-guests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run LABEL CMD...: run a command, show its output and fail only if it fails
# or prints anything (warnings are treated as errors to keep builds quiet).
run() {
    local label=$1
    shift
    if ! "$@" >"$tmp/log" 2>&1; then
        cat "$tmp/log" >&2
        die "$label failed"
    fi
    if [[ -s $tmp/log ]]; then
        cat "$tmp/log" >&2
        die "$label printed warnings (treated as errors)"
    fi
}

asflags=(-m32 -c -nostdinc -I "$src" -Wa,--fatal-warnings -Wa,--noexecstack)

# Shared library objects.
lib_objs=()
shopt -s nullglob
for s in "$src"/lib/*.S; do
    o="$tmp/lib-$(basename "${s%.S}").o"
    run "assembling ${s#"$here"/}" gcc "${asflags[@]}" "$s" -o "$o"
    lib_objs+=("$o")
done

# Guests.
guests=()
for s in "$src"/*.S; do
    name=$(basename "${s%.S}")
    [[ $name =~ ^[a-z0-9-]+$ ]] || die "guest file name ${s#"$here"/} must match [a-z0-9-]+.S"
    o="$tmp/$name.o"
    run "assembling ${s#"$here"/}" gcc "${asflags[@]}" "$s" -o "$o"
    run "linking $name.elf (${s#"$here"/} + lib)" \
        ld -m elf_i386 -T "$lds" --build-id=none --no-warn-rwx-segments -nostdlib \
        -o "$tmp/$name.elf" "$o" "${lib_objs[@]}"
    guests+=("$name")
done
[[ ${#guests[@]} -gt 0 ]] || die "no guests found in $src"

# check_image NAME: ELF32 / EM_386 and a valid Multiboot v1 header, 4-byte
# aligned within the first 8192 bytes, without the a.out kludge flag.
check_image() {
    local f="$tmp/$1.elf" words i magic flags sum
    mapfile -t head < <(od -A n -t x1 -N 20 -v "$f" | tr -s ' \n' '\n' | sed '/^$/d')
    [[ ${head[0]}${head[1]}${head[2]}${head[3]} == 7f454c46 && ${head[4]} == 01 && ${head[18]} == 03 ]] ||
        die "$1.elf is not a 32-bit EM_386 ELF"
    mapfile -t words < <(od -A n -t u4 -N 8192 -v "$f" | tr -s ' \n' '\n' | sed '/^$/d')
    for ((i = 0; i + 2 < ${#words[@]}; i++)); do
        magic=${words[i]}
        if ((magic == 0x1BADB002)); then
            flags=${words[i + 1]}
            sum=$(((magic + flags + words[i + 2]) & 0xFFFFFFFF))
            ((sum == 0)) || die "$1.elf: Multiboot header checksum is wrong"
            ((!(flags & 0x10000))) || die "$1.elf: Multiboot a.out kludge bit must not be set"
            return 0
        fi
    done
    die "$1.elf: no Multiboot header in the first 8192 bytes"
}

for name in "${guests[@]}"; do
    check_image "$name"
done

# Install: images first, index last (so a reader never sees a listed guest
# without its image), and remove images of guests that no longer exist.
for name in "${guests[@]}"; do
    if ! cmp -s "$tmp/$name.elf" "$outdir/$name.elf"; then
        cp "$tmp/$name.elf" "$outdir/$name.elf.tmp" && mv -f "$outdir/$name.elf.tmp" "$outdir/$name.elf" ||
            die "cannot write $outdir/$name.elf"
    fi
done
printf '%s\n' "${guests[@]}" >"$tmp/index.txt"
if ! cmp -s "$tmp/index.txt" "$outdir/index.txt"; then
    cp "$tmp/index.txt" "$outdir/index.txt.tmp" && mv -f "$outdir/index.txt.tmp" "$outdir/index.txt" ||
        die "cannot write $outdir/index.txt"
fi
for f in "$outdir"/*.elf; do
    name=$(basename "${f%.elf}")
    printf '%s\n' "${guests[@]}" | grep -qx -- "$name" || rm -f "$f"
done
