"""Print the single-page HTML build of the book to a PDF with Debian's Chromium.

`make pdf` builds `_build/singlehtml/` (Jupyter Book's `singlehtml` builder: every
chapter on one page, after the front page's table of contents) and then runs
`python -m booktools.pdf`, which opens that page in headless Chromium, driven by
Playwright, and prints it. No TeX and no download: Chromium comes from Debian's
`chromium` package, and the page may load nothing but its own files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Let lazy images load before printing: the PDF must hold every figure.
_EAGER_IMAGES_JS = """async () => {
  const images = Array.from(document.images);
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done); img.addEventListener("error", done);
  })));
  return images.filter((img) => img.naturalWidth === 0).map((img) => img.src);
}"""
# A printed book cannot be clicked: open every solution (folded on the web page).
_OPEN_SOLUTIONS_JS = """document.querySelectorAll('.solution.toggle-hidden .toggle-button')
  .forEach((button) => button.click())"""


def find_chromium() -> str:
    """Debian's Chromium (`$CNNTUT_CHROMIUM` first), or `FileNotFoundError` saying how."""
    path = os.environ.get("CNNTUT_CHROMIUM") or shutil.which("chromium")
    path = path or shutil.which("chromium-browser")
    if not path:
        raise FileNotFoundError("Chromium is not installed: apt-get install chromium")
    return path


def print_pdf(html: Path, out: Path) -> Path:
    """Print `html` (a local file) to the PDF `out`, A4, with its figures and colours.

    Raises:
        FileNotFoundError: `html` or Chromium is missing.
        RuntimeError: an image of the page did not load; the PDF is not written.
    """
    from playwright.sync_api import sync_playwright

    html = Path(html).resolve()
    if not html.is_file():
        raise FileNotFoundError(f"no HTML page at {html}: run the singlehtml build first")
    base = html.parent.as_uri()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(base)
                    else route.abort("internetdisconnected")
                ),
            )
            page.goto(html.as_uri(), wait_until="load")
            page.evaluate(_OPEN_SOLUTIONS_JS)
            broken = page.evaluate(_EAGER_IMAGES_JS)
            if broken:
                raise RuntimeError(f"images that did not load: {broken[:5]}")
            page.emulate_media(media="print")
            page.pdf(
                path=str(tmp),
                format="A4",
                print_background=True,
                margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
            )
        finally:
            browser.close()
    os.replace(tmp, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m booktools.pdf")
    parser.add_argument("html", nargs="?", type=Path, default=ROOT / "_build/singlehtml/intro.html")
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "_build/pdf/book.pdf")
    args = parser.parse_args(argv)
    try:
        written = print_pdf(args.html, args.out)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"python -m booktools.pdf: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {written} ({written.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
