"""Tests for cnntut.tensorboard: reading scalar summaries back, and plotting them."""

from __future__ import annotations

import keras
import matplotlib
import numpy as np
import pytest
import tensorflow as tf
from matplotlib.figure import Figure
from tensorflow.core.framework import summary_pb2
from tensorflow.core.util import event_pb2

from cnntut.tensorboard import find_event_files, plot_scalars, read_scalars

matplotlib.use("Agg")


def _tensor_value(tag: str, value, plugin: str = "scalars") -> summary_pb2.Summary.Value:
    proto = summary_pb2.Summary.Value(tag=tag, tensor=tf.make_tensor_proto(value))
    proto.metadata.plugin_data.plugin_name = plugin
    return proto


def _event(step: int, *values: summary_pb2.Summary.Value) -> event_pb2.Event:
    return event_pb2.Event(
        step=step, wall_time=1.0 + step, summary=summary_pb2.Summary(value=values)
    )


def _write(path, *events: event_pb2.Event) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        writer.write(event_pb2.Event(file_version="brain.Event:2").SerializeToString())
        for event in events:
            writer.write(event.SerializeToString())


def test_read_scalars_reads_tensor_and_simple_values(tmp_path):
    _write(
        tmp_path / "train" / "events.out.tfevents.1.host",
        _event(0, _tensor_value("epoch_loss", np.float32(0.5))),
        _event(1, _tensor_value("epoch_loss", np.float32(0.25))),
    )
    _write(
        tmp_path / "events.out.tfevents.2.host",
        _event(3, summary_pb2.Summary.Value(tag="old_style", simple_value=2.5)),
    )
    scalars = read_scalars(tmp_path)
    assert scalars == {
        ".": {"old_style": [(3, 2.5)]},
        "train": {"epoch_loss": [(0, 0.5), (1, 0.25)]},
    }


def test_read_scalars_sorts_pairs_by_step(tmp_path):
    _write(
        tmp_path / "run" / "events.out.tfevents.1.host",
        _event(2, _tensor_value("x", np.float32(2))),
        _event(0, _tensor_value("x", np.float32(0))),
        _event(1, _tensor_value("x", np.float32(1))),
    )
    assert read_scalars(tmp_path)["run"]["x"] == [(0, 0.0), (1, 1.0), (2, 2.0)]


def test_read_scalars_keeps_every_value_of_a_long_run(tmp_path):
    # TensorBoard's EventAccumulator keeps a sample of 10 tensors per tag unless told.
    _write(
        tmp_path / "run" / "events.out.tfevents.1.host",
        *(_event(step, _tensor_value("x", np.float32(step))) for step in range(50)),
    )
    assert read_scalars(tmp_path)["run"]["x"] == [(step, float(step)) for step in range(50)]


def test_read_scalars_skips_summaries_that_are_not_scalars(tmp_path):
    _write(
        tmp_path / "run" / "events.out.tfevents.1.host",
        _event(
            0,
            _tensor_value("keras", np.array(b'{"model": "config"}'), plugin=""),
            _tensor_value("pair", np.array([1.0, 2.0], dtype=np.float32)),
            _tensor_value("picture", np.float32(1.0), plugin="images"),
            _tensor_value("kept", np.int64(7)),
        ),
    )
    assert read_scalars(tmp_path) == {"run": {"kept": [(0, 7.0)]}}


def test_read_scalars_keeps_complete_records_of_a_truncated_file(tmp_path):
    path = tmp_path / "run" / "events.out.tfevents.1.host"
    _write(path, *(_event(step, _tensor_value("x", np.float32(step))) for step in range(3)))
    data = path.read_bytes()
    path.write_bytes(data[:-7])  # the last record loses its tail, as mid-write
    assert read_scalars(tmp_path)["run"]["x"] == [(0, 0.0), (1, 1.0)]


def test_read_scalars_missing_logdir_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="logdir=.*nowhere"):
        read_scalars(tmp_path / "nowhere")


def test_read_scalars_logdir_without_event_files_raises(tmp_path):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "notes.txt").write_text("not an event file")
    with pytest.raises(FileNotFoundError, match="no TensorBoard event files"):
        read_scalars(tmp_path)


def test_read_scalars_file_as_logdir_raises(tmp_path):
    path = tmp_path / "events.out.tfevents.1.host"
    _write(path)
    with pytest.raises(NotADirectoryError, match="Received: logdir="):
        read_scalars(path)


def test_find_event_files_lists_every_run_sorted(tmp_path):
    for run in ("validation", "train"):
        _write(tmp_path / run / "events.out.tfevents.1.host")
    files = find_event_files(tmp_path)
    assert [p.parent.name for p in files] == ["train", "validation"]


def test_read_scalars_matches_the_keras_tensorboard_callback(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.random.rand(32, 4).astype("float32"), np.arange(32) % 2
    history = model.fit(
        x,
        y,
        epochs=2,
        validation_split=0.25,
        verbose=0,
        callbacks=[keras.callbacks.TensorBoard(log_dir=tmp_path)],
    )
    scalars = read_scalars(tmp_path)
    assert set(scalars) == {"train", "validation"}
    steps, losses = zip(*scalars["validation"]["epoch_loss"], strict=True)
    assert steps == (0, 1)
    np.testing.assert_allclose(losses, history.history["val_loss"], rtol=1e-6)
    assert "epoch_learning_rate" in scalars["train"]


def _sample_scalars():
    return {
        "train": {
            "epoch_loss": [(0, 1.0), (1, 0.5)],
            "epoch_learning_rate": [(0, 1e-3), (1, 1e-4)],
        },
        "validation": {"epoch_loss": [(0, 1.2), (1, 0.9)]},
    }


def test_plot_scalars_draws_a_panel_per_tag_and_a_line_per_run():
    fig = plot_scalars(_sample_scalars(), ["epoch_loss", "epoch_learning_rate"], step_offset=1)
    assert isinstance(fig, Figure)
    loss_ax, lr_ax = fig.axes
    assert [line.get_label() for line in loss_ax.get_lines()] == ["train", "validation"]
    assert list(loss_ax.get_lines()[0].get_xdata()) == [1, 2]
    assert len(lr_ax.get_lines()) == 1  # only the train run logs the rate
    assert lr_ax.get_yscale() == "log" and loss_ax.get_yscale() == "linear"


def test_plot_scalars_defaults_to_every_tag_of_every_run():
    fig = plot_scalars(_sample_scalars())
    assert [ax.get_title() for ax in fig.axes] == ["epoch_learning_rate", "epoch_loss"]


def test_plot_scalars_unknown_tag_raises_listing_tags():
    with pytest.raises(KeyError, match="epoch_loss"):
        plot_scalars(_sample_scalars(), ["epoch_acc"])


def test_plot_scalars_unknown_run_raises():
    with pytest.raises(KeyError, match="test"):
        plot_scalars(_sample_scalars(), runs=["test"])


def test_plot_scalars_empty_scalars_raises():
    with pytest.raises(ValueError, match="empty"):
        plot_scalars({})
