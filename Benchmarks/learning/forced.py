#!/usr/bin/env python3
"""The forced learning benchmark of Docs/Learning.md ("Learning forces"), through the release `vin`.

    Benchmarks/learning/forced.py [--seeds 1,2,3] [--jobs 2] [--vin PATH] [--work DIR]

The damped driven pendulum (damping b = 0.1, m = l = 1, g = 9.81): 20 training trajectories of
50 points at h = 0.1, driven by random torques (`--control random:std=1,hold=0.5`, a fresh
sequence per trajectory), observed with noise σ = 0.05 on q and v; the inputs are known exactly.
Ten test trajectories from fresh starts under fresh torque sequences, 100 steps, noiseless. Each
model forecasts every test trajectory under its torques (`vin evaluate`, which replays the truth's
u columns), scored as in run.py: the mean over steps 1..100 of the squared error summed over q
and v. Models:

- floor:    the true damped pendulum stepped by Störmer–Verlet at h (the VIN's own integrator);
- vin-vv:   `vin fit --model vin-vv --angles --dissipation constant` (forced VIN-VV, learning
            V, M, the input gain B and the damping D), its defaults otherwise;
- resnet:   `vin fit --model resnet --angles` (x + h f(x, u)), its defaults otherwise.

For the VIN it also reports the learned damping D/M and gain B/M against the truth's b/(ml²) and
1/(ml²) (only the ratios are identifiable).
"""

import argparse
import concurrent.futures
import json
import math
import os
import random
import statistics
import subprocess
import tempfile

import run as suite

ROW = dict(system="pendulum", params=["damping=0.1"], trajectories=20, points=50, noise=0.05,
           dt=0.1, steps=100, control="random:std=1,hold=0.5")
TRUE_DAMPING = 0.1
TRUE_GAIN = 1.0


def simulate(vin, row, q, v, steps, output, integrator, control_seed, noise=None, seed=0):
    """`vin simulate` of `row`'s system under its control signal with seed `control_seed`."""
    command = [vin, "simulate", row["system"], "--integrator", integrator, "--dt", repr(row["dt"]),
               "--steps", str(steps), "--q0", ",".join(map(repr, q)), "--v0", ",".join(map(repr, v)),
               "--control", f"{row['control']},seed={control_seed}", "--output", output]
    for parameter in row["params"]:
        command += ["--param", parameter]
    if noise:
        command += ["--noise", repr(noise), "--seed", str(seed)]
    suite.run(command)


def make_data(vin, row, start, name, seed, directory):
    """Noisy driven training files and noiseless driven test files of one seed (fresh control
    sequences throughout); returns the test starts."""
    rng = random.Random(f"{name}/{seed}")
    os.makedirs(directory, exist_ok=True)
    for i in range(row["trajectories"]):
        q, v = start(rng)
        simulate(vin, row, q, v, row["points"] - 1, f"{directory}/train{i}.csv",
                 suite.TRUTH_INTEGRATOR, control_seed=10_000 * seed + i, noise=row["noise"],
                 seed=1000 * seed + i)
    starts = []
    for i in range(10):
        q, v = start(rng)
        simulate(vin, row, q, v, row["steps"], f"{directory}/test{i}.csv", suite.TRUTH_INTEGRATOR,
                 control_seed=20_000 * seed + i)
        starts.append((q, v))
    return starts


def evaluate(vin, model, truth, output):
    """The mean squared error over steps 1..N; inf when the forecast is not finite."""
    result = subprocess.run([vin, "evaluate", "--model", model, "--truth", truth, "--output", output],
                            capture_output=True, text=True)
    if result.returncode != 0:
        if "not finite" in result.stderr or "non-finite" in result.stderr or "nan" in result.stderr:
            return float("inf")
        raise RuntimeError(result.stderr.strip())
    header, rows = suite.read_csv(output)
    column = header.index("squared_error")
    errors = [row[column] for row in rows[1:]]
    return sum(e if math.isfinite(e) else float("inf") for e in errors) / len(errors)


