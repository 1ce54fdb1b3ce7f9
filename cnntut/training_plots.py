"""A figure of one training run with what its callbacks did marked on it.

The analysis (which epochs to mark) lives in `cnntut.run_analysis`; this module
only draws, so each half can be tested alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnntut.run_analysis import LR_KEY, Logs, history_logs

LR_COLOR = "tab:purple"
DROP_STYLE = {"color": LR_COLOR, "linestyle": ":", "linewidth": 1.5}
BEST_STYLE = {"color": "tab:green", "linestyle": "--", "linewidth": 1.5}
STOP_STYLE = {"color": "tab:red", "linestyle": "-.", "linewidth": 1.5}


def plot_callback_run(
    history: Logs | object,
    *,
    lr_drops: Sequence[int] = (),
    best_epoch: int | None = None,
    stopped_epoch: int | None = None,
    metrics: Sequence[str] = ("loss", "accuracy"),
    lr_key: str = LR_KEY,
) -> Figure:
    """Plot a run's curves per epoch, its learning rate, and the callbacks' moments.

    One panel per metric shows the training and (when logged) validation curve;
    the learning rate, when logged, is drawn on a second, logarithmic y axis of
    each panel. Vertical lines mark each rate cut (half-way between the last
    epoch at the old rate and the first at the new one), the best epoch, and
    the epoch at which training stopped. One legend below the panels explains
    the lines.

    Args:
        history: a `keras.callbacks.History` or its `.history` dict.
        lr_drops: epochs (from 1) at whose end the rate was cut, as
            `cnntut.run_analysis.find_lr_drops` returns them. Defaults to `()`.
        best_epoch: the epoch (from 1) whose weights were kept, e.g.
            `early_stopping.best_epoch + 1`. Defaults to `None` (no mark).
        stopped_epoch: the epoch (from 1) at whose end training stopped early,
            e.g. `early_stopping.stopped_epoch + 1`. Defaults to `None` (no mark).
        metrics: metric names, one panel each; `val_<name>` is drawn too when
            present. Defaults to `("loss", "accuracy")`.
        lr_key: the name of the learning rate in the history.
            Defaults to `"learning_rate"`.

    Returns:
        The figure.

    Raises:
        KeyError: a metric is missing from the history; the message lists the
            keys it has.
        ValueError: a marked epoch lies outside the epochs the history holds.
    """
    logs = history_logs(history)
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise KeyError(f"history has no {missing}; it has {sorted(logs)}")
    n_epochs = len(logs[metrics[0]])
    marks = {
        "lr_drops": list(lr_drops),
        "best_epoch": [best_epoch],
        "stopped_epoch": [stopped_epoch],
    }
    for name, epochs in marks.items():
        bad = [e for e in epochs if e is not None and not 1 <= e <= n_epochs]
        if bad:
            raise ValueError(
                f"{name} must lie between 1 and {n_epochs}, the epochs in the history. "
                f"Received: {name}={bad[0] if name != 'lr_drops' else list(lr_drops)}"
            )

    epochs = np.arange(1, n_epochs + 1)
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 3.9), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        ax.plot(epochs, logs[metric], "o-", ms=4, label="training")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "s--", ms=4, label="validation")
        for i, drop in enumerate(lr_drops):
            ax.axvline(drop + 0.5, **DROP_STYLE, label="rate cut" if i == 0 else None)
        if best_epoch is not None:
            ax.axvline(best_epoch, **BEST_STYLE, label=f"best epoch ({best_epoch})")
        if stopped_epoch is not None:
            ax.axvline(stopped_epoch, **STOP_STYLE, label=f"stopped ({stopped_epoch})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_xticks(epochs if n_epochs <= 20 else epochs[:: -(-n_epochs // 10)])
        ax.grid(alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        if lr_key in logs:
            lr_ax = ax.twinx()
            lr_ax.step(
                epochs, logs[lr_key], where="mid", color=LR_COLOR, alpha=0.7, label="learning rate"
            )
            lr_ax.set_yscale("log")
            lr_ax.set_ylabel("learning rate", color=LR_COLOR)
            lr_ax.tick_params(axis="y", colors=LR_COLOR)
            more_handles, more_labels = lr_ax.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
    # One legend for all panels, below them, where it hides no curve.
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
