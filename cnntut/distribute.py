"""Data-parallel training with `tf.distribute.MirroredStrategy`, demonstrable on one CPU.

A machine with several GPUs gives MirroredStrategy one replica per GPU. To show the
same code on a laptop, `split_cpu(2)` cuts the CPU into two *logical* devices; they
share the same cores, so this demonstrates correctness, not speed.
"""

from __future__ import annotations

import tensorflow as tf

from cnntut.checks import check_int


def split_cpu(n: int = 2) -> list:
    """Split the physical CPU into `n` logical devices; return `list_logical_devices("CPU")`.

    TensorFlow fixes its devices when its runtime starts, so call this before any other
    TensorFlow work (before `cnntut.set_seed`, before building a model). Calling it again
    with the same `n` is harmless, so a notebook cell can be re-run.

    Raises:
        ValueError: `n` is not a positive integer.
        RuntimeError: TensorFlow's runtime has already started with another number of
            CPU devices; restart the kernel and call this first.
    """
    n = check_int("n", n, low=1)
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == n:
        return tf.config.list_logical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
        )
    except RuntimeError as exc:
        have = len(tf.config.list_logical_devices("CPU"))
        raise RuntimeError(
            f"cannot split the CPU into {n} devices: TensorFlow has already started "
            f"with {have}. Restart the kernel and call split_cpu({n}) before any other "
            "TensorFlow work."
        ) from exc
    return tf.config.list_logical_devices("CPU")


def cpu_mirrored_strategy(n: int = 2) -> tf.distribute.MirroredStrategy:
    """A MirroredStrategy over `n` logical CPU devices (see `split_cpu`), so `n` replicas.

    Raises:
        ValueError, RuntimeError: as `split_cpu`.
    """
    devices = split_cpu(n)
    return tf.distribute.MirroredStrategy([device.name for device in devices[:n]])


def global_batch_size(per_replica: int, strategy: tf.distribute.Strategy) -> int:
    """The batch size to give `fit`: `per_replica * strategy.num_replicas_in_sync`.

    Keras's `batch_size` is the *global* batch, which the strategy splits evenly across replicas.

    Raises:
        ValueError: `per_replica` is not a positive integer.
    """
    per_replica = check_int("per_replica", per_replica, low=1)
    return per_replica * strategy.num_replicas_in_sync
