"""The callback playground: when would EarlyStopping and ReduceLROnPlateau have fired?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnntut.run_analysis import LR_KEY, history_logs
from cnntut.widgets._base import Explorer
from cnntut.widgets.replay import replay_callbacks

DEFAULT_LR = 1e-3


def callback_replay_figure(
    history: Mapping[str, Sequence[float]] | object,
    patience: int,
    factor: float,
    lr_patience: int,
    *,
    min_delta: float = 0.0,
    initial_lr: float | None = None,
) -> Figure:
    """Draw a recorded loss curve with where the two callbacks would have fired.

    Top: the validation loss (and the training loss, faint), the best epoch, and the epoch at
    whose end EarlyStopping stops; the epochs it saves are shaded. Bottom: the learning rate
    of each epoch run, on a log scale, as ReduceLROnPlateau would set it. Epochs are numbered
    from 1, as Keras prints them.

    Args:
        history: a `keras.callbacks.History` or its `.history` dict, with `val_loss`.
        patience, min_delta: EarlyStopping's `patience` and `min_delta`.
        factor, lr_patience: ReduceLROnPlateau's `factor` and `patience`.
        initial_lr: the rate of the first epoch. Defaults to `None`, meaning the history's
            first `learning_rate` if it has one, else `1e-3`.

    Raises:
        TypeError: `history` is neither a `History` nor a dict, or see `replay_callbacks`.
        KeyError: the history has no `val_loss`; the message lists its keys.
        ValueError: a bad callback argument (see `replay_callbacks`).
    """
    logs, lr0 = _history_logs(history, initial_lr)
    result = replay_callbacks(
        logs["val_loss"],
        es_patience=patience,
        lr_factor=factor,
        lr_patience=lr_patience,
        min_delta=min_delta,
        initial_lr=lr0,
    )
    return _replay_figure(logs, result)


def replay_summary(result: Mapping[str, Any], recorded_epochs: int) -> str:
    """Two sentences of plain text saying what `replay_callbacks` found, epochs from 1.

    `result` is what `replay_callbacks` returned; `recorded_epochs`, how many the history holds.
    """
    best = f"(best epoch {result['best_epoch'] + 1}, val_loss {result['best_val_loss']:.4f})."
    if result["stop_epoch"] is None:
        es = f"EarlyStopping does not stop within the {recorded_epochs} recorded epochs {best}"
    else:
        stop = result["stop_epoch"] + 1
        es = f"EarlyStopping stops at the end of epoch {stop} of {recorded_epochs} {best}"
    if result["lr_reductions"]:
        when = ", ".join(str(e + 1) for e in result["lr_reductions"])
        lr = (
            f"ReduceLROnPlateau lowers the learning rate at the end of epoch(s) {when}: "
            f"from {result['lr'][0]:.3g} to {result['final_lr']:.3g}."
        )
    else:
        lr = f"ReduceLROnPlateau keeps the learning rate at {result['lr'][0]:.3g}."
    return f"{es} {lr}"


class CallbackPlayground(Explorer):
    """Sliders for the callbacks' arguments over a recorded history; nothing retrains.

    Attributes:
        controls: `"patience"` (EarlyStopping), `"factor"` and `"lr_patience"` (ReduceLROnPlateau).
        summary: an `ipywidgets.HTML` with `replay_summary` of the current state.
    """

    def __init__(
        self,
        history: Mapping[str, Sequence[float]] | object,
        *,
        patience: int = 3,
        factor: float = 0.5,
        lr_patience: int = 2,
        initial_lr: float | None = None,
    ) -> None:
        self._logs, self._lr0 = _history_logs(history, initial_lr)
        self._replay = partial(replay_callbacks, self._logs["val_loss"], initial_lr=self._lr0)
        # Fail on a bad starting value now rather than inside a slider callback.
        self._replay(es_patience=patience, lr_factor=factor, lr_patience=lr_patience)
        top = max(10, patience, lr_patience)
        common = {"style": {"description_width": "initial"}, "continuous_update": False}
        controls = {
            "patience": widgets.IntSlider(
                value=patience, min=0, max=top, description="EarlyStopping patience", **common
            ),
            "factor": widgets.FloatSlider(
                value=factor,
                min=0.05,
                max=0.95,
                step=0.05,
                description="ReduceLROnPlateau factor",
                **common,
            ),
            "lr_patience": widgets.IntSlider(
                value=lr_patience, min=0, max=top, description="patience", **common
            ),
        }
        self.summary = widgets.HTML()
        super().__init__(controls, self._current_figure, extra=(self.summary,))

    @property
    def result(self) -> dict[str, Any]:
        """`replay_callbacks`'s answer for the controls' current values."""
        return self._replay(
            es_patience=int(self.controls["patience"].value),
            lr_factor=float(self.controls["factor"].value),
            lr_patience=int(self.controls["lr_patience"].value),
        )

    def _current_figure(self) -> Figure:
        result = self.result
        self.summary.value = f"<p>{replay_summary(result, len(self._logs['val_loss']))}</p>"
        return _replay_figure(self._logs, result)


def callback_playground(
    history: Mapping[str, Sequence[float]] | object,
    *,
    patience: int = 3,
    factor: float = 0.5,
    lr_patience: int = 2,
    initial_lr: float | None = None,
) -> CallbackPlayground:
    """A widget to try EarlyStopping and ReduceLROnPlateau settings on a recorded run.

    The callbacks are replayed over the recorded validation loss with `replay_callbacks`;
    nothing trains. Static pages cannot run it: pair the cell with `callback_replay_figure(...)`
    for one representative setting. Its arguments (the sliders' starting values) and errors are
    those of `callback_replay_figure`; see `CallbackPlayground` for its controls.
    """
    return CallbackPlayground(
        history, patience=patience, factor=factor, lr_patience=lr_patience, initial_lr=initial_lr
    )


def _history_logs(
    history: Mapping[str, Sequence[float]] | object, initial_lr: float | None
) -> tuple[dict[str, list[float]], float]:
    logs = history_logs(history, ["val_loss"])
    logs = {key: [float(v) for v in values] for key, values in logs.items()}
    if initial_lr is None:
        initial_lr = logs[LR_KEY][0] if logs.get(LR_KEY) else DEFAULT_LR
    return logs, initial_lr


def _replay_figure(logs: Mapping[str, list[float]], result: Mapping[str, Any]) -> Figure:
    recorded = np.arange(1, len(logs["val_loss"]) + 1)
    run = recorded[: result["epochs_run"]]
    fig, (ax_loss, ax_lr) = plt.subplots(
        2, 1, figsize=(7.5, 5.0), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    if "loss" in logs:
        ax_loss.plot(
            recorded, logs["loss"], "o-", color="tab:blue", alpha=0.3, label="training loss"
        )
    ax_loss.plot(recorded, logs["val_loss"], "s--", color="tab:orange", alpha=0.35)
    ax_loss.plot(
        run, logs["val_loss"][: len(run)], "s-", color="tab:orange", label="validation loss"
    )
    best = result["best_epoch"]
    ax_loss.plot(
        [best + 1], [result["best_val_loss"]], "*", color="black", markersize=14, label="best epoch"
    )
    if result["stop_epoch"] is not None:
        stop = result["stop_epoch"] + 1
        for ax in (ax_lr, ax_loss):  # the loss panel last: its artists get the labels
            saved = ax.axvspan(stop + 0.5, recorded[-1] + 0.5, color="lightgray", alpha=0.5, lw=0)
            line = ax.axvline(stop, color="tab:red", linestyle=":")
        line.set_label(f"EarlyStopping stops after epoch {stop}")
        if stop < recorded[-1]:
            saved.set_label("epochs not run")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("EarlyStopping and ReduceLROnPlateau replayed on the recorded losses")
    ax_loss.grid(alpha=0.3)
    ax_loss.legend(loc="best", fontsize=8)

    ax_lr.step(run, result["lr"], where="mid", color="tab:green")
    ax_lr.plot(run, result["lr"], "o", color="tab:green", markersize=4)
    for epoch in result["lr_reductions"]:
        ax_lr.axvline(epoch + 1.5, color="tab:green", linestyle="--", alpha=0.6)
    ax_lr.set_yscale("log")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_xlabel("epoch (dashed green: the rate is lowered between two epochs)")
    ax_lr.set_xticks(recorded if len(recorded) <= 20 else recorded[:: len(recorded) // 10])
    ax_lr.set_xlim(0.5, recorded[-1] + 0.5)
    ax_lr.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig
