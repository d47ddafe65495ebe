#!/usr/bin/env bash
# A CUDA build toolchain for `cargo build --features cuda`, from PyPI wheels alone: no system
# CUDA install, no download at build time (candle's kernels are compiled by `nvcc` in its build
# script; burn's CUDA backend instead downloads LLVM while building, which offline machines
# cannot do).
#
#   scripts/cuda-toolchain.sh [DIR]       # default DIR: .cuda-toolchain
#   . DIR/env.sh
#   cargo build --release --features cuda
#
# CUDA 13.0 is used because its `nvidia-cuda-nvcc` wheel ships the `nvcc` driver program; the
# CUDA 12 wheels (`nvidia-cuda-nvcc-cu12`, 12.0 to 12.9) hold only `ptxas` and `libnvvm`.
# Binaries built with it need an NVIDIA driver that supports CUDA 13.0 (580 or later) and the
# cuBLAS/cuRAND/NVRTC 13 libraries at run time (DIR/lib, put on LD_LIBRARY_PATH by env.sh).
#
# On a machine without an NVIDIA driver (to check that the `cuda` build compiles and links),
# ZEEF_CUDA_STUB_DRIVER=1 writes a stand-in libcuda.so into DIR/lib whose every function
# returns CUDA_ERROR_NO_DEVICE. Never put that folder on a GPU machine's library path.
set -euo pipefail

dir=${1:-.cuda-toolchain}
python=${PYTHON:-python3}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if [ ! -x "$dir/venv/bin/pip" ]; then
    "$python" -m venv "$dir/venv"
fi
# One CUDA minor version throughout: nvcc rejects headers from a newer crt/nvvm.
"$dir/venv/bin/pip" install --quiet \
    "nvidia-cuda-nvcc==13.0.88" "nvidia-cuda-crt==13.0.88" "nvidia-nvvm==13.0.88" \
    "nvidia-cuda-cccl==13.0.85" "nvidia-cuda-runtime==13.0.96" "nvidia-cuda-nvrtc==13.0.88" \
    "nvidia-cublas==13.0.2.14" "nvidia-curand==10.4.5.25"

cuda=$(echo "$dir"/venv/lib/python3*/site-packages/nvidia/cu13)
[ -x "$cuda/bin/nvcc" ] || { echo "no nvcc in $cuda/bin" >&2; exit 1; }

# DIR is laid out like a CUDA install (include/, lib/) for the build scripts that look for one
# under CUDA_PATH. The linker wants unversioned names (-lcublas); the wheels ship versioned ones.
mkdir -p "$dir/lib"
ln -sfn "$cuda/include" "$dir/include"
for lib in cublas cublasLt curand nvrtc cudart; do
    so=$(cd "$cuda/lib" && ls "lib$lib.so."* | sort | head -n 1)
    ln -sf "$cuda/lib/$so" "$dir/lib/$so"
    ln -sf "$cuda/lib/$so" "$dir/lib/lib$lib.so"
done
for extra in "$cuda"/lib/libnvrtc-builtins*.so* "$cuda"/lib/libcublasLt.so.*; do
    ln -sf "$extra" "$dir/lib/$(basename "$extra")"
done

if [ "${ZEEF_CUDA_STUB_DRIVER:-0}" = 1 ]; then
    # Every driver entry point the bindings of cudarc (the CUDA layer under candle) declare.
    repo=$(cd "$(dirname "$0")/.." && pwd)
    src=$(cargo metadata --format-version 1 --features cuda --manifest-path "$repo/Cargo.toml" |
        "$python" -c 'import json,sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"]=="cudarc"))')
    grep -ohE "fn cu[A-Z][A-Za-z0-9_]*" "$(dirname "$src")/src/driver/sys/mod.rs" |
        awk '{print $NF}' | sort -u |
        awk '{print "int " $1 "(void) { return 100; /* CUDA_ERROR_NO_DEVICE */ }"}' >"$dir/libcuda-stub.c"
    cc -shared -fPIC -o "$dir/lib/libcuda.so" "$dir/libcuda-stub.c" -Wl,-soname,libcuda.so.1
    ln -sf libcuda.so "$dir/lib/libcuda.so.1"
fi

cat >"$dir/env.sh" <<EOF
# Made by scripts/cuda-toolchain.sh: the environment for \`cargo build --features cuda\`.
export PATH="$cuda/bin:\$PATH"
export CUDA_ROOT="$dir" CUDA_PATH="$dir"
export LIBRARY_PATH="$dir/lib\${LIBRARY_PATH:+:\$LIBRARY_PATH}"
export LD_LIBRARY_PATH="$dir/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
# The GPU generation to compile kernels for (90: H100/H200). With a GPU present, unset it and
# candle's build asks nvidia-smi.
export CUDA_COMPUTE_CAP="\${CUDA_COMPUTE_CAP:-90}"
EOF
echo "CUDA $("$cuda/bin/nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p') toolchain in $dir; now: . $dir/env.sh"
