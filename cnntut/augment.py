"""A shifted test set: what light data augmentation is for.

`shift_images()` moves digits a few pixels off centre, as a detector's crop of a larger photo
would. The augmentation block, `build_augmentation()`, is in chapter 7 (`cnntut.practice`).
"""

from __future__ import annotations

import numpy as np

from cnntut.checks import check_int


def shift_images(images: np.ndarray, max_shift: int = 4, *, seed: int = 0) -> np.ndarray:
    """Move each image by a random whole number of pixels, filling with zeros.

    Each image of the `(N, height, width[, channels])` batch gets its own vertical and
    horizontal shift, drawn uniformly from `-max_shift` to `max_shift`. Pixels pushed over an
    edge are dropped (not wrapped round as `np.roll` would). Returns a new array of the same
    shape and dtype; the same `seed` gives the same test set.

    Raises:
        TypeError: `max_shift` is not an integer.
        ValueError: `images` is not a 3- or 4-dimensional batch, or `max_shift` is negative
            or not smaller than the image.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            "images must be a batch of shape (N, height, width) or "
            f"(N, height, width, channels). Received: shape={images.shape}"
        )
    height, width = images.shape[1:3]
    check_int("max_shift", max_shift, low=0, high=min(height, width) - 1)
    rng = np.random.default_rng(seed)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(images), 2))
    shifted = np.zeros_like(images)
    for out, image, (dy, dx) in zip(shifted, images, shifts, strict=True):
        src_y, dst_y = _span(dy, height)
        src_x, dst_x = _span(dx, width)
        out[dst_y, dst_x] = image[src_y, src_x]
    return shifted


def _span(shift: int, size: int) -> tuple[slice, slice]:
    """Source and destination slices along one axis for a shift by `shift`."""
    if shift >= 0:
        return slice(0, size - shift), slice(shift, size)
    return slice(-shift, size), slice(0, size + shift)
