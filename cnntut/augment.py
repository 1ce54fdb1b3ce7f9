"""Light data augmentation for digits, and a shifted test set to check it against.

`build_augmentation()` returns Keras preprocessing layers that move, turn and
zoom each training image a little, differently in every epoch. They are active
only while training: at inference (`model.predict`, `evaluate`, or a call
with `training=False`) they pass images through unchanged, so they can sit
inside the model.

`shift_images()` makes the kind of test set that augmentation is for: the same
digits moved a few pixels off centre, as a digit cut out of a larger photo by
a detector would be.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers


def build_augmentation(
    rotation: float = 0.04,
    translation: float = 0.1,
    zoom: float = 0.1,
    *,
    seed: int | None = None,
    name: str = "augmentation",
) -> keras.Sequential:
    """Build a light augmentation block: small random rotation, shift and zoom.

    Args:
        rotation: largest turn as a fraction of a full circle (0.04 is about
            14 degrees either way); 0 leaves it out. Defaults to `0.04`.
        translation: largest shift as a fraction of the height and width
            (0.1 is about 3 pixels on a 28x28 digit); 0 leaves it out.
            Defaults to `0.1`.
        zoom: largest zoom in or out as a fraction of the size; 0 leaves it
            out. Defaults to `0.1`.
        seed: seed of the random layers. Defaults to `None` (drawn from the
            global seed that `cnntut.set_seed` sets).
        name: name of the block. Defaults to `"augmentation"`.

    Returns:
        A `keras.Sequential` of `RandomRotation`, `RandomTranslation` and
        `RandomZoom` (those with a non-zero factor). Its input and output
        shapes are equal, so it goes first in a model, before the first
        convolution.

    Raises:
        ValueError: a factor is negative or not below 0.5 ("light" means small:
            a digit turned by half a circle or shifted by half its width is
            another image), or all three are 0.
    """
    factors = {"rotation": rotation, "translation": translation, "zoom": zoom}
    for key, value in factors.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 0.5:
            raise ValueError(
                f"{key} must be a number in [0, 0.5) for a light augmentation. "
                f"Received: {key}={value!r}"
            )
    if not any(factors.values()):
        raise ValueError(
            "at least one of rotation, translation and zoom must be above 0. "
            f"Received: rotation={rotation}, translation={translation}, zoom={zoom}"
        )
    block = []
    if rotation:
        block.append(layers.RandomRotation(rotation, fill_mode="constant", seed=seed))
    if translation:
        block.append(
            layers.RandomTranslation(translation, translation, fill_mode="constant", seed=seed)
        )
    if zoom:
        block.append(layers.RandomZoom(zoom, fill_mode="constant", seed=seed))
    return keras.Sequential(block, name=name)


def shift_images(images: np.ndarray, max_shift: int = 4, *, seed: int = 0) -> np.ndarray:
    """Move each image by a random whole number of pixels, filling with zeros.

    Each image gets its own vertical and horizontal shift, each drawn
    uniformly from `-max_shift` to `max_shift`. Pixels pushed over an edge are
    dropped (not wrapped round as `np.roll` would), and the uncovered strip is
    background (0).

    Args:
        images: a batch of shape `(N, height, width)` or
            `(N, height, width, channels)`, any dtype.
        max_shift: largest shift in pixels, from 0 to less than the smaller
            side. Defaults to `4`.
        seed: seed of the shifts; the same seed gives the same test set.
            Defaults to `0`.

    Returns:
        A new array of the same shape and dtype.

    Raises:
        ValueError: `images` is not a 3- or 4-dimensional batch, or
            `max_shift` is negative or not smaller than the image.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            "images must be a batch of shape (N, height, width) or "
            f"(N, height, width, channels). Received: shape={images.shape}"
        )
    height, width = images.shape[1:3]
    if (
        isinstance(max_shift, bool)
        or not isinstance(max_shift, (int, np.integer))
        or not 0 <= max_shift < min(height, width)
    ):
        raise ValueError(
            f"max_shift must be an integer from 0 to {min(height, width) - 1}. "
            f"Received: max_shift={max_shift!r}"
        )
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
