"""What the benchmark ran on: processor, cores, software versions, load."""

from __future__ import annotations

import os
import platform

from cnntut.bench.machine import cpu_model, vector_isa


def machine_info() -> dict:
    """The processor, core counts and software versions, for the results file."""
    import keras
    import numpy as np
    import tensorflow as tf

    return {
        "cpu_model": cpu_model(),
        "vector_isa": vector_isa(),
        "cpu_count": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "gpus": len(tf.config.list_physical_devices("GPU")),
    }


def load_average() -> list[float] | None:
    """The 1, 5 and 15-minute load averages, or `None` where the OS has none.

    On a 2-core machine, a 1-minute load above about 0.5 means other programs
    are competing for the cores and the timings will be low.
    """
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None
