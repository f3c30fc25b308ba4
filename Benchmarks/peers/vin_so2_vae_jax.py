"""VIN-SO(2)-VAE training speed: VINKit's PixelTrainingSpeed (release) against jit-compiled JAX.

The model, loss and optimiser, on both sides (Sources/LagrangianLearning/Pixels/PixelModel.swift,
Models/SO2Rollout.swift), at the reference's sizes (steindoringi/Variational_Integrator_Networks,
config/pixels.gin):

* 3 videos of 50 frames of 28 x 28 pixels; every window of H + 1 = 11 frames (120 windows), all
  in every batch (the reference's batch of 200 is larger than the data);
* encoder: ReLU network 784 -> 1000 -> 1000 -> (a, b, s) applied to frames 0 and 1 of each
  window; the posterior of the angle theta_j is N(atan2(b, a), softplus(s)^2), sampled as
  mu + sigma eps;
* latent dynamics VIN-SO(2) from (theta_0, theta_1): inertia J = (softplus(r) + 1e-4)^2, the
  potential U(theta) = MLP(cos theta, sin theta) with one tanh layer of 1000 units, h = 0.1,
  pi_1 = (J/h) sin(theta_1 - theta_0) - (h/2) U'(theta_1), then for k = 1..H-1
  s_k = (h/J)(pi_k - (h/2) U'(theta_k)), theta_{k+1} = theta_k + asin(s_k),
  pi_{k+1} = pi_k - (h/2)(U'(theta_k) + U'(theta_{k+1}));
* decoder: ReLU network (cos theta_k, sin theta_k) -> 1000 -> 1000 -> 784 Bernoulli logits l;
* loss: the negative ELBO per window, (1/B) sum_b [ sum_{k, pixels} (softplus(l) - y l)
  + KL(N(mu_0, sigma_0^2) || N(0, 1)) + 1/2 log(h / sigma_1^2)
  + (delta^2 + sigma_0^2 + sigma_1^2) / (2 h) - 1/2 ], delta = mu_1 - mu_0 wrapped to (-pi, pi];
* one Adam step (3e-4, beta 0.9, 0.999, eps 1e-8; optax.adam) per iteration, on the gradient
  of all 3 581 789 parameters; each iteration's batch order and noise eps are the ones
  PixelTrainer draws (VINKit's SplitMix64 generator, reproduced here), so both sides train on
  the same numbers and their loss sequences agree (printed).

JAX computes U' by jax.grad and differentiates the rollout by reverse mode; VINKit has
hand-written pullbacks. The script first runs `PixelTrainingSpeed --export DIR`, which writes
the initial parameters, the frames, the first training iteration's windows and noise, and
VINKit's loss and gradient there; the JAX float64 loss and gradient at the same numbers must
agree (printed). Then, for each thread condition and for a few rounds in alternation, it runs
PixelTrainingSpeed ITERATIONS + 2 (its per-iteration times) and a JAX worker per precision
(ITERATIONS + 2 steps, each waited for with block_until_ready; JAX's first step compiles), and
prints minimum and median ms/iteration over the last ITERATIONS iterations of all rounds and
the ratios JAX/VINKit.

Thread conditions (each process pinned with sched_setaffinity to the first T cores, so that
neither side sees more cores than the other):
* T = 2: both cores; OPENBLAS_NUM_THREADS=2 for VINKit (its dense products; the rest of an
  iteration runs on one thread), XLA's default intra-op thread pool (one thread per core);
* T = 1: one core; OPENBLAS_NUM_THREADS=1, and
  XLA_FLAGS=--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1.

Usage: python vin_so2_vae_jax.py PIXEL_TRAINING_SPEED WORK_DIR [ITERATIONS [ROUNDS [THREADS ...]]]
       (defaults 6 iterations, 4 rounds, threads 2 1: from PixelTrainer's default seed the
       9th iteration's loss is not finite, and both sides stop being comparable there)
Worker modes (used by the above): --check EXPORT_DIR; --time EXPORT_DIR DTYPE ITERATIONS.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time

SINGLE_THREAD_XLA_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


# MARK: - The model in JAX (imported by the worker modes only)


def jax_model():
    """The JAX functions of the model; imports jax (after the thread settings are in place)."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def unflatten(flat, sizes, offset):
        """An MLP's layers [(W (out, in), b (out,))] from the flat vector at offset."""
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            w = flat[offset : offset + n_out * n_in].reshape(n_out, n_in)
            offset += n_out * n_in
            layers.append((w, flat[offset : offset + n_out]))
            offset += n_out
        return layers, offset

    def parameters(flat, ref):
        """Encoder, decoder, potential network and raw mass from VINKit's flatParameters."""
        encoder, offset = unflatten(flat, ref["encoder_sizes"], 0)
        decoder, offset = unflatten(flat, ref["decoder_sizes"], offset)
        potential, offset = unflatten(flat, ref["potential_sizes"], offset)
        mass = flat[offset : offset + 1]
        assert offset + 1 == flat.shape[0], (offset + 1, flat.shape)
        return {"encoder": encoder, "decoder": decoder, "potential": potential, "mass": mass}

    def relu_network(layers, x):
        for w, b in layers[:-1]:
            x = jax.nn.relu(x @ w.T + b)
        w, b = layers[-1]
        return x @ w.T + b

    def potential(layers, theta):
        """U(theta) for a batch of angles, summed (its gradient is U' of each angle)."""
        (w1, b1), (w2, b2) = layers
        x = jnp.stack([jnp.cos(theta), jnp.sin(theta)], axis=-1)
        return jnp.sum(jnp.tanh(x @ w1.T + b1) @ w2.T + b2)

    def wrapped(x):
        wrapped = x - 2 * jnp.pi * jnp.floor((x + jnp.pi) / (2 * jnp.pi))
        return jnp.where(wrapped <= -jnp.pi, wrapped + 2 * jnp.pi, wrapped)

    def negative_elbo(params, frames, noise, h, epsilon):
        """frames: (B, H + 1, pixels) of each window; noise: (B, 2)."""
        batch, length, area = frames.shape
        encoded = relu_network(params["encoder"], frames[:, :2, :].reshape(2 * batch, area))
        encoded = encoded.reshape(batch, 2, 3)
        mu = jnp.arctan2(encoded[..., 1], encoded[..., 0])
        sigma = jax.nn.softplus(encoded[..., 2])
        theta0 = mu[:, 0] + sigma[:, 0] * noise[:, 0]
        theta1 = mu[:, 1] + sigma[:, 1] * noise[:, 1]
        inertia = (jax.nn.softplus(params["mass"][0]) + epsilon) ** 2
        derivative = jax.grad(lambda t: potential(params["potential"], t))
        angles = [theta0, theta1]
        g = derivative(theta1)
        p = inertia / h * jnp.sin(theta1 - theta0) - h / 2 * g
        for _ in range(1, length - 1):
            theta = angles[-1] + jnp.arcsin(h / inertia * (p - h / 2 * g))
            g_next = derivative(theta)
            p = p - h / 2 * (g + g_next)
            angles.append(theta)
            g = g_next
        theta = jnp.stack(angles, axis=1).reshape(batch * length)
        logits = relu_network(
            params["decoder"], jnp.stack([jnp.cos(theta), jnp.sin(theta)], axis=-1)
        ).reshape(batch, length, area)
        reconstruction = jnp.sum(jax.nn.softplus(logits) - frames * logits)
        first = -jnp.log(sigma[:, 0]) + (sigma[:, 0] ** 2 + mu[:, 0] ** 2) / 2 - 0.5
        delta = wrapped(mu[:, 1] - mu[:, 0])
        second = (
            0.5 * jnp.log(h)
            - jnp.log(sigma[:, 1])
            + (delta**2 + sigma[:, 0] ** 2 + sigma[:, 1] ** 2) / (2 * h)
            - 0.5
        )
        return (reconstruction + jnp.sum(first + second)) / batch

    return jax, jnp, parameters, negative_elbo


