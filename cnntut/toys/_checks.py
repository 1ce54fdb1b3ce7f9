"""Argument checks shared by the toy models and plots."""

from __future__ import annotations


def check_size(size: int, multiple: int) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or size < 1 or size % multiple:
        raise ValueError(f"size must be a positive multiple of {multiple}. Received: size={size!r}")


def check_filters(filters: tuple[int, ...], count: int) -> None:
    if len(filters) != count or not all(
        isinstance(f, int) and not isinstance(f, bool) and f > 0 for f in filters
    ):
        raise ValueError(
            f"filters must be {count} positive integers. Received: filters={filters!r}"
        )


def check_n(n: int, available: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= available:
        raise ValueError(f"n must be between 1 and {available}. Received: n={n!r}")
