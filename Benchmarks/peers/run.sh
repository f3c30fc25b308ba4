#!/bin/sh
# Training speed against jit-compiled JAX implementations of the same models, losses and
# optimisers, in float64 and float32, on the same data from the same initial weights
# (Docs/Benchmarks.md).
#
#   Benchmarks/peers/run.sh [ITERATIONS [SETTING ...]]          VIN-VV: `vin fit` (default 300)
#   Benchmarks/peers/run.sh pixels [ITERATIONS [ROUNDS [THREADS ...]]]
#                                     VIN-SO(2)-VAE: PixelTrainingSpeed (default 6 4 2 1)
#
# (from anywhere). Creates Benchmarks/peers/.venv with jax (CPU) and optax from PyPI on first
# use and builds the Swift side in release.
#
# VIN-VV: vin_vv_jax.py writes each setting's data, runs `vin fit` on it (timing from its --log)
# and JAX on the same numbers, and prints one table: ms/iteration, the ratios, and the wall
# time until the training loss first reaches the JAX float64 run's final loss.
#
# pixels: vin_so2_vae_jax.py has PixelTrainingSpeed export its initial model, frames, first
# batch and noise with its loss and gradient, checks that JAX computes the same, then times
# PixelTrainingSpeed and JAX (f64, f32) in alternation, ROUNDS times, for each thread count T
# (every process pinned to T cores, OPENBLAS_NUM_THREADS=T, XLA single-threaded for T = 1),
# and prints ms/iteration and the ratios JAX/VINKit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import jax, optax" 2>/dev/null; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "jax[cpu]" optax
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "${1:-}" = pixels ]; then
  shift
  cd "$root/Benchmarks"
  swift build -c release --product PixelTrainingSpeed 2>&1 | grep -E 'error|Compiling|Build' | tail -n 1
  runner="$root/Benchmarks/.build/release/PixelTrainingSpeed"
  echo "load average before the runs: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || uptime)"
  "$venv/bin/python" "$here/vin_so2_vae_jax.py" "$runner" "$work" "$@"
  echo "load average after the runs: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || uptime)"
  exit 0
fi
iterations=${1:-300}
[ $# -gt 0 ] && shift
cd "$root"
swift build -c release --product vin 2>&1 | grep -E 'error|Compiling|Build' | tail -n 1
echo "load average before the runs: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || uptime)"
"$venv/bin/python" "$here/vin_vv_jax.py" "$root/.build/release/vin" "$work" "$iterations" "$@"
echo "load average after the runs: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || uptime)"
