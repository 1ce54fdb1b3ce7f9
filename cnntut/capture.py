"""Catch the warnings and log lines that Keras and TensorFlow emit, as text.

Keras says some things with Python's `warnings` module and others through
`absl.logging` (which goes to stderr). The book hides stderr, so a chapter that
teaches such a message captures it with `capture_messages` and prints it.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

DEFAULT_LOGGERS = ("absl", "keras", "tensorflow")

# What TensorFlow's C++ core writes to stderr from static initialisers, before TF_CPP_MIN_LOG_LEVEL
# is read: absl's notice, then glog-style lines ("I0000 00:00:1795833208.069750   23421 port.cc:153]
# ..."). The CPU feature guard's message runs on to a second line of its own.
NATIVE_LOG_LINE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.]+:\d+\] "
    r"|To enable the following instructions: .* rebuild TensorFlow with)"
)


def strip_native_logs(text: str) -> str:
    """Remove TensorFlow's C++ log lines from captured stderr, keep everything else.

    Python warnings and tracebacks stay: they can teach something. The C++ lines ("oneDNN
    custom operations are on", "failed call to cuInit", ...) only clutter a notebook.
    """
    return "".join(
        line for line in text.splitlines(keepends=True) if not NATIVE_LOG_LINE.match(line)
    )


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(f"{record.levelname} ({record.name} log): {record.getMessage()}")


@contextmanager
def capture_messages(
    loggers: Sequence[str] = DEFAULT_LOGGERS, *, deprecations: bool = False
) -> Iterator[list[str]]:
    """Collect warnings and WARNING-or-worse log records raised inside a `with` block.

    Every warning is recorded (even one shown before) instead of printed, and the named
    loggers' records go to the list and no further up; all is restored on leaving the block.

    Args:
        loggers: names of the `logging` loggers to listen to; Keras's saving code logs to `absl`.
        deprecations: also record `DeprecationWarning` and `PendingDeprecationWarning`, which
            libraries raise about each other's internals and Python hides by default.

    Returns:
        A context manager yielding a list of one string per message, in order:
        `"UserWarning: ..."` for a warning, `"WARNING (absl log): ..."` for a log record.

    Raises:
        ValueError: `loggers` is a single string instead of a sequence of names.

    Example: `with capture_messages() as messages: model.save("model.h5")`.
    """
    if isinstance(loggers, str):
        raise ValueError(f"loggers must be a sequence of names. Received: loggers={loggers!r}")
    messages: list[str] = []
    handler = _ListHandler(messages)
    saved = []
    for name in loggers:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate))
        logger.addHandler(handler)
        logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            if not deprecations:
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", PendingDeprecationWarning)
            warnings.showwarning = lambda message, category, *args, **kwargs: messages.append(
                f"{category.__name__}: {message}"
            )
            yield messages
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
