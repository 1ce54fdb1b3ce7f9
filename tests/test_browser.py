"""The built book, as a reader's browser sees it: headless Chromium driven by Playwright.

Every page of the HTML build is served on localhost and opened once. The tests then
check that it loaded, that its images have pixels, that its internal links lead to
an existing page and anchor, and that the browser console shows no error from our
own content. Each chapter leaves a full-page screenshot for a person to look at, in
`artifacts/screenshots/` (or the folder named by `CNNTUT_SCREENSHOTS`). The Chinese
edition (`zh/`, built into the English book as `make book-zh` builds it) is visited
page by page too, and its search must find a Chinese word: that needs `jieba`, which
Sphinx uses to cut Chinese text into words (without it no Chinese word is indexed).

Needs Debian's `chromium` package (`.ci/run` installs it) and the `playwright`
package; Playwright's own browser download is never used. Without Chromium the
tests are skipped, except in CI (`CI=true`), where they fail. To test an existing
build instead of building, name its HTML folder in `CNNTUT_BOOK_HTML`.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from conftest import ROOT

SCREENSHOTS_ENV = "CNNTUT_SCREENSHOTS"
CHROMIUM_ENV = "CNNTUT_CHROMIUM"
BOOK_HTML_ENV = "CNNTUT_BOOK_HTML"  # an existing build to test, instead of building
# Chromium must not try to reach anything: this machine has no network, and the tests
# must not use one. `--no-sandbox` because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
TIMEOUT_MS = 30_000

# Console errors that come from the theme's own scripts, not from our content. Each
# was looked at and is harmless; anything else fails the test.
THIRD_PARTY_NOISE = {
    # sphinx-thebe 0.3.1 adds its one-line config script twice under Sphinx 7.4;
    # the first copy defines the constants and thebe is not used by the book.
    r"Identifier 'THEBE_JS_URL' has already been declared",
    # pydata-sphinx-theme on a first visit, when localStorage holds no theme mode.
    r"Got invalid theme mode: \S*\. Resetting to auto\.",
}


def _toc_pages() -> list[str]:
    """Page paths (no `.html`) in `_toc.yml` order: the root, then every chapter."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [entry["file"] for entry in part["chapters"]]
    return pages


CHAPTER_PAGES = _toc_pages()
# Sphinx adds the redirecting index, the general index and the search page.
PAGES = ["index", *CHAPTER_PAGES, "genindex", "search"]
PAGES += [f"zh/{page}" for page in ("index", *CHAPTER_PAGES, "genindex", "search")]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable; skip without one, except in CI, where it fails."""
    path = (
        os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    problem = None
    if not path:
        problem = "Chromium is not installed: apt-get install chromium chromium-driver"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing: pip install -r requirements.txt"
    if problem:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)
    return path


@pytest.fixture(scope="session")
def book_html(request) -> Path:
    """The built HTML: the session's strict build, or a folder named by `CNNTUT_BOOK_HTML`."""
    if os.environ.get(BOOK_HTML_ENV):
        return Path(os.environ[BOOK_HTML_ENV])
    html, result = request.getfixturevalue("built_book")
    assert (html / "index.html").is_file(), (
        "the book did not build:\n" + (result.stdout + result.stderr)[-3000:]
    )
    zh, result = request.getfixturevalue("built_book_zh")  # its pages are visited too
    assert (zh / "index.html").is_file(), (
        "the Chinese edition did not build:\n" + (result.stdout + result.stderr)[-3000:]
    )
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def book_url(book_html) -> Iterator[str]:
    """The book served over http on a free localhost port (search needs http)."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser_context(chromium, book_url):
    """A headless Chromium context that may load nothing but the local book."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        # Anything not on our server is refused before it leaves the browser, as it
        # would be for a reader offline; pages must not depend on it.
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(book_url)
                else route.abort("internetdisconnected")
            ),
        )
        yield context
        context.close()
        browser.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or ROOT / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Visit:
    """What one page showed the browser."""

    url: str
    status: int | None = None
    final_url: str = ""
    title: str = ""
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    console_errors: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    broken_requests: list[str] = field(default_factory=list)
    clipped: list[str] = field(default_factory=list)
    solutions_shown_on_load: list[bool] = field(default_factory=list)
    solutions_shown_on_click: list[bool] = field(default_factory=list)
    text: str = ""
    screenshot: Path | None = None


