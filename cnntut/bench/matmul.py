"""The machine's arithmetic limit: how fast it multiplies float32 matrices.

A large square matrix product is the friendliest job a CPU can get: the BLAS
kernel behind it (oneDNN/Eigen in TensorFlow) keeps every vector unit busy and
reads each number many times from cache. Its rate is a practical ceiling for
any float32 training step, which is mostly matrix products in disguise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from cnntut.checks import check_int

DTYPES = ("float32", "bfloat16")


@dataclass(frozen=True)
class MatmulRate:
    """The best measured rate of `tf.linalg.matmul` on `n x n` matrices.

    Attributes:
        flops: floating-point operations of one product, `2 * n**3`.
        best_seconds: the fastest of the `repeats` timed products.
    """

    n: int
    dtype: str
    flops: int
    best_seconds: float
    repeats: int

    @property
    def gflops(self) -> float:
        """Billions of floating-point operations per second."""
        return self.flops / self.best_seconds / 1e9


def measure_matmul(
    n: int = 2048, *, dtype: str = "float32", repeats: int = 10, warmup: int = 2
) -> MatmulRate:
    """Time `tf.linalg.matmul(a, b)` on random `n x n` matrices; keep the best.

    The first `warmup` products are not timed (they allocate buffers and start the thread
    pool). The best of `repeats` is kept, not the mean: other programs only slow a product.

    Args:
        n: the matrix side, at least 16; 2048 makes 17.2 GFLOP per product.
        dtype: `"float32"` (the limit the benchmark uses) or `"bfloat16"` (what mixed
            precision multiplies in).

    Raises:
        ValueError: `n` (< 16), `repeats` (< 1) or `warmup` (< 0) is out of range, or `dtype`
            is not one of the two.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}. Received: dtype={dtype!r}")
    for name, value, low in (("n", n, 16), ("repeats", repeats, 1), ("warmup", warmup, 0)):
        check_int(name, value, low=low)
    rng = np.random.default_rng(0)
    a = tf.cast(rng.standard_normal((n, n), dtype=np.float32), dtype)
    b = tf.cast(rng.standard_normal((n, n), dtype=np.float32), dtype)
    times = []
    for i in range(warmup + repeats):
        started = time.perf_counter()
        product = tf.linalg.matmul(a, b)
        product[0, 0].numpy()  # wait for the result before stopping the clock
        if i >= warmup:
            times.append(time.perf_counter() - started)
    return MatmulRate(n=n, dtype=dtype, flops=2 * n**3, best_seconds=min(times), repeats=repeats)


def measure_best_matmul(
    sizes: tuple[int, ...] = (512, 1024, 2048, 4096), *, dtype: str = "float32", repeats: int = 5
) -> tuple[MatmulRate, dict[int, float]]:
    """Measure several matrix sizes; return the fastest `MatmulRate` and `{n: GFLOP/s}`.

    The rate grows with the size until the matrices no longer fit in cache, and where it
    peaks differs between machines, so the limit is the best of a few.

    Raises:
        ValueError: `sizes` is empty, or as `measure_matmul`.
    """
    if not sizes:
        raise ValueError("sizes must name at least one matrix side. Received: ()")
    rates = [measure_matmul(n, dtype=dtype, repeats=repeats) for n in sizes]
    return max(rates, key=lambda rate: rate.gflops), {r.n: r.gflops for r in rates}
