#!/usr/bin/env python3
"""The pixel-pendulum benchmark of Docs/Learning.md ("Learning from pixels"): the release
PixelPendulum example (Examples/PixelPendulum) run for every seed and number of training videos.

    Benchmarks/learning/pixels.py [--seeds 1,2,3] [--videos 1,2,3] [--width 200] [--iterations 1000]
                                  [--binary PATH]

Each run trains the VAE, ResNet-VAE, VIN-VV-VAE and VIN-SO(2)-VAE on that many 50-frame videos
(the example's seeded starts), forecasts 200 frames of 10 fresh videos and prints the example's
table; this script collects the tables and prints, per number of videos and model, the mean ±
standard deviation over the seeds of short, sharp / mean frame, amplitude, alignment and energy
drift as Markdown, and the short error of the same forecasts started from the encoder's estimate
alone (not fitted to the context frames). The pictures of each run go to --work (default: a fresh
temporary directory). Each run has OpenBLAS on one thread, so that the example fits its models
side by side, one per core (as `make demo-pixels` runs it).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = ["VAE", "ResNet-VAE", "VIN-VV-VAE", "VIN-SO(2)-VAE", "mean frame"]
COLUMNS = ["short", "sharp", "sharp/mean", "amplitude", "alignment", "energy drift"]
ENCODER_START = "Short error from the encoder's start alone"


def parse_table(output):
    """{model: [cells]} from the example's table (cells split at runs of two spaces)."""
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().split("  ") if c.strip()]
        if cells and cells[0] in MODELS:
            rows[cells[0]] = cells[1:]
        if line.startswith(ENCODER_START):
            for entry in line.split(": ", 1)[1].split(", "):
                model, value = entry.rsplit(" ", 1)
                rows.setdefault(model, [])
                rows[model] = rows[model][:len(COLUMNS)] + ["-"] * (len(COLUMNS) - len(rows[model])) + [value]
    return rows


def cell(values):
    numbers = [float(v) for v in values if v != "-"]
    if not numbers:
        return "-"
    if len(numbers) == 1:
        return f"{numbers[0]:.3g}"
    return f"{statistics.mean(numbers):.3g} ± {statistics.stdev(numbers):.2g}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--videos", default="1,2,3")
    parser.add_argument("--width", default="200")
    parser.add_argument("--iterations", default="1000")
    parser.add_argument("--binary", default=None, help="a built PixelPendulum (default: build it)")
    parser.add_argument("--work", default=None)
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="pixel-bench-")
    binary = args.binary
    if binary is None:
        subprocess.run(
            ["swift", "build", "-c", "release", "--product", "PixelPendulum"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, ".build", "release", "PixelPendulum")
    def run(videos, seed):
        directory = os.path.join(work, f"videos-{videos}-seed-{seed}")
        os.makedirs(directory, exist_ok=True)
        environment = dict(
            os.environ, PIXEL_PENDULUM_VIDEOS=videos, PIXEL_PENDULUM_SEED=seed,
            PIXEL_PENDULUM_WIDTH=args.width, PIXEL_PENDULUM_ITERATIONS=args.iterations)
        environment["OPENBLAS_NUM_THREADS"] = "1"
        start = time.time()
        output = subprocess.run(
            [binary, directory], env=environment, check=True, capture_output=True,
            text=True).stdout
        with open(os.path.join(directory, "output.txt"), "w") as file:
            file.write(output)
        print(f"videos {videos}, seed {seed}: {time.time() - start:.0f} s", file=sys.stderr)
        return videos, parse_table(output)

    runs = [(v, s) for v in args.videos.split(",") for s in args.seeds.split(",")]
    results = {}
    for videos, table in (run(*r) for r in runs):
        for model, cells in table.items():
            results.setdefault((videos, model), []).append(cells)
    columns = COLUMNS + ["short, encoder start"]
    print("| videos | model | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 2) + "|")
    for videos in args.videos.split(","):
        for model in MODELS:
            runs = results.get((videos, model), [])
            cells = [cell([run[i] for run in runs if i < len(run)]) for i in range(len(columns))]
            print(f"| {videos} | {model} | " + " | ".join(cells) + " |")
    print(f"\nruns in {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
