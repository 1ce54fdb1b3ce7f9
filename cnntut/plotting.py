"""Figures the chapters draw. Every function returns the matplotlib `Figure`.

The analysis of a run (which epochs to mark) lives in `cnntut.run_analysis`; this module only
draws, so each half can be tested alone. A `history` is a `keras.callbacks.History` or its
`.history` dict (else TypeError) holding every metric drawn (else KeyError, listing its keys).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnntut.checks import check_int
from cnntut.run_analysis import LR_KEY, Logs, history_logs

LR_COLOR = "tab:purple"
DROP_STYLE = {"color": LR_COLOR, "linestyle": ":", "linewidth": 1.5}
BEST_STYLE = {"color": "tab:green", "linestyle": "--", "linewidth": 1.5}
STOP_STYLE = {"color": "tab:red", "linestyle": "-.", "linewidth": 1.5}


def show_digits(
    images: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    *,
    predictions: Sequence[int] | np.ndarray | None = None,
    n: int = 10,
    cols: int = 10,
) -> Figure:
    """Draw the first `n` digits in a grid, `cols` per row, titled with their labels.

    Args:
        images: `(N, 28, 28)` or `(N, 28, 28, 1)` images, uint8 or float.
        predictions: predicted labels; when given, titles read "true/pred" and wrong ones red.

    Raises:
        TypeError: `n` or `cols` is not an integer.
        ValueError: `n` is not between 1 and the number of images, `cols` is below 1, or the
            labels do not match the images in number.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    if len(labels) != len(images):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    check_int("n", n, low=1, high=len(images))
    cols = min(check_int("cols", cols, low=1), n)
    fig, axes = _image_grid(images[:n], cols, (1.1, 1.3), cmap="gray_r")
    for i, ax in enumerate(axes):
        title, color = str(int(labels[i])), "black"
        if predictions is not None:
            title = f"{int(labels[i])}/{int(predictions[i])}"
            color = "black" if labels[i] == predictions[i] else "red"
        ax.set_title(title, fontsize=10, color=color)
    fig.tight_layout()
    return fig


