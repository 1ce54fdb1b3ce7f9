"""The Simplified Chinese edition, from the same notebooks: Sphinx gettext catalogs.

Sphinx's gettext builder cuts every page into messages (a paragraph, a heading, a
caption, an image's alt text, an exercise's title). `sphinx-intl` keeps one catalog per
page in `locales/zh_CN/LC_MESSAGES/` (`chapters/03_builtin_callbacks.po`, ...), and a
build with `language: zh_CN` puts each translation in place of its English message.
Code cells and their outputs are not messages: they stay as they are.

The workflow (README, "The Chinese edition"):

1. edit the English notebook;
2. `make gettext`: new `.pot` templates (Sphinx's gettext builder), then `sphinx-intl update`
   merges them into the catalogs (a changed paragraph becomes fuzzy, a new one empty);
3. translate every empty or fuzzy message (and delete the `fuzzy` flag);
4. `make book-zh`: the Chinese HTML in `_build/html/zh/`.

`python -m booktools.i18n check` runs the same test as the suite: it regenerates the
templates and names every message that is untranslated or fuzzy, and every translation
whose markup (roles, glued values, inline code, links, maths, numbers) differs from the
English. `python -m booktools.i18n config OUT` writes the Chinese edition's Jupyter Book
configuration: `_config.yml` with `language: zh_CN` and the overrides in
`locales/zh_CN/_config.yml` (the title, which is not a message).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "zh_CN"
LOCALES = ROOT / "locales"

# What a translation must keep exactly as the English has it.
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
CODE = re.compile(r"(?<![`}])(`+)([^`]+?)\1(?!`)")
MATH = re.compile(r"\$[^$\n]+\$")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d|(?<![\w.])\d(?![\w])")


def config(root: Path = ROOT) -> dict:
    """The Chinese edition's Jupyter Book configuration (see the module docstring)."""
    settings = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    overrides = root / "locales" / LANGUAGE / "_config.yml"
    if overrides.is_file():
        _merge(settings, yaml.safe_load(overrides.read_text(encoding="utf-8")) or {})
    sphinx = settings.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["language"] = LANGUAGE
    # The file is written elsewhere: local extensions are found from the book's root.
    for name, path in sphinx.get("local_extensions", {}).items():
        sphinx["local_extensions"][name] = str((root / path).resolve())
    return settings


def _merge(base: dict, update: dict) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def write_config(out: Path, root: Path = ROOT, locales: Path | None = None) -> Path:
    """Write `config(root)` to `out` (a YAML file for `jupyter-book build --config`),
    reading the catalogs from `locales` if given (see `write_filled_catalogs`)."""
    settings = config(root)
    if locales is not None:
        settings["sphinx"]["config"]["locale_dirs"] = [str(locales.resolve())]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False))
    return out


