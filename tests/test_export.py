"""booktools.export: the code a chapter teaches is the code the package runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from booktools import export

ROOT = Path(__file__).resolve().parent.parent
HAND_WRITTEN_BUDGET = 5000


def _notebook(tmp_path: Path, cells: list[dict], metadata: dict | None = None) -> Path:
    (tmp_path / "chapters").mkdir(exist_ok=True)
    path = tmp_path / "chapters" / "07_demo.ipynb"
    nb = {"cells": cells, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _cell(source: str, tags: tuple[str, ...] = ()) -> dict:
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source}


def test_generated_modules_match_their_chapters():
    stale = [str(e.module.relative_to(ROOT)) for e in export.exports() if not e.is_current()]
    assert not stale, f"run `make export`: {stale} differ from their chapters"


def test_every_chapter_that_exports_names_itself_at_the_top_of_its_module():
    found = export.exports()
    assert {e.notebook.name for e in found} >= {
        "05_custom_callbacks.ipynb",
        "06_applications.ipynb",
        "07_limits_and_practice.ipynb",
        "08_complete_example.ipynb",
    }
    for item in found:
        head = item.module.read_text(encoding="utf-8")[:400]
        assert f"Generated from chapters/{item.notebook.name}" in head
        assert export.is_generated(item.module)


def test_render_joins_tagged_cells_after_the_imports(tmp_path):
    spec = {"module": "pkg/demo.py", "doc": "Demo.", "imports": ["import math"]}
    notebook = _notebook(
        tmp_path,
        [
            _cell("def f():\n    return math.pi", ("export",)),
            _cell("f()"),
            _cell("X = 1", ("export",)),
        ],
        {"cnntut": {"export": spec}},
    )
    item = export.render(notebook, root=tmp_path)
    assert item.module == tmp_path / "pkg" / "demo.py"
    assert item.text.startswith('"""Demo.\n\nGenerated from chapters/07_demo.ipynb')
    body = item.text.split('"""\n', 2)[-1]
    assert body == "\nimport math\n\n\ndef f():\n    return math.pi\n\n\nX = 1\n"
    assert "f()\n" not in body.replace("def f():", "")


def test_render_refuses_tagged_cells_without_a_target(tmp_path):
    notebook = _notebook(tmp_path, [_cell("X = 1", ("export",))])
    with pytest.raises(ValueError, match="07_demo.ipynb tags 1 cells `export`"):
        export.render(notebook, root=tmp_path)


def test_render_refuses_a_target_without_tagged_cells(tmp_path):
    spec = {"module": "pkg/demo.py", "doc": "Demo."}
    notebook = _notebook(tmp_path, [_cell("X = 1")], {"cnntut": {"export": spec}})
    with pytest.raises(ValueError, match="names 'pkg/demo.py' but tags no cell"):
        export.render(notebook, root=tmp_path)


def test_a_hand_edit_of_a_generated_module_is_detected(tmp_path, monkeypatch):
    spec = {"module": "pkg/demo.py", "doc": "Demo."}
    notebook = _notebook(tmp_path, [_cell("X = 1", ("export",))], {"cnntut": {"export": spec}})
    item = export.render(notebook, root=tmp_path)
    item.module.parent.mkdir()
    item.module.write_text(item.text.replace("X = 1", "X = 2"), encoding="utf-8")
    assert not item.is_current()
    monkeypatch.setattr(export, "ROOT", tmp_path)
    assert export.main(["--check"]) == 1
    assert item.module.read_text(encoding="utf-8").endswith("X = 2\n")  # --check writes nothing
    assert export.main([]) == 0 and item.is_current()


def test_package_has_at_most_5000_hand_written_lines():
    files = [p for p in (ROOT / "cnntut").rglob("*.py") if not export.is_generated(p)]
    lines = {p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines()) for p in files}
    total = sum(lines.values())
    largest = sorted(lines.items(), key=lambda item: -item[1])[:5]
    assert total <= HAND_WRITTEN_BUDGET, f"{total} hand-written lines; largest: {largest}"
