"""Shared test set-up: no network, a headless plotting backend, one book build."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

# Set before TensorFlow, matplotlib or a notebook kernel (which inherits the
# environment) starts, so that every test, nbval's included, stays offline.
os.environ["CNNTUT_OFFLINE"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
_LOOPBACK = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect


def _loopback_only(sock: socket.socket, address, *args, **kwargs):
    host = address[0] if isinstance(address, tuple) else str(address)
    if isinstance(host, str) and not host.startswith(_LOOPBACK) and sock.family != socket.AF_UNIX:
        raise OSError(f"tests must not use the network: connect to {address!r} refused")
    return _real_connect(sock, address, *args, **kwargs)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Refuse any connection that leaves the machine."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """Build the book once per session, strictly, into a temporary folder.

    The build renders the outputs stored in the notebooks (execute_notebooks is
    off), so it takes seconds and runs no chapter code.
    """
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "jupyter-book"),
            "build",
            str(ROOT),
            "--path-output",
            str(out),
            "-W",
            "-n",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return out / "_build" / "html", result
