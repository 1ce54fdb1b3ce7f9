"""cnntut.augment: a shifted test set (the augmentation block is in test_practice)."""

from __future__ import annotations

import numpy as np
import pytest

from cnntut.augment import shift_images


def digit_batch(n: int = 4) -> np.ndarray:
    """Float images with a 6x6 bright square in the middle of a 28x28 frame."""
    x = np.zeros((n, 28, 28, 1), "float32")
    x[:, 11:17, 11:17] = 1.0
    return x


def test_shift_images_moves_each_image_within_max_shift():
    x = digit_batch(20)
    shifted = shift_images(x, max_shift=3, seed=5)
    assert shifted.shape == x.shape and shifted.dtype == x.dtype
    for image in shifted[..., 0]:
        rows = np.flatnonzero(image.any(axis=1))
        cols = np.flatnonzero(image.any(axis=0))
        assert len(rows) == len(cols) == 6  # the square is whole: nothing dropped
        assert abs(rows[0] - 11) <= 3 and abs(cols[0] - 11) <= 3
    assert not np.array_equal(shifted, x)


def test_shift_images_is_repeatable_and_leaves_its_input_alone():
    x = digit_batch(5)
    original = x.copy()
    np.testing.assert_array_equal(shift_images(x, 2, seed=3), shift_images(x, 2, seed=3))
    np.testing.assert_array_equal(x, original)


def test_shift_images_drops_pixels_pushed_over_the_edge_instead_of_wrapping():
    x = np.zeros((200, 8, 8), "uint8")
    x[:, 0, 0] = 255  # a pixel in the corner is lost by any shift up or left
    shifted = shift_images(x, max_shift=1, seed=0)
    assert shifted[:, 7, :].sum() == 0 and shifted[:, :, 7].sum() == 0
    assert 0 < (shifted.reshape(200, -1).sum(axis=1) == 0).sum() < 200


def test_shift_images_with_zero_shift_is_a_copy():
    x = digit_batch(2)
    np.testing.assert_array_equal(shift_images(x, 0), x)


def test_shift_images_rejects_a_single_image():
    with pytest.raises(ValueError, match=r"shape=\(28, 28\)"):
        shift_images(np.zeros((28, 28)))


@pytest.mark.parametrize(
    ("bad", "error"), [(-1, ValueError), (28, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_shift_images_rejects_bad_max_shift(bad, error):
    with pytest.raises(error, match=f"max_shift={bad!r}"):
        shift_images(digit_batch(1), bad)


def test_shift_images_accepts_a_numpy_integer_shift():
    assert shift_images(digit_batch(2), np.int64(3)).shape == (2, 28, 28, 1)
