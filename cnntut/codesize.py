"""Count the lines of code in a function, for comparing two ways to do one job."""

from __future__ import annotations

import ast
import inspect
import io
import textwrap
import tokenize
from collections.abc import Callable


def count_code_lines(func: Callable) -> int:
    """Count the lines of a function's body that hold at least one code token.

    Blank lines, comments, the docstring and the `def` line itself are not counted, so two
    functions (defined in a file or a notebook cell) that do one job compare fairly.

    Raises:
        TypeError: `func` is not a Python function (its source cannot be read).
    """
    if not inspect.isfunction(func):
        raise TypeError(f"count_code_lines needs a function. Received: {func!r}")
    source = textwrap.dedent(inspect.getsource(func))
    node = ast.parse(source).body[0]
    body = node.body
    first = body[0]
    body_start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", [])])
    skip: set[int] = set(range(1, body_start))  # decorators and the (maybe long) def line
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        if isinstance(first.value.value, str):
            skip.update(range(first.lineno, first.end_lineno + 1))
    code_lines: set[int] = set()
    ignorable = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in ignorable:
            code_lines.update(range(token.start[0], token.end[0] + 1))
    return len(code_lines - skip)
