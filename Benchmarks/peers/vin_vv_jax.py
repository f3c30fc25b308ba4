"""VIN-VV training speed: `vin fit` (release build, as a user runs it) against jit-compiled JAX.

For each setting the script writes the data as trajectory CSV files, asks `vin fit --steps 0`
for the initial model (so both sides start from the same weights), runs `vin fit` with a
per-iteration log (`--log`), then trains the same model in JAX, float64 and float32, and prints
one table: ms/iteration, the ratios, and time-to-accuracy (wall time until the training loss
first reaches the final loss of the JAX float64 run).

The model, loss and optimiser, on both sides:

* potential V(q) = MLP (tanh hidden layers, linear scalar output), parameters stored layer by
  layer as the weight matrix (row-major, out x in) followed by the bias; identity mass;
* velocity Verlet in momentum form, p = v:
  p' = p - h/2 dV(q), q+ = q + h p', p+ = p' - h/2 dV(q+);
* every window of H+1 observations rolled out H steps from a per-window initial state that is
  optimised jointly with the model (initialised at the window's first observation);
* Gaussian negative log-likelihood with a learned log noise scale s,
  (1/m) sum [ r^2 e^(-2s)/2 ] + s + log(2 pi)/2 over all m predicted numbers of the batch;
* the gradient of all variables (model, the batch's initial states, s) clipped to Euclidean
  norm 10, then Adam (beta 0.9, 0.999, eps 1e-8), blockwise for the starts (only the batch's
  windows move, each with its own step count); the starts' step size is the model's times
  max(1, windows / batch), as VINKit's default. Minibatches (setting b) are the ones `vin fit`
  draws: VINKit's SplitMix64 generator seeded with --seed, one permutation for the (empty)
  validation split, then windows taken from the end of a fresh permutation per epoch
  (`Trainer.train`); the first-iteration losses then agree in every setting.

Three JAX variants: dV by `autodiff` (jax.grad of V, the training gradient then nested
autodiff) or `analytic` (the hand-written input gradient, as VINKit computes it), and the
analytic one with each step rematerialised in the backward pass (`jax.checkpoint`, "remat",
which VINKit's rollouts also do); the fastest is reported.

Usage: python vin_vv_jax.py VIN_BINARY WORK_DIR [ITERATIONS] [SETTING ...]
"""

import json
import math
import os
import resource
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)

SETTINGS = {
    # name: (system, trajectories, points, noise, width, horizon, batch)
    "10 windows": ("pendulum", 1, 30, 0.33, 1000, 20, 10),
    "(a) 130 windows": ("pendulum", 1, 150, 0.33, 1000, 20, 130),
    "(b) 200 of 250": ("pendulum", 1, 270, 0.33, 1000, 20, 200),
    "(c) 600 windows 2-D": ("ring", 20, 40, 0.05, 100, 10, 600),
}
STEP = 0.1
RATE, CLIP, NOISE = 1e-3, 10.0, 0.1


# MARK: - Data


def simulate(system, q, v, points, substeps=100):
    """A fine velocity-Verlet solution sampled every STEP: (points, n) positions, velocities."""

    def force(q):
        if system == "pendulum":
            return -9.81 * np.sin(q)
        r2 = np.sum(q * q)
        return -4 * (r2 - 1) * q  # V = (|q|^2 - 1)^2

    h = STEP / substeps
    qs, vs = [q.copy()], [v.copy()]
    f = force(q)
    for _ in range(points - 1):
        for _ in range(substeps):
            v = v + 0.5 * h * f
            q = q + h * v
            f = force(q)
            v = v + 0.5 * h * f
        qs.append(q.copy())
        vs.append(v.copy())
    return np.array(qs), np.array(vs)


def write_data(directory, setting, seed=1):
    system, trajectories, points, noise, *_ = SETTINGS[setting]
    rng = np.random.default_rng(seed)
    files = []
    for t in range(trajectories):
        if system == "pendulum":
            q0 = rng.uniform(-1.5, 1.5, size=1)
            v0 = rng.uniform(-1.0, 1.0, size=1)
        else:
            angle = rng.uniform(0, 2 * math.pi)
            radius = rng.uniform(0.8, 1.2)
            q0 = radius * np.array([math.cos(angle), math.sin(angle)])
            v0 = rng.uniform(-0.8, 0.8, size=2)
        q, v = simulate(system, q0, v0, points)
        q = q + noise * rng.standard_normal(q.shape)
        v = v + noise * rng.standard_normal(v.shape)
        n = q.shape[1]
        header = ["t"] + [f"q{i + 1}" for i in range(n)] + [f"v{i + 1}" for i in range(n)]
        path = os.path.join(directory, f"trajectory{t}.csv")
        with open(path, "w") as f:
            f.write(",".join(header) + "\n")
            for k in range(points):
                row = [f"{k * STEP:.17g}"] + [f"{x:.17g}" for x in q[k]] + [
                    f"{x:.17g}" for x in v[k]
                ]
                f.write(",".join(row) + "\n")
        files.append(path)
    return files


