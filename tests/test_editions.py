"""The plain-notebook editions (booktools.editions): reader notebooks and the student edition."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import ROOT

from booktools import editions

MYST = re.compile(r"\{[a-z:]+\}`|^:::|^\([A-Za-z0-9_-]+\)=", re.MULTILINE)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _text(cells: list[dict], kind: str) -> str:
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == kind)


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reader")
    return {p.stem: p for p in editions.write_edition("reader", out)}


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("student")
    return {p.stem: p for p in editions.write_edition("student", out)}


def test_reader_edition_has_every_notebook_of_the_book(reader):
    assert list(reader) == [p.stem for p in editions.book_notebooks()]


def test_reader_notebooks_show_no_myst_markup_and_import_no_myst(reader):
    for stem, path in reader.items():
        cells = _cells(path)
        assert not MYST.findall(_text(cells, "markdown")), stem
        assert "myst_nb" not in _text(cells, "code"), stem


def test_reader_notebooks_fill_in_every_glued_number(reader):
    source = _cells(ROOT / "chapters" / "03_builtin_callbacks.ipynb")
    values = editions.glue_values({"cells": source})
    text = _text(_cells(reader["03_builtin_callbacks"]), "markdown")
    assert f"hold out the last {int(values['ch3_n_val']):,} of the" in text
    best = format(float(values["ch3_best_val_loss"]), ".4f")
    assert f"(validation loss\n{best})" in text or f"(validation loss {best})" in text


def test_reader_links_lead_to_notebooks_and_anchors_that_exist(reader):
    anchors = {}
    for stem, path in reader.items():
        text = _text(_cells(path), "markdown")
        headings = {editions._anchor(line) for line in text.splitlines() if line.startswith("#")}
        anchors[stem] = headings | set(re.findall(r'<a id="([^"]+)"></a>', text))
    bad = []
    for stem, path in reader.items():
        text = _text(_cells(path), "markdown")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http", "mailto")):
                continue
            name, _, anchor = target.partition("#")
            page = (path.parent / name).resolve() if name else path
            if not page.is_file() or (anchor and anchor not in anchors[page.stem]):
                bad.append(f"{stem}: {target}")
    assert not bad, bad


def test_reader_dropdowns_become_details_and_figures_keep_their_captions(reader):
    cells = _cells(reader["03_builtin_callbacks"])
    markdown = _text(cells, "markdown")
    assert "<details><summary>Solution</summary>" in markdown
    assert "*Figure: Loss and accuracy per epoch" in markdown


def test_reader_first_code_cell_installs_the_book_only_on_colab(monkeypatch):
    setup = editions.colab_setup_source()
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kwargs: calls.append(cmd))
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(setup, "setup", "exec"), {})
    assert calls == []  # not on Colab: nothing happens

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(compile(setup, "setup", "exec"), {})
    repo = editions.repository_url()
    assert calls == [
        [
            sys.executable, "-m", "pip", "install", "--quiet",
            "-r", f"{repo}/raw/main/requirements-colab.txt",
            f"cnntut @ git+{repo}@main",
        ]
    ]  # fmt: skip


def test_colab_requirements_are_pinned_as_the_book_was_run():
    def pins(name):
        lines = (ROOT / name).read_text().splitlines()
        return {line for line in lines if line and not line.startswith(("#", "-"))}

    colab = pins("requirements-colab.txt")
    assert colab and all("==" in line for line in colab)
    assert colab <= pins("requirements.txt")


def test_student_edition_removes_every_solution_and_keeps_every_self_check(reader, student):
    for stem, path in student.items():
        cells = _cells(path)
        readers = _cells(reader[stem])
        code_solutions = _text(readers, "markdown").count("**Solution to Exercise")
        answers = [c for c in cells if "answer" in c.get("metadata", {}).get("tags", [])]
        assert not any(editions.is_solution(c) for c in cells), stem
        assert len(answers) == code_solutions, stem
        assert "<details><summary>Solution</summary>" not in _text(cells, "markdown"), stem
        assert _text(cells, "code").count("Self-check") == _text(readers, "code").count(
            "Self-check"
        ), stem
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code"), stem


def test_reader_numbers_exercises_and_folds_code_solutions(reader):
    markdown = _text(_cells(reader["A2_performance"]), "markdown")
    assert re.findall(r"\*\*Exercise (A2\.\d)\*\* \((\w+)\)", markdown) == [
        ("A2.1", "recall"),
        ("A2.2", "apply"),
        ("A2.3", "build"),
    ]
    cells = _cells(reader["A2_performance"])
    solution_code = [c for c in cells if c["cell_type"] == "code" and editions.is_solution(c)]
    assert len(solution_code) == 3  # A2.2's one cell, A2.3's two
    assert all(c["metadata"]["jupyter"]["source_hidden"] for c in solution_code)


def test_reader_exercises_render_from_directives():
    exercises = editions.Exercises("03_builtin_callbacks")
    statement = (
        ":::{exercise-start} recall\n:label: ex-3-1\n:::\n\nWhich callback?\n\n"
        ":::{exercise-end}\n:::\n\n:::{solution-start} ex-3-1\n:class: dropdown\n:::\n\n"
        "EarlyStopping.\n\n:::{solution-end}\n:::"
    )
    text, heading = exercises.markdown(statement)
    assert text == (
        '<a id="ex-3-1"></a>**Exercise 3.1** (recall) Which callback?\n\n'
        "<details><summary>Solution</summary>\n\nEarlyStopping.\n\n</details>"
    )
    assert heading is None and not exercises.open

    opening = statement.split("EarlyStopping.")[0].replace("ex-3-1", "ex-3-2")
    text, heading = exercises.markdown(opening)
    assert heading.startswith("**Solution to Exercise 3.2**") and exercises.open
    assert exercises.markdown(":::{solution-end}\n:::") == ("", None)
    assert not exercises.open


def test_reader_refuses_an_exercise_in_an_unnumbered_notebook():
    with pytest.raises(ValueError, match="for_instructors: exercises need a numbered"):
        editions.Exercises("for_instructors").markdown(":::{exercise-start}\n:::\nText")


def test_student_self_checks_fail_until_the_exercise_is_done(student, tmp_path):
    """Chapter 1, executed as a student gets it: every self-check fails, nothing else does."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(student["01_why_keras"], as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    failed = [i for i, c in enumerate(notebook.cells) if _errored(c)]
    checks = _self_checks(notebook.cells)
    expected = {i for i in checks} | {
        i for i, c in enumerate(notebook.cells) if "raises-exception" in c.metadata.get("tags", [])
    }
    assert checks and set(checks) <= set(failed), (checks, failed)
    assert set(failed) <= expected, [notebook.cells[i].source[:60] for i in failed]


