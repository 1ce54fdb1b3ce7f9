"""Tests for cnntut.capture.capture_messages."""

from __future__ import annotations

import logging
import warnings

import keras
import pytest
from absl import logging as absl_logging

from cnntut.capture import capture_messages


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
