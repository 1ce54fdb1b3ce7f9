"""cnntut.codesize: counting the code lines of a function."""

from __future__ import annotations

import pytest

from cnntut.codesize import count_code_lines


def _three_lines(x):
    """A docstring
    over two lines."""
    # a comment

    y = x + 1
    # fmt: off
    z = (y,
         x)
    # fmt: on
    return z


def _decorated_body():
    @staticmethod
    def inner():
        return 1

    return inner


def test_count_code_lines_ignores_docstring_comments_and_blank_lines():
    assert count_code_lines(_three_lines) == 4  # y =, the two-line tuple, return


def test_count_code_lines_counts_nested_definitions():
    assert count_code_lines(_decorated_body) == 4


def test_count_code_lines_rejects_non_functions():
    with pytest.raises(TypeError, match="Received: 42"):
        count_code_lines(42)