# Let lazy images load, wait for each to finish (or fail), then report them all.
_IMAGES_JS = """async () => {
  const images = Array.from(document.images);
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done); img.addEventListener("error", done);
  })));
  return images.map((img) => ({src: img.currentSrc || img.src, alt: img.alt,
                               naturalWidth: img.naturalWidth}));
}"""
_LINKS_JS = "Array.from(document.querySelectorAll('a[href]'), (a) => a.href)"
# Code and output blocks whose content is wider than the block: the reader would have
# to scroll sideways to see the end of the line. Their first line is reported.
_CLIPPED_JS = """Array.from(document.querySelectorAll('.bd-article pre'))
  .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
  .map((pre) => pre.textContent.split('\\n')[0].slice(0, 80))"""

# For each exercise's solution (sphinx-exercise, collapsed by sphinx-togglebutton):
# whether anything below its title is visible.
_SOLUTIONS_JS = """Array.from(document.querySelectorAll('.bd-article .solution'), (s) =>
  Array.from(s.children).some((c) => !c.classList.contains('admonition-title')
                                     && c.checkVisibility() && c.offsetHeight > 0))"""
_OPEN_SOLUTIONS_JS = """document.querySelectorAll('.bd-article .solution .toggle-button')
  .forEach((button) => button.click())"""


@pytest.fixture(scope="session")
def visit(browser_context, book_url, screenshot_dir):
    """`visit(page)` opens a page once per session and returns its `Visit`."""
    cache: dict[str, Visit] = {}

    def _visit(page_name: str) -> Visit:
        if page_name in cache:
            return cache[page_name]
        result = Visit(url=f"{book_url}{page_name}.html")
        page = browser_context.new_page()
        page.on(
            "console",
            lambda msg: (
                msg.type == "error"
                and result.console_errors.append((msg.text, msg.location.get("url", "")))
            ),
        )
        page.on("pageerror", lambda exc: result.page_errors.append(str(exc)))
        page.on(
            "response",
            lambda resp: (
                resp.status >= 400
                and resp.url.startswith(book_url)
                and result.broken_requests.append(f"{resp.status} {resp.url}")
            ),
        )
        try:
            response = page.goto(result.url, wait_until="load")
            result.status = response.status if response else None
            if Path(page_name).name == "index":  # a meta refresh to the root page
                edition = page_name.removesuffix("index")  # "" or "zh/"
                page.wait_for_url(f"{book_url}{edition}{CHAPTER_PAGES[0]}.html")
                page.wait_for_load_state("load")
            result.final_url = page.url
            result.title = page.title()
            result.images = page.evaluate(_IMAGES_JS)
            result.links = page.evaluate(_LINKS_JS)
            result.solutions_shown_on_load = page.evaluate(_SOLUTIONS_JS)
            if page_name in CHAPTER_PAGES:
                result.screenshot = screenshot_dir / f"{Path(page_name).name}.png"
                page.screenshot(path=str(result.screenshot), full_page=True)
            # Open every solution, so that the checks below cover their code and output.
            page.evaluate(_OPEN_SOLUTIONS_JS)
            result.solutions_shown_on_click = page.evaluate(_SOLUTIONS_JS)
            result.clipped = page.evaluate(_CLIPPED_JS)
            result.text = page.evaluate("document.querySelector('.bd-article')?.innerText ?? ''")
        finally:
            page.close()
        cache[page_name] = result
        return result

    return _visit