def windows_of(files, horizon):
    """Every window of horizon + 1 rows of (q, v), trajectory by trajectory (VINKit's order)."""
    result = []
    for path in files:
        rows = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)[:, 1:]
        for k in range(rows.shape[0] - horizon):
            result.append(rows[k : k + horizon + 1])
    return np.stack(result)


# MARK: - vin fit


def vin_fit(vin, files, setting, iterations, directory):
    """`vin fit` for the setting: the initial parameters and the per-iteration log."""
    _, _, _, _, width, horizon, batch = SETTINGS[setting]
    common = [vin, "fit", "--model", "vin-vv", "--mass", "identity", "--width", str(width),
              "--depth", "1", "--horizon", str(horizon), "--batch-size", str(batch),
              "--validation-fraction", "0", "--learning-rate", str(RATE), "--loss", "nll",
              "--initial-state", "inferred", "--schedule", "constant", "--seed", "0"]
    for path in files:
        common += ["--data", path]
    initial = os.path.join(directory, "initial.json")
    subprocess.run(common + ["--steps", "0", "--output", initial], check=True,
                   stderr=subprocess.DEVNULL)
    with open(initial) as f:
        parameters = json.load(f)["parameters"]["potential"]  # model file version 2
    log = os.path.join(directory, "log.csv")
    trained = os.path.join(directory, "trained.json")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(common + ["--steps", str(iterations), "--output", trained, "--log", log],
                   check=True, stderr=subprocess.DEVNULL)
    process_seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    rows = np.loadtxt(log, delimiter=",", skiprows=1, ndmin=2)
    return parameters, rows[:, 1], rows[:, 2], process_seconds, 1000 * cpu / iterations


# MARK: - JAX


def unflatten(flat, n, width, depth):
    layers = []
    offset = 0
    sizes = [n] + [width] * depth + [1]
    for l in range(depth + 1):
        rows, columns = sizes[l + 1], sizes[l]
        w = flat[offset : offset + rows * columns].reshape(rows, columns)
        offset += rows * columns
        b = flat[offset : offset + rows]
        offset += rows
        layers.append((w, b))
    return layers


def potential(layers, q):
    a = q
    for w, b in layers[:-1]:
        a = jnp.tanh(w @ a + b)
    w, b = layers[-1]
    return (w @ a + b)[0]


def autodiff_gradient(layers, q):
    """dV at a batch of configurations q (B, n) by jax.grad."""
    return jax.vmap(jax.grad(potential, argnums=1), in_axes=(None, 0))(layers, q)


def analytic_gradient(layers, q):
    """dV at a batch q (B, n): e = c, delta = e * sigma'(z), e <- A^T delta."""
    a = q
    derivatives = []
    for w, b in layers[:-1]:
        t = jnp.tanh(a @ w.T + b)
        derivatives.append(1 - t * t)
        a = t
    e = jnp.broadcast_to(layers[-1][0][0], a.shape)
    for (w, _), d in zip(reversed(layers[:-1]), reversed(derivatives)):
        e = (e * d) @ w
    return e


