"""What a measurement ran on: the processor, its vector instructions, the time.

The benchmark (`benchmarks/machine.py`) and `booktools.notebooks`' run-time table record them.
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime


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


def utc_now() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