class _Anchors(html.parser.HTMLParser):
    """Collects every `id` (and `<a name>`) of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.anchors.add(value)


@functools.cache
def _anchors(path: Path) -> frozenset[str]:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return frozenset(parser.anchors)


def _our_error(text: str, source: str, book_url: str) -> bool:
    """Whether a console error comes from our content, not from the theme or offline."""
    if source and not source.startswith(book_url):
        return False  # a blocked external resource: there is no network
    if urlsplit(source).path == "/favicon.ico":
        return False  # the browser asks for it by itself; the book declares none
    return not any(re.search(pattern, text) for pattern in THIRD_PARTY_NOISE)


# ---------------------------------------------------------------- tests


def test_browser_visits_every_built_page(book_html):
    built = {
        str(path.relative_to(book_html).with_suffix(""))
        for path in book_html.rglob("*.html")
        if not any(part.startswith("_") for part in path.relative_to(book_html).parts)
    }
    assert built == set(PAGES), f"pages the browser tests do not visit: {built - set(PAGES)}"


@pytest.mark.parametrize("page_name", PAGES)
def test_browser_page_loads(visit, page_name):
    result = visit(page_name)
    assert result.status == 200, f"{result.url} answered {result.status}"
    assert result.title, f"{result.final_url} has no title"
    assert not result.broken_requests, f"{page_name}: {result.broken_requests}"


@pytest.mark.parametrize("page_name", PAGES)
def test_browser_page_images_load(visit, page_name):
    result = visit(page_name)
    broken = [img["src"] for img in result.images if img["naturalWidth"] == 0]
    assert not broken, f"{page_name}: images that did not load: {broken}"


@pytest.mark.parametrize("page_name", PAGES)
def test_browser_page_internal_links_resolve(visit, book_html, book_url, page_name):
    result = visit(page_name)
    bad = []
    for link in result.links:
        if not link.startswith(book_url):
            continue  # external: not checked, there is no network
        parts = urlsplit(link)
        target = book_html / unquote(parts.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            bad.append(f"{link} (no such file)")
        elif parts.fragment and target.suffix == ".html":
            if unquote(parts.fragment) not in _anchors(target):
                bad.append(f"{link} (no such anchor)")
    assert not bad, f"{page_name}: broken internal links:\n" + "\n".join(sorted(set(bad)))


@pytest.mark.parametrize("page_name", PAGES)
def test_browser_page_console_has_no_errors(visit, book_url, page_name):
    result = visit(page_name)
    errors = [
        f"{text} (at {src})"
        for text, src in result.console_errors
        if _our_error(text, src, book_url)
    ]
    errors += [
        f"uncaught: {text}"
        for text in result.page_errors
        if not any(re.search(pattern, text) for pattern in THIRD_PARTY_NOISE)
    ]
    assert not errors, f"{page_name}: console errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("page_name", CHAPTER_PAGES)
def test_browser_saves_a_screenshot_of_each_chapter(visit, page_name):
    result = visit(page_name)
    assert result.screenshot is not None and result.screenshot.is_file()
    assert result.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("page_name", PAGES)
def test_browser_page_shows_every_code_line_whole(visit, page_name):
    """At 1280 px no code or output block hides the end of a line behind a scroll."""
    result = visit(page_name)
    assert not result.clipped, f"{page_name}: clipped blocks, first lines: {result.clipped}"


@pytest.mark.parametrize("page_name", PAGES)
def test_browser_page_keeps_solutions_folded_until_clicked(visit, page_name):
    """A solution's code, output and text show only after the reader opens it."""
    result = visit(page_name)
    assert not any(result.solutions_shown_on_load), f"{page_name}: a solution shows on load"
    assert all(result.solutions_shown_on_click), f"{page_name}: a solution did not open"
    source = ROOT / f"{page_name.removeprefix('zh/')}.ipynb"
    if source.is_file() and ":::{exercise-start}" in source.read_text(encoding="utf-8"):
        assert result.solutions_shown_on_load, f"{page_name}: no solutions found"


@pytest.mark.parametrize("page_name", PAGES)
def test_browser_page_shows_no_test_plumbing_or_build_paths(visit, page_name):
    """nbval's markers are cell tags, and tracebacks keep no build-machine path."""
    text = visit(page_name).text
    for leak in ("NBVAL_", "site-packages", str(ROOT)):
        assert leak not in text, f"{page_name} shows {leak!r}"


def test_browser_chinese_search_finds_a_chinese_word(browser_context, book_url):
    """Searching the Chinese edition for 回调 (callback) lists the pages that use it."""
    page = browser_context.new_page()
    try:
        page.goto(f"{book_url}zh/search.html?q=回调", wait_until="load")
        found = page.locator("#search-results ul.search li")
        found.first.wait_for(timeout=TIMEOUT_MS)
        titles = found.all_inner_texts()
    finally:
        page.close()
    assert any("回调" in title for title in titles), titles[:5]
    assert len(titles) >= 5, titles  # chapters 3, 4, 5 and 8 and the glossary, at least


def test_browser_every_page_links_to_its_other_edition(visit, book_url):
    for page_name in CHAPTER_PAGES:
        english, chinese = page_name, f"zh/{page_name}"
        assert f"{book_url}{chinese}.html" in visit(english).links, english
        assert f"{book_url}{english}.html" in visit(chinese).links, chinese
