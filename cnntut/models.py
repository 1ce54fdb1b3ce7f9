"""The source article's CNN, written the Keras 3 way (chapter 2).

Generated from chapters/02_cnn_in_a_few_lines.ipynb, its cells tagged `export`, by
`python -m booktools.export`. Do not edit: change the chapter, then run
`make export` (tests/test_export.py fails while the two disagree).
"""

import keras

from cnntut.checks import check_int, check_ints, check_number

INPUT_SHAPE = (28, 28, 1)  # height, width, channels: one grey channel


def build_cnn(input_shape=INPUT_SHAPE, num_classes=10, name="mnist_cnn"):
    """The source article's CNN, with a keras.Input in front (Keras 3)."""
    input_shape = check_ints("input_shape", input_shape, count=3)
    num_classes = check_int("num_classes", num_classes, low=2)
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Conv2D(32, (3, 3), activation="relu"),
            keras.layers.MaxPooling2D((2, 2)),
            keras.layers.Conv2D(64, (3, 3), activation="relu"),
            keras.layers.MaxPooling2D((2, 2)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(num_classes, activation="softmax"),
        ],
        name=name,
    )


def compile_cnn(model, learning_rate=1e-3):
    """Compile as the article does: Adam, sparse cross-entropy, accuracy."""
    learning_rate = check_number("learning_rate", learning_rate, low=0, low_open=True)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
