"""The HTML book builds strictly: zero Sphinx warnings, a page per chapter."""

from __future__ import annotations

import json
import re

import yaml
from conftest import ROOT


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part["chapters"]]
    return files


def test_book_builds_without_warnings(built_book):
    html, result = built_book
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    warnings = [line for line in log.splitlines() if re.search(r"WARNING|ERROR", line)]
    assert not warnings, "\n".join(warnings)
    assert (html / "index.html").is_file()


def test_book_has_a_page_per_toc_entry(built_book):
    html, _ = built_book
    for name in _toc_files():
        assert (html / f"{name}.html").is_file(), f"no page for {name}"


def test_book_lists_every_chapter_notebook_in_toc():
    listed = set(_toc_files())
    on_disk = {f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*.ipynb")}
    assert on_disk <= listed, f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"


def test_book_notebooks_carry_outputs():
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = [c for c in cells if c["cell_type"] == "code" and c["source"]]
        unexecuted = [c for c in code if c.get("execution_count") is None]
        assert not unexecuted, f"{path.name}: {len(unexecuted)} code cells never executed"


def test_book_chapters_state_their_measured_run_time():
    """Each chapter's "Run time: about N" agrees with the run that made its outputs."""
    from cnntut.book import notebook_run_time, stated_run_time

    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        stated = stated_run_time(path)
        assert stated is not None, f"{path.name} states no run time"
        measured = notebook_run_time(path)
        assert stated / 2 <= measured <= stated * 1.5 + 10, (
            f"{path.name} says about {stated:.0f} s but its stored run took {measured:.0f} s"
        )


def test_book_every_figure_has_caption_and_alt_text():
    for path in sorted(ROOT.glob("*/*.ipynb")):
        if "artifacts" in path.parts:
            continue
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            outputs = cell.get("outputs", [])
            if not any("image/png" in out.get("data", {}) for out in outputs):
                continue
            mystnb = cell["metadata"].get("mystnb", {})
            assert mystnb.get("figure", {}).get("caption"), f"{path.name} cell {index}: no caption"
            assert mystnb.get("image", {}).get("alt"), f"{path.name} cell {index}: no alt text"


def test_book_stored_outputs_hold_no_tensorflow_start_up_lines():
    """`make notebooks` strips TensorFlow's C++ log lines; a reader never sees them."""
    from cnntut.capture import NATIVE_LOG_LINE

    for path in sorted(ROOT.glob("*/*.ipynb")):
        if "artifacts" in path.parts:
            continue
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            for out in cell.get("outputs", []):
                text = "".join(out.get("text", ""))
                native = [line for line in text.splitlines() if NATIVE_LOG_LINE.match(line)]
                assert not native, f"{path.name} cell {index}: {native[0][:80]}"


def test_book_chapters_take_their_seed_from_the_environment():
    """Every chapter seeds with `SEED = cnntut.set_seed()` (42 or $CNNTUT_SEED) and reseeds
    only with values derived from it, so `make robust` really varies every training."""
    literal_seed = re.compile(r"set_seed\(\s*\d")
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        assert re.search(r"^SEED = cnntut\.set_seed\(", "".join(cells[0]["source"]), re.M), (
            f"{path.name}: the first code cell must set SEED = cnntut.set_seed()"
        )
        for cell in cells:
            source = "".join(cell["source"])
            assert not literal_seed.search(source), f"{path.name}: a fixed seed in {source[:60]!r}"


def test_book_chapters_state_their_measured_full_data_run_time():
    """Each chapter also says how long it takes on the full MNIST (`CNNTUT_DATA=full`),
    and that figure agrees with the timed run in benchmarks/full_data_run_times.json."""
    from cnntut.book import FULL_RUN_TIMES, stated_full_run_time

    measured = json.loads(FULL_RUN_TIMES.read_text())
    assert measured["data"] == "full", measured["data"]
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        stated = stated_full_run_time(path)
        assert stated is not None, f"{path.name} states no run time for CNNTUT_DATA=full"
        seconds = measured["seconds"][path.stem]
        assert stated / 2 <= seconds <= stated * 1.5 + 10, (
            f"{path.name} says about {stated:.0f} s with the full MNIST, "
            f"but the timed run took {seconds:.0f} s"
        )


def test_book_exercise_text_never_sits_in_a_code_cell():
    """Exercise prompts, headings and solutions are markdown: a `#` comment in a code cell
    is missing from the page's table of contents and shows its answer in plain sight."""
    exercise_text = re.compile(
        r"^\s*#.*(\*\*Exercise [A-Z0-9.]+\*\*|#+ Exercises|\{dropdown\}|:::)", re.M
    )
    for path in sorted(ROOT.glob("*/*.ipynb")):
        if "artifacts" in path.parts:
            continue
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            if cell["cell_type"] != "code":
                continue
            found = exercise_text.search("".join(cell["source"]))
            assert not found, f"{path.name} cell {index}: {found.group(0).strip()!r}"


def test_book_figures_are_opaque_so_they_read_in_dark_mode():
    """Every stored figure is drawn on an opaque background: on the theme's dark page a
    transparent figure would show black axis labels on a dark background."""
    import base64
    import io

    from PIL import Image

    see_through = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png is None:
                    continue
                image = Image.open(io.BytesIO(base64.b64decode(png))).convert("RGBA")
                alpha = image.getchannel("A")
                if alpha.getextrema()[0] < 255:
                    see_through.append(f"{path.name} cell {index}")
    assert not see_through, see_through


def _code_cells():
    for path in sorted((ROOT / "chapters").glob("*.ipynb")) + sorted(
        (ROOT / "extras").glob("*.ipynb")
    ):
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "code":
                yield f"{path.name} cell {index}", cell


def test_book_shows_no_glue_calls():
    """glue(...) is plumbing: every cell that calls it, even inside a loop or a function,
    is tagged remove-cell and stays off the page (so it holds nothing else)."""
    import ast

    shown = []
    for where, cell in _code_cells():
        tree = ast.parse("".join(cell["source"]))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        glues = any(getattr(n.func, "id", None) == "glue" for n in calls)
        if glues and "remove-cell" not in cell["metadata"].get("tags", []):
            shown.append(where)
    assert not shown, shown


def test_book_marks_checked_outputs_with_a_tag_not_a_comment():
    """nbval reads the tag nbval-check-output; a `# NBVAL_CHECK_OUTPUT` line would show."""
    comments = [w for w, c in _code_cells() if "NBVAL_" in "".join(c["source"])]
    assert not comments, comments
    tagged = [w for w, c in _code_cells() if "nbval-check-output" in c["metadata"].get("tags", [])]
    assert len(tagged) >= 20, len(tagged)  # 26 when the tags replaced the comments


def test_book_stored_tracebacks_show_no_library_frames_or_build_paths():
    leaks = []
    for where, cell in _code_cells():
        for output in cell.get("outputs", []):
            text = json.dumps(output)
            if "site-packages" in text or str(ROOT) in text:
                leaks.append(where)
    assert not leaks, leaks


_DIRECTIVE = re.compile(
    r"^:::\{(exercise|solution)-(start|end)\}[ \t]*(.*)\n((?::[\w-]+:.*\n)*):::", re.M
)


def test_book_exercises_are_labelled_in_order_and_each_has_one_collapsed_solution():
    """`ex-3-1`, `ex-3-2`, ... in order; each exercise closed, then one dropdown solution
    naming it, closed before the next exercise starts."""
    from booktools.editions import exercise_prefix

    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        found = [
            (kind, edge, argument.strip(), options) for kind, edge, argument, options in
            _DIRECTIVE.findall(text)
        ]  # fmt: skip
        exercises = [o for kind, edge, _, o in found if (kind, edge) == ("exercise", "start")]
        prefix = (exercise_prefix(path.stem) or "").lower()
        labels = [f"ex-{prefix}-{n}" for n in range(1, len(exercises) + 1)]
        assert [re.search(r":label: (\S+)", o).group(1) for o in exercises] == labels, path.name
        expected = []
        for label in labels:
            expected += [("exercise", "start"), ("exercise", "end")]
            expected += [("solution", "start", label), ("solution", "end")]
        shape = [(k, e, a) if (k, e) == ("solution", "start") else (k, e) for k, e, a, _ in found]
        assert shape == expected, path.name
        solutions = [o for kind, edge, _, o in found if (kind, edge) == ("solution", "start")]
        assert all(":class: dropdown" in o for o in solutions), f"{path.name}: a solution shows"


def test_book_numbers_exercises_as_the_reader_notebooks_do(built_book, tmp_path):
    """Chapters "Exercise 3.1", appendices "Exercise A2.1" (and "Fig. A2.1"): the numbers
    the HTML shows are the numbers the plain notebooks print."""
    from booktools import editions

    html, _ = built_book
    for notebook in editions.write_edition("reader", tmp_path):
        if not (ROOT / "chapters" / notebook.name).is_file():
            continue  # the instructors' page has no exercises
        page = (html / "chapters" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        shown = re.findall(r'caption-number">Exercise ([A-Z]?\d+\.\d+) ', page)
        printed = re.findall(r"\*\*Exercise ([A-Z]?\d+\.\d+)\*\*", notebook.read_text())
        assert shown == printed, notebook.stem
        if notebook.stem.startswith("A"):
            figures = re.findall(r'caption-number">Fig\. ([^ <]+) ', page)
            prefix = notebook.stem.split("_")[0]
            assert figures == [f"{prefix}.{n}" for n in range(1, len(figures) + 1)]
