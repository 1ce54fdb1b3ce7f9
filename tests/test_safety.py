"""No file is read with pickle, and every model is loaded with Keras's safe_mode.

A `.keras` or `.npz` from a student's USB stick should never be able to run code.
"""

from __future__ import annotations

import re

from conftest import ROOT

SOURCES = sorted((ROOT / "cnntut").rglob("*.py"))


def _calls(pattern: str) -> list[str]:
    found = []
    for path in SOURCES:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(pattern, line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_safety_sources_are_scanned():
    assert len(SOURCES) > 10


def test_safety_no_pickle_anywhere():
    assert not _calls(r"\bimport pickle\b|\bpickle\.load|allow_pickle\s*=\s*True")


def test_safety_np_load_always_refuses_pickles():
    loads = _calls(r"\bnp\.load\(")
    assert loads, "expected at least one np.load (cnntut.data)"
    assert all("allow_pickle=False" in line for line in loads), loads


def test_safety_models_load_in_safe_mode():
    loads = _calls(r"load_model\(")
    assert all("safe_mode=True" in line for line in loads), loads
    assert not _calls(r"safe_mode\s*=\s*False|enable_unsafe_deserialization")
