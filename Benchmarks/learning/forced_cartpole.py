#!/usr/bin/env python3
"""The forced cart-pole benchmark of Docs/Learning.md ("Learning forces"), through the release `vin`.

    Benchmarks/learning/forced_cartpole.py [--seeds 1,2,3] [--jobs 2] [--dt 0.1] [--vin PATH] [--work DIR]

The cart-pole (m_c = 1, m_p = 0.1, l = 0.5, g = 9.81; q = (x, θ), M(q) configuration dependent)
with cart friction 1 N s/m and hinge damping 0.01 N m s: 20 training trajectories of 50 points
at h = 0.1, driven by random horizontal forces on the cart (`--control random:std=1,hold=0.5`, a
fresh sequence per trajectory, as forced.py's pendulum torques), observed with noise σ = 0.05 on
q and v; the inputs are known exactly. Ten test trajectories from fresh starts under fresh force
sequences, 100 steps, noiseless. Each model forecasts every test trajectory under its forces
(`vin evaluate`, which replays the truth's u columns), scored as in run.py: the mean over steps
1..100 of the squared error summed over q and v. Models:

- floor:    the true cart-pole stepped by the variational midpoint rule at h (the VIN's own
            integrator);
- vin-mq:   `vin fit --model vin-mq --dissipation constant --horizon 5` (forced VIN-mq,
            learning V, M(q), the input matrix B and the damping D; it observes positions and
            velocities, its default on these data), its defaults otherwise (with the default
            horizon 10 the fit stops on a non-finite loss early on: a window's implicit step
            finds no root; Docs/Learning.md);
- vin-mq-q: the same with `--observe positions`: positions only, from (q₀, q₁);
- vin-vv:   `vin fit --model vin-vv --dissipation constant` (forced VIN-VV: V, a constant M, B and
            D; it observes positions and velocities), its defaults otherwise;
- resnet:   `vin fit --model resnet` (x + h f(x, u)), its defaults otherwise.

None takes --angles: it embeds every coordinate in the circle, and x is not an angle. The
friction (time constant (m_c + m_p)/1 = 1.1 s) keeps the cart within a few metres under these
forces; with 0.1 N s/m it wanders up to 18 m in the tests, far outside the training data.

For each VIN it also reports the scale-free ratios of the learned forces to the learned mass at
q = 0 against the truth's: the gain B₁/M₁₁ (true 1/(m_c + m_p)), the friction D₁₁/M₁₁ (true
1/(m_c + m_p)) and the hinge damping D₂₂/M₂₂ (true 0.01/(m_p l²)). M̂(0) is read off the
learned energy of `vin forecast` at q = 0 (½ vᵀM̂v + V̂ for v = 0, e₁, e₂), B̂ and D̂ = LLᵀ
off the model file.
"""

import json

import run as suite
from forced import evaluate, make_data, run_seeds, simulate

ROW = dict(system="cart-pole", params=["friction=1", "damping=0.01"], trajectories=20, points=50,
           noise=0.05, dt=0.1, steps=100, control="random:std=1,hold=0.5")
TRUE = dict(gain=1 / 1.1, friction=1 / 1.1, damping=0.01 / (0.1 * 0.5 * 0.5))


def start(rng):
    """Near the hanging equilibrium: x, ẋ in (−0.5, 0.5), θ in (−1.2, 1.2), θ̇ in (−1, 1)."""
    return [rng.uniform(-0.5, 0.5), rng.uniform(-1.2, 1.2)], [rng.uniform(-0.5, 0.5), rng.uniform(-1, 1)]


def learned_energy(vin, model, v):
    """The learned energy ½ vᵀM̂(0)v + V̂(0) of the model at q = 0 with velocity v."""
    result = suite.run([vin, "forecast", "--model", model, "--q0", "0,0", "--v0", ",".join(map(repr, v)),
                        "--steps", "1", "--control", "sine:amplitude=0,frequency=1"])
    header, *rows = result.stdout.strip().splitlines()
    return float(rows[0].split(",")[header.split(",").index("learned_energy")])


