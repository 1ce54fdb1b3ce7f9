"""Tests for cnntut.capture.capture_messages."""

from __future__ import annotations

import logging
import warnings

import keras
import pytest
from absl import logging as absl_logging

from cnntut.capture import capture_messages, strip_native_logs


def test_capture_messages_records_warnings_and_log_records_in_order():
    with capture_messages() as messages:
        absl_logging.warning("first, from absl")
        warnings.warn("second, a warning", UserWarning, stacklevel=1)
        logging.getLogger("tensorflow").error("third, from tensorflow")
        logging.getLogger("absl").info("below WARNING, not kept")
    assert messages == [
        "WARNING (absl log): first, from absl",
        "UserWarning: second, a warning",
        "ERROR (tensorflow log): third, from tensorflow",
    ]


def test_capture_messages_records_a_warning_shown_before():
    for _ in range(2):
        with capture_messages() as messages:
            warnings.warn("again and again", UserWarning, stacklevel=1)
        assert messages == ["UserWarning: again and again"]


def test_capture_messages_skips_deprecations_unless_asked():
    with capture_messages() as quiet:
        warnings.warn("old", DeprecationWarning, stacklevel=1)
    with capture_messages(deprecations=True) as loud:
        warnings.warn("old", DeprecationWarning, stacklevel=1)
    assert quiet == []
    assert loud == ["DeprecationWarning: old"]


def test_capture_messages_restores_the_loggers():
    logger = logging.getLogger("absl")
    handlers, propagate = list(logger.handlers), logger.propagate
    with capture_messages():
        assert logger.propagate is False
    assert logger.handlers == handlers and logger.propagate == propagate


def test_capture_messages_catches_keras_legacy_h5_warning(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with capture_messages() as messages:
        model.save(tmp_path / "model.h5")
    assert any("legacy" in m and m.startswith("WARNING (absl log)") for m in messages), messages


def test_capture_messages_refuses_a_single_string():
    with pytest.raises(ValueError, match="Received: loggers='absl'"):
        with capture_messages("absl"):
            pass


def test_strip_native_logs_keeps_python_warnings_and_drops_tensorflow_lines():
    stderr = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1795833208.069750   23421 port.cc:153] oneDNN custom operations are on.\n"
        "E0000 00:00:1795833211.972235   23421 cuda_platform.cc:52] failed call to cuInit\n"
        "I0000 00:00:1796128727.963924   14322 cpu_feature_guard.cc:227] This binary is optimized\n"
        "To enable the following instructions: AVX2 FMA, in other operations, rebuild "
        "TensorFlow with the appropriate compiler flags.\n"
        "model.py:12: UserWarning: Do not pass an `input_shape` argument\n"
        "  super().__init__(**kwargs)\n"
    )
    assert strip_native_logs(stderr) == (
        "model.py:12: UserWarning: Do not pass an `input_shape` argument\n"
        "  super().__init__(**kwargs)\n"
    )
    assert strip_native_logs("") == ""
