"""Digits on larger canvases: the data of the toy detection and segmentation tasks.

`make_canvases()` returns each canvas with the digit's pixel mask (the target of segmentation)
and bounding box (the target of detection); `mask_iou()` and `box_iou()` score predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnntut.checks import check_int

DIGIT_SIZE = 28


@dataclass(frozen=True)
class Canvases:
    """Digits on larger canvases, with what segmentation and detection must find.

    Attributes:
        images: float32 `(N, size, size, 1)` in [0, 1], one digit per canvas.
        masks: float32 `(N, size, size, 1)`, 1 where the digit's pixels are.
        boxes: float32 `(N, 4)`, the tight box around the mask as `(y_min, x_min, y_max,
            x_max)` in fractions of the canvas side (the order `tf.image` uses).
        labels: uint8 `(N,)`, the digit's class.
    """

    images: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.images)


def make_canvases(
    images: np.ndarray,
    labels: np.ndarray,
    *,
    size: int = 48,
    noise: float = 0.0,
    threshold: float = 0.5,
    seed: int = 0,
) -> Canvases:
    """Place each 28x28 digit at a random position on a `size` x `size` canvas.

    Args:
        images: uint8 digits `(N, 28, 28)` or `(N, 28, 28, 1)`, as `load_mnist` returns them.
        noise: standard deviation of Gaussian noise added to every canvas pixel (then clipped
            to [0, 1]), as a camera would add; masks and boxes come from the clean digit.
        threshold: a pixel belongs to the mask when its value (scaled to [0, 1]) is at least this.
        seed: seed of the positions.

    Raises:
        TypeError: `images` is not uint8.
        ValueError: `images` are not 28x28, the numbers of images and labels differ, `size` is
            below 28, `noise` is negative, `threshold` is not in (0, 1], or a digit has no
            pixel at or above `threshold`.
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.dtype != np.uint8:
        raise TypeError(
            f"make_canvases expects uint8 digits as load_mnist returns. Received: "
            f"dtype={images.dtype}"
        )
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != (DIGIT_SIZE, DIGIT_SIZE):
        raise ValueError(f"images must have shape (N, 28, 28). Received: shape={images.shape}")
    if labels.shape != (len(images),):
        raise ValueError(
            f"need one label per image: {len(images)} images. Received: labels.shape={labels.shape}"
        )
    size = check_int("size", size, low=DIGIT_SIZE)
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0. Received: noise={noise!r}")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1]. Received: threshold={threshold!r}")

    digits = images.astype(np.float32) / 255.0
    rng = np.random.default_rng(seed)
    offsets = rng.integers(0, size - DIGIT_SIZE + 1, size=(len(images), 2))
    canvases = np.zeros((len(images), size, size, 1), np.float32)
    masks = np.zeros_like(canvases)
    boxes = np.zeros((len(images), 4), np.float32)
    for i, (digit, (top, left)) in enumerate(zip(digits, offsets, strict=True)):
        window = np.s_[i, top : top + DIGIT_SIZE, left : left + DIGIT_SIZE, 0]
        canvases[window] = digit
        masks[window] = digit >= threshold
        rows = np.flatnonzero(masks[i, :, :, 0].any(axis=1))
        cols = np.flatnonzero(masks[i, :, :, 0].any(axis=0))
        if len(rows) == 0:
            raise ValueError(
                f"digit {i} has no pixel at or above threshold={threshold}; "
                "lower the threshold or drop the blank image"
            )
        boxes[i] = (rows[0], cols[0], rows[-1] + 1, cols[-1] + 1)
    if noise:
        canvases += rng.normal(0.0, noise, canvases.shape).astype(np.float32)
        np.clip(canvases, 0.0, 1.0, out=canvases)
    return Canvases(canvases, masks, boxes / size, labels.astype(np.uint8))


def mask_iou(true: np.ndarray, pred: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Intersection over union of true and predicted masks, one value per image.

    `true` holds 0/1 masks `(N, h, w[, 1])`, `pred` probabilities of the same shape, of which
    `pred >= threshold` counts as the object. An image where both masks are empty scores 1.

    Raises:
        ValueError: the shapes differ.
    """
    true, pred = np.asarray(true), np.asarray(pred)
    if true.shape != pred.shape or true.ndim < 2:
        raise ValueError(
            f"true and pred masks must have the same (N, ...) shape. "
            f"Received: true.shape={true.shape}, pred.shape={pred.shape}"
        )
    axes = tuple(range(1, true.ndim))
    t, p = true >= 0.5, pred >= threshold
    inter = np.logical_and(t, p).sum(axis=axes)
    union = np.logical_or(t, p).sum(axis=axes)
    return np.where(union == 0, 1.0, inter / np.maximum(union, 1))


def box_iou(true: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Intersection over union of `(N, 4)` boxes `(y_min, x_min, y_max, x_max)`, row by row.

    A box with a non-positive side has no area.

    Raises:
        ValueError: either array is not `(N, 4)`, or the two differ in shape.
    """
    true, pred = np.asarray(true, np.float64), np.asarray(pred, np.float64)
    if true.shape != pred.shape or true.ndim != 2 or true.shape[1] != 4:
        raise ValueError(
            "boxes must be two (N, 4) arrays of the same shape. "
            f"Received: true.shape={true.shape}, pred.shape={pred.shape}"
        )
    top = np.maximum(true[:, 0], pred[:, 0])
    left = np.maximum(true[:, 1], pred[:, 1])
    bottom = np.minimum(true[:, 2], pred[:, 2])
    right = np.minimum(true[:, 3], pred[:, 3])
    inter = np.clip(bottom - top, 0, None) * np.clip(right - left, 0, None)

    def area(b: np.ndarray) -> np.ndarray:
        return np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)

    union = area(true) + area(pred) - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
