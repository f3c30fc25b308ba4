#!/bin/sh
# VIN-VV training speed, VINKit against a jit-compiled JAX (float64) implementation of the same
# model, loss and optimiser, on the same data from the same initial weights (Docs/Benchmarks.md).
#
#   Benchmarks/peers/run.sh [ITERATIONS]     (from anywhere; default 300 iterations)
#
# Creates Benchmarks/peers/.venv with jax (CPU) from PyPI on first use, runs VINKit's side as
# the release-build benchmark test (which writes the data, the initial weights and its losses to
# a temporary directory), then the JAX script, which prints both times, the ratio and how far
# the two loss sequences agree.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
iterations=${1:-300}
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "jax[cpu]"
fi
export_directory=$(mktemp -d)
trap 'rm -rf "$export_directory"' EXIT
cd "$root"
swift build -c release -Xswiftc -enable-testing --build-tests 2>&1 | grep -E 'error|Build complete' || true
tests=$(find .build -path '*release/VINKitPackageTests.xctest' | head -n 1)
# VINKit's side with glibc's default malloc (its heaps are trimmed and refaulted every
# iteration), then with trimming and mmap off for both sides, as a long-running trainer would
# configure it; the JAX comparison uses the second run.
swift_side() {
  VINKIT_BENCHMARK=1 VINKIT_BENCHMARK_PEER_DIRECTORY="$export_directory" \
    VINKIT_BENCHMARK_PEER_ITERATIONS="$iterations" \
    "$tests" --testing-library swift-testing --filter 'BenchmarkTests/peerExport' 2>&1 \
    | grep -E 'VINKit VIN-VV|error|failed' || true
}
echo "default malloc:"
swift_side
export GLIBC_TUNABLES=glibc.malloc.trim_threshold=1000000000:glibc.malloc.mmap_threshold=1000000000
echo "GLIBC_TUNABLES=$GLIBC_TUNABLES (both sides from here):"
swift_side
test -f "$export_directory/swift.json" || { echo "VINKit run failed" >&2; exit 1; }
"$venv/bin/python" "$here/vin_vv_jax.py" "$export_directory"
