"""The images the benchmark trains on: all of MNIST if it is here, else a stand-in.

Throughput depends on the number and shape of the images, not on what they show,
so when the 60,000 MNIST training images are not on this machine the benchmark
trains on the bundled real digits repeated (each copy shifted by a random pixel
or two, so no two copies are identical) up to the requested count. The
benchmark never downloads.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from cnntut.data import load_mnist

FULL_TRAIN_SIZE = 60_000


def bench_data(
    images: int = FULL_TRAIN_SIZE, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, str]:
    """Return `images` uint8 training images with labels, and where they came from.

    Uses `load_mnist(source="auto", download=False)`: the real training set
    when it is in the Keras cache or at `$CNNTUT_MNIST`; otherwise the bundled
    sample, repeated.

    Args:
        images: how many images, at least 1. Defaults to `60_000`.
        seed: seed of the shifts of repeated copies. Defaults to `0`.

    Returns:
        `(x, y, source)`: uint8 `(images, 28, 28)`, uint8 `(images,)`, and a
        sentence naming the source.

    Raises:
        ValueError: `images` is below 1.
    """
    if isinstance(images, bool) or not isinstance(images, int) or images < 1:
        raise ValueError(f"images must be an integer >= 1. Received: images={images!r}")
    (x_train, y_train), _ = load_mnist(source="auto", download=False, verbose=False)
    if len(x_train) >= images:
        kind = "MNIST training set" if len(x_train) >= FULL_TRAIN_SIZE else "MNIST sample"
        return x_train[:images], y_train[:images], f"{kind} ({images:,} of {len(x_train):,})"
    x, y = repeat_shifted(x_train, y_train, images, seed=seed)
    source = (
        f"synthetic: the {len(x_train):,} local MNIST digits repeated with random "
        f"shifts to {images:,} images (the full set is not on this machine)"
    )
    return x, y, source


def repeat_shifted(
    x: np.ndarray, y: np.ndarray, images: int, *, seed: int = 0, max_shift: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Repeat `(x, y)` to `images` examples; copies after the first are shifted.

    Args:
        x: uint8 images `(N, 28, 28)`.
        y: labels `(N,)`.
        images: the number of examples wanted.
        seed: seed of the shifts. Defaults to `0`.
        max_shift: largest shift in pixels along each axis. Defaults to `2`.

    Returns:
        `(x_out, y_out)` with `images` examples; the first `len(x)` are `x` itself.
    """
    rng = np.random.default_rng(seed)
    reps = -(-images // len(x))
    x_out = np.concatenate([x] * reps)[:images].copy()
    y_out = np.concatenate([y] * reps)[:images].copy()
    for start in range(len(x), images, len(x)):
        stop = min(start + len(x), images)
        dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
        x_out[start:stop] = np.roll(x_out[start:stop], (int(dy), int(dx)), axis=(1, 2))
    return x_out, y_out


def save_bench_data(path: str | os.PathLike, x: np.ndarray, y: np.ndarray) -> Path:
    """Write the images for worker processes (uncompressed: it is read at once)."""
    path = Path(path)
    np.savez(path, x=x, y=y)
    return path
