"""Chapter 8's best pipeline: the model, its augmentation layers, schedule and fit.

Generated from chapters/08_complete_example.ipynb, its cells tagged `export`, by
`python -m booktools.export`. Do not edit: change the chapter, then run
`make export` (tests/test_export.py fails while the two disagree).
"""

import keras
from keras import layers

from cnntut.callbacks import AtomicCheckpoint, LRTracker
from cnntut.checks import check_int


def build_best_augmenter(seed=None):
    """Random turns (up to 0.05 of a circle), shifts and zooms (10 %), training only."""
    return keras.Sequential(
        [
            layers.RandomRotation(0.05, fill_mode="constant", seed=seed),
            layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed),
            layers.RandomZoom(0.1, fill_mode="constant", seed=seed),
        ],
        name="augmentation",
    )


def build_best_model(width=32):
    """The source CNN made wider and steadier; takes preprocess() output."""
    width = check_int("width", width, low=1)
    inputs = keras.Input(shape=(28, 28, 1), name="digits")
    x = inputs
    for stage, (filters, dropout) in enumerate(((width, 0.1), (2 * width, 0.2)), start=1):
        for conv in (1, 2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                              name=f"conv{stage}_{conv}")(x)
            x = layers.BatchNormalization(momentum=0.9, name=f"bn{stage}_{conv}")(x)
            x = layers.Activation("relu", name=f"relu{stage}_{conv}")(x)
        x = layers.MaxPooling2D(name=f"pool{stage}")(x)
        x = layers.Dropout(dropout, name=f"dropout{stage}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(128, use_bias=False, name="dense")(x)
    x = layers.BatchNormalization(momentum=0.9, name="bn_dense")(x)
    x = layers.Activation("relu", name="relu_dense")(x)
    x = layers.Dropout(0.4, name="dropout_dense")(x)
    outputs = layers.Dense(10, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn_best")


def build_trainer(classifier, augmenter):
    """The augmenter in front of the classifier: what fit trains."""
    return keras.Sequential(
        [keras.Input(shape=(28, 28, 1)), augmenter, classifier], name="trainer"
    )


def best_schedule(peak_lr, warmup_epochs, epochs, steps_per_epoch):
    """Warm up from peak_lr / 100 to peak_lr, then follow a cosine down to 0."""
    warmup_steps = min(warmup_epochs, epochs - 1) * steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak_lr / 100,
        decay_steps=epochs * steps_per_epoch - warmup_steps,
        warmup_target=peak_lr,
        warmup_steps=warmup_steps,
    )


def compile_best(classifier, trainer, schedule):
    """One Adam on `schedule`, shared by both models, with sparse cross-entropy and
    accuracy: the trainer steps it, and the saved classifier carries its state."""
    optimizer = keras.optimizers.Adam(learning_rate=schedule)
    for model in (trainer, classifier):
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])


def fit_best(trainer, classifier, fit_data, val_data, config, callbacks=()):
    """Train; keep the best classifier in config.out; back up every epoch."""
    checkpoint = AtomicCheckpoint(
        config.out, save_layer=classifier.name, monitor="val_accuracy", save_on_tie=True,
        state_path=config.backup_dir / "best.json" if config.resume else None,
    )
    own = [LRTracker(), checkpoint]
    if config.resume:
        own.append(keras.callbacks.BackupAndRestore(str(config.backup_dir),
                                                    double_checkpoint=True))
    if config.logdir is not None:
        own.append(keras.callbacks.TensorBoard(log_dir=str(config.logdir)))
    history = trainer.fit(
        *fit_data, batch_size=config.batch_size, epochs=config.epochs,
        validation_data=val_data, callbacks=[*own, *callbacks], verbose=0,
    )
    return history, checkpoint.best_epoch