def load_export(directory):
    """VINKit's exported reference: JSON and the raw float64 arrays."""
    import numpy as np

    with open(os.path.join(directory, "reference.json")) as f:
        ref = json.load(f)

    def raw(name):
        return np.fromfile(os.path.join(directory, name + ".f64"), dtype="<f8")

    area = ref["frame_size"] ** 2
    videos = raw("frames").reshape(ref["videos"], ref["frames_per_video"], area)
    length = ref["horizon"] + 1
    windows = np.stack([videos[v, s : s + length] for v, s in ref["windows"]])
    noise = raw("noise").reshape(len(ref["windows"]), 2)
    return ref, raw("parameters"), windows, noise, raw("gradient")


# MARK: - Worker modes


def check(directory):
    """The JAX loss and gradient at VINKit's exported model, windows and noise."""
    import numpy as np

    jax, jnp, parameters, negative_elbo = jax_model()
    ref, flat, frames, noise, swift_gradient = load_export(directory)
    h, epsilon = ref["step_size"], ref["mass_epsilon"]

    def loss(flat, frames, noise):
        return negative_elbo(parameters(flat, ref), frames, noise, h, epsilon)

    value, gradient = jax.jit(jax.value_and_grad(loss))(jnp.asarray(flat), frames, noise)
    gradient = np.asarray(gradient)
    value32 = jax.jit(loss)(
        jnp.asarray(flat, jnp.float32), frames.astype(np.float32), noise.astype(np.float32)
    )
    blocks = {}
    offset = 0
    for name, sizes in [
        ("encoder", ref["encoder_sizes"]),
        ("decoder", ref["decoder_sizes"]),
        ("potential", ref["potential_sizes"]),
        ("mass", None),
    ]:
        count = 1 if sizes is None else sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
        a, b = gradient[offset : offset + count], swift_gradient[offset : offset + count]
        blocks[name] = float(np.linalg.norm(a - b) / np.linalg.norm(b))
        offset += count
    print(
        json.dumps(
            {
                "parameters_jax": int(flat.shape[0]),
                "parameters_vinkit": ref["parameter_count"],
                "loss_vinkit": ref["loss"],
                "loss_jax_f64": float(value),
                "loss_jax_f32": float(value32),
                "gradient_relative_error": float(
                    np.linalg.norm(gradient - swift_gradient) / np.linalg.norm(swift_gradient)
                ),
                "gradient_relative_error_by_block": blocks,
            }
        )
    )


