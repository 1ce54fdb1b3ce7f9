"""The PDF edition: the single-page HTML build printed by Chromium (booktools.pdf)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from booktools import editions, pdf


@pytest.fixture(scope="module")
def book_pdf(tmp_path_factory) -> Path:
    """`make pdf`'s two steps, into a temporary folder."""
    if not (os.environ.get("CNNTUT_CHROMIUM") or shutil.which("chromium")):
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail("the PDF test cannot run in CI without Chromium")
        pytest.skip("Chromium is not installed: apt-get install chromium")
    out = tmp_path_factory.mktemp("pdf")
    build = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
         "--builder", "singlehtml", "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    # In a process of its own, as `make pdf` runs it: the browser tests may hold a
    # Playwright session open in this one, and Playwright allows one per process.
    printed = subprocess.run(
        [sys.executable, "-m", "booktools.pdf",
         str(out / "_build" / "singlehtml" / "intro.html"), str(out / "book.pdf")],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stdout + printed.stderr
    return out / "book.pdf"


@pytest.fixture(scope="module")
def pages(book_pdf) -> list[str]:
    from pypdf import PdfReader

    def plain(text: str) -> str:  # Chromium sets ligatures and curly quotes
        return " ".join(text.replace("ﬁ", "fi").replace("’", "'").split())

    return [plain(page.extract_text()) for page in PdfReader(book_pdf).pages]


def test_pdf_has_a_page_count_of_a_whole_book(pages):
    assert 120 <= len(pages) <= 400, len(pages)  # 194 pages on A4 when it was written


def test_pdf_opens_with_the_table_of_contents_of_every_notebook(pages):
    contents = " ".join(pages[:2])
    for path in editions.book_notebooks():
        title = editions.book_index([path])[0][path.stem]
        first_words = " ".join(title.replace("`", "").split()[:3])
        assert first_words in contents, (path.stem, first_words)


def test_pdf_holds_every_chapter_text_and_figure(book_pdf, pages):
    from pypdf import PdfReader

    text = " ".join(pages)
    for phrase in (
        "restore_best_weights",  # chapter 3
        "BackupAndRestore",  # chapter 4
        "LRTracker",  # chapter 5
        "U-Net",  # chapter 6
        "TerminateOnNaN",  # chapter 7
        "safe_mode",  # chapter 8
    ):
        assert phrase in text, phrase
    # Solutions, folded on the web, are printed open.
    assert "Solution to Exercise 3.1 (recall)" in text
    assert "put the weights with the lowest" in text  # its body
    figures = 0
    for path in editions.book_notebooks():
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            figures += sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
    images = sum(len(page.images) for page in PdfReader(book_pdf).pages)
    assert images >= figures, (images, figures)


def test_pdf_tool_says_what_is_missing(tmp_path, capsys):
    assert pdf.main([str(tmp_path / "none.html"), str(tmp_path / "out.pdf")]) == 2
    assert "run the singlehtml build first" in capsys.readouterr().err
    assert not (tmp_path / "out.pdf").exists()


@pytest.fixture(scope="module")
def book_pdf_zh(tmp_path_factory) -> Path:
    """`make pdf-zh`'s two steps: the Chinese single page, printed."""
    if not (os.environ.get("CNNTUT_CHROMIUM") or shutil.which("chromium")):
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail("the PDF test cannot run in CI without Chromium")
        pytest.skip("Chromium is not installed: apt-get install chromium")
    out = tmp_path_factory.mktemp("pdf-zh")
    build = subprocess.run(
        [sys.executable, "-m", "booktools.i18n", "build", "--builder", "singlehtml",
         "--scratch", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    printed = subprocess.run(
        [sys.executable, "-m", "booktools.pdf",
         str(out / "_build" / "singlehtml" / "intro.html"), str(out / "book-zh.pdf")],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stdout + printed.stderr
    return out / "book-zh.pdf"


def test_chinese_pdf_sets_its_text_in_a_chinese_font(book_pdf_zh):
    """Chinese characters come out as text in an embedded CJK font, not as empty boxes."""
    import re

    from pypdf import PdfReader

    reader = PdfReader(book_pdf_zh)
    assert 120 <= len(reader.pages) <= 400, len(reader.pages)
    text = " ".join(page.extract_text() for page in reader.pages)
    chinese = len(re.findall(r"[\u4e00-\u9fff]", text))
    assert chinese > 20_000, chinese  # the whole book's prose, in Chinese
    assert "回调函数" in text and "ModelCheckpoint" in text  # prose and code
    fonts = set()  # Chromium embeds Noto CJK as Type 3 fonts: no /BaseFont, a /FontFamily
    for page in reader.pages[:10]:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            family = descriptor.get_object().get("/FontFamily") if descriptor else None
            fonts.add(str(font.get("/BaseFont") or family))
    assert any("CJK" in name for name in fonts), sorted(fonts)
