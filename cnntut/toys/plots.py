"""Figures of the toy tasks: masks and boxes, true beside predicted."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cnntut.checks import check_int
from cnntut.toys.canvases import box_iou, mask_iou


def plot_segmentation(
    images: np.ndarray,
    true_masks: np.ndarray,
    pred_masks: np.ndarray | Mapping[str, np.ndarray],
    *,
    n: int = 5,
) -> Figure:
    """Draw canvases, their true masks and predicted masks, one row each.

    `pred_masks` holds probabilities shaped like `images`, or is a dict `{row title:
    probabilities}` to compare several models. `n` canvases (columns) are drawn, and each
    predicted mask is labelled with its IoU.

    Raises:
        ValueError: the arrays differ in shape, `pred_masks` is an empty dict, or `n` is not
            between 1 and the number of images.
    """
    images, true_masks = np.asarray(images), np.asarray(true_masks)
    if not isinstance(pred_masks, Mapping):
        pred_masks = {"predicted mask": pred_masks}
    if not pred_masks:
        raise ValueError("pred_masks is an empty dict: give at least one model's masks")
    predictions = {title: np.asarray(masks) for title, masks in pred_masks.items()}
    shapes = [images.shape, true_masks.shape, *(m.shape for m in predictions.values())]
    if len(set(shapes)) != 1:
        raise ValueError(
            "images, true_masks and every predicted mask must have the same shape. "
            f"Received: {', '.join(str(s) for s in shapes)}"
        )
    check_int("n", n, low=1, high=len(images))
    rows = [("canvas", images, None), ("true mask", true_masks, None)]
    rows += [(t, m, mask_iou(true_masks[:n], m[:n])) for t, m in predictions.items()]
    fig, axes = plt.subplots(len(rows), n, figsize=(1.6 * n, 1.7 * len(rows)), squeeze=False)
    for r, (title, batch, ious) in enumerate(rows):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(np.squeeze(batch[c]), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if ious is not None:
                ax.set_xlabel(f"IoU {ious[c]:.2f}")
        axes[r, 0].set_ylabel(title)
    fig.tight_layout()
    return fig


def plot_detections(
    images: np.ndarray,
    true_boxes: np.ndarray,
    pred_boxes: np.ndarray,
    *,
    labels: np.ndarray | None = None,
    pred_labels: np.ndarray | None = None,
    n: int = 6,
) -> Figure:
    """Draw canvases with the true box (green) and the predicted box (red, dashed).

    Boxes are `(N, 4)` as in `Canvases.boxes`; each canvas is labelled with the box IoU. Given
    `labels` and `pred_labels`, titles read "true/pred", wrong ones in red.

    Raises:
        ValueError: the boxes are not `(N, 4)` for the `N` images, or `n` is not between 1
            and the number of images.
    """
    images = np.asarray(images)
    ious = box_iou(true_boxes, pred_boxes)  # checks the box shapes
    if len(ious) != len(images):
        raise ValueError(f"got {len(images)} images but {len(ious)} boxes")
    check_int("n", n, low=1, high=len(images))
    height, width = images.shape[1:3]
    fig, axes = plt.subplots(1, n, figsize=(1.9 * n, 2.3), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.imshow(np.squeeze(images[i]), cmap="gray_r", vmin=0, vmax=1)
        for box, color, line in ((true_boxes[i], "g", "-"), (pred_boxes[i], "r", "--")):
            y0, x0, y1, x1 = np.asarray(box) * (height, width, height, width)
            corner, sides = (x0 - 0.5, y0 - 0.5), (x1 - x0, y1 - y0)
            ax.add_patch(Rectangle(corner, *sides, fill=False, ec=color, ls=line, lw=1.5))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"IoU {ious[i]:.2f}")
        if labels is not None and pred_labels is not None:
            right = int(labels[i]) == int(pred_labels[i])
            ax.set_title(
                f"{int(labels[i])}/{int(pred_labels[i])}", color="black" if right else "red"
            )
    fig.tight_layout()
    return fig