def _errored(cell) -> bool:
    return cell.cell_type == "code" and any(o.output_type == "error" for o in cell.outputs)


def _self_checks(cells) -> list[int]:
    """The first code cell after each answer cell."""
    found, waiting = [], False
    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        if "answer" in cell.metadata.get("tags", []):
            waiting = True
        elif waiting:
            found.append(index)
            waiting = False
    return found


def test_binder_builds_the_pinned_environment_on_the_tested_python():
    assert (ROOT / "binder" / "requirements.txt").read_text().count("-r ../requirements.txt") == 1
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert runtime == "python-3.11"  # the version requirements.txt was tested on
    assert "Python 3.11" in (ROOT / "requirements.txt").read_text().splitlines()[0]


def test_reader_edition_keeps_the_sources_folders(reader):
    places = {stem: path.parent.name for stem, path in reader.items()}
    assert places["01_why_keras"] == "chapters" and places["for_instructors"] == "extras"


def test_book_download_buttons_give_the_reader_notebooks(built_book):
    html, _ = built_book
    page = (html / "chapters" / "03_builtin_callbacks.html").read_text(encoding="utf-8")
    assert 'href="../_sources/chapters/03_builtin_callbacks.ipynb"' in page
    cells = _cells(html / "_sources" / "chapters" / "03_builtin_callbacks.ipynb")
    assert "colab-setup" in cells[[c["cell_type"] for c in cells].index("code")]["metadata"]["tags"]
    assert not MYST.findall(_text(cells, "markdown"))


