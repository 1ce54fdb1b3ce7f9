"""Plain notebooks from the book's sources: the reader edition and the student edition.

The chapters are written for Jupyter Book: MyST roles (`{glue:text}`, `{doc}`, `{ref}`),
sphinx-exercise's gated `exercise-start` / `solution-start` directives, figure captions
in cell metadata, and `glue(...)` calls that record numbers for the HTML. Plain
JupyterLab, Colab and VS Code show all of that as raw markup. This module writes
notebooks a learner can open anywhere:

- **reader** (`make reader`, into `_build/reader/`): every glue reference replaced by
  its stored value (formatted as myst-nb formats it), cross-references turned into
  links between the notebooks, label lines into HTML anchors, exercises into
  "**Exercise 3.1** (recall)" numbered as the HTML book numbers them, solutions in
  prose into `<details>`, code solutions into cells tagged `solution` (their code folded
  in JupyterLab), dropdowns into `<details>`, figure captions into a line under the
  figure; the `glue` import and calls removed from the code; a first cell that sets the
  notebook up on Colab.
- **student** (`make student`, into `_build/student/`): the reader notebooks with every
  solution removed (answers in prose and cells tagged `solution`), an empty cell where
  the answer goes, and every self-check kept, so that the self-checks fail until the
  student has done the exercise.

Both keep the sources' folders (`chapters/`, `extras/`), so their links work anywhere.
`python -m booktools.editions reader|student [OUT]` writes one edition; `downloads
[HTML]` puts the reader notebooks behind a built book's download buttons; `tree [OUT]`
writes the repository with reader notebooks, for the branch the launch buttons open.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLUE_MIME = "application/papermill.record/text/plain"
ROLE = re.compile(r"\{(glue:text|doc|ref)\}`([^`]*)`")
LABEL_LINE = re.compile(r"^\(([A-Za-z0-9_-]+)\)=[ \t]*$", re.MULTILINE)
DROPDOWN = re.compile(r"^:::\{dropdown\}[ \t]*(.*?)\n(.*?)\n:::[ \t]*$", re.MULTILINE | re.DOTALL)
# sphinx-exercise's gated directives, written with colon fences: `:::{exercise-start} recall`,
# option lines such as `:label: ex-3-1`, then `:::`.
EXERCISE_DIRECTIVE = re.compile(
    r"^:::\{(exercise|solution)-(start|end)\}[ \t]*(.*?)\n((?::[\w-]+:.*\n)*):::[ \t]*$",
    re.MULTILINE,
)
# The words the editions add around exercises and figures, per language.
WORDS = {
    "en": {
        "exercise": "**Exercise {number}**", "kind": " ({kind})", "solution": "Solution",
        "solution heading": "**Solution to Exercise {number}** (try it yourself first)",
        "answer": "*Your answer to Exercise {number}:*",
        "answer code": "# Exercise {number}: your solution here", "figure": "*Figure: {caption}*",
    },
    "zh_CN": {
        "exercise": "**练习 {number}**", "kind": "（{kind}）", "solution": "解答",
        "solution heading": "**练习 {number} 的解答**（请先自己试一试）",
        "answer": "*你对练习 {number} 的回答：*",
        "answer code": "# 练习 {number}：在这里写下你的解答", "figure": "*图：{caption}*",
    },
}  # fmt: skip
SOLUTION_DETAILS = re.compile(
    r"\n*<details><summary>(?:Solution|解答)</summary>.*?</details>\n*", re.DOTALL
)
EXERCISE = re.compile(r'(?:<a id="[^"]+"></a>)?\*\*(?:Exercise|练习) ([A-Z]?\d+\.\d+)\*\*')
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


def book_index(
    paths: list[Path], translator=None, places: dict | None = None
) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    """`(titles, labels)`: each notebook's title by stem, and each `(label)=` as
    `(stem, anchor, heading text)` of the heading below it (translated, with a
    `booktools.i18n.Translator`)."""
    titles, labels = {}, {}
    for path in paths:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        place = (places or {}).get(path.stem, path.stem)
        for cell in cells:
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            if translator is not None:
                text = translator.markdown(text, place)
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


def book_places(paths: list[Path], root: Path = ROOT) -> dict[str, str]:
    """Each notebook's path in the book without its suffix, by stem: the editions keep
    the sources' folders (`chapters/`, `extras/`), so links work in all of them."""
    return {path.stem: path.relative_to(root).with_suffix("").as_posix() for path in paths}


