"""Looking at a trained classifier's mistakes: confusion matrix and confident errors."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnntut.checks import check_int


def confusion_matrix(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    num_classes: int = 10,
) -> np.ndarray:
    """Count how often each true class was predicted as each class.

    Returns:
        An int64 `(num_classes, num_classes)` array whose `[i, j]` counts the samples of
        class `i` predicted as `j`: the diagonal holds the correct predictions.

    Raises:
        ValueError: the arrays differ in shape or are not 1-D, a value lies outside
            `0 .. num_classes - 1`, or `num_classes < 2`.
        TypeError: `num_classes` is not an integer.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    num_classes = check_int("num_classes", num_classes, low=2)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred must be 1-D arrays of equal length. "
            f"Received: shapes {y_true.shape} and {y_pred.shape}"
        )
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(
                f"{name} must hold classes 0..{num_classes - 1}. "
                f"Received: values from {values.min()} to {values.max()}"
            )
    pairs = y_true.astype(np.int64) * num_classes + y_pred.astype(np.int64)
    return np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)


def plot_confusion_matrix(
    matrix: np.ndarray,
    *,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Draw a confusion matrix with its counts written in the cells.

    The colour shows each cell's share of its row (true class), so a confusion stands out;
    zeros off the diagonal are left blank. `class_names` defaults to `0, 1, ...`.

    Raises:
        ValueError: `matrix` is not square, or `class_names` has the wrong length.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square. Received: shape={matrix.shape}")
    n = len(matrix)
    names = [str(i) for i in range(n)] if class_names is None else list(class_names)
    if len(names) != n:
        raise ValueError(f"need {n} class names. Received: {len(names)}")
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(0.5 * n + 1.5, 0.5 * n + 1.0))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            if matrix[i, j] or i == j:
                color = "white" if shares[i, j] > 0.5 else "black"
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=8, color=color)
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def most_confident_mistakes(
    probabilities: np.ndarray, y_true: Sequence[int] | np.ndarray, k: int = 10
) -> np.ndarray:
    """Find the misclassified samples the model was surest about.

    Returns:
        Indices of at most `k` wrongly predicted samples (of `probabilities`, `(N, classes)`),
        sorted by the probability given to the predicted class, highest first.

    Raises:
        ValueError: the shapes do not match, or `k < 1`.
    """
    probabilities, y_true = np.asarray(probabilities), np.asarray(y_true)
    if probabilities.ndim != 2 or y_true.shape != (len(probabilities),):
        raise ValueError(
            "probabilities must be (N, classes) and y_true (N,). "
            f"Received: shapes {probabilities.shape} and {y_true.shape}"
        )
    k = check_int("k", k, low=1)
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:k]


def plot_mistakes(
    images: np.ndarray,
    y_true: Sequence[int] | np.ndarray,
    probabilities: np.ndarray,
    indices: Sequence[int] | np.ndarray,
    *,
    cols: int = 8,
) -> Figure:
    """Draw chosen digits titled "true -> predicted (probability)".

    `indices` picks them, e.g. from `most_confident_mistakes`; `cols` are drawn per row.

    Raises:
        ValueError: `indices` is empty.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    indices = np.asarray(indices, dtype=int)
    if indices.size == 0:
        raise ValueError("indices is empty: there is nothing to draw")
    cols = min(cols, len(indices))
    rows = -(-len(indices) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.4 * cols, 1.6 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, indices, strict=False):
        predicted = int(np.argmax(probabilities[i]))
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(
            f"{int(y_true[i])} → {predicted} ({probabilities[i][predicted]:.2f})", fontsize=9
        )
    fig.tight_layout()
    return fig
