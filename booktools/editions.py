"""Plain notebooks from the book's sources: the reader edition and the student edition.

The chapters are written for Jupyter Book: MyST roles (`{glue:text}`, `{doc}`, `{ref}`),
`:::{dropdown}` solutions, figure captions in cell metadata, and `glue(...)` calls that
record numbers for the HTML. Plain JupyterLab, Colab and VS Code show all of that as
raw markup. This module writes notebooks a learner can open anywhere:

- **reader** (`make reader`, into `_build/reader/`): every glue reference replaced by
  its stored value (formatted as myst-nb formats it), cross-references turned into
  links between the notebooks, label lines into HTML anchors, dropdowns into
  `<details>`, figure captions into a line under the figure; the `glue` import and
  calls removed from the code; a first cell that sets the notebook up on Colab.
- **student** (`make student`, into `_build/student/`): the reader notebooks with every
  solution removed (recall answers and solution code cells), an empty cell where the
  answer goes, and every self-check kept, so that the self-checks fail until the
  student has done the exercise.

`python -m booktools.editions reader|student [OUT]` writes one edition.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLUE_MIME = "application/papermill.record/text/plain"
ROLE = re.compile(r"\{(glue:text|doc|ref)\}`([^`]*)`")
LABEL_LINE = re.compile(r"^\(([A-Za-z0-9_-]+)\)=[ \t]*$", re.MULTILINE)
DROPDOWN = re.compile(r"^:::\{dropdown\}[ \t]*(.*?)\n(.*?)\n:::[ \t]*$", re.MULTILINE | re.DOTALL)
SOLUTION_DETAILS = re.compile(r"\n*<details><summary>Solution</summary>.*?</details>\n*", re.DOTALL)
EXERCISE = re.compile(r"\*\*Exercise ([A-Z]?\d+\.\d+)\*\*")
GLUE_IMPORT = "from myst_nb import glue"
REPOSITORY_URL = "https://github.com/cnntut/cnntut"  # read from _config.yml when there is one

COLAB_SETUP = """# On Google Colab, install the book's helper package and its pinned dependencies
# from the book's repository (nothing else is downloaded). Elsewhere: nothing to do.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet",
         "-r", "{repo}/raw/main/requirements-colab.txt",
         "cnntut @ git+{repo}@main"],
        check=True,
    )"""


def book_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of the book, in `_toc.yml` order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    return [root / f"{file}.ipynb" for file in files if (root / f"{file}.ipynb").is_file()]


def repository_url(root: Path = ROOT) -> str:
    """The repository named in `_config.yml`: the one setting a publisher changes."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text())
    return config.get("repository", {}).get("url", REPOSITORY_URL).rstrip("/")


def colab_setup_source(root: Path = ROOT) -> str:
    """The first code cell of every reader notebook."""
    return COLAB_SETUP.replace("{repo}", repository_url(root))


def glue_values(notebook: dict) -> dict[str, str]:
    """`{key: text/plain}` of every `glue(...)` output stored in the notebook."""
    values = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is not None and GLUE_MIME in output.get("data", {}):
                values[name] = output["data"][GLUE_MIME]
    return values


def _anchor(heading: str) -> str:
    """The anchor JupyterLab gives a heading: its text, spaces as dashes."""
    text = re.sub(r"[`*]", "", heading.lstrip("#").strip())
    return text.replace(" ", "-")


def book_index(paths: list[Path]) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    """`(titles, labels)`: each notebook's title by stem, and each `(label)=` as
    `(stem, anchor, heading text)` of the heading below it."""
    titles, labels = {}, {}
    for path in paths:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            if path.stem not in titles:
                heading = next((ln for ln in text.splitlines() if ln.startswith("# ")), None)
                if heading:
                    titles[path.stem] = heading[2:].strip()
            for match in LABEL_LINE.finditer(text):
                rest = text[match.end() :].lstrip("\n").splitlines()
                heading = rest[0] if rest and rest[0].startswith("#") else ""
                anchor = _anchor(heading) if heading else match.group(1)
                labels[match.group(1)] = (path.stem, anchor, heading.lstrip("#").strip())
    return titles, labels


def plain_markdown(text: str, *, values: dict, titles: dict, labels: dict, here: str) -> str:
    """One markdown cell of a chapter, in Markdown that plain Jupyter renders.

    Raises:
        KeyError: a glue key, document or label is unknown; the message names it.
    """
    from myst_nb.core.variables import format_plain_text

    def role(match: re.Match) -> str:
        kind, content = match.group(1), " ".join(match.group(2).split())
        explicit = re.fullmatch(r"(.*?)\s*<([^>]+)>", content)
        shown, target = explicit.groups() if explicit else (None, content)
        if kind == "glue:text":
            key, _, fmt = target.rpartition(":") if ":" in target else (target, "", "")
            if key not in values:
                raise KeyError(f"{here}: no stored glue value {key!r}")
            return format_plain_text(values[key], fmt)
        if kind == "doc":
            stem = Path(target).name
            if stem not in titles:
                raise KeyError(f"{here}: {{doc}} names an unknown notebook {target!r}")
            return f"[{shown or titles[stem]}]({stem}.ipynb)"
        if target not in labels:
            raise KeyError(f"{here}: {{ref}} names an unknown label {target!r}")
        stem, anchor, heading = labels[target]
        where = f"#{anchor}" if stem == here else f"{stem}.ipynb#{anchor}"
        return f"[{shown or heading}]({where})"

    text = ROLE.sub(role, text)
    text = LABEL_LINE.sub(lambda m: f'<a id="{m.group(1)}"></a>', text)
    return DROPDOWN.sub(
        lambda m: (
            f"<details><summary>{m.group(1) or 'Details'}</summary>\n\n"
            f"{m.group(2).strip()}\n\n</details>"
        ),
        text,
    )


