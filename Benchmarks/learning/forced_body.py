#!/usr/bin/env python3
"""The forced rigid-body benchmark of Docs/Learning.md ("Learning forces"), through the release `vin`.

    Benchmarks/learning/forced_body.py [--seeds 1,2,3] [--jobs 2] [--models vin-so3,resnet] [--vin PATH] [--work DIR]

The damped free body driven by body torques (`vin simulate rigid-body`, J = diag(1, 2, 3),
`--param damping=0.1`: τ = u − 0.1 Ω, three torques about the body axes, B = I): 20 training
trajectories of 50 points at h = 0.1, driven by random torques (`--control
random:std=1,hold=0.5`, a fresh sequence per trajectory), observed with noise σ = 0.02 (on R as
R exp(ξ̂) and on Ω); the inputs are known exactly. Ten test trajectories from fresh starts under
fresh torque sequences, 100 steps, noiseless. Each model forecasts every test trajectory under its
torques (`vin evaluate`, which replays the truth's u columns), scored as in run.py: the mean over
steps 1..100 of the squared geodesic attitude error plus the squared error of Ω. Models:

- floor:    the true damped driven body stepped by the forced LGVI at h (the VIN's own integrator);
- vin-so3:  `vin fit --model vin-so3 --dissipation constant` (forced VIN-SO(3), learning J, the
            potential U = e_zᵀRc, the input matrix B and the damping D), its defaults otherwise;
- resnet:   `vin fit --model resnet` (x + h f(x, u) on the 12-vector (R, Ω) and u), its defaults
            (over an hour per fit on a shared 2-core machine: `--models vin-so3` leaves it out).

For the VIN it also reports the learned inertia ratios J22/J11, J33/J11 (true 2, 3) and the relative
(Frobenius) errors of the learned B/J11 and D/J11 against the truth's I and 0.1·I (only ratios are
identifiable: J, B and D scaled together give the same motion).
"""

import json
import math

import run as suite
from forced import evaluate, make_data, run_seeds, simulate

ROW = dict(system="rigid-body", params=["damping=0.1"], trajectories=20, points=50, noise=0.02,
           dt=0.1, steps=100, control="random:std=1,hold=0.5")
TRUE_RATIOS = (2.0, 3.0)
TRUE_DAMPING = 0.1


def lower(entries):
    """The 3×3 lower-triangular matrix of six row-by-row entries."""
    return [[entries[0], 0, 0], [entries[1], entries[2], 0], [entries[3], entries[4], entries[5]]]


def times_transpose(a):
    return [[sum(a[i][k] * a[j][k] for k in range(3)) for j in range(3)] for i in range(3)]


def frobenius_error(a, b):
    difference = sum((a[i][j] - b[i][j]) ** 2 for i in range(3) for j in range(3))
    return math.sqrt(difference / sum(b[i][j] ** 2 for i in range(3) for j in range(3)))


def learned_physics(model_path):
    """J22/J11, J33/J11 and the relative errors of B/J11 and D/J11 of a forced VIN-SO(3)
    (J = LLᵀ + εI, B row by row, D = L_D L_Dᵀ)."""
    with open(model_path) as f:
        model = json.load(f)
    epsilon = model["mass"].get("epsilon", 1e-6)
    j = times_transpose(lower(model["parameters"]["mass"]))
    for i in range(3):
        j[i][i] += epsilon
    forces = model["parameters"]["forces"]
    b = [forces[3 * i:3 * i + 3] for i in range(3)]
    d = times_transpose(lower(forces[9:15]))
    scale = j[0][0]
    identity = [[float(i == k) for k in range(3)] for i in range(3)]
    return dict(
        ratios=(j[1][1] / scale, j[2][2] / scale),
        input_error=frobenius_error([[x / scale for x in row] for row in b], identity),
        damping_error=frobenius_error([[x / scale for x in row] for row in d],
                                      [[TRUE_DAMPING * x for x in row] for row in identity]),
    )


def job(vin, work, seed, arguments):
    models = arguments.models.split(",")
    directory = f"{work}/driven-body/seed{seed}"
    starts = make_data(vin, ROW, suite.free_body_start, "driven-body", seed, directory)
    scores = {}
    floor = []
    for i, (q, v) in enumerate(starts):
        output = f"{directory}/floor{i}.csv"
        simulate(vin, ROW, q, v, ROW["steps"], output, "lgvi", control_seed=20_000 * seed + i)
        floor.append(suite.forecast_error(output, f"{directory}/test{i}.csv", True))
    scores["floor"] = sum(floor) / len(floor)
    notes = []
    physics = None
    for tag, kind, options in (
        ("vin-so3", "vin-so3", ["--dissipation", "constant"]),
        ("resnet", "resnet", []),
    ):
        if tag not in models:
            continue
        model, seconds, last = suite.fit(vin, directory, kind, options, tag)
        errors = [evaluate(vin, model, f"{directory}/test{i}.csv", f"{directory}/{tag}-eval{i}.csv")
                  for i in range(len(starts))]
        scores[tag] = sum(errors) / len(errors)
        notes.append(f"{tag} {seconds:.0f} s: {last}")
        if kind == "vin-so3":
            physics = learned_physics(model)
    line = " | ".join(f"{tag} {value:.4g}" for tag, value in scores.items())
    learned = "" if physics is None else (
        f" | J22/J11 {physics['ratios'][0]:.4g} J33/J11 {physics['ratios'][1]:.4g} "
        f"B err {physics['input_error']:.3g} D err {physics['damping_error']:.3g}")
    print(f"driven-body seed {seed} | {line}{learned}", flush=True)
    for note in notes:
        print(f"    {note}", flush=True)
    return seed, scores, physics


def main():
    def add_options(parser):
        parser.add_argument("--models", default="vin-so3,resnet", help="which of vin-so3 and resnet to fit")
    results = run_seeds(__doc__, job, "vinkit-forced-body-", add_options)
    print()
    print("| | floor (true model) | forced VIN-SO(3) | forced ResNet | VIN / ResNet | J22/J11 (true 2) "
          "| J33/J11 (true 3) | B/J11 error (true I) | D/J11 error (true 0.1 I) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")

    def cells(scores, physics):
        """The row's cells; – for a model left out."""
        vin_so3, resnet = scores.get("vin-so3"), scores.get("resnet")
        row = [f"{scores['floor']:.4g}", f"{vin_so3:.4g}" if vin_so3 is not None else "–",
               f"{resnet:.4g}" if resnet is not None else "–",
               f"{vin_so3 / resnet:.3g}" if vin_so3 is not None and resnet is not None else "–"]
        if physics is None:
            return row + ["–"] * 4
        return row + [f"{physics['ratios'][0]:.4g}", f"{physics['ratios'][1]:.4g}",
                      f"{100 * physics['input_error']:.2g} %", f"{100 * physics['damping_error']:.2g} %"]

    for seed, scores, physics in results:
        print(f"| seed {seed} | " + " | ".join(cells(scores, physics)) + " |")

if __name__ == "__main__":
    main()