def test_launch_branch_tree_is_the_repository_with_reader_notebooks(tmp_path):
    editions.write_tree(tmp_path)
    for name in (
        "cnntut/__init__.py",
        "requirements.txt",
        "requirements-colab.txt",
        "binder/requirements.txt",
        "binder/runtime.txt",
        "pyproject.toml",
    ):
        assert (tmp_path / name).is_file(), name  # fmt: skip
    assert not (tmp_path / "binder" / "postBuild").exists()  # nothing left to convert
    for path in editions.book_notebooks():
        for edition in (tmp_path, tmp_path / "zh"):  # the Chinese edition's buttons: zh/
            cells = _cells(edition / path.relative_to(ROOT))
            assert not MYST.findall(_text(cells, "markdown")), path.name
    chinese = _text(_cells(tmp_path / "zh" / "chapters" / "03_builtin_callbacks.ipynb"), "markdown")
    assert "**练习 3.1**" in chinese


def test_workflow_tests_deploys_pages_and_fills_the_launch_buttons_branch():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    jobs = workflow["jobs"]
    steps = lambda job: " ".join(str(step) for step in jobs[job]["steps"])  # noqa: E731
    assert "make test" in steps("test")
    assert "actions/upload-pages-artifact" in steps("test")
    assert "actions/deploy-pages" in steps("deploy")
    assert "booktools.editions tree" in steps("notebooks") and "repository" in steps("notebooks")
    assert "book.pdf" in steps("release") and "student" in steps("release")
    assert "book-zh" in steps("test") and "book-zh.pdf" in steps("release")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["branch"] != "main"  # the sources are not what buttons open


@pytest.fixture(scope="module")
def reader_zh(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reader-zh")
    return {p.stem: p for p in editions.write_edition("reader", out, language="zh_CN")}


def test_chinese_reader_notebooks_take_every_piece_of_markdown_from_the_catalogs(tmp_path):
    from booktools.i18n import Translator

    translator = Translator()
    for path in editions.book_notebooks():
        place = path.relative_to(ROOT).with_suffix("").as_posix()
        for cell in _cells(path):
            if cell["cell_type"] == "markdown":
                translator.markdown("".join(cell["source"]), place)
    assert not translator.missing, translator.missing[:10]


def test_chinese_reader_notebooks_are_plain_and_chinese_with_the_same_code(reader, reader_zh):
    for stem, path in reader_zh.items():
        cells, english = _cells(path), _cells(reader[stem])
        markdown = _text(cells, "markdown")
        assert not MYST.findall(markdown), stem
        assert len(re.findall(r"[\u4e00-\u9fff]", markdown)) > 200, stem
        assert _text(cells, "code") == _text(english, "code"), stem
    text = _text(_cells(reader_zh["03_builtin_callbacks"]), "markdown")
    assert "**练习 3.1**（回顾）" in text and "<details><summary>解答</summary>" in text


def test_chinese_student_edition_keeps_every_self_check(tmp_path, student):
    chinese = {p.stem: p for p in editions.write_edition("student", tmp_path, language="zh_CN")}
    for stem, path in chinese.items():
        cells, english = _cells(path), _cells(student[stem])
        assert _text(cells, "code").count("Self-check") == _text(english, "code").count(
            "Self-check"
        ), stem
        answers = [c for c in cells if "answer" in c["metadata"].get("tags", [])]
        assert len(answers) == sum("answer" in c["metadata"].get("tags", []) for c in english)
        assert not editions.SOLUTION_DETAILS.search(_text(cells, "markdown")), stem
        assert not any(editions.is_solution(c) for c in cells), stem