def write_toc(out: Path, root: Path = ROOT) -> Path:
    """`_toc.yml` with its part captions translated. Sphinx's gettext builder puts the
    captions in the root page's catalog (`intro.po`), but the toctree that Jupyter Book
    builds from `_toc.yml` is made after Sphinx translates a page, so the build would
    show them in English. This copy carries the catalog's translations.

    Raises:
        KeyError: a caption has no translation in the root page's catalog.
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    catalog_path = root / "locales" / LANGUAGE / "LC_MESSAGES" / f"{toc['root']}.po"
    captions = Translator(root).catalog(toc["root"]) if catalog_path.is_file() else {}
    for part in toc.get("parts", []):
        if "caption" in part:
            if _key(part["caption"]) not in captions:
                raise KeyError(f"{catalog_path.name}: no translation of the caption "
                               f"{part['caption']!r} (run `make gettext`)")  # fmt: skip
            part["caption"] = captions[_key(part["caption"])]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


GLUE_ROLE = re.compile(r"\{glue:text\}`([^`]*)`")


def write_filled_catalogs(out: Path, root: Path = ROOT) -> Path:
    """Copies of the catalogs with every `{glue:text}` role of a translation replaced by
    its value, formatted as myst-nb formats it in the English pages; returns the locale
    folder to build from.

    Why: Sphinx parses each translation as a small document of its own, and myst-nb's
    glue role finds no notebook there ("No key ... found in glue data"). The values come
    from the notebooks' stored outputs at every build, so they always match the English.

    Raises:
        KeyError: a translation names a glued value its notebook does not have.
    """
    import json

    from babel.messages.pofile import write_po
    from myst_nb.core.variables import format_plain_text

    from booktools.editions import book_notebooks, book_places, glue_values

    paths = book_notebooks(root)
    places = book_places(paths, root)
    values = {places[p.stem]: glue_values(json.loads(p.read_text(encoding="utf-8"))) for p in paths}
    source = root / "locales" / LANGUAGE / "LC_MESSAGES"
    for catalog_path in sorted(source.rglob("*.po")):
        place = catalog_path.relative_to(source).with_suffix("").as_posix()
        catalog = _read(catalog_path)

        def fill(match: re.Match, place=place) -> str:
            key, _, spec = match.group(1).partition(":")
            if key not in values.get(place, {}):
                raise KeyError(f"{place}.po: no glued value {key!r} in the notebook")
            return format_plain_text(values[place][key], spec)

        for message in catalog:
            if message.id and message.string:
                message.string = GLUE_ROLE.sub(fill, message.string)
        target = out / LANGUAGE / "LC_MESSAGES" / catalog_path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_po(handle, catalog, width=0)
    return out


def build_book(html: Path, scratch: Path, builder: str = "html", root: Path = ROOT):
    """Build the Chinese edition into `html/zh/` (`make book-zh`), strictly: the English
    book in `html` links to it, and it back. Returns the build's `CompletedProcess`; on
    success the reader notebooks sit behind its download buttons, as in English.

    With `builder="singlehtml"` (the PDF's source) nothing is copied: the page is in
    `scratch/_build/singlehtml/`.
    """
    from booktools import editions

    locales = write_filled_catalogs(scratch / "locales", root)
    settings = write_config(scratch / "_config.yml", root, locales)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(root), "--config", str(settings), "--path-output",
         str(scratch), "--toc", str(write_toc(scratch / "_toc.yml", root)),
         "--builder", builder, "-W", "-n", "--keep-going"],
        capture_output=True, text=True, cwd=root, check=False,
    )  # fmt: skip
    if result.returncode == 0 and builder == "html":
        target = html / "zh"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(scratch / "_build" / "html", target)
        editions.write_downloads(target, root, LANGUAGE)
    return result


def build_templates(out: Path, root: Path = ROOT) -> Path:
    """Run Sphinx's gettext builder over the book; return the folder of `.pot` files.

    Raises:
        RuntimeError: the build failed; the message holds the end of its log.
    """
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(root), "--builder", "custom",
         "--custom-builder", "gettext", "--path-output", str(out)],
        capture_output=True, text=True, cwd=root, check=False,
    )  # fmt: skip
    templates = out / "_build" / "gettext"
    if result.returncode != 0 or not templates.is_dir():
        raise RuntimeError(f"the gettext build failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return templates


def _read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def catalog_problems(templates: Path, locales: Path = LOCALES) -> list[str]:
    """Every message of the `.pot` files in `templates` that the Chinese catalogs leave
    untranslated or fuzzy, as "FILE.po: untranslated: MESSAGE" lines."""
    problems = []
    folder = locales / LANGUAGE / "LC_MESSAGES"
    for template in sorted(templates.rglob("*.pot")):
        name = template.relative_to(templates).with_suffix(".po")
        catalog_path = folder / name
        if not catalog_path.is_file():
            problems.append(f"{name}: no catalog (run `make gettext`)")
            continue
        catalog = _read(catalog_path)
        for message in _read(template):
            if not message.id:
                continue
            entry = catalog.get(message.id, context=message.context)
            if entry is None or not entry.string:
                problems.append(f"{name}: untranslated: {_short(message.id)}")
            elif entry.fuzzy:
                problems.append(f"{name}: fuzzy: {_short(message.id)}")
    return problems


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _kept(text: str) -> dict[str, list[str]]:
    """The parts of a message that its translation must keep."""
    roles = []
    for kind, content in ROLE.findall(text):
        # {doc}, {ref}, {numref} and {term} may show translated words: keep the target.
        explicit = re.fullmatch(r"(?s)(.*?)\s*<([^>]+)>", content)
        target = explicit.group(2) if explicit and kind != "glue:text" else content
        roles.append(f"{{{kind}}}{target}")
    rest = ROLE.sub(" ", text)
    code = [match.group(0) for match in CODE.finditer(rest)]
    rest = CODE.sub(" ", rest)
    return {
        "roles": sorted(roles),
        "inline code": sorted(code),
        "maths": sorted(MATH.findall(rest)),
        "link targets": sorted(LINK_TARGET.findall(rest)),
        "numbers": sorted(set(NUMBER.findall(MATH.sub(" ", rest)))),
    }


def markup_problems(catalog_path: Path) -> list[str]:
    """Translations in one catalog whose roles, glued values, inline code, links, maths
    or numbers differ from the English message's, as "FILE: what: MESSAGE" lines."""
    problems = []
    for message in _read(catalog_path):
        if not message.id or not message.string:
            continue
        english, chinese = _kept(message.id), _kept(message.string)
        for what, kept in english.items():
            found = chinese[what]
            if what == "numbers":
                missing = sorted(set(kept) - set(found))
            else:
                missing = sorted(set(kept) ^ set(found)) if kept != found else []
            if missing:
                problems.append(
                    f"{catalog_path.name}: {what} differ ({', '.join(missing)[:80]}): "
                    f"{_short(message.id, 70)}"
                )
    return problems


def entry_problems(catalog_path: Path) -> list[str]:
    """The catalog's own entries that are empty or fuzzy (no `.pot` needed)."""
    name = catalog_path.name
    problems = []
    for message in _read(catalog_path):
        if message.id and not message.string:
            problems.append(f"{name}: untranslated: {_short(message.id)}")
        elif message.id and message.fuzzy:
            problems.append(f"{name}: fuzzy: {_short(message.id)}")
    return problems


LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
TABLE_RULE = re.compile(r"^\|[\s:|-]+\|\s*$")


def _key(text: str) -> str:
    return " ".join(text.split())


class Translator:
    """Markdown of a notebook in the catalogs' language, for the plain-notebook editions.

    Sphinx cuts a page into messages; this cuts a markdown cell the same way (headings,
    paragraphs, list items, table cells, an exercise's kind), looks each piece up in the
    page's catalog and puts the translation in its place. Code fences, maths blocks,
    labels and directive options stay as they are. A piece the catalog lacks stays in
    English and is listed in `missing`.
    """

    def __init__(self, root: Path = ROOT, language: str = LANGUAGE):
        self.folder = root / "locales" / language / "LC_MESSAGES"
        self.catalogs: dict[str, dict[str, str]] = {}
        self.missing: list[tuple[str, str]] = []

    def catalog(self, place: str) -> dict[str, str]:
        """`{message: translation}` of one page ("chapters/03_builtin_callbacks")."""
        if place not in self.catalogs:
            path = self.folder / f"{place}.po"
            found = _read(path) if path.is_file() else []
            self.catalogs[place] = {
                _key(m.id): m.string for m in found if m.id and m.string and not m.fuzzy
            }
        return self.catalogs[place]

    def text(self, message: str, place: str) -> str:
        """One message, translated (or as it is, recorded in `missing`)."""
        if not message.strip():
            return message
        found = self.catalog(place).get(_key(message))
        if found is None:
            self.missing.append((place, _key(message)))
            return message
        return found

    def markdown(self, text: str, place: str) -> str:
        """A markdown cell, translated piece by piece."""
        lines, out, i = text.split("\n"), [], 0
        while i < len(lines):
            line = lines[i]
            if line.startswith(("```", "$$")):
                fence = "```" if line.startswith("```") else "$$"
                end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(fence)),
                           len(lines) - 1)  # fmt: skip
                out += lines[i : end + 1]
                i = end + 1
            elif line.startswith(":::{"):
                kind = re.match(r"^:::\{exercise-start\}[ \t]+(\S.*)$", line)
                out.append(
                    f":::{{exercise-start}} {self.text(kind.group(1), place)}" if kind else line
                )
                i += 1
                while i < len(lines) and lines[i].startswith(":") and lines[i].strip() != ":::":
                    out.append(lines[i])
                    i += 1
                if i < len(lines) and lines[i].strip() == ":::":
                    out.append(lines[i])
                    i += 1
            elif not line.strip() or re.match(r"^\([\w-]+\)=\s*$", line) or line == ":::":
                out.append(line)
                i += 1
            elif line.startswith("#"):
                hashes, _, title = line.partition(" ")
                out.append(f"{hashes} {self.text(title, place)}")
                i += 1
            elif line.startswith("|"):
                if TABLE_RULE.match(line):
                    out.append(line)
                else:
                    cells = line.strip().strip("|").split("|")
                    out.append("| " + " | ".join(self.text(c.strip(), place) for c in cells) + " |")
                i += 1
            elif item := LIST_ITEM.match(line):
                indent, marker, first = item.groups()
                i += 1
                body = [first]
                while i < len(lines) and lines[i].startswith(" ") and lines[i].strip() \
                        and not LIST_ITEM.match(lines[i]):  # fmt: skip
                    body.append(lines[i].strip())
                    i += 1
                out.append(f"{indent}{marker} {self.text(' '.join(body), place)}")
            else:
                body = []
                while i < len(lines) and lines[i].strip() and not LIST_ITEM.match(lines[i]) \
                        and not lines[i].startswith(("#", "|", "```", "$$", ":::")):  # fmt: skip
                    body.append(lines[i].strip())
                    i += 1
                out.append(self.text(" ".join(body), place))
        return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m booktools.i18n")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="untranslated, fuzzy or mistranslated markup")
    check.add_argument(
        "catalogs", nargs="*", type=Path,
        help="only these .po files, as they are (default: the whole book, templates rebuilt)",
    )  # fmt: skip
    write = commands.add_parser("config", help="the Chinese edition's _config.yml")
    write.add_argument("out", type=Path)
    build = commands.add_parser("build", help="the Chinese HTML into HTML/zh (make book-zh)")
    build.add_argument("html", type=Path, nargs="?", default=ROOT / "_build" / "html")
    build.add_argument("--builder", default="html", choices=["html", "singlehtml"])
    build.add_argument("--scratch", type=Path, help="build folder (default: _build/zh)")
    args = parser.parse_args(argv)
    if args.command == "config":
        print(f"wrote {write_config(args.out)}")
        return 0
    if args.command == "build":
        default = ROOT / "_build" / ("zh" if args.builder == "html" else "zh-single")
        scratch = args.scratch or default
        result = build_book(args.html, scratch, args.builder)
        print(result.stdout[-2000:], result.stderr[-4000:], sep="\n")
        where = args.html / "zh" if args.builder == "html" else scratch / "_build" / "singlehtml"
        print(f"{'built' if result.returncode == 0 else 'FAILED:'} the Chinese edition in {where}")
        return result.returncode
    if args.catalogs:
        problems = []
        for catalog_path in args.catalogs:
            problems += entry_problems(catalog_path) + markup_problems(catalog_path)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            templates = build_templates(Path(scratch))
            problems = catalog_problems(templates)
        for catalog_path in sorted((LOCALES / LANGUAGE / "LC_MESSAGES").rglob("*.po")):
            problems += markup_problems(catalog_path)
    print("\n".join(problems) or "every message is translated")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
