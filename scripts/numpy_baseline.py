#!/usr/bin/env python3
"""Straightforward numpy float64 implementation of the Benettin loop, the issue's speed yardstick:
batched matmul and numpy.linalg.qr per layer, tanh, fresh Gaussian W and b every layer.
Prints one JSON line. Usage: numpy_baseline.py N L S. Timing includes interpreter start-up when the
caller measures the whole process (the bench does both)."""
import json, sys, time

t0 = time.perf_counter()
import numpy as np

n, depth, samples = (int(a) for a in sys.argv[1:4])
rng = np.random.default_rng(1)
sw2, sb2 = 1.5, 0.0
x = rng.standard_normal((samples, n, 1))
q, _ = np.linalg.qr(rng.standard_normal((samples, n, n)))
sums = np.zeros((samples, n))
for layer in range(depth):
    w = rng.standard_normal((samples, n, n)) * np.sqrt(sw2 / n)
    h = w @ x
    x = np.tanh(h)
    d = 1.0 / np.cosh(h) ** 2
    z = d * (w @ q)
    q, r = np.linalg.qr(z)
    sums += np.log(np.abs(np.diagonal(r, axis1=1, axis2=2)))
lam = sums.mean(axis=0) / depth
elapsed = time.perf_counter() - t0
print(json.dumps({"n": n, "depth": depth, "samples": samples, "seconds": elapsed,
                  "layerSamplesPerSecond": depth * samples / elapsed, "lambda1": float(lam[0])}))
