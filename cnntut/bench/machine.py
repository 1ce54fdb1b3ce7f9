"""What the benchmark ran on: processor, cores, software versions, load."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime


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


def cpu_model() -> str:
    """The processor's name from `/proc/cpuinfo`, or what `platform` knows."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def vector_isa() -> str:
    """The widest vector instructions the CPU offers: "AMX", "AVX-512", "AVX2" or "older".

    The same code takes different paths in oneDNN on each, so timings (and the
    last digits of results) differ between them.
    """
    try:
        with open("/proc/cpuinfo") as handle:
            flags = next(
                (line.split(":", 1)[1].split() for line in handle if line.startswith("flags")), []
            )
    except OSError:
        return "unknown"
    for flag, name in (("amx_tile", "AMX"), ("avx512f", "AVX-512"), ("avx2", "AVX2")):
        if flag in flags:
            return name
    return "older"


def load_average() -> list[float] | None:
    """The 1, 5 and 15-minute load averages, or `None` where the OS has none.

    On a 2-core machine, a 1-minute load above about 0.5 means other programs
    are competing for the cores and the timings will be low.
    """
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def utc_now() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
