"""cnntut.checks: the argument checks every callback shares."""

from __future__ import annotations

import numpy as np
import pytest

from cnntut.checks import (
    check_choice,
    check_int,
    check_ints,
    check_key,
    check_number,
    check_verbose,
    missing_monitor_error,
)


@pytest.mark.parametrize("verbose", [0, 1, True, False, np.int64(1)])
def test_check_verbose_accepts_zero_and_one(verbose):
    assert check_verbose(verbose) == int(verbose)


@pytest.mark.parametrize("verbose", [2, -1])
def test_check_verbose_rejects_other_integers_with_value_error(verbose):
    with pytest.raises(ValueError, match=r"Received: verbose="):
        check_verbose(verbose)


@pytest.mark.parametrize("verbose", [1.0, "1", None])
def test_check_verbose_rejects_non_integers_with_type_error(verbose):
    with pytest.raises(TypeError, match=r"Received: verbose="):
        check_verbose(verbose)


def test_check_number_quotes_the_bad_value_and_interval():
    with pytest.raises(ValueError, match=r"factor must be in \[0, 1\)\. Received: factor=1$"):
        check_number("factor", 1, low=0, high=1, high_open=True)


def test_check_number_open_and_closed_bounds():
    assert check_number("target", 1, low=0, high=1, low_open=True) == 1.0
    with pytest.raises(ValueError, match="Received: target=0"):
        check_number("target", 0, low=0, high=1, low_open=True)


@pytest.mark.parametrize("value", ["0.5", None, True])
def test_check_number_rejects_non_numbers(value):
    with pytest.raises(TypeError, match="must be a number"):
        check_number("x", value)


def test_check_number_rejects_nan():
    with pytest.raises(ValueError, match="Received: x=nan"):
        check_number("x", float("nan"), low=0)


def test_check_int_rejects_negative_and_float():
    with pytest.raises(ValueError, match=r"patience must be >= 0\. Received: patience=-1"):
        check_int("patience", -1)
    with pytest.raises(TypeError, match="Received: patience=2.5"):
        check_int("patience", 2.5)


def test_check_choice_lists_the_choices():
    with pytest.raises(ValueError, match=r"one of \('min', 'max'\)\. Received: mode='up'"):
        check_choice("mode", "up", ("min", "max"))


@pytest.mark.parametrize("value", [None, 3, b"loss"])
def test_check_key_rejects_non_strings_with_type_error(value):
    with pytest.raises(TypeError, match="must be a string"):
        check_key("key", value)


def test_check_key_rejects_the_empty_string():
    with pytest.raises(ValueError, match="non-empty string"):
        check_key("key", "")


def test_check_int_accepts_numpy_integers():
    assert check_int("epochs", np.int64(3), low=1) == 3
    assert type(check_int("epochs", np.int32(3), low=1)) is int


def test_check_int_high_and_multiple():
    assert check_int("size", 28, low=1, multiple=4) == 28
    with pytest.raises(ValueError, match=r"multiple of 4\. Received: size=30"):
        check_int("size", 30, low=1, multiple=4)
    with pytest.raises(ValueError, match=r"between 1 and 5\. Received: n=6"):
        check_int("n", 6, low=1, high=5)


def test_check_ints_checks_count_type_and_range():
    assert check_ints("filters", [8, np.int64(16)], count=2) == (8, 16)
    with pytest.raises(ValueError, match="must hold 2 integers"):
        check_ints("filters", (8,), count=2)
    with pytest.raises(TypeError, match="must hold integers"):
        check_ints("filters", (8, 1.5), count=2)
    with pytest.raises(ValueError, match=">= 1"):
        check_ints("filters", (8, 0), count=2)
    with pytest.raises(TypeError, match="sequence of integers"):
        check_ints("filters", 8, count=2)


def test_missing_monitor_error_lists_available_keys():
    error = missing_monitor_error("Owner", "val_acc", {"loss": 1.0, "val_accuracy": 0.5})
    assert "['loss', 'val_accuracy']" in str(error)
    assert "Received: monitor='val_acc'" in str(error)
