"""Seeding and a short report of the software a chapter ran on."""

from __future__ import annotations

import os
import platform

import keras
import tensorflow as tf

DEFAULT_SEED = 42


def set_seed(seed: int = DEFAULT_SEED, *, deterministic: bool = True) -> int:
    """Make a chapter's numbers repeat from run to run on the same machine.

    Seeds Python's `random`, NumPy and TensorFlow through
    `keras.utils.set_random_seed`, and (by default) asks TensorFlow for
    deterministic kernels, so that multi-threaded reductions on the CPU
    add up in the same order every time.

    Args:
        seed: a non-negative integer. Defaults to `42`.
        deterministic: also call `tf.config.experimental.enable_op_determinism()`.
            Defaults to `True`.

    Returns:
        The seed, so a cell can show it.

    Raises:
        ValueError: `seed` is not a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer. Received: seed={seed!r}")
    os.environ["PYTHONHASHSEED"] = str(seed)  # for any subprocess a chapter starts
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed


def versions() -> str:
    """One line with the Python, TensorFlow and Keras versions and the backend."""
    return (
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__} (backend: {keras.config.backend()}), "
        f"{os.cpu_count()} CPU cores, "
        f"{len(tf.config.list_physical_devices('GPU'))} GPU"
    )
