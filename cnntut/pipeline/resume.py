"""Start, resume or refuse a run: what `train` checks before it writes anything.

`train` writes the best model to `config.out` and a backup to `config.backup_dir`,
whose `run.json` holds the run's settings. The rules:

- a backup is there: resume it, but only with the same settings and data; otherwise
  refuse, naming the setting and both values;
- no backup, but `config.out` exists (a finished run, or any other file): refuse
  unless `overwrite=True`, so a finished model is never replaced by accident;
- `overwrite=True`: delete any backup and the old model, and start afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

from cnntut.pipeline.config import TrainConfig

SETTINGS_FILE = "run.json"
STATE_FILE = "best.json"
# The settings a resumed run must share, with their names on the command line.
RESUME_SETTINGS = {
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "seed": "--seed",
    "validation_fraction": "validation_fraction",
    "peak_lr": "peak_lr",
    "warmup_epochs": "warmup_epochs",
    "data": "--data",
}


class RunSettingsError(ValueError):
    """A run that must not start as asked; the message says why and what to do."""


def data_fingerprint(data) -> dict:
    """`{"train": n, "test": n, "sha256": ...}` of `(x_train, y_train), (x_test, y_test)`."""
    digest = hashlib.sha256()
    for array in (np.ascontiguousarray(array) for split in data for array in split):
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(array.tobytes())
    (x_train, _), (x_test, _) = data
    return {"train": len(x_train), "test": len(x_test), "sha256": digest.hexdigest()}


def prepare_run(config: TrainConfig, fingerprint: dict, *, overwrite: bool = False) -> bool:
    """Apply the rules above; return whether the run resumes a backup.

    A fresh run with `config.resume` gets its backup folder and `run.json` here.

    Raises:
        RunSettingsError: `config.out` exists with no backup to resume, or the
            backup belongs to a run with other settings or has no readable `run.json`.
    """
    out, backup = Path(config.out), config.backup_dir
    wanted = {name: getattr(config, name) for name in RESUME_SETTINGS if name != "data"}
    wanted["data"] = fingerprint
    if overwrite:
        shutil.rmtree(backup, ignore_errors=True)
        out.unlink(missing_ok=True)
    elif backup.exists():
        _check_resumable(backup, wanted)
        return True
    elif out.exists():
        raise RunSettingsError(
            f"{out} already exists and there is no interrupted run to resume ({backup} "
            "does not exist); pass --overwrite to replace it, or choose another --out"
        )
    if config.resume:
        backup.mkdir(parents=True, exist_ok=True)
        tmp = backup / f".{SETTINGS_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(wanted, indent=1))
        os.replace(tmp, backup / SETTINGS_FILE)
    return False


def _check_resumable(backup: Path, wanted: dict) -> None:
    try:
        stored = json.loads((backup / SETTINGS_FILE).read_text())
        stored.keys()  # a JSON object, not a list or a number
    except (OSError, ValueError, AttributeError) as exc:
        raise RunSettingsError(
            f"cannot resume from {backup}: its {SETTINGS_FILE} is missing or unreadable "
            f"({type(exc).__name__}); delete the folder, or pass --overwrite to start afresh"
        ) from None
    for name, flag in RESUME_SETTINGS.items():
        before, now = stored.get(name), wanted[name]
        if before == now:
            continue
        if name == "data":
            before, now = _describe_data(before), _describe_data(now)
        raise RunSettingsError(
            f"cannot resume from {backup}: {flag} differs (the interrupted run used "
            f"{before}, this command {now}); run the command of the interrupted run "
            "again, or pass --overwrite to start afresh"
        )


def _describe_data(fingerprint) -> str:
    try:
        return (
            f"{fingerprint['train']:,} training / {fingerprint['test']:,} test images "
            f"(sha256 {fingerprint['sha256'][:12]})"
        )
    except (TypeError, KeyError):
        return repr(fingerprint)