def learned_ratios(vin, model_path):
    """B₁/M₁₁, D₁₁/M₁₁ and D₂₂/M₂₂ of a forced VIN (vin-mq or vin-vv) at q = 0."""
    base = learned_energy(vin, model_path, [0, 0])
    m11 = 2 * (learned_energy(vin, model_path, [1, 0]) - base)
    m22 = 2 * (learned_energy(vin, model_path, [0, 1]) - base)
    with open(model_path) as f:
        model = json.load(f)
    b1, _, l11, l21, l22 = model["parameters"]["forces"]
    return dict(gain=b1 / m11, friction=l11 * l11 / m11, damping=(l21 * l21 + l22 * l22) / m22)


def job(vin, work, seed, arguments):
    # --dt keeps the durations: 5 s of training data, 10 s of test, windows of 0.5 s (VIN-mq) and
    # 1 s (VIN-VV, its default horizon of 10 at h = 0.1).
    dt = arguments.dt
    row = dict(ROW, dt=dt, points=round(5 / dt), steps=round(10 / dt))
    directory = f"{work}/cart-pole/seed{seed}"
    starts = make_data(vin, row, start, "cart-pole", seed, directory)
    scores = {}
    floor = []
    for i, (q, v) in enumerate(starts):
        output = f"{directory}/floor{i}.csv"
        simulate(vin, row, q, v, row["steps"], output, "midpoint", control_seed=20_000 * seed + i)
        floor.append(suite.forecast_error(output, f"{directory}/test{i}.csv", False))
    scores["floor"] = sum(floor) / len(floor)
    notes = []
    ratios = {}
    for tag, kind, options in (
        ("vin-mq", "vin-mq", ["--dissipation", "constant", "--horizon", str(round(0.5 / dt))]),
        ("vin-mq-q", "vin-mq",
         ["--dissipation", "constant", "--horizon", str(round(0.5 / dt)), "--observe", "positions"]),
        ("vin-vv", "vin-vv", ["--dissipation", "constant", "--horizon", str(round(1 / dt))]),
        ("resnet", "resnet", []),
    ):
        model, seconds, last = suite.fit(vin, directory, kind, options, tag)
        errors = [evaluate(vin, model, f"{directory}/test{i}.csv", f"{directory}/{tag}-eval{i}.csv")
                  for i in range(len(starts))]
        scores[tag] = sum(errors) / len(errors)
        notes.append(f"{tag} {seconds:.0f} s: {last}")
        if kind != "resnet":
            ratios[tag] = learned_ratios(vin, model)
    line = " | ".join(f"{tag} {value:.4g}" for tag, value in scores.items())
    ratio_line = " ".join(f"{tag} {name} {value:.4g}" for tag, r in ratios.items() for name, value in r.items())
    print(f"cart-pole seed {seed} | {line} | {ratio_line}", flush=True)
    for note in notes:
        print(f"    {note}", flush=True)
    return seed, scores, ratios


def main():
    def add_options(parser):
        parser.add_argument("--dt", type=float, default=0.1, help="the sampling step h (default 0.1)")
    results = run_seeds(__doc__, job, "vinkit-forced-cartpole-", add_options)
    print()
    print(f"| seed | floor (true model, midpoint) | forced VIN-mq (q, q̇) | forced VIN-mq (q) | forced VIN-VV | "
          f"forced ResNet | VIN-mq / ResNet | VIN-VV / ResNet | B₁/M₁₁ mq, mq-q, vv (true {TRUE['gain']:.4g}) | "
          f"D₁₁/M₁₁ mq, mq-q, vv (true {TRUE['friction']:.4g}) | "
          f"D₂₂/M₂₂ mq, mq-q, vv (true {TRUE['damping']:.4g}) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for seed, scores, ratios in results:
        triples = " | ".join(", ".join(f"{ratios[tag][name]:.4g}" for tag in ("vin-mq", "vin-mq-q", "vin-vv"))
                             for name in ("gain", "friction", "damping"))
        print(f"| {seed} | {scores['floor']:.4g} | {scores['vin-mq']:.4g} | {scores['vin-mq-q']:.4g} | "
              f"{scores['vin-vv']:.4g} | {scores['resnet']:.4g} | {scores['vin-mq'] / scores['resnet']:.3g} | "
              f"{scores['vin-vv'] / scores['resnet']:.3g} | {triples} |")

if __name__ == "__main__":
    main()
