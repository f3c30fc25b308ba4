"""VIN-VV training in JAX (float64, jit): the peer of VINKit's `Trainer` on the noisy pendulum.

The same model, loss and optimiser as LagrangianLearning, started from the same numbers:

* potential V(q) = MLP (tanh hidden layers, linear scalar output), parameters stored layer by
  layer as the weight matrix (row-major, out x in) followed by the bias;
* constant mass M = L^2, L = softplus(r) + eps (n = 1);
* velocity Verlet in momentum form, p = M v:
  p' = p - h/2 dV(q), q+ = q + h M^-1 p', p+ = p' - h/2 dV(q+);
* every window of H+1 observations rolled out H steps from a per-window initial state that is
  optimised jointly with the model (initialised at the window's first observation);
* Gaussian negative log-likelihood with a learned log noise scale s,
  (1/m) sum [ r^2 e^(-2s)/2 ] + s + log(2 pi)/2 over all m predicted numbers;
* the gradient of all variables (model, initial states, s) clipped to Euclidean norm 10, then
  Adam (beta 0.9, 0.999, eps 1e-8), full batch (so the starts' step size, model rate x
  max(1, windows/batch) in VINKit, is the model's).

Two variants of dV: `autodiff` (jax.grad of V, the way a JAX user writes it; the training
gradient is then nested autodiff) and `analytic` (the hand-written input gradient, as VINKit
computes it). The faster one is the peer.

Usage: python vin_vv_jax.py EXPORT_DIR  (the directory the Swift side wrote: data.csv,
init.json and swift.json).
"""

import json
import math
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)


def load(directory):
    with open(f"{directory}/init.json") as f:
        setup = json.load(f)
    rows = np.loadtxt(f"{directory}/data.csv", delimiter=",", skiprows=1, ndmin=2)
    return setup, rows


def windows_of(rows, horizon):
    observations = rows[:, 1:3]  # (q, v)
    count = observations.shape[0] - horizon
    return np.stack([observations[k : k + horizon + 1] for k in range(count)])


def unflatten(flat, width, depth):
    layers = []
    offset = 0
    sizes = [1] + [width] * depth + [1]
    for l in range(depth + 1):
        rows, columns = sizes[l + 1], sizes[l]
        w = flat[offset : offset + rows * columns].reshape(rows, columns)
        offset += rows * columns
        b = flat[offset : offset + rows]
        offset += rows
        layers.append((w, b))
    return layers, offset


def potential(layers, q):
    a = q
    for w, b in layers[:-1]:
        a = jnp.tanh(w @ a + b)
    w, b = layers[-1]
    return (w @ a + b)[0]


def autodiff_gradient(layers, q):
    """dV at a batch of configurations q (B, 1) by jax.grad."""
    return jax.vmap(jax.grad(potential, argnums=1), in_axes=(None, 0))(layers, q)


def analytic_gradient(layers, q):
    """dV at a batch q (B, 1): e = c, delta = e * sigma'(z), e <- A^T delta."""
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