def _link(places: dict | None, here: str, stem: str) -> str:
    """The relative link from notebook `here` to notebook `stem`."""
    if places is None or here not in places:
        return f"{stem}.ipynb"
    start = posixpath.dirname(places[here]) or "."
    return posixpath.relpath(places[stem], start) + ".ipynb"


def plain_markdown(
    text: str, *, values: dict, titles: dict, labels: dict, here: str, places: dict | None = None
) -> str:
    """One markdown cell of a chapter, in Markdown that plain Jupyter renders. `places`
    (from `book_places`) makes links relative to where each notebook sits.

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
            return f"[{shown or titles[stem]}]({_link(places, here, stem)})"
        if target not in labels:
            raise KeyError(f"{here}: {{ref}} names an unknown label {target!r}")
        stem, anchor, heading = labels[target]
        where = f"#{anchor}" if stem == here else f"{_link(places, here, stem)}#{anchor}"
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


def exercise_prefix(stem: str) -> str | None:
    """How the HTML book numbers a notebook's exercises: "3" for `03_...`, "A2" for `A2_...`.

    Chapters get their place in the numbered part of `_toc.yml` (the file names follow
    it; tests/test_book.py checks), appendices their letter (booktools.sphinx_book).
    """
    match = re.match(r"(A?)(\d+)_", stem)
    return f"{match.group(1)}{int(match.group(2))}" if match else None


class Exercises:
    """Turns one notebook's exercise directives into plain Markdown, cell by cell.

    It counts the exercises as sphinx-exercise numbers them and remembers whether a
    solution opened in one cell is still open (a solution with code cells ends in a
    later markdown cell).
    """

    def __init__(self, stem: str, words: dict | None = None):
        self.stem, self.prefix = stem, exercise_prefix(stem)
        self.words = words or WORDS["en"]
        self.count, self.number, self.open = 0, None, False

    def markdown(self, text: str) -> tuple[str, str | None]:
        """`(text, solution_heading)`: the cell in plain Markdown and, when the cell opens
        a solution that continues in code cells, the heading for those cells.

        Raises:
            ValueError: an exercise in a notebook whose file name gives no number.
        """
        matches = list(EXERCISE_DIRECTIVE.finditer(text))
        if not matches:
            return text, None
        pieces, heading, end, i = [], None, 0, 0
        while i < len(matches):
            match = matches[i]
            kind, edge, title, options = match.groups()
            pieces.append(text[end : match.start()])
            end = match.end()
            if (kind, edge) == ("exercise", "start"):
                if self.prefix is None:
                    raise ValueError(f"{self.stem}: exercises need a numbered file name")
                self.count += 1
                self.number = f"{self.prefix}.{self.count}"
                label = re.search(r":label:[ \t]*(\S+)", options)
                anchor = f'<a id="{label.group(1)}"></a>' if label else ""
                kind = self.words["kind"].format(kind=title.strip()) if title.strip() else ""
                pieces.append(f"{anchor}{self.words['exercise'].format(number=self.number)}{kind} ")
                end = len(text) - len(text[end:].lstrip())  # the statement follows inline
            elif (kind, edge) == ("solution", "start"):
                closing = matches[i + 1] if i + 1 < len(matches) else None
                if closing is not None and closing.group(1, 2) == ("solution", "end"):
                    body = text[match.end() : closing.start()].strip("\n")
                    summary = self.words["solution"]
                    pieces.append(f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>")
                    end = closing.end()
                    i += 1
                else:
                    self.open = True
                    heading = self.words["solution heading"].format(number=self.number)
            elif (kind, edge) == ("solution", "end"):
                self.open = False
            i += 1
        pieces.append(text[end:])
        plain = re.sub(r"\n{3,}", "\n\n", "".join(pieces)).strip("\n")
        return plain, heading


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


def _markdown_cell(text: str, **metadata) -> dict:
    return {"cell_type": "markdown", "metadata": metadata, "source": _source(text)}


def _code_cell(text: str, **metadata) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata,
        "outputs": [],
        "source": _source(text),
    }


def reader_notebook(
    path: Path,
    titles: dict,
    labels: dict,
    setup: str,
    places: dict | None = None,
    translator=None,
    words: dict | None = None,
) -> dict:
    """The reader edition of one notebook (see the module docstring). With a
    `booktools.i18n.Translator`, its markdown and captions in the catalogs' language, and
    `words` (from `WORDS`) for what the edition adds."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    values = glue_values(notebook)
    words = words or WORDS["en"]
    exercises = Exercises(path.stem, words)
    place = (places or {}).get(path.stem, path.stem)
    cells = []
    for cell in notebook["cells"]:
        cell = copy.deepcopy(cell)
        cell.pop("id", None)
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if translator is not None:
                text = translator.markdown(text, place)
            plain = plain_markdown(
                text, values=values, titles=titles, labels=labels, here=path.stem, places=places
            )
            plain, solution_heading = exercises.markdown(plain)
            if plain.strip():
                cell["source"] = _source(plain)
                cells.append(cell)
            if solution_heading:
                cells.append(_markdown_cell(solution_heading, tags=["solution"]))
            continue
        code = without_glue(text)
        if not code.strip():
            continue  # a cell that only glued values
        cell["source"] = _source(code)
        metadata = cell.setdefault("metadata", {})
        tags = [t for t in metadata.get("tags", []) if t != "remove-cell"]
        if exercises.open:
            tags.append("solution")
            metadata.setdefault("jupyter", {})["source_hidden"] = True
        metadata["tags"] = tags
        cells.append(cell)
        caption = metadata.get("mystnb", {}).get("figure", {}).get("caption")
        if caption:
            extra = {"tags": ["solution"]} if exercises.open else {}
            caption = translator.text(caption, place) if translator is not None else caption
            cells.append(_markdown_cell(words["figure"].format(caption=caption), **extra))
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    cells.insert(first_code, _code_cell(setup, tags=["colab-setup"]))
    notebook["cells"] = cells
    notebook["nbformat"], notebook["nbformat_minor"] = 4, 4
    return notebook