def make_update(n, width, horizon, gradient, start_rate, remat):
    beta1, beta2, adam_epsilon = 0.9, 0.999, 1e-8

    def loss(model, starts, s, observations):
        layers = unflatten(model, n, width, 1)
        q0, p0 = starts[:, :n], starts[:, n:]

        def step(carry, _):
            q, p, g = carry
            half = p - 0.5 * STEP * g
            q = q + STEP * half
            g = gradient(layers, q)
            p = half - 0.5 * STEP * g
            return (q, p, g), jnp.concatenate([q, p], axis=1)

        body = jax.checkpoint(step) if remat else step
        _, rows = jax.lax.scan(body, (q0, p0, gradient(layers, q0)), None, length=horizon)
        prediction = jnp.concatenate([starts[None], rows], axis=0).transpose(1, 0, 2)
        r = prediction - observations
        return 0.5 * jnp.sum(r * r) * jnp.exp(-2 * s) / r.size + s + 0.5 * math.log(2 * math.pi)

    value_and_grad = jax.value_and_grad(loss, argnums=(0, 1, 2))

    @jax.jit
    def update(variables, moments, t, batch, observations):
        model, starts, s = variables
        value, (g_model, g_starts, g_s) = value_and_grad(
            model, starts[batch], s, observations[batch]
        )
        g_all = jnp.zeros_like(starts).at[batch].add(g_starts)  # a batch may repeat a window
        g = (g_model, g_all, g_s)
        norm = jnp.sqrt(sum(jnp.sum(x * x) for x in g))
        scale = jnp.where(norm > CLIP, CLIP / norm, 1.0)
        first, second, counts = moments
        first = jax.tree_util.tree_map(lambda m, x: beta1 * m + (1 - beta1) * scale * x, first, g)
        second = jax.tree_util.tree_map(
            lambda v, x: beta2 * v + (1 - beta2) * (scale * x) ** 2, second, g
        )
        c1, c2 = 1 - beta1**t, 1 - beta2**t
        model, s = (
            p - RATE * (m / c1) / (jnp.sqrt(v / c2) + adam_epsilon)
            for p, m, v in ((variables[0], first[0], second[0]), (variables[2], first[2], second[2]))
        )
        # The starts' Adam is blockwise, as VINKit's: only the windows in the batch move, each
        # with its own step count for the bias correction (with full batches, plain Adam).
        visited = (jnp.zeros(starts.shape[0]).at[batch].set(1.0) > 0)[:, None]
        m_starts = jnp.where(visited, first[1], moments[0][1])
        v_starts = jnp.where(visited, second[1], moments[1][1])
        counts = counts + visited[:, 0]
        k = jnp.maximum(counts, 1)[:, None].astype(starts.dtype)
        step = start_rate * (m_starts / (1 - beta1**k)) / (
            jnp.sqrt(v_starts / (1 - beta2**k)) + adam_epsilon)
        starts = jnp.where(visited, starts - step, starts)
        first = (first[0], m_starts, first[2])
        second = (second[0], v_starts, second[2])
        return value, (model, starts, s), (first, second, counts)

    return update


def jax_run(parameters, observations, setting, iterations, gradient, dtype, remat=False,
            seed=0):
    """ms/iteration (after compilation; wall, then CPU over all threads), the losses and the
    cumulative wall time."""
    _, _, _, _, width, horizon, batch = SETTINGS[setting]
    count, n = observations.shape[0], observations.shape[2] // 2
    start_rate = RATE * max(1.0, count / batch)
    update = make_update(n, width, horizon, gradient, start_rate, remat)
    data = jnp.asarray(observations, dtype=dtype)
    variables = (
        jnp.asarray(parameters, dtype=dtype),
        data[:, 0, :],
        jnp.asarray(math.log(NOISE), dtype=dtype),
    )
    zeros = tuple(jnp.zeros_like(x) for x in variables)
    batches = vinkit_batches(count, batch, iterations, seed)
    # Compile (and run once) outside the timing, then start again from the same numbers.
    counts = jnp.zeros(count, dtype=jnp.int32)
    jax.block_until_ready(update(variables, (zeros, zeros, counts), dtype(1), batches[0], data))
    moments = (zeros, zeros, counts)
    values, times = [], []
    cpu_start = time.process_time()
    start = time.perf_counter()
    for t in range(1, iterations + 1):
        value, variables, moments = update(variables, moments, dtype(t), batches[t - 1], data)
        value.block_until_ready()
        values.append(float(value))
        times.append(time.perf_counter() - start)
    cpu = 1000 * (time.process_time() - cpu_start) / iterations
    return 1000 * times[-1] / iterations, np.array(values), np.array(times), cpu


class SplitMix64:
    """DiscreteMechanics' SeededGenerator (SplitMix64) and its Fisher-Yates permutation."""

    mask = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.mask
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.mask
        return z ^ (z >> 31)

    def permutation(self, count):
        p = list(range(count))
        for i in range(count - 1, 0, -1):
            j = self.next() % (i + 1)
            p[i], p[j] = p[j], p[i]
        return p


