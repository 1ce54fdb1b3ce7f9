"""cnntut.toys: digits on canvases, their scores and their figures."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from cnntut.toys import box_iou, make_canvases, mask_iou, plot_detections, plot_segmentation


def digits(n: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """uint8 'digits': a bright 8x4 bar at a different place in each 28x28 frame."""
    images = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        images[i, 5 + i : 13 + i, 10:14] = 200
        images[i, 4 + i, 10:14] = 60  # a faint edge, below the mask threshold
    return images, np.arange(n, dtype=np.uint8) % 10


def test_make_canvases_shapes_and_types():
    images, labels = digits()
    canvases = make_canvases(images, labels, size=40)
    assert len(canvases) == 6
    assert canvases.images.shape == canvases.masks.shape == (6, 40, 40, 1)
    assert canvases.images.dtype == canvases.masks.dtype == np.float32
    assert canvases.boxes.shape == (6, 4) and canvases.labels.dtype == np.uint8
    np.testing.assert_array_equal(canvases.labels, labels)


def test_make_canvases_copies_each_digit_whole_and_masks_its_bright_pixels():
    images, labels = digits()
    canvases = make_canvases(images, labels, size=48, seed=3)
    np.testing.assert_allclose(
        canvases.images.sum(axis=(1, 2, 3)), images.sum(axis=(1, 2)) / 255.0, rtol=1e-5
    )
    assert (canvases.masks.sum(axis=(1, 2, 3)) == 32).all()  # 8x4 bright, edge left out
    np.testing.assert_array_equal(canvases.masks > 0, canvases.images >= 0.5)


def test_make_canvases_boxes_are_the_tight_box_of_the_mask():
    images, labels = digits()
    canvases = make_canvases(images, labels, size=40, seed=1)
    for mask, box in zip(canvases.masks[..., 0], canvases.boxes, strict=True):
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        expected = np.array([rows[0], cols[0], rows[-1] + 1, cols[-1] + 1]) / 40
        np.testing.assert_allclose(box, expected, rtol=1e-6)
        np.testing.assert_allclose(
            [(box[2] - box[0]) * 40, (box[3] - box[1]) * 40], [8, 4], rtol=1e-5
        )


def test_make_canvases_places_digits_at_random_repeatable_positions():
    images, labels = digits()
    first = make_canvases(images, labels, seed=0)
    again = make_canvases(images, labels, seed=0)
    other = make_canvases(images, labels, seed=1)
    np.testing.assert_array_equal(first.images, again.images)
    assert not np.array_equal(first.boxes, other.boxes)


def test_make_canvases_noise_changes_the_image_not_the_targets():
    images, labels = digits()
    clean = make_canvases(images, labels, seed=2)
    noisy = make_canvases(images, labels, noise=0.3, seed=2)
    assert noisy.images.min() >= 0.0 and noisy.images.max() <= 1.0
    assert (noisy.images[clean.masks == 0] > 0).mean() > 0.3  # the background is no longer blank
    np.testing.assert_array_equal(noisy.masks, clean.masks)
    np.testing.assert_array_equal(noisy.boxes, clean.boxes)


def test_make_canvases_accepts_a_channel_axis():
    images, labels = digits(2)
    canvases = make_canvases(images[..., None], labels, size=28)
    np.testing.assert_allclose(canvases.images[..., 0], images / 255.0, rtol=1e-6)


def test_make_canvases_rejects_float_images():
    images, labels = digits(2)
    with pytest.raises(TypeError, match="dtype=float32"):
        make_canvases(images.astype(np.float32), labels)


@pytest.mark.parametrize(
    ("kwargs", "quoted"),
    [
        ({"size": 20}, "size=20"),
        ({"noise": -0.1}, "noise=-0.1"),
        ({"threshold": 0}, "threshold=0"),
        ({"threshold": 1.5}, "threshold=1.5"),
    ],
)
def test_make_canvases_rejects_bad_settings(kwargs, quoted):
    images, labels = digits(2)
    with pytest.raises(ValueError, match=re.escape(quoted)):
        make_canvases(images, labels, **kwargs)


def test_make_canvases_rejects_a_float_size_with_type_error():
    images, labels = digits(2)
    with pytest.raises(TypeError, match=re.escape("size=40.0")):
        make_canvases(images, labels, size=40.0)


def test_make_canvases_rejects_wrong_image_size_and_label_count():
    images, labels = digits(3)
    with pytest.raises(ValueError, match=re.escape("shape=(3, 28, 27)")):
        make_canvases(images[:, :, :27], labels)
    with pytest.raises(ValueError, match=re.escape("labels.shape=(2,)")):
        make_canvases(images, labels[:2])


def test_make_canvases_rejects_a_blank_digit():
    images, labels = digits(3)
    images[1] = 0
    with pytest.raises(ValueError, match="digit 1 has no pixel"):
        make_canvases(images, labels)


def test_mask_iou_known_values():
    a = np.zeros((4, 4, 4, 1), np.float32)
    b = np.zeros_like(a)
    a[0, :2], b[0, :2] = 1, 0.9  # same pixels, predicted above the threshold
    a[1, :2], b[1, 2:] = 1, 1  # disjoint
    a[2, :2], b[2, :1] = 1, 1  # half of the object found
    # image 3: both empty
    np.testing.assert_allclose(mask_iou(a, b), [1.0, 0.0, 0.5, 1.0])
    assert mask_iou(a[:1], b[:1], threshold=0.95)[0] == 0.0


def test_mask_iou_rejects_different_shapes():
    with pytest.raises(ValueError, match=re.escape("pred.shape=(2, 5, 5)")):
        mask_iou(np.zeros((2, 4, 4)), np.zeros((2, 5, 5)))


def test_box_iou_known_values():
    true = np.array([[0, 0, 1, 1], [0, 0, 0.5, 0.5], [0, 0, 1, 1], [0, 0, 0, 1]])
    pred = np.array([[0, 0, 1, 1], [0.5, 0.5, 1, 1], [0, 0, 0.5, 1], [0, 0, 0, 1]])
    np.testing.assert_allclose(box_iou(true, pred), [1.0, 0.0, 0.5, 0.0])


def test_box_iou_is_symmetric():
    rng = np.random.default_rng(0)
    corners = np.sort(rng.random((10, 2, 2)), axis=1)
    a = corners.transpose(0, 2, 1).reshape(10, 4)[:, [0, 2, 1, 3]]
    b = a[::-1].copy()
    np.testing.assert_allclose(box_iou(a, b), box_iou(b, a))
    assert ((box_iou(a, b) >= 0) & (box_iou(a, b) <= 1)).all()


@pytest.mark.parametrize("shape", [(3, 3), (3,), (2, 4)])
def test_box_iou_rejects_shapes_that_are_not_matching_n_by_4(shape):
    with pytest.raises(ValueError, match="true.shape=\\(3, 4\\)"):
        box_iou(np.zeros((3, 4)), np.zeros(shape))


def test_plot_segmentation_draws_three_rows():
    images, labels = digits(4)
    canvases = make_canvases(images, labels, size=32)
    fig = plot_segmentation(canvases.images, canvases.masks, canvases.masks * 0.9, n=3)
    assert isinstance(fig, Figure) and len(fig.axes) == 9
    assert fig.axes[6].get_xlabel() == "IoU 1.00"


def test_plot_segmentation_draws_one_row_per_model():
    images, labels = digits(4)
    canvases = make_canvases(images, labels, size=32)
    empty = np.zeros_like(canvases.masks)
    fig = plot_segmentation(
        canvases.images, canvases.masks, {"perfect": canvases.masks, "empty": empty}, n=2
    )
    assert len(fig.axes) == 8
    assert [fig.axes[i].get_ylabel() for i in (0, 2, 4, 6)] == [
        "canvas",
        "true mask",
        "perfect",
        "empty",
    ]
    assert (fig.axes[5].get_xlabel(), fig.axes[7].get_xlabel()) == ("IoU 1.00", "IoU 0.00")


def test_plot_segmentation_rejects_mismatched_shapes_and_bad_n():
    images, labels = digits(4)
    canvases = make_canvases(images, labels, size=32)
    with pytest.raises(ValueError, match="same shape"):
        plot_segmentation(canvases.images, canvases.masks[:2], canvases.masks)
    with pytest.raises(
        ValueError, match=re.escape("(4, 32, 32, 1), (4, 32, 32, 1), (2, 32, 32, 1)")
    ):
        plot_segmentation(canvases.images, canvases.masks, {"a": canvases.masks[:2]})
    with pytest.raises(ValueError, match="empty dict"):
        plot_segmentation(canvases.images, canvases.masks, {})
    with pytest.raises(ValueError, match="n=5"):
        plot_segmentation(canvases.images, canvases.masks, canvases.masks, n=5)


def test_plot_detections_draws_both_boxes_and_marks_wrong_classes():
    images, labels = digits(4)
    canvases = make_canvases(images, labels, size=32)
    preds = labels.copy()
    preds[1] = 9
    fig = plot_detections(
        canvases.images, canvases.boxes, canvases.boxes, labels=labels, pred_labels=preds, n=4
    )
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    assert all(len(ax.patches) == 2 for ax in fig.axes)
    assert fig.axes[1].title.get_color() == "red" and fig.axes[0].title.get_color() == "black"


def test_plot_detections_rejects_boxes_that_do_not_match_the_images():
    images, labels = digits(4)
    canvases = make_canvases(images, labels, size=32)
    with pytest.raises(ValueError, match="4 images but 2 boxes"):
        plot_detections(canvases.images, canvases.boxes[:2], canvases.boxes[:2])
    with pytest.raises(ValueError, match="n=0"):
        plot_detections(canvases.images, canvases.boxes, canvases.boxes, n=0)
