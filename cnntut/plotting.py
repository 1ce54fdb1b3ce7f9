"""Figures the chapters draw. Every function returns the matplotlib `Figure`.

The analysis of a run (which epochs to mark) lives in `cnntut.run_analysis`;
this module only draws, so each half can be tested alone.
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
    """Draw the first `n` digits in a grid, titled with their labels.

    Args:
        images: `(N, 28, 28)` or `(N, 28, 28, 1)` images, uint8 or float.
        labels: the true label of each image.
        predictions: predicted labels; when given, titles read "true/pred" and
            wrong ones are red. Defaults to `None`.
        n: how many digits to draw. Defaults to `10`.
        cols: digits per row. Defaults to `10`.

    Returns:
        The figure.

    Raises:
        TypeError: `n` or `cols` is not an integer.
        ValueError: `n` is not between 1 and the number of images, `cols` is
            below 1, or the labels do not match the images in number.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    if len(labels) != len(images):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    check_int("n", n, low=1, high=len(images))
    cols = min(check_int("cols", cols, low=1), n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.1 * cols, 1.3 * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r")
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
) -> Figure:
    """Plot training and validation curves per epoch, one panel per metric.

    Args:
        history: a `keras.callbacks.History` or its `.history` dict.
        metrics: metric names; `val_<name>` is drawn too when present.
            Defaults to `("loss", "accuracy")`.

    Returns:
        The figure.

    Raises:
        TypeError: `history` is neither a `History` nor a dict.
        KeyError: a metric is missing from the history; the message lists the
            keys it has.
    """
    logs = history_logs(history, metrics)
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], "o-", label=f"training {metric}")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "s--", label=f"validation {metric}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_xticks(epochs if len(epochs) <= 20 else epochs[:: len(epochs) // 10])
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


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
        TypeError: `history` is neither a `History` nor a dict, or a marked
            epoch is not an integer.
        KeyError: a metric is missing from the history; the message lists the
            keys it has.
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
    """Draw each filter of a first-layer Conv2D kernel as a small image.

    Args:
        kernel: the layer's kernel, shape `(h, w, 1, filters)` (one input channel).
        cols: filters per row. Defaults to `8`.

    Returns:
        The figure; blue is negative weight, red positive, on a shared scale.

    Raises:
        TypeError: `cols` is not an integer.
        ValueError: the kernel does not have shape `(h, w, 1, filters)`, or
            `cols` is below 1.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4 or kernel.shape[2] != 1:
        raise ValueError(
            "plot_filters needs a kernel of shape (h, w, 1, filters), from a first "
            f"conv layer on one-channel images. Received: shape={kernel.shape}"
        )
    count = kernel.shape[-1]
    rows = -(-count // check_int("cols", cols, low=1))
    limit = np.abs(kernel).max()
    fig, axes = plt.subplots(rows, cols, figsize=(0.9 * cols, 0.9 * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < count:
            ax.imshow(kernel[:, :, 0, i], cmap="bwr", vmin=-limit, vmax=limit)
    fig.tight_layout()
    return fig


def plot_feature_maps(maps: np.ndarray, *, cols: int = 8, title: str | None = None) -> Figure:
    """Draw the channels of one image's activation map as a grid.

    Args:
        maps: activations of shape `(h, w, channels)` or `(1, h, w, channels)`.
        cols: channels per row. Defaults to `8`.
        title: a title over the grid. Defaults to `None`.

    Returns:
        The figure.

    Raises:
        TypeError: `cols` is not an integer.
        ValueError: `maps` is not three-dimensional (after dropping a batch of
            1), or `cols` is below 1.
    """
    maps = np.asarray(maps)
    if maps.ndim == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(
            f"plot_feature_maps needs (h, w, channels) activations. Received: shape={maps.shape}"
        )
    count = maps.shape[-1]
    cols = min(check_int("cols", cols, low=1), count)
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(0.9 * cols, 0.9 * rows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < count:
            ax.imshow(maps[:, :, i], cmap="viridis")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