def trainer_batches(ref, iterations):
    """PixelTrainer's batches and noise: per iteration, the windows (indices into every window,
    video by video) and eps, drawn as PixelTrainer.train draws them from SplitMix64."""
    import math

    import numpy as np
    from vin_vv_jax import SplitMix64

    generator = SplitMix64(ref["trainer_seed"])

    def uniform():
        return (generator.next() >> 11) * 2.0**-53

    def normal():
        u, v = 1 - uniform(), uniform()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)

    count = len(ref["windows"])  # every window is in every batch here
    draws = []
    for _ in range(iterations):
        order = generator.permutation(count)[::-1]
        noise = [normal() for _ in range(2 * count)]
        draws.append((np.array(order), np.array(noise).reshape(count, 2)))
    return draws


def time_training(directory, dtype, iterations):
    """ms per Adam step of the JAX model in `dtype` on PixelTrainer's batches and noise: two
    steps untimed (the first compiles), then `iterations` timed steps."""
    import numpy as np
    import optax

    jax, jnp, parameters, negative_elbo = jax_model()
    ref, flat, _, _, _ = load_export(directory)
    h, epsilon = ref["step_size"], ref["mass_epsilon"]
    length = ref["horizon"] + 1
    videos = np.fromfile(os.path.join(directory, "frames.f64"), dtype="<f8").reshape(
        ref["videos"], ref["frames_per_video"], -1)
    every_window = jnp.asarray(
        np.stack([video[s : s + length] for video in videos
                  for s in range(ref["frames_per_video"] - length + 1)]), dtype)
    params = parameters(jnp.asarray(flat, dtype), ref)
    optimiser = optax.adam(ref["learning_rate"])
    state = optimiser.init(params)

    @jax.jit
    def step(params, state, windows, order, noise):
        loss, gradient = jax.value_and_grad(negative_elbo)(
            params, windows[order], noise, h, epsilon)
        updates, state = optimiser.update(gradient, state, params)
        return optax.apply_updates(params, updates), state, loss

    losses, times = [], []
    cpu_start = time.process_time()
    for i, (order, noise) in enumerate(trainer_batches(ref, iterations + 2)):
        if i == 2:
            cpu_start = time.process_time()
        start = time.perf_counter()
        params, state, loss = step(params, state, every_window, order, jnp.asarray(noise, dtype))
        jax.block_until_ready((params, state, loss))
        if i >= 2:
            times.append(1e3 * (time.perf_counter() - start))
        losses.append(float(loss))
    cpu = 1e3 * (time.process_time() - cpu_start) / iterations
    print(json.dumps({"times_ms": times, "cpu_ms": cpu, "losses": losses}))


# MARK: - The driver


def pinned(threads):
    """Environment and pre-exec hook for a process on the first `threads` cores."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    env.pop("XLA_FLAGS", None)
    if threads == 1:
        env["XLA_FLAGS"] = SINGLE_THREAD_XLA_FLAGS
    cores = sorted(os.sched_getaffinity(0))[:threads]
    return env, lambda: os.sched_setaffinity(0, cores)


def run(command, threads):
    env, hook = pinned(threads)
    return subprocess.run(
        command, env=env, preexec_fn=hook, check=True, capture_output=True, text=True
    ).stdout


def swift_times(runner, iterations, threads):
    """PixelTrainingSpeed's times of `iterations` iterations after two untimed ones."""
    output = run([runner, str(iterations + 2)], threads)
    rows = re.findall(r"iteration\s+\d+\s+([0-9.]+) ms\s+CPU\s+([0-9.]+) ms\s+loss (\S+)", output)
    if len(rows) != iterations + 2:
        sys.exit(f"PixelTrainingSpeed stopped after {len(rows)} of {iterations + 2} iterations:"
                 f"\n{output}")
    times = [float(row[0]) for row in rows[2:]]
    cpu = sum(float(row[1]) for row in rows[2:]) / iterations
    return times, cpu, [float(row[2]) for row in rows]


