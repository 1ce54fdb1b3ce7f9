"""Figures the chapters draw. Every function returns the matplotlib `Figure`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


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
        ValueError: `n` is not between 1 and the number of images, or the
            labels do not match the images in number.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    if len(labels) != len(images):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    if not 1 <= n <= len(images):
        raise ValueError(f"n must be between 1 and {len(images)}. Received: n={n}")
    cols = min(cols, n)
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
    history: Mapping[str, Sequence[float]] | object,
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
        KeyError: a metric is missing from the history; the message lists the
            keys it has.
    """
    logs = getattr(history, "history", history)
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise KeyError(f"history has no {missing}; it has {sorted(logs)}")
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


def plot_filters(kernel: np.ndarray, *, cols: int = 8) -> Figure:
    """Draw each filter of a first-layer Conv2D kernel as a small image.

    Args:
        kernel: the layer's kernel, shape `(h, w, 1, filters)` (one input channel).
        cols: filters per row. Defaults to `8`.

    Returns:
        The figure; blue is negative weight, red positive, on a shared scale.

    Raises:
        ValueError: the kernel does not have shape `(h, w, 1, filters)`.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4 or kernel.shape[2] != 1:
        raise ValueError(
            "plot_filters needs a kernel of shape (h, w, 1, filters), from a first "
            f"conv layer on one-channel images. Received: shape={kernel.shape}"
        )
    count = kernel.shape[-1]
    rows = -(-count // cols)
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
        ValueError: `maps` is not three-dimensional (after dropping a batch of 1).
    """
    maps = np.asarray(maps)
    if maps.ndim == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(
            f"plot_feature_maps needs (h, w, channels) activations. Received: shape={maps.shape}"
        )
    count = maps.shape[-1]
    cols = min(cols, count)
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