def without_glue(source: str) -> str:
    """Code without the `glue` import and its top-level `glue(...)` calls.

    A glue call nested in a block (a loop, a function) stays; the import then becomes
    a stand-in that does nothing, so the code still runs without myst-nb.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source

    def is_glue(node) -> bool:
        return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "glue"

    top = [n for n in tree.body if isinstance(n, ast.Expr) and is_glue(n.value)]
    drop = {line for n in top for line in range(n.lineno - 1, n.end_lineno)}
    nested = sum(is_glue(n) for n in ast.walk(tree)) > len(top)
    kept = []
    for number, line in enumerate(source.splitlines()):
        if number in drop:
            continue
        if line.strip() == GLUE_IMPORT:
            if not nested:
                continue
            line = "glue = lambda *args, **kwargs: None  # the HTML book records values; not here"
        kept.append(line)
    return "\n".join(kept).strip("\n")


def _source(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _markdown_cell(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _source(text)}


def _code_cell(text: str, **metadata) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata,
        "outputs": [],
        "source": _source(text),
    }


def reader_notebook(path: Path, titles: dict, labels: dict, setup: str) -> dict:
    """The reader edition of one notebook (see the module docstring)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    values = glue_values(notebook)
    cells = []
    for cell in notebook["cells"]:
        cell = copy.deepcopy(cell)
        cell.pop("id", None)
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            plain = plain_markdown(
                text, values=values, titles=titles, labels=labels, here=path.stem
            )
            cell["source"] = _source(plain)
            cells.append(cell)
            continue
        code = without_glue(text)
        if not code.strip():
            continue  # a cell that only glued values
        cell["source"] = _source(code)
        tags = cell.get("metadata", {}).get("tags", [])
        cell["metadata"]["tags"] = [t for t in tags if t != "remove-cell"]
        cells.append(cell)
        caption = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("caption")
        if caption:
            cells.append(_markdown_cell(f"*Figure: {caption}*"))
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    cells.insert(first_code, _code_cell(setup, tags=["colab-setup"]))
    notebook["cells"] = cells
    notebook["nbformat"], notebook["nbformat_minor"] = 4, 4
    return notebook


def is_solution(cell: dict) -> bool:
    """A solution's code cell: hidden input with the "Show solution" prompt."""
    metadata = cell.get("metadata", {})
    prompt = metadata.get("mystnb", {}).get("code_prompt_show", "")
    return cell["cell_type"] == "code" and "solution" in prompt.lower()


def student_notebook(reader: dict) -> dict:
    """The student edition of a reader notebook: solutions out, answer cells in, no outputs."""
    notebook = copy.deepcopy(reader)
    cells, exercise = [], None
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            if is_solution(cell):
                label = f"Exercise {exercise}" if exercise else "the exercise"
                cells.append(_code_cell(f"# {label}: your solution here\n", tags=["answer"]))
                continue
            cell["outputs"], cell["execution_count"] = [], None
            cells.append(cell)
            continue
        text = "".join(cell["source"])
        found = EXERCISE.findall(text)
        exercise = found[-1] if found else exercise
        if "<details><summary>Solution</summary>" not in text:
            cells.append(cell)
            continue
        # One cell per exercise, each followed by an empty cell for the answer.
        starts = [m.start() for m in EXERCISE.finditer(text)] or [0]
        chunks = [text[: starts[0]]] + [
            text[a:b] for a, b in zip(starts, starts[1:] + [None], strict=True)
        ]
        for chunk in chunks:
            if not chunk.strip():
                continue
            answered = SOLUTION_DETAILS.search(chunk) is not None
            cells.append(_markdown_cell(SOLUTION_DETAILS.sub("\n", chunk).strip()))
            if answered:
                number = EXERCISE.search(chunk)
                label = f"Exercise {number.group(1)}" if number else "the exercise"
                cells.append(_markdown_cell(f"*Your answer to {label}:*"))
    notebook["cells"] = cells
    return notebook


def write_edition(kind: str, out: Path, root: Path = ROOT) -> list[Path]:
    """Write the `kind` edition ("reader" or "student") of every notebook into `out`."""
    if kind not in ("reader", "student"):
        raise ValueError(f"the edition must be 'reader' or 'student'. Received: {kind!r}")
    paths = book_notebooks(root)
    titles, labels = book_index(paths)
    setup = colab_setup_source(root)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        notebook = reader_notebook(path, titles, labels, setup)
        if kind == "student":
            notebook = student_notebook(notebook)
        target = out / f"{path.stem}.ipynb"
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m booktools.editions")
    parser.add_argument("kind", choices=["reader", "student"])
    parser.add_argument("out", nargs="?", type=Path, help="default: _build/<kind>")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "_build" / args.kind
    written = write_edition(args.kind, out)
    print(f"wrote {len(written)} {args.kind} notebooks to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
