"""cnntut.book: run times read from notebook metadata, and the stated ones."""

from __future__ import annotations

import json

import pytest

from cnntut.book import chapter_run_times, notebook_run_time, stated_run_time


def _notebook(
    tmp_path,
    name="nb",
    stamps=(("00:00:01", "00:00:03"), ("00:00:03", "00:00:42")),
    text="**Run time**: about 40 s on a laptop",
):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [text]}]
    for start, end in stamps:
        cells.append(
            {
                "cell_type": "code",
                "source": ["x = 1"],
                "outputs": [],
                "execution_count": 1,
                "metadata": {
                    "execution": {
                        "iopub.execute_input": f"2026-01-01T{start}.000000Z",
                        "shell.execute_reply": f"2026-01-01T{end}.500000Z",
                    }
                },
            }
        )
    path = tmp_path / f"{name}.ipynb"
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def test_notebook_run_time_spans_first_start_to_last_reply(tmp_path):
    assert notebook_run_time(_notebook(tmp_path)) == pytest.approx(41.5)


def test_notebook_run_time_rejects_unexecuted_notebook(tmp_path):
    with pytest.raises(ValueError, match="no execution timestamps"):
        notebook_run_time(_notebook(tmp_path, stamps=()))


def test_notebook_run_time_rejects_non_notebook(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="bad.ipynb is not a notebook"):
        notebook_run_time(bad)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("**Run time**: about 40 s on a 2-core CPU", 40),
        ("**Run time**: about 2 min with the bundled data", 120),
        ("no statement here", None),
    ],
)
def test_stated_run_time_parses_seconds_and_minutes(tmp_path, text, seconds):
    assert stated_run_time(_notebook(tmp_path, text=text)) == seconds


def test_chapter_run_times_by_stem(tmp_path):
    _notebook(tmp_path, "b")
    _notebook(tmp_path, "a", stamps=(("00:00:00", "00:00:09"),))
    assert chapter_run_times(tmp_path) == {"a": pytest.approx(9.5), "b": pytest.approx(41.5)}


def test_chapter_run_times_rejects_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebooks"):
        chapter_run_times(tmp_path)


def test_execute_notebook_stores_outputs_and_allows_tagged_errors(tmp_path):
    import nbformat

    from booktools.notebooks import execute_notebook

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import os\nprint(os.getcwd())"),
        nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),
        nbformat.v4.new_code_cell("print('after')"),
    ]
    notebook.metadata["widgets"] = {"state": "stale"}
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook, path)
    seconds = execute_notebook(path)
    done = nbformat.read(path, as_version=4)
    assert done.cells[0].outputs[0]["text"].strip() == str(tmp_path.resolve())
    assert done.cells[1].outputs[0]["ename"] == "ZeroDivisionError"
    assert done.cells[2].outputs[0]["text"] == "after\n"
    assert "widgets" not in done.metadata
    assert seconds >= 0


def test_execute_notebook_leaves_file_untouched_on_error(tmp_path):
    import nbformat
    from nbclient.exceptions import CellExecutionError

    from booktools.notebooks import execute_notebook

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("raise RuntimeError('boom')")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook, path)
    before = path.read_bytes()
    with pytest.raises(CellExecutionError, match="boom"):
        execute_notebook(path)
    assert path.read_bytes() == before


def test_stated_full_run_time_reads_the_figure_after_cnntut_data_full(tmp_path):
    from cnntut.book import stated_full_run_time

    text = "**Run time**: about 20 s on a laptop (with `CNNTUT_DATA=full`, about 4 min)."
    assert stated_full_run_time(_notebook(tmp_path, text=text)) == 240
    assert stated_full_run_time(_notebook(tmp_path, name="b", text="about 40 s")) is None


def test_write_run_times_leaves_the_notebook_file_as_it_was(tmp_path, monkeypatch):
    from booktools.notebooks import write_run_times

    monkeypatch.delenv("CNNTUT_DATA", raising=False)
    notebook = _notebook(tmp_path, stamps=(("00:00:01", "00:00:02"),))
    before = notebook.read_bytes()
    out = tmp_path / "times.json"
    report = write_run_times([notebook], out)
    assert notebook.read_bytes() == before
    assert json.loads(out.read_text()) == report
    assert report["data"] == "sample" and list(report["seconds"]) == ["nb"]
    assert 0 <= report["seconds"]["nb"] < 60
    assert not list(tmp_path.glob(".*.tmp"))


def test_reader_traceback_keeps_the_cells_frame_and_the_message():
    from booktools.notebooks import reader_traceback

    output = {
        "output_type": "error",
        "traceback": [
            "\x1b[31m---------------------------------------------------------------\x1b[39m",
            "\x1b[31mValueError\x1b[39m    Traceback (most recent call last)",
            "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[3]\x1b[39m, line 1\n----> 1 f()\n",
            "\x1b[36mFile \x1b[39m\x1b[32m/home/me/.venv/lib/site-packages/keras/x.py:9\x1b[39m\n",
            "\x1b[31mValueError\x1b[39m: bad value",
        ],
    }
    kept = reader_traceback(output)["traceback"]
    assert len(kept) == 4 and not any("site-packages" in entry for entry in kept)
    assert kept[-1].endswith("bad value") and "In[3]" in kept[2]
    assert reader_traceback({"output_type": "stream", "text": "x"}) == {
        "output_type": "stream",
        "text": "x",
    }


def test_appendix_numbers_restart_in_each_appendix_with_its_prefix():
    from types import SimpleNamespace

    from booktools.sphinx_book import appendix_prefix, renumber_appendices

    assert appendix_prefix("chapters/A2_performance") == "A2"
    assert appendix_prefix("chapters/03_builtin_callbacks") is None
    assert appendix_prefix("chapters/Appendix_notes") is None
    env = SimpleNamespace(
        toc_fignumbers={
            "chapters/03_builtin_callbacks": {"figure": {"f": (3, 1)}},
            # Sphinx counts across unnumbered documents: A2 has 4 and 5, A3 has 6.
            "chapters/A2_performance": {"figure": {"late": (5,), "early": (4,)}},
            "chapters/A3_distributed": {"exercise": {"e": (6,)}},
        }
    )
    rewritten = renumber_appendices(None, env)
    assert rewritten == ["chapters/A2_performance", "chapters/A3_distributed"]
    assert env.toc_fignumbers["chapters/A2_performance"]["figure"] == {
        "early": ("A2", 1),
        "late": ("A2", 2),
    }
    assert env.toc_fignumbers["chapters/A3_distributed"]["exercise"] == {"e": ("A3", 1)}
    assert env.toc_fignumbers["chapters/03_builtin_callbacks"]["figure"] == {"f": (3, 1)}
