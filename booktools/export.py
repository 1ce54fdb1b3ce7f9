"""Write the code a chapter teaches into the package: one source, d2l-style.

A chapter marks the cells whose code later chapters, the command line or the
tests need with the cell tag `export`. Its notebook metadata names the module
they go to and the imports that module needs:

    "metadata": {"cnntut": {"export": {
        "module": "cnntut/callbacks/custom.py",
        "doc": "The callbacks written in chapter 5.",
        "imports": ["import time", "", "import keras"]}}}

`python -m booktools.export` (or `make export`) writes every such module;
`python -m booktools.export --check` only compares, and `tests/test_export.py`
fails while a module and its chapter disagree. So a change goes into the
chapter, never into the generated file, whose first lines say so.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
TAG = "export"
GENERATED_MARK = "Generated from "


@dataclass(frozen=True)
class Export:
    """One chapter's exported cells, rendered as the text of a module."""

    notebook: Path
    module: Path
    text: str

    def is_current(self) -> bool:
        """Whether the module on disk holds exactly this text."""
        return self.module.is_file() and self.module.read_text(encoding="utf-8") == self.text


def render(notebook: Path, root: Path | None = None) -> Export | None:
    """Render the module that `notebook` exports, or None if it exports nothing.

    Raises:
        ValueError: the metadata or the tags are inconsistent (cells tagged
            `export` without a target module, or a target without such cells),
            naming the notebook.
    """
    root = root or ROOT
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    spec = nb.get("metadata", {}).get("cnntut", {}).get("export")
    cells = [
        "".join(cell["source"]).strip()
        for cell in nb["cells"]
        if cell["cell_type"] == "code" and TAG in cell.get("metadata", {}).get("tags", [])
    ]
    relative = notebook.resolve().relative_to(root).as_posix()
    if spec is None:
        if cells:
            raise ValueError(
                f"{relative} tags {len(cells)} cells `{TAG}` but its metadata names no "
                "module: add metadata.cnntut.export.module"
            )
        return None
    if not cells:
        raise ValueError(f"{relative} names {spec.get('module')!r} but tags no cell `{TAG}`")
    header = (
        f'"""{spec["doc"]}\n\n'
        f"{GENERATED_MARK}{relative}, its cells tagged `{TAG}`, by\n"
        "`python -m booktools.export`. Do not edit: change the chapter, then run\n"
        "`make export` (tests/test_export.py fails while the two disagree).\n"
        '"""\n'
    )
    imports = "\n".join(spec.get("imports", []))
    body = "\n\n\n".join(cells)
    # Two blank lines before a definition, one before a statement (as isort wants).
    gap = "\n\n" if body.startswith(("def ", "class ", "@")) else "\n"
    text = header + ("\n" + imports + "\n" if imports else "") + gap + body + "\n"
    return Export(notebook=notebook, module=root / spec["module"], text=text)


def exports(root: Path | None = None) -> list[Export]:
    """Every chapter's export, in chapter order."""
    root = root or ROOT
    found = [render(nb, root) for nb in sorted((root / "chapters").glob("*.ipynb"))]
    return [export for export in found if export is not None]


def is_generated(path: Path) -> bool:
    """Whether a Python file was written by this module (its docstring says so)."""
    head = path.read_text(encoding="utf-8").split('"""', 2)
    return len(head) == 3 and GENERATED_MARK in head[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m booktools.export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    stale = [export for export in exports() if not export.is_current()]
    for export in stale:
        name = export.module.relative_to(ROOT)
        if args.check:
            print(f"{name} differs from {export.notebook.relative_to(ROOT)}", file=sys.stderr)
        else:
            export.module.parent.mkdir(parents=True, exist_ok=True)
            temporary = export.module.with_name(export.module.name + ".tmp")
            temporary.write_text(export.text, encoding="utf-8")
            temporary.replace(export.module)
            print(f"wrote {name}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
