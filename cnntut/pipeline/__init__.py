"""Chapter 8's best pipeline: data, model, callbacks, training and evaluation in one call.

`train(TrainConfig(...))` is what `python -m cnntut train` runs and what the
"going further" section of chapter 8 writes out: `model` is generated from that
chapter's cells (`make export`), and `run.train` calls it, so the two cannot drift.
The model is the source article's two-stage CNN made wider and steadier (two
convolutions per stage, batch normalization, dropout), with light augmentation
layers in front and a warm-up + cosine learning-rate schedule; the best epoch
is chosen on a validation split carved from the training digits, never on the
test set.
"""

import importlib

# Names are imported on first use (PEP 562), so that `cnntut.pipeline.config`
# can be read by the command line's argument parser without importing TensorFlow.
_EXPORTS = {
    "TrainConfig": "config",
    "TrainResult": "config",
    "build_best_model": "model",
    "build_best_augmenter": "model",
    "build_trainer": "model",
    "best_schedule": "model",
    "compile_best": "model",
    "fit_best": "model",
    "EpochLine": "progress",
    "format_epoch_line": "progress",
    "RunSettingsError": "resume",
    "load_trained_model": "run",
    "split_validation": "run",
    "train": "run",
    "SignalStop": "signals",
    "TrainingStopped": "signals",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cnntut.pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cnntut.pipeline.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
