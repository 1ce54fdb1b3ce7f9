"""Seeding and a short report of the software a chapter ran on."""

from __future__ import annotations

import os
import platform

import keras
import tensorflow as tf

from cnntut.bench.machine import vector_isa
from cnntut.checks import check_int

DEFAULT_SEED = 42
SEED_ENV = "CNNTUT_SEED"


def default_seed() -> int:
    """The seed a chapter uses: `$CNNTUT_SEED` when it is set, else 42.

    Rerunning the book with `CNNTUT_SEED=7` (or `make robust`, which tries
    several seeds) checks that what a chapter claims does not hang on one
    lucky draw.

    Returns:
        A non-negative integer.

    Raises:
        ValueError: `CNNTUT_SEED` is set but is not a non-negative integer;
            the message quotes it.
    """
    raw = os.environ.get(SEED_ENV, "").strip()
    if not raw:
        return DEFAULT_SEED
    if not raw.isdecimal() or int(raw) >= 2**32:
        raise ValueError(
            f"{SEED_ENV} must be an integer from 0 to 2**32 - 1. Received: {SEED_ENV}={raw!r}"
        )
    return int(raw)


def set_seed(seed: int | None = None, *, deterministic: bool = True) -> int:
    """Make a chapter's numbers repeat from run to run on the same machine.

    Seeds Python's `random`, NumPy and TensorFlow through
    `keras.utils.set_random_seed`, and (by default) asks TensorFlow for
    deterministic kernels, so that multi-threaded reductions on the CPU
    add up in the same order every time.

    Args:
        seed: a non-negative integer, or `None` for `default_seed()`:
            `$CNNTUT_SEED` when set, else 42. Defaults to `None`.
        deterministic: also call `tf.config.experimental.enable_op_determinism()`.
            Defaults to `True`.

    Returns:
        The seed used, so a chapter can keep it (`SEED = cnntut.set_seed()`)
        and reseed with it later.

    Raises:
        ValueError: `seed` is not a non-negative integer below 2**32, or
            `CNNTUT_SEED` is malformed.
    """
    if seed is None:
        seed = default_seed()
    seed = check_int("seed", seed, low=0, high=2**32 - 1)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for any subprocess a chapter starts
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed


def versions() -> str:
    """One line with the Python, TensorFlow and Keras versions, the backend and the CPU.

    The CPU's widest vector instructions (AVX2, AVX-512, AMX) are named because
    they change both the speed and the last digits of a run.
    """
    return (
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__} (backend: {keras.config.backend()}), "
        f"{os.cpu_count()} CPU cores ({vector_isa()}), "
        f"{len(tf.config.list_physical_devices('GPU'))} GPU"
    )
