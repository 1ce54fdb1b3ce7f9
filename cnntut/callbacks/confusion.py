"""A callback that keeps a confusion matrix of held-out data after every epoch."""

from __future__ import annotations

import keras
import numpy as np

from cnntut.checks import check_int, check_key, check_verbose


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """Count how often each true class was predicted as each class.

    Args:
        labels: true class indices, shape `(N,)`.
        predictions: predicted class indices, shape `(N,)`.
        num_classes: the number of classes.

    Returns:
        An int64 array of shape `(num_classes, num_classes)`; entry `[i, j]`
        counts the samples of class `i` predicted as `j`.
    """
    pairs = np.asarray(labels, dtype=np.int64) * num_classes + np.asarray(predictions)
    return np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)


class ConfusionMatrixLogger(keras.callbacks.Callback):
    """Classify held-out images after every epoch and keep the confusion matrix.

    After each epoch the callback predicts `x`, compares with `y` and
    appends the matrix to `matrices` (entry `[i, j]` counts digits `i`
    predicted as `j`); the number of mistakes goes into the epoch logs under
    `key`. `predictions` holds the classes predicted after the last epoch, so
    `np.flatnonzero(cb.predictions != y)` finds the misclassified images.
    Everything starts afresh at every `fit`. Each epoch costs one extra
    `predict` over `x`, so pass a few hundred or thousand images, not more.

    Args:
        x: the images to classify, as the model takes them.
        y: their integer labels, shape `(N,)`.
        num_classes: the number of classes. Defaults to `10`.
        batch_size: the batch size of the extra `predict`. Defaults to `256`.
        key: the name of the mistake count in `logs`. Defaults to `"val_errors"`.
        verbose: 1 prints the mistake count after each epoch, 0 is silent.
            Defaults to `0`.

    Raises:
        ValueError: `x` and `y` differ in length or are empty, `y` holds a
            label outside `0 .. num_classes - 1`, `num_classes < 2`,
            `batch_size < 1`, or `verbose` is not 0 or 1.

    Example:

    ```python
    confusion = ConfusionMatrixLogger(x_test, y_test)
    model.fit(x_train, y_train, epochs=5, callbacks=[confusion])
    confusion.matrices[-1]  # 10 x 10 counts after the last epoch
    ```
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        num_classes: int = 10,
        batch_size: int = 256,
        key: str = "val_errors",
        verbose: int = 0,
    ):
        super().__init__()
        self.num_classes = check_int("num_classes", num_classes, low=2)
        self.batch_size = check_int("batch_size", batch_size, low=1)
        y = np.asarray(y).reshape(-1)
        if len(x) != len(y) or len(y) == 0:
            raise ValueError(
                f"x and y must hold the same, non-zero number of samples. "
                f"Received: len(x)={len(x)}, len(y)={len(y)}"
            )
        if y.min() < 0 or y.max() >= self.num_classes:
            raise ValueError(
                f"labels must lie in 0..{self.num_classes - 1}. "
                f"Received: labels from {y.min()} to {y.max()}"
            )
        self.x, self.y = x, y.astype(np.int64)
        self.key = check_key("key", key)
        self.verbose = check_verbose(verbose)
        self.matrices: list[np.ndarray] = []
        self.predictions: np.ndarray | None = None

    def on_train_begin(self, logs=None):
        self.matrices = []
        self.predictions = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        scores = self.model.predict(self.x, batch_size=self.batch_size, verbose=0)
        self.predictions = np.argmax(scores, axis=-1)
        matrix = confusion_matrix(self.y, self.predictions, self.num_classes)
        self.matrices.append(matrix)
        errors = int(matrix.sum() - np.trace(matrix))
        logs[self.key] = errors
        if self.verbose:
            print(f"Epoch {epoch + 1}: {errors} of {len(self.y)} misclassified")
