"""Helpers for the book *Building CNNs with Keras, and steering training with callbacks*.

The names below are imported on first use, so that `python -m cnntut --help` and
`import cnntut.data` do not pay for importing TensorFlow.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "load_mnist": "cnntut.data",
    "preprocess": "cnntut.data",
    "build_cnn": "cnntut.models",
    "compile_cnn": "cnntut.models",
    "set_seed": "cnntut.repro",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    try:
        return importlib.import_module(f"{__name__}.{name}")  # e.g. cnntut.repro
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module 'cnntut' has no attribute {name!r}") from None