def jax_times(work, dtype, iterations, threads):
    output = run([sys.executable, __file__, "--time", work, dtype, str(iterations)], threads)
    result = json.loads(output.strip().splitlines()[-1])
    return result["times_ms"], result["cpu_ms"], result["losses"]


def main(runner, work, iterations=6, rounds=4, threads=(2, 1)):
    export = os.path.join(work, "export")
    print(subprocess.run([runner, "--export", export], check=True, capture_output=True,
                         text=True).stdout.strip())
    env, hook = pinned(2)
    result = json.loads(subprocess.run(
        [sys.executable, __file__, "--check", export], env=env, preexec_fn=hook, check=True,
        capture_output=True, text=True).stdout.strip().splitlines()[-1])
    print(
        f"parameters: VINKit {result['parameters_vinkit']}, JAX {result['parameters_jax']}\n"
        f"negative ELBO at the first iteration's batch and noise: VINKit "
        f"{result['loss_vinkit']!r}, JAX f64 {result['loss_jax_f64']!r} (relative difference "
        f"{abs(result['loss_jax_f64'] / result['loss_vinkit'] - 1):.1e}), JAX f32 "
        f"{result['loss_jax_f32']:.6g}\n"
        f"gradient: |g_JAX - g_VINKit| / |g_VINKit| = {result['gradient_relative_error']:.1e} "
        "(" + ", ".join(f"{k} {v:.1e}" for k, v in
                        result["gradient_relative_error_by_block"].items()) + ")"
    )
    rows, trajectories = [], {}
    for t in threads:
        samples = {"VINKit": ([], []), "JAX f64": ([], []), "JAX f32": ([], [])}
        for r in range(rounds):
            for name, measure in [
                ("VINKit", lambda: swift_times(runner, iterations, t)),
                ("JAX f64", lambda: jax_times(export, "float64", iterations, t)),
                ("JAX f32", lambda: jax_times(export, "float32", iterations, t)),
            ]:
                times, cpu, losses = measure()
                samples[name][0].extend(times)
                samples[name][1].append(cpu)
                trajectories[name] = losses
                print(f"  {t} thread(s), round {r + 1}, {name}: min {min(times):.1f} ms, "
                      f"median {statistics.median(times):.1f} ms, CPU {cpu:.1f} ms/it, "
                      f"loss {losses[0]:.6g} -> {losses[-1]:.6g}", flush=True)
        rows.append((t, {k: (min(v[0]), statistics.median(v[0]), min(v[1]))
                         for k, v in samples.items()}))
    vinkit = trajectories["VINKit"]
    for name in ["JAX f64", "JAX f32"]:
        difference = max(abs(a / b - 1) for a, b in zip(trajectories[name], vinkit))
        print(f"training losses over the {len(vinkit)} iterations of PixelTrainer's batches and "
              f"noise: {name} against VINKit, largest relative difference {difference:.1e}")
    print(f"\nms per iteration, {iterations} iterations x {rounds} rounds per entry "
          "(minimum / median; CPU: all threads, over the timed iterations, minimum over rounds)")
    print("| threads | VINKit (f64) | JAX f64 | JAX f32 | JAX f64 / VINKit | JAX f32 / VINKit "
          "| CPU ms/it: VINKit, JAX f64, JAX f32 |")
    print("|---|---|---|---|---:|---:|---|")
    for t, s in rows:
        v, f64, f32 = s["VINKit"], s["JAX f64"], s["JAX f32"]
        print(f"| {t} | {v[0]:.0f} / {v[1]:.0f} | {f64[0]:.0f} / {f64[1]:.0f} | "
              f"{f32[0]:.0f} / {f32[1]:.0f} | {f64[0] / v[0]:.2f} / {f64[1] / v[1]:.2f} | "
              f"{f32[0] / v[0]:.2f} / {f32[1] / v[1]:.2f} | "
              f"{v[2]:.0f}, {f64[2]:.0f}, {f32[2]:.0f} |")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments and arguments[0] == "--check":
        check(arguments[1])
    elif arguments and arguments[0] == "--time":
        time_training(arguments[1], arguments[2], int(arguments[3]))
    else:
        main(arguments[0], arguments[1], *[int(a) for a in arguments[2:4]],
             *([tuple(int(a) for a in arguments[4:])] if len(arguments) > 4 else []))
