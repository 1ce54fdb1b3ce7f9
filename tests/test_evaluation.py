"""Tests of cnntut.evaluation."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from cnntut.evaluation import (
    confusion_matrix,
    most_confident_mistakes,
    plot_confusion_matrix,
    plot_mistakes,
)


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    matrix = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], num_classes=3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert matrix.dtype == np.int64


@pytest.mark.parametrize(
    ("y_true", "y_pred", "num_classes", "message"),
    [
        ([0, 1], [0], 10, r"Received: shapes \(2,\) and \(1,\)"),
        ([0, 10], [0, 1], 10, "y_true must hold classes 0..9. Received: values from 0 to 10"),
        ([0, 1], [-1, 1], 10, "y_pred must hold classes"),
        ([0], [0], 1, "Received: num_classes=1"),
    ],
)
def test_confusion_matrix_rejects_bad_input(y_true, y_pred, num_classes, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(y_true, y_pred, num_classes)


def test_plot_confusion_matrix_writes_counts_and_skips_zeros():
    matrix = np.array([[5, 0], [2, 3]])
    fig = plot_confusion_matrix(matrix, class_names=["cat", "dog"], title="pets")
    assert isinstance(fig, Figure)
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["2", "3", "5"]
    assert fig.axes[0].get_title() == "pets"


def test_plot_confusion_matrix_rejects_non_square():
    with pytest.raises(ValueError, match=r"Received: shape=\(2, 3\)"):
        plot_confusion_matrix(np.zeros((2, 3)))


def test_most_confident_mistakes_sorts_wrong_predictions_by_confidence():
    probabilities = np.array(
        [
            [0.9, 0.1],  # right
            [0.4, 0.6],  # wrong, 0.6
            [0.05, 0.95],  # wrong, 0.95
            [0.2, 0.8],  # right
            [0.3, 0.7],  # wrong, 0.7
        ]
    )
    y_true = np.array([0, 0, 0, 1, 0])
    np.testing.assert_array_equal(most_confident_mistakes(probabilities, y_true, k=10), [2, 4, 1])
    np.testing.assert_array_equal(most_confident_mistakes(probabilities, y_true, k=2), [2, 4])


def test_most_confident_mistakes_is_empty_without_mistakes():
    assert most_confident_mistakes(np.eye(3), np.arange(3)).size == 0


def test_most_confident_mistakes_rejects_bad_k_and_shapes():
    with pytest.raises(ValueError, match="Received: k=0"):
        most_confident_mistakes(np.eye(3), np.arange(3), k=0)
    with pytest.raises(ValueError, match="shapes"):
        most_confident_mistakes(np.eye(3), np.arange(2))


def test_plot_mistakes_titles_true_predicted_and_probability():
    images = np.zeros((3, 28, 28, 1), np.float32)
    probabilities = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    fig = plot_mistakes(images, [0, 1, 1], probabilities, [0, 1])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["0 → 1 (0.90)", "1 → 0 (0.80)"]
    with pytest.raises(ValueError, match="empty"):
        plot_mistakes(images, [0, 1, 1], probabilities, [])
