#!/bin/sh
# VIN-VV training speed: `vin fit` (the release binary, as a user runs it) against a
# jit-compiled JAX implementation of the same model, loss and optimiser, in float64 and float32,
# on the same data from the same initial weights (Docs/Benchmarks.md).
#
#   Benchmarks/peers/run.sh [ITERATIONS [SETTING ...]]   (from anywhere; default 300 iterations)
#
# Creates Benchmarks/peers/.venv with jax (CPU) from PyPI on first use, builds `vin` in release,
# then vin_vv_jax.py writes each setting's data, runs `vin fit` on it (timing from its --log)
# and JAX on the same numbers, and prints one table: ms/iteration, the ratios, and the wall
# time until the training loss first reaches the JAX float64 run's final loss.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
iterations=${1:-300}
[ $# -gt 0 ] && shift
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "jax[cpu]"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
swift build -c release --product vin 2>&1 | grep -E 'error|Compiling|Build' | tail -n 1
echo "load average before the runs: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || uptime)"
"$venv/bin/python" "$here/vin_vv_jax.py" "$root/.build/release/vin" "$work" "$iterations" "$@"
echo "load average after the runs: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || uptime)"
