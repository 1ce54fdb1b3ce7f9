"""The Chinese edition (booktools.i18n): catalogs that cannot go stale, and its build."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

from booktools import i18n

CATALOGS = ROOT / "locales" / i18n.LANGUAGE / "LC_MESSAGES"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    """The `.pot` files of the book as it is now (Sphinx's gettext builder)."""
    return i18n.build_templates(tmp_path_factory.mktemp("gettext"))


def test_catalogs_translate_every_message_of_the_book_and_none_is_fuzzy(templates):
    """A changed English paragraph must be retranslated before the suite passes."""
    problems = i18n.catalog_problems(templates)
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all)"


def test_translations_keep_roles_glued_values_code_links_and_numbers():
    problems = []
    for catalog in sorted(CATALOGS.rglob("*.po")):
        problems += i18n.markup_problems(catalog)
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all)"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_catalog_check_names_the_file_and_each_stale_message(tmp_path):
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    _write(
        tmp_path / "pot" / "chapters" / "01_why_keras.pot",
        header + 'msgid "Why Keras"\nmsgstr ""\n\nmsgid "A new paragraph."\nmsgstr ""\n\n'
        'msgid "A changed paragraph."\nmsgstr ""\n',
    )
    _write(
        tmp_path / "locales" / i18n.LANGUAGE / "LC_MESSAGES" / "chapters" / "01_why_keras.po",
        header + 'msgid "Why Keras"\nmsgstr "为什么选择 Keras"\n\n'
        '#, fuzzy\nmsgid "A changed paragraph."\nmsgstr "旧的译文。"\n',
    )
    _write(tmp_path / "pot" / "intro.pot", header + 'msgid "Welcome"\nmsgstr ""\n')
    problems = i18n.catalog_problems(tmp_path / "pot", tmp_path / "locales")
    assert problems == [
        "chapters/01_why_keras.po: untranslated: A new paragraph.",
        "chapters/01_why_keras.po: fuzzy: A changed paragraph.",
        "intro.po: no catalog (run `make gettext`)",
    ]


def test_markup_check_names_a_dropped_glued_value_code_or_number(tmp_path):
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    catalog = _write(
        tmp_path / "ch.po",
        header
        + 'msgid "We hold out {glue:text}`ch3_n_val:,` of 50 images with `fit`."\n'
        + 'msgstr "我们留出 50 张图像，用 `fit`。"\n\n'
        + 'msgid "See {doc}`chapter 4 <04_saving>` and `keras.Model`."\n'
        + 'msgstr "见{doc}`第 4 章 <04_saving>`和 `keras.Model`。"\n\n'
        + 'msgid "It ran 12 epochs."\nmsgstr "它运行了十二个轮次。"\n',
    )
    problems = i18n.markup_problems(catalog)
    assert len(problems) == 2, problems
    assert "roles differ ({glue:text}ch3_n_val:,)" in problems[0]
    assert "numbers differ (12)" in problems[1]


def test_chinese_config_sets_the_language_and_keeps_the_extensions_loadable(tmp_path):
    settings = i18n.config()
    assert settings["sphinx"]["config"]["language"] == "zh_CN"
    assert CJK.search(settings["title"])
    for path in settings["sphinx"].get("local_extensions", {}).values():
        assert Path(path).is_absolute()  # the config file is written elsewhere


def test_chinese_book_builds_without_warnings(built_book_zh):
    html, result = built_book_zh
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    warnings = [line for line in log.splitlines() if re.search(r"WARNING|ERROR", line)]
    assert not warnings, "\n".join(warnings)


def _article_text(page: Path) -> str:
    """The prose of a built page: the article without code, outputs and navigation."""
    text = page.read_text(encoding="utf-8")
    article = text.split('<article class="bd-article">', 1)[-1].split("</article>", 1)[0]
    article = re.sub(r"(?s)<(pre|script|style)\b.*?</\1>", " ", article)
    article = re.sub(r"(?s)<code\b.*?</code>", " ", article)
    return re.sub(r"<[^>]+>", " ", article)