def is_solution(cell: dict) -> bool:
    """A cell of a solution: its code, or the heading and figure caption around it."""
    return "solution" in cell.get("metadata", {}).get("tags", [])


def student_notebook(reader: dict, words: dict | None = None) -> dict:
    """The student edition of a reader notebook: solutions out, answer cells in, no outputs."""
    words = words or WORDS["en"]
    notebook = copy.deepcopy(reader)
    cells, exercise, in_solution = [], None, False
    for cell in notebook["cells"]:
        if is_solution(cell):
            if cell["cell_type"] == "code" and not in_solution:
                answer = words["answer code"].format(number=exercise or "")
                cells.append(_code_cell(answer + "\n", tags=["answer"]))
            in_solution = in_solution or cell["cell_type"] == "code"
            continue
        in_solution = False
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            cells.append(cell)
            continue
        text = "".join(cell["source"])
        found = EXERCISE.findall(text)
        exercise = found[-1] if found else exercise
        if SOLUTION_DETAILS.search(text) is None:
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
                answer = words["answer"].format(number=number.group(1) if number else "")
                cells.append(_markdown_cell(answer))
    notebook["cells"] = cells
    return notebook


def write_edition(kind: str, out: Path, root: Path = ROOT, language: str = "en") -> list[Path]:
    """Write the `kind` edition ("reader" or "student") of every notebook into `out`,
    in the sources' folders (`out/chapters/`, `out/extras/`). With `language="zh_CN"`
    the markdown comes from the Chinese catalogs (`locales/zh_CN/`); code and outputs
    stay as they are."""
    if kind not in ("reader", "student"):
        raise ValueError(f"the edition must be 'reader' or 'student'. Received: {kind!r}")
    if language not in WORDS:
        raise ValueError(f"the language must be one of {sorted(WORDS)}. Received: {language!r}")
    translator = None
    if language != "en":
        from booktools.i18n import Translator

        translator = Translator(root, language)
    paths = book_notebooks(root)
    places = book_places(paths, root)
    titles, labels = book_index(paths, translator, places)
    setup = colab_setup_source(root)
    words = WORDS[language]
    written = []
    for path in paths:
        notebook = reader_notebook(path, titles, labels, setup, places, translator, words)
        if kind == "student":
            notebook = student_notebook(notebook, words)
        if language != "en":
            notebook.setdefault("metadata", {})["language"] = language.replace("_", "-")
        target = out / f"{places[path.stem]}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
        written.append(target)
    return written


