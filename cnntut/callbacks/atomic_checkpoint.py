"""Save the best model so far, never leaving a half-written file behind."""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable
from pathlib import Path

import keras

from cnntut.run_analysis import MODES, monitor_mode


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, in hex: what a state file uses to name its model."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model_atomically(
    model: keras.Model,
    filepath: str | os.PathLike,
    *,
    before_replace: Callable[[Path], None] | None = None,
) -> Path:
    """Save a model to a `.keras` file by writing a temporary file and renaming it.

    `model.save()` writes a zip archive piece by piece; a process killed in the
    middle leaves a file that `load_model` cannot read. Here the archive goes to
    a hidden temporary name in the same folder, is flushed to disk, and then
    replaces `filepath` in one `os.replace`, which on one file system is atomic:
    a reader (or a later run) sees either the old model or the new one.

    Args:
        model: the model to save (with its optimizer state).
        filepath: the destination; it must end in `.keras`.
        before_replace: called with the finished temporary file just before it
            replaces `filepath`; if it raises, `filepath` is left as it was.
            Defaults to `None`.

    Returns:
        The path written.

    Raises:
        ValueError: `filepath` does not end in `.keras`.
    """
    filepath = Path(filepath)
    if filepath.suffix != ".keras":
        raise ValueError(f"a Keras model file must end in .keras. Received: filepath={filepath}")
    # Keras insists on the .keras suffix, so the temporary name keeps it.
    tmp = filepath.with_name(f".{filepath.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace(tmp)
        os.replace(tmp, filepath)
    finally:
        tmp.unlink(missing_ok=True)
    return filepath


class AtomicCheckpoint(keras.callbacks.Callback):
    """Keep the best model of a run in a `.keras` file, written atomically.

    Like `keras.callbacks.ModelCheckpoint(filepath, save_best_only=True)`, it
    saves the whole model after every epoch whose `monitor` value beats the
    best so far. Two things differ:

    - the file is written under a temporary name and renamed into place
      (`save_model_atomically`), so a crash or kill during a save never leaves
      a half-written model where the last good one was;
    - with `state_path`, the best value and its epoch are kept in a small JSON
      file next to a training backup, so a run resumed by
      `keras.callbacks.BackupAndRestore` goes on comparing against the best of
      the interrupted run. The state names its model file by SHA-256 and is
      written (with the old file's entry) *before* the rename, so a kill in
      between leaves a state that still fits the file on disk; a state that
      fits no file, or cannot be read, is ignored and explained in `state_note`.

    With `save_layer`, the callback saves one layer of the trained model, a
    nested model, instead of the whole: for example the classifier inside a
    training model that puts augmentation layers in front of it.

    `save_on_tie=True` also saves when a value equals the best. On a small
    validation set, accuracy moves in coarse steps and many late epochs tie;
    under a decaying learning rate the later of two equal epochs has the more
    settled weights. State is reset in `on_train_begin` (then read back from
    `state_path` when that file exists).

    Args:
        filepath: where the best model goes; must end in `.keras`.
        monitor: the logged metric to compare. Defaults to `"val_loss"`.
        mode: `"min"`, `"max"`, or `"auto"`: the metric's own direction, found
            as Keras's callbacks find it (`cnntut.run_analysis.monitor_mode`).
            Defaults to `"auto"`.
        save_on_tie: also save when the value equals the best.
            Defaults to `False`.
        state_path: a JSON file for the best value, or `None` to keep it in
            memory only. Defaults to `None`.
        save_layer: the name of a nested model to save instead of the whole
            model. Defaults to `None`.
        verbose: 1 prints a line when the model is saved, 0 is silent.
            Defaults to `0`.

    Raises:
        ValueError: `filepath` does not end in `.keras`, `mode` is unknown,
            `verbose` is not 0 or 1; at an epoch's end, `monitor` is missing
            from the logs, `save_layer` is not a layer of the model, or
            `mode="auto"` cannot tell the metric's direction.

    Example:

    ```python
    best = AtomicCheckpoint("best.keras", monitor="val_accuracy")
    model.fit(x, y, validation_split=0.1, epochs=5, callbacks=[best])
    model = keras.models.load_model("best.keras", safe_mode=True)
    ```
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        mode: str = "auto",
        save_on_tie: bool = False,
        state_path: str | os.PathLike | None = None,
        save_layer: str | None = None,
        verbose: int = 0,
    ):
        super().__init__()
        self.filepath = Path(filepath)
        if self.filepath.suffix != ".keras":
            raise ValueError(
                f"AtomicCheckpoint saves whole models, so filepath must end in .keras. "
                f"Received: filepath={self.filepath}"
            )
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}. Received: mode={mode!r}")
        if verbose not in (0, 1):
            raise ValueError(f"verbose must be 0 or 1. Received: verbose={verbose!r}")
        self.monitor = monitor
        self.mode = mode  # "auto" is resolved against the model when training begins
        self.save_on_tie = bool(save_on_tie)
        self.state_path = Path(state_path) if state_path is not None else None
        self.save_layer = save_layer
        self.verbose = verbose
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.state_note: str | None = None
        self._file_sha: str | None = None

    def on_train_begin(self, logs=None):
        self.best, self.best_epoch, self._file_sha = None, None, None
        self._resolve_mode(strict=False)
        if self.state_path is not None:
            entry, self.state_note = read_checkpoint_state(
                self.filepath, self.state_path, self.monitor
            )
            if entry is not None:
                self.best, self.best_epoch, self._file_sha = (
                    entry["best"],
                    entry["epoch"],
                    entry["sha256"],
                )

    def _resolve_mode(self, strict: bool) -> None:
        if self.mode != "auto":
            return
        try:
            self.mode = monitor_mode(self.monitor, self.model)
        except ValueError:
            if strict:  # metrics are built by now: the direction is really unknown
                raise

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        if self.monitor not in logs:
            raise ValueError(
                f"AtomicCheckpoint monitors {self.monitor!r}, which is not in the "
                f"epoch logs; they have {sorted(logs)}. Received: monitor={self.monitor!r}"
            )
        self._resolve_mode(strict=True)
        value = float(logs[self.monitor])
        if math.isnan(value) or not self._improved(value):
            return
        save_model_atomically(
            self._model_to_save(),
            self.filepath,
            before_replace=lambda tmp: self._write_state(value, epoch + 1, tmp),
        )
        self.best, self.best_epoch = value, epoch + 1
        if self.verbose:
            print(f"Epoch {epoch + 1}: {self.monitor}={value:.4f}, saved {self.filepath}")

    def _model_to_save(self):
        if self.save_layer is None:
            return self.model
        try:
            return self.model.get_layer(self.save_layer)
        except ValueError as exc:
            raise ValueError(
                f"AtomicCheckpoint: the model has no layer {self.save_layer!r}; it has "
                f"{[layer.name for layer in self.model.layers]}. "
                f"Received: save_layer={self.save_layer!r}"
            ) from exc

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        if self.save_on_tie and value == self.best:
            return True
        return value < self.best if self.mode == "min" else value > self.best

    def _write_state(self, value: float, epoch: int, new_file: Path) -> None:
        """Record the model about to replace `filepath`, and the one it replaces."""
        if self.state_path is None:
            return
        sha = file_sha256(new_file)
        previous = None
        if self.best is not None and self._file_sha is not None:
            previous = {"best": self.best, "epoch": self.best_epoch, "sha256": self._file_sha}
        state = {"monitor": self.monitor, "mode": self.mode, "best": value, "epoch": epoch}
        state.update(sha256=sha, filepath=str(self.filepath), previous=previous)
        write_checkpoint_state(self.state_path, state)
        self._file_sha = sha


def write_checkpoint_state(state_path: str | os.PathLike, state: dict) -> Path:
    """Write an `AtomicCheckpoint` state file atomically (temporary file, then rename)."""
    state_path = Path(state_path)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = state_path.with_name(f".{state_path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(state))
        os.replace(tmp, state_path)
    finally:
        tmp.unlink(missing_ok=True)
    return state_path


def read_checkpoint_state(
    filepath: str | os.PathLike, state_path: str | os.PathLike, monitor: str
) -> tuple[dict | None, str | None]:
    """`(entry, note)`: the state's `{"best", "epoch", "sha256"}` entry for the model
    now at `filepath`, or `None` with one sentence saying why it was not used
    (`note` is also `None` when there is no state file)."""
    filepath, state_path = Path(filepath), Path(state_path)
    if not state_path.is_file():
        return None, None
    if not filepath.is_file():
        return None, f"{state_path} was ignored: the model file {filepath} it describes is gone"
    try:
        state = json.loads(state_path.read_text())
        entries = [state] + ([state["previous"]] if state.get("previous") else [])
        entries = [
            {"best": float(e["best"]), "epoch": e["epoch"], "sha256": str(e["sha256"])}
            for e in entries
        ]
        recorded_monitor = state["monitor"]
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        return None, f"{state_path} was ignored: it is not a readable state file ({reason})"
    if recorded_monitor != monitor:
        return None, (f"{state_path} was ignored: it tracks {recorded_monitor!r}, not {monitor!r}")
    sha = file_sha256(filepath)
    for entry in entries:
        if entry["sha256"] == sha:
            return entry, None
    return None, (
        f"{state_path} was ignored: it does not describe the model now in {filepath} "
        "(the file was replaced or changed after the state was written)"
    )