@pytest.mark.parametrize("page", ["intro", *[f"chapters/{p.stem}" for p in
                                             sorted((ROOT / "chapters").glob("*.ipynb"))],
                                  "extras/for_instructors", "extras/glossary"])  # fmt: skip
def test_chinese_page_is_mostly_chinese_prose(built_book_zh, page):
    html, _ = built_book_zh
    prose = _article_text(html / f"{page}.html")
    chinese, latin = len(CJK.findall(prose)), len(LATIN.findall(prose))
    # A Chinese character carries about as much as an English word of five letters.
    assert chinese * 3 > latin, f"{page}: {chinese} Chinese characters, {latin} Latin letters"


def test_chinese_pages_number_exercises_and_figures_as_the_english_ones(built_book, built_book_zh):
    english, _ = built_book
    chinese, _ = built_book_zh
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        page = f"chapters/{path.stem}.html"
        en = (english / page).read_text(encoding="utf-8")
        zh = (chinese / page).read_text(encoding="utf-8")
        numbers = r'caption-number">[^<\d]*([A-Z]?\d+(?:\.\d+)?)'
        assert re.findall(numbers, zh) == re.findall(numbers, en), path.stem


def test_chinese_buttons_give_the_chinese_reader_notebooks(built_book_zh):
    """Download: the Chinese reader notebook; Colab and Binder: zh/ of the branch."""
    html, _ = built_book_zh
    page = (html / "chapters" / "03_builtin_callbacks.html").read_text(encoding="utf-8")
    assert "/blob/notebooks/zh/chapters/03_builtin_callbacks.ipynb" in page  # Colab
    assert "lab/tree/zh/chapters/03_builtin_callbacks.ipynb" in page  # Binder
    download = html / "_sources" / "chapters" / "03_builtin_callbacks.ipynb"
    assert "**练习 3.1**" in download.read_text(encoding="utf-8")


def test_english_and_chinese_pages_link_to_each_other(built_book, built_book_zh):
    english, _ = built_book
    chinese, _ = built_book_zh
    en = (english / "chapters" / "03_builtin_callbacks.html").read_text(encoding="utf-8")
    zh = (chinese / "chapters" / "03_builtin_callbacks.html").read_text(encoding="utf-8")
    assert 'href="../zh/chapters/03_builtin_callbacks.html"' in en
    assert 'href="../../chapters/03_builtin_callbacks.html"' in zh
    assert (english / "zh" / "chapters" / "03_builtin_callbacks.html").is_file()


def test_filled_catalogs_carry_the_glued_values_of_the_english_pages(tmp_path):
    """Sphinx cannot run a glue role inside a translation: the build fills the values in."""
    import json

    from babel.messages.pofile import read_po

    from booktools.editions import glue_values

    folder = i18n.write_filled_catalogs(tmp_path) / i18n.LANGUAGE / "LC_MESSAGES"
    for path in folder.rglob("*.po"):
        with path.open("rb") as handle:
            translations = "".join(m.string for m in read_po(handle) if m.id)
        assert "{glue:text}" not in translations, path.name
    values = glue_values(json.loads((ROOT / "chapters/03_builtin_callbacks.ipynb").read_text()))
    with (folder / "chapters" / "03_builtin_callbacks.po").open("rb") as handle:
        catalog = read_po(handle)
    n_val = f"{int(values['ch3_n_val']):,}"
    filled = [m.string for m in catalog if m.id and "{glue:text}`ch3_n_val:,`" in m.id]
    assert filled and all(n_val in string for string in filled)


def test_chinese_table_of_contents_translates_every_part_caption(tmp_path):
    import yaml

    toc = yaml.safe_load(i18n.write_toc(tmp_path / "_toc.yml").read_text(encoding="utf-8"))
    captions = [part["caption"] for part in toc["parts"]]
    assert captions and all(CJK.search(caption) for caption in captions), captions

    root = tmp_path / "book"
    (root / "_toc.yml").parent.mkdir(parents=True)
    (root / "_toc.yml").write_text("root: intro\nparts:\n  - caption: Extras\n    chapters: []\n")
    with pytest.raises(KeyError, match="no translation of the caption 'Extras'"):
        i18n.write_toc(tmp_path / "out.yml", root)