def write_downloads(html: Path, root: Path = ROOT, language: str = "en") -> list[Path]:
    """Put the reader notebooks (in `language`) where the built book's download button
    points (`_sources/chapters/...ipynb`), in place of the MyST sources Sphinx copied."""
    if not (html / "_sources").is_dir():
        raise FileNotFoundError(f"{html} holds no built book (no _sources/); run `make book`")
    return write_edition("reader", html / "_sources", root, language)


# Not needed on the notebooks branch, where the notebooks already are the reader edition.
TREE_SKIPS = {"binder/postBuild"}


def write_tree(out: Path, root: Path = ROOT) -> list[Path]:
    """The repository as the launch buttons (Colab, Binder) should see it: every tracked
    file, with each notebook of the book replaced by its reader edition. The workflow
    pushes this tree to the branch `repository.branch` names in `_config.yml`. The
    Chinese reader notebooks go to `zh/`, where the Chinese edition's buttons point."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        raise RuntimeError(f"{root} is not a git checkout: {listed.stderr.strip()}")
    notebooks = {f"{place}.ipynb" for place in book_places(book_notebooks(root), root).values()}
    for name in filter(None, listed.stdout.split("\0")):
        if name in notebooks or name in TREE_SKIPS or not (root / name).is_file():
            continue
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, out / name)
    written = write_edition("reader", out, root)
    if (root / "locales" / "zh_CN").is_dir():
        written += write_edition("reader", out / "zh", root, "zh_CN")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m booktools.editions",
        description="reader/student: write that edition (default: _build/<kind>); "
        "downloads: put the reader notebooks behind a built book's download buttons "
        "(default: _build/html); tree: the repository with reader notebooks, for the "
        "launch buttons' branch (default: _build/notebooks-branch).",
    )
    parser.add_argument("kind", choices=["reader", "student", "downloads", "tree"])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument(
        "--language", default="en", choices=sorted(WORDS),
        help="reader/student: the Chinese editions (zh_CN) default to _build/<kind>-zh",
    )  # fmt: skip
    args = parser.parse_intermixed_args(argv)
    default = {"downloads": "html", "tree": "notebooks-branch"}.get(args.kind, args.kind)
    if args.language != "en":
        default += "-zh"
    out = args.out or ROOT / "_build" / default
    if args.kind == "downloads":
        written = write_downloads(out)
    elif args.kind == "tree":
        written = write_tree(out)
    else:
        written = write_edition(args.kind, out, language=args.language)
    print(
        f"wrote {len(written)} reader notebooks to {out}"
        if args.kind != "student"
        else f"wrote {len(written)} student notebooks to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