def learned_ratios(model_path):
    """D/M and B/M of a forced VIN-VV on one coordinate (ConstantMassMatrix: M = (softplus(r) + ε)²)."""
    with open(model_path) as f:
        model = json.load(f)
    epsilon = model["mass"].get("epsilon", 1e-4)
    r = model["parameters"]["mass"][0]
    mass = (math.log1p(math.exp(-abs(r))) + max(r, 0) + epsilon) ** 2
    gain, factor = model["parameters"]["forces"]
    return factor * factor / mass, gain / mass


def job(vin, work, seed, arguments):
    directory = f"{work}/driven-pendulum/seed{seed}"
    starts = make_data(vin, ROW, suite.pendulum_start, "driven-pendulum", seed, directory)
    scores = {}
    floor = []
    for i, (q, v) in enumerate(starts):
        output = f"{directory}/floor{i}.csv"
        simulate(vin, ROW, q, v, ROW["steps"], output, "verlet", control_seed=20_000 * seed + i)
        floor.append(suite.forecast_error(output, f"{directory}/test{i}.csv", False))
    scores["floor"] = sum(floor) / len(floor)
    notes = []
    ratios = None
    for tag, kind, options in (
        ("vin-vv", "vin-vv", ["--angles", "--dissipation", "constant"]),
        ("resnet", "resnet", ["--angles"]),
    ):
        model, seconds, last = suite.fit(vin, directory, kind, options, tag)
        errors = [evaluate(vin, model, f"{directory}/test{i}.csv", f"{directory}/{tag}-eval{i}.csv")
                  for i in range(len(starts))]
        scores[tag] = sum(errors) / len(errors)
        notes.append(f"{tag} {seconds:.0f} s: {last}")
        if kind == "vin-vv":
            ratios = learned_ratios(model)
    line = " | ".join(f"{tag} {value:.4g}" for tag, value in scores.items())
    print(f"driven-pendulum seed {seed} | {line} | D/M {ratios[0]:.4g} B/M {ratios[1]:.4g}", flush=True)
    for note in notes:
        print(f"    {note}", flush=True)
    return seed, scores, ratios


def run_seeds(description, job, prefix, add_options=None):
    """The forced benchmarks' command line: parses --seeds, --jobs, --vin and --work (and the
    script's own options, through `add_options(parser)`), builds the release vin unless given one,
    runs `job(vin, work, seed, arguments)` for every seed, --jobs at a time, and returns the
    results sorted by seed."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--vin", default=None, help="a built vin (default: build the release vin)")
    parser.add_argument("--work", default=None)
    if add_options:
        add_options(parser)
    arguments = parser.parse_args()
    vin = arguments.vin
    if vin is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "vin"], cwd=suite.ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        vin = f"{suite.ROOT}/.build/release/vin"
    work = arguments.work or tempfile.mkdtemp(prefix=prefix)
    print(f"work directory {work}", flush=True)
    seeds = [int(s) for s in arguments.seeds.split(",")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=arguments.jobs) as pool:
        futures = [pool.submit(job, vin, work, s, arguments) for s in seeds]
        return sorted(future.result() for future in concurrent.futures.as_completed(futures))


def main():
    results = run_seeds(__doc__, job, "vinkit-forced-")
    print()
    print("| | floor (true model) | forced VIN-VV | forced ResNet | VIN / ResNet | learned D/M (true 0.1) | learned B/M (true 1) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for seed, scores, (damping, gain) in results:
        print(f"| seed {seed} | {scores['floor']:.4g} | {scores['vin-vv']:.4g} | {scores['resnet']:.4g} | "
              f"{scores['vin-vv'] / scores['resnet']:.3g} | {damping:.4g} | {gain:.4g} |")
    def mean(values):
        return statistics.fmean(values)
    print(f"| mean | {mean([s['floor'] for _, s, _ in results]):.4g} | "
          f"{mean([s['vin-vv'] for _, s, _ in results]):.4g} | {mean([s['resnet'] for _, s, _ in results]):.4g} | "
          f"{mean([s['vin-vv'] / s['resnet'] for _, s, _ in results]):.3g} | "
          f"{mean([r[0] for _, _, r in results]):.4g} | {mean([r[1] for _, _, r in results]):.4g} |")


if __name__ == "__main__":
    main()