def plot_history(
    history: Logs | object,
    metrics: Sequence[str] = ("loss", "accuracy"),
    *,
    validation_freq: int | None = None,
) -> Figure:
    """Plot training and validation curves per epoch, one panel per metric.

    Args:
        metrics: metric names; `val_<name>` is drawn too when present.
        validation_freq: the `validation_freq` that `fit` ran with: validation values are
            drawn at epochs `validation_freq`, `2 * validation_freq`, and so on. Defaults to
            `None`: found from the number of values (an error when several would fit).

    Raises:
        ValueError: the validation values do not fit `validation_freq`, or their frequency
            cannot be told from their number.
    """
    logs = history_logs(history, metrics)
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], "o-", label=f"training {metric}")
        if f"val_{metric}" in logs:
            val = logs[f"val_{metric}"]
            val_epochs = _validation_epochs(len(epochs), len(val), validation_freq, metric)
            ax.plot(val_epochs, val, "s--", label=f"validation {metric}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_xticks(epochs if len(epochs) <= 20 else epochs[:: len(epochs) // 10])
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def _validation_epochs(n_epochs: int, n_values: int, freq: int | None, metric: str):
    """The epochs (from 1) at which `fit(validation_freq=freq)` logged validation values."""
    if freq is None:
        fits = [f for f in range(1, n_epochs + 1) if len(range(f, n_epochs + 1, f)) == n_values]
        if len(fits) != 1:
            raise ValueError(
                f"val_{metric} has {n_values} values for {n_epochs} epochs; pass the "
                "validation_freq that fit ran with"
                + (f" (it could be any of {fits})" if fits else "")
            )
        freq = fits[0]
    freq = check_int("validation_freq", freq, low=1)
    epochs = np.arange(freq, n_epochs + 1, freq)
    if len(epochs) != n_values:
        raise ValueError(
            f"val_{metric} has {n_values} values, but validation_freq={freq} over "
            f"{n_epochs} epochs gives {len(epochs)}"
        )
    return epochs


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

    One panel per metric shows the training and (when logged) validation curve, and the rate
    logged under `lr_key` on a second, logarithmic y axis. Vertical lines mark each rate cut
    (half-way between the last epoch at the old rate and the first at the new one), the best
    epoch, and the epoch at which training stopped; one legend below the panels explains them.

    Args:
        lr_drops: the epochs (from 1) ending in a rate cut: `cnntut.run_analysis.find_lr_drops`.
        best_epoch: the epoch (from 1) whose weights were kept, e.g.
            `early_stopping.best_epoch + 1`. Defaults to `None` (no mark).
        stopped_epoch: the epoch (from 1) at whose end training stopped early, e.g.
            `early_stopping.stopped_epoch + 1`. Defaults to `None` (no mark).
        metrics: metric names, one panel each; `val_<name>` is drawn too when present.

    Raises:
        TypeError: a marked epoch is not an integer.
        ValueError: a marked epoch lies outside the epochs the history holds.
    """
    logs = history_logs(history, metrics)
    n_epochs = len(logs[metrics[0]])
    marks = {f"lr_drops[{i}]": drop for i, drop in enumerate(lr_drops)}
    marks |= {"best_epoch": best_epoch, "stopped_epoch": stopped_epoch}
    for name, epoch in marks.items():
        if epoch is not None:
            check_int(name, epoch, low=1, high=n_epochs)
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


def plot_filters(kernel: np.ndarray, *, cols: int = 8) -> Figure:
    """Draw each filter of a first-layer Conv2D kernel as a small image, `cols` per row.

    `kernel` has shape `(h, w, 1, filters)` (one input channel). Blue is negative weight, red
    positive, on a shared scale.

    Raises:
        TypeError: `cols` is not an integer.
        ValueError: the kernel does not have shape `(h, w, 1, filters)`, or `cols` is below 1.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4 or kernel.shape[2] != 1:
        raise ValueError(
            "plot_filters needs a kernel of shape (h, w, 1, filters), from a first "
            f"conv layer on one-channel images. Received: shape={kernel.shape}"
        )
    cols = check_int("cols", cols, low=1)
    limit = np.abs(kernel).max()
    filters = kernel[:, :, 0].transpose(2, 0, 1)
    fig, _ = _image_grid(filters, cols, (0.9, 0.9), cmap="bwr", vmin=-limit, vmax=limit)
    fig.tight_layout()
    return fig


def plot_feature_maps(maps: np.ndarray, *, cols: int = 8, title: str | None = None) -> Figure:
    """Draw the channels of one image's activation map as a grid, `cols` per row, under `title`.

    `maps` has shape `(h, w, channels)` or `(1, h, w, channels)`.

    Raises:
        TypeError: `cols` is not an integer.
        ValueError: `maps` is not three-dimensional (after dropping a batch of 1), or `cols`
            is below 1.
    """
    maps = np.asarray(maps)
    if maps.ndim == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(
            f"plot_feature_maps needs (h, w, channels) activations. Received: shape={maps.shape}"
        )
    cols = min(check_int("cols", cols, low=1), maps.shape[-1])
    fig, _ = _image_grid(maps.transpose(2, 0, 1), cols, (0.9, 0.9), top=0.4, cmap="viridis")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _image_grid(
    images: np.ndarray, cols: int, cell: tuple[float, float], top: float = 0.0, **imshow
) -> tuple[Figure, np.ndarray]:
    """`cols` columns of `cell`-sized axes, all off, showing `images`: (figure, axes used)."""
    rows = -(-len(images) // cols)
    figsize = (cell[0] * cols, cell[1] * rows + top)
    fig, axes = plt.subplots(rows, cols, figsize=figsize, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], **imshow)
    return fig, axes.flat[: len(images)]
