"""Argument checks, one set for the whole package.

Messages name the argument and quote the bad value as Keras's do (`... Received: patience=-1`).
A wrong type raises `TypeError`, a right type out of range `ValueError`. NumPy numbers count
as numbers (`np.int64(3)` passes `check_int`); booleans never do.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def check_verbose(verbose: Any) -> int:
    """Return `verbose` as 0 or 1.

    Raises:
        TypeError: `verbose` is not an integer.
        ValueError: `verbose` is not 0, 1, `False` or `True`.
    """
    if not isinstance(verbose, numbers.Integral):
        raise TypeError(f"verbose must be 0 or 1. Received: verbose={verbose!r}")
    if verbose not in (0, 1):
        raise ValueError(f"verbose must be 0 or 1. Received: verbose={verbose!r}")
    return int(verbose)


def check_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return `value` as a float after checking that it lies in a range.

    `None` for `low` or `high` means no bound; `low_open`/`high_open` exclude the bound itself.

    Raises:
        TypeError: `value` is not a real number (booleans are refused too).
        ValueError: `value` is outside the range (or is NaN).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number. Received: {name}={value!r}")
    number = float(value)
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if too_low or too_high or number != number:
        raise ValueError(
            f"{name} must be in {_interval(low, high, low_open, high_open)}. "
            f"Received: {name}={value!r}"
        )
    return number


def check_int(
    name: str, value: Any, *, low: int = 0, high: int | None = None, multiple: int = 1
) -> int:
    """Return `value` as an int after checking its range (`high=None`: no upper bound).

    Raises:
        TypeError: `value` is not an integer (booleans and floats are refused).
        ValueError: `value` is below `low`, above `high` or not a multiple of `multiple`.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer. Received: {name}={value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}. Received: {name}={value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be between {low} and {high}. Received: {name}={value!r}")
    if value % multiple:
        raise ValueError(f"{name} must be a multiple of {multiple}. Received: {name}={value!r}")
    return int(value)


def check_ints(name: str, values: Any, *, count: int, low: int = 1) -> tuple[int, ...]:
    """Return `values` as a tuple of `count` integers, each at least `low`.

    Raises:
        TypeError: `values` is not a sequence of integers.
        ValueError: it has another length, or an item is below `low`.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of integers. Received: {name}={values!r}")
    if len(values) != count:
        raise ValueError(f"{name} must hold {count} integers. Received: {name}={values!r}")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must hold integers. Received: {name}={values!r}")
        if value < low:
            raise ValueError(f"{name} must hold integers >= {low}. Received: {name}={values!r}")
    return tuple(int(value) for value in values)


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return `value` after checking that it is one of `choices`.

    Raises:
        ValueError: `value` is not one of `choices`; the message lists them.
    """
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}. Received: {name}={value!r}")
    return value


def check_key(name: str, value: Any) -> str:
    """Return `value` after checking that it can name an entry of `logs`.

    Raises:
        TypeError: `value` is not a string.
        ValueError: `value` is the empty string.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string. Received: {name}={value!r}")
    if not value:
        raise ValueError(f"{name} must be a non-empty string. Received: {name}={value!r}")
    return value


def missing_monitor_error(owner: str, monitor: str, logs: Mapping[str, Any]) -> ValueError:
    """Build the `ValueError` for a monitored quantity that is not in the logs.

    `owner` is the callback's class name; the message lists the keys of `logs`.
    """
    return ValueError(
        f"{owner} watches {monitor!r}, which is not in the epoch logs "
        f"(they hold {sorted(logs)}). Check the spelling, and pass validation data "
        f"to fit() for a 'val_' quantity. Received: monitor={monitor!r}"
    )


def _interval(low, high, low_open, high_open) -> str:
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    low_text = "-inf" if low is None else f"{low:g}"
    high_text = "inf" if high is None else f"{high:g}"
    return f"{left}{low_text}, {high_text}{right}"