def make_step(setup, observations, gradient):
    width, depth = setup["width"], setup["depth"]
    h, horizon = setup["stepSize"], setup["horizon"]
    epsilon, clip = setup["massEpsilon"], setup["gradientClipNorm"]
    rate, beta1, beta2, adam_epsilon = setup["learningRate"], 0.9, 0.999, 1e-8
    count = observations.shape[0]

    def loss(variables):
        model, starts, s = variables
        layers, offset = unflatten(model, width, depth)
        factor = jax.nn.softplus(model[offset]) + epsilon
        mass = factor * factor
        inverse = 1 / mass
        q0, v0 = starts[:, :1], starts[:, 1:]
        p0 = mass * v0

        def step(carry, _):
            q, p, g = carry
            half = p - 0.5 * h * g
            q = q + h * inverse * half
            g = gradient(layers, q)
            p = half - 0.5 * h * g
            return (q, p, g), jnp.concatenate([q, inverse * p], axis=1)

        _, rows = jax.lax.scan(step, (q0, p0, gradient(layers, q0)), None, length=horizon)
        first = jnp.concatenate([q0, inverse * p0], axis=1)[None]
        prediction = jnp.concatenate([first, rows], axis=0).transpose(1, 0, 2)
        r = prediction - observations
        m = r.size
        return 0.5 * jnp.sum(r * r) * jnp.exp(-2 * s) / m + s + 0.5 * math.log(2 * math.pi)

    value_and_grad = jax.value_and_grad(loss)

    @jax.jit
    def update(variables, moments, t):
        value, g = value_and_grad(variables)
        leaves, tree = jax.tree_util.tree_flatten(g)
        norm = jnp.sqrt(sum(jnp.sum(x * x) for x in leaves))
        scale = jnp.where(norm > clip, clip / norm, 1.0)
        first, second = moments
        first = jax.tree_util.tree_map(lambda m, x: beta1 * m + (1 - beta1) * scale * x, first, g)
        second = jax.tree_util.tree_map(
            lambda v, x: beta2 * v + (1 - beta2) * (scale * x) ** 2, second, g
        )
        c1, c2 = 1 - beta1**t, 1 - beta2**t
        variables = jax.tree_util.tree_map(
            lambda p, m, v: p - rate * (m / c1) / (jnp.sqrt(v / c2) + adam_epsilon),
            variables,
            first,
            second,
        )
        return value, variables, (first, second)

    return update, count


def run(setup, rows, gradient):
    observations = jnp.asarray(windows_of(rows, setup["horizon"]))
    variables = (
        jnp.asarray(setup["parameters"], dtype=jnp.float64),
        observations[:, 0, :],
        jnp.asarray(math.log(setup["initialNoiseScale"]), dtype=jnp.float64),
    )
    zeros = jax.tree_util.tree_map(jnp.zeros_like, variables)
    moments = (zeros, zeros)
    update, _ = make_step(setup, observations, gradient)
    # Compile (and run once) outside the timing, then start again from the same numbers.
    warm = update(variables, moments, jnp.float64(1))
    jax.block_until_ready(warm)
    losses = []
    iterations = setup["iterations"]
    start = time.perf_counter()
    for t in range(1, iterations + 1):
        value, variables, moments = update(variables, moments, jnp.float64(t))
        losses.append(value)
    jax.block_until_ready(variables)
    seconds = time.perf_counter() - start
    return 1000 * seconds / iterations, [float(x) for x in losses]


def main():
    directory = sys.argv[1]
    setup, rows = load(directory)
    with open(f"{directory}/swift.json") as f:
        swift = json.load(f)
    print(f"jax {jax.__version__}, devices {jax.devices()}, float64")
    results = {}
    for name, gradient in [("autodiff", autodiff_gradient), ("analytic", analytic_gradient)]:
        ms, losses = run(setup, rows, gradient)
        results[name] = (ms, losses)
        reference = swift["losses"]
        checks = [k for k in (1, 10, 100, len(losses)) if k <= len(losses)]
        agreement = "  ".join(
            f"it {k}: {losses[k - 1]:.10g} vs {reference[k - 1]:.10g}" for k in checks
        )
        worst = max(
            abs(a - b) / max(abs(b), 1e-300) for a, b in zip(losses, reference)
        )
        print(f"JAX ({name} dV): {ms:.3f} ms/iteration; loss {agreement}")
        print(f"  largest relative loss difference from VINKit over all iterations: {worst:.2e}")
    best = min(results, key=lambda k: results[k][0])
    ms = results[best][0]
    print(
        f"VINKit {swift['msPerIteration']:.3f} ms/iteration, JAX ({best}) {ms:.3f} ms/iteration: "
        f"JAX/VINKit = {ms / swift['msPerIteration']:.2f}"
    )


if __name__ == "__main__":
    main()
