"""cnntut.callbacks.hook_logger: which hooks Keras calls, and in what order."""

from __future__ import annotations

import pytest
from callback_support import tiny_classifier, tiny_data

from cnntut.callbacks import HookLogger
from cnntut.callbacks.hook_logger import BATCH_HOOKS, HOOKS


def test_hook_logger_records_names_and_log_keys():
    logger = HookLogger()
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    logger.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})
    assert logger.calls == ["on_train_begin", "on_epoch_begin", "on_epoch_end"]
    assert logger.log_keys[-1] == ("accuracy", "loss")


def test_hook_logger_format_indents_by_nesting():
    logger = HookLogger()
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    logger.on_train_batch_begin(0)
    logger.on_train_batch_end(0, {"loss": 1.0})
    logger.on_epoch_end(0, {"loss": 1.0})
    logger.on_train_end()
    assert logger.format().splitlines() == [
        "on_train_begin",
        "  on_epoch_begin",
        "    on_train_batch_begin",
        "    on_train_batch_end",
        "  on_epoch_end",
        "on_train_end",
    ]
    assert logger.format(show_logs=True).splitlines()[3].endswith("logs: loss")


def test_hook_logger_can_skip_batch_hooks():
    logger = HookLogger(batches=False)
    logger.on_train_batch_begin(0)
    logger.on_test_batch_end(0, {"loss": 1.0})
    logger.on_predict_batch_end(0, {})
    logger.on_test_end()
    assert logger.calls == ["on_test_end"]


def test_hook_logger_restarts_at_each_fit():
    logger = HookLogger()
    logger.on_predict_begin()
    logger.on_train_begin()
    assert logger.calls == ["on_train_begin"]


def test_hook_logger_verbose_prints_each_hook(capsys):
    logger = HookLogger(verbose=1)
    logger.on_test_begin()
    assert capsys.readouterr().out == "on_test_begin\n"


def test_hook_logger_rejects_bad_verbose():
    with pytest.raises(ValueError, match="Received: verbose=3"):
        HookLogger(verbose=3)


def test_hook_logger_sees_every_hook_of_fit_evaluate_predict():
    x, y = tiny_data()
    model = tiny_classifier()
    logger = HookLogger()
    model.fit(
        x, y, epochs=2, batch_size=16, validation_data=(x[:8], y[:8]), callbacks=[logger], verbose=0
    )
    model.evaluate(x, y, batch_size=32, callbacks=[logger], verbose=0)
    model.predict(x, batch_size=32, callbacks=[logger], verbose=0)
    counts = logger.counts()
    assert set(counts) == set(HOOKS)
    assert counts["on_epoch_end"] == 2
    assert counts["on_train_batch_end"] == 4  # 2 epochs x 32/16 batches
    assert counts["on_test_begin"] == 3  # validation twice, evaluate once
    assert logger.calls[0] == "on_train_begin" and logger.calls[-1] == "on_predict_end"
    # Validation runs inside the epoch, before on_epoch_end.
    first_end = logger.calls.index("on_epoch_end")
    assert logger.calls[first_end - 1] == "on_test_end"
    assert BATCH_HOOKS and all(name in HOOKS for name in BATCH_HOOKS)
