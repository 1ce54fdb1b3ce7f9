"""cnntut.callbacks.confusion: a confusion matrix of held-out data per epoch."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from callback_support import tiny_classifier, tiny_data

from cnntut.callbacks import ConfusionMatrixLogger
from cnntut.callbacks.confusion import confusion_matrix


def test_confusion_matrix_counts_pairs():
    matrix = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 0]), 3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]


class _AlwaysZero(keras.Model):
    """A stand-in model that predicts class 0 for everything."""

    def predict(self, x, batch_size=None, verbose=0):
        scores = np.zeros((len(x), 3))
        scores[:, 0] = 1.0
        return scores


def test_confusion_logger_on_epoch_end_with_a_fake_model(capsys):
    logger = ConfusionMatrixLogger(np.zeros((4, 2)), [0, 1, 2, 0], num_classes=3, verbose=1)
    logger.set_model(_AlwaysZero())
    logger.on_train_begin()
    logs = {"loss": 1.0}
    logger.on_epoch_end(0, logs)
    assert logs["val_errors"] == 2
    assert logger.matrices[0][:, 0].tolist() == [2, 1, 1]
    assert logger.predictions.tolist() == [0, 0, 0, 0]
    assert capsys.readouterr().out == "Epoch 1: 2 of 4 misclassified\n"
    logger.on_train_begin()
    assert logger.matrices == [] and logger.predictions is None


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((np.zeros((3, 2)), [0, 1]), {}, ValueError, r"Received: len\(x\)=3, len\(y\)=2"),
        ((np.zeros((2, 2)), [0, 10]), {}, ValueError, "Received: labels from 0 to 10"),
        ((np.zeros((2, 2)), [0, 1]), {"num_classes": 1}, ValueError, "Received: num_classes=1"),
        ((np.zeros((2, 2)), [0, 1]), {"batch_size": 0}, ValueError, "Received: batch_size=0"),
        ((np.zeros((2, 2)), [0, 1]), {"verbose": 2}, ValueError, "Received: verbose=2"),
    ],
)
def test_confusion_logger_rejects_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        ConfusionMatrixLogger(*args, **kwargs)


def test_confusion_logger_in_fit():
    x, y = tiny_data()
    logger = ConfusionMatrixLogger(x[:8], y[:8], num_classes=2)
    history = tiny_classifier().fit(x, y, epochs=2, callbacks=[logger], verbose=0)
    assert len(logger.matrices) == 2 and logger.matrices[-1].sum() == 8
    assert history.history["val_errors"][-1] == int((logger.predictions != y[:8]).sum())