def vinkit_batches(count, batch, iterations, seed=0):
    """The minibatches of `vin fit --seed SEED --validation-fraction 0`, as Trainer draws them."""
    generator = SplitMix64(seed)
    generator.permutation(count)  # the validation split (empty)
    epoch, batches = [], []
    for _ in range(iterations):
        indices = []
        while len(indices) < batch:
            if not epoch:
                epoch = generator.permutation(count)
            indices.append(epoch.pop())
        batches.append(jnp.asarray(sorted(indices)))
    return batches


TOLERANCE = 1e-4


def time_to(losses, times, target):
    """Wall time at the first iteration whose loss is within TOLERANCE (relative) of `target` or
    below it (None if never): the two sides compute the same numbers up to round-off, so the
    exact final value of one may be missed by the other in its last digits."""
    hits = np.nonzero(losses <= target + TOLERANCE * abs(target))[0]
    return float(times[hits[0]]) if hits.size else None


def main():
    vin, work = sys.argv[1], sys.argv[2]
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    names = sys.argv[4:] or list(SETTINGS)
    print(f"jax {jax.__version__}, devices {jax.devices()}; {iterations} iterations per run")
    rows = []
    for name in names:
        directory = os.path.join(work, name.split()[0].strip("()"))
        os.makedirs(directory, exist_ok=True)
        files = write_data(directory, name)
        horizon = SETTINGS[name][5]
        observations = windows_of(files, horizon)
        parameters, vin_times, vin_losses, process, vin_cpu = vin_fit(
            vin, files, name, iterations, directory
        )
        vin_ms = 1000 * vin_times[-1] / iterations
        jax_results = {}
        for dtype in (np.float64, np.float32):
            best = None
            variants = [("autodiff", autodiff_gradient, False),
                        ("analytic", analytic_gradient, False),
                        ("analytic + remat", analytic_gradient, True)]
            for label, gradient, remat in variants:
                ms, losses, times, cpu = jax_run(parameters, observations, name, iterations,
                                                 gradient, dtype, remat)
                if best is None or ms < best[0]:
                    best = (ms, losses, times, label, cpu)
            jax_results[dtype] = best
        f64, f32 = jax_results[np.float64], jax_results[np.float32]
        target = f64[1][-1]
        first = (vin_losses[0], f64[1][0])
        worst = np.max(np.abs(vin_losses - f64[1]) / np.abs(f64[1]))
        print(
            f"{name}: {observations.shape[0]} windows, batch {SETTINGS[name][6]}; first loss "
            f"vin {first[0]:.12g}, JAX f64 {first[1]:.12g} (relative difference "
            f"{abs(first[0] - first[1]) / abs(first[1]):.1e}; largest over all iterations "
            f"{worst:.1e}); final loss vin "
            f"{vin_losses[-1]:.6g}, JAX f64 {target:.6g}, f32 {f32[1][-1]:.6g}; `vin fit` "
            f"process {process:.2f} s; JAX dV: f64 {f64[3]}, f32 {f32[3]}; CPU ms/iteration "
            f"(all threads): vin {vin_cpu:.2f} (whole process), JAX f64 {f64[4]:.2f}, "
            f"f32 {f32[4]:.2f}"
        )
        rows.append((name, vin_ms, f64[0], f32[0],
                     time_to(vin_losses, vin_times, target), time_to(f64[1], f64[2], target),
                     time_to(f32[1], f32[2], target), vin_cpu, f64[4], f32[4]))

    def seconds(x):
        return "never" if x is None else f"{x:.2f} s"

    print()
    print("| setting | wall ms/it: vin fit, JAX f64, JAX f32 | vin/f64 | vin/f32 "
          "| CPU ms/it: vin fit, JAX f64, JAX f32 | vin/f64 | vin/f32 "
          "| time to JAX f64's final loss (within 1e-4): vin, f64, f32 |")
    print("|---|---|---:|---:|---|---:|---:|---|")
    for name, vin_ms, f64_ms, f32_ms, t_vin, t64, t32, c_vin, c64, c32 in rows:
        print(f"| {name} | {vin_ms:.2f}, {f64_ms:.2f}, {f32_ms:.2f} | {vin_ms / f64_ms:.2f} "
              f"| {vin_ms / f32_ms:.2f} | {c_vin:.2f}, {c64:.2f}, {c32:.2f} | {c_vin / c64:.2f} "
              f"| {c_vin / c32:.2f} | {seconds(t_vin)}, {seconds(t64)}, {seconds(t32)} |")


if __name__ == "__main__":
    main()
