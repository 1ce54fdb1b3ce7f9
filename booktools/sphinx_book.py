"""The book's own Sphinx extension (loaded from `_config.yml`, `sphinx: local_extensions`).

**Appendix numbers.** Appendices number their figures and exercises "A2.1", "A2.2", ...
Sphinx numbers figures (and sphinx-exercise numbers exercises) per chapter only under a
numbered toctree. The appendices sit in an unnumbered part of `_toc.yml`, so Sphinx
would count their figures and exercises across all of them ("Exercise 4" in A3). This
extension renumbers each appendix on its own, prefixed with its letter and number,
which it reads from the file name: `chapters/A2_performance` -> "A2".

**Translatable exercise titles.** The kind in "Exercise 3.1 (recall)" is the argument
of sphinx-exercise's directive, which Sphinx does not translate: its node has no source
line. `TranslatableExerciseTitles` gives it one, before Sphinx's own `Locale` transform
runs, so a translation in the page's catalog replaces it. The gettext builder, though,
sees the page only after sphinx-exercise has merged the kind into the title; for that
builder `add_exercise_kinds_for_gettext` adds each kind as a message of its own. A
solution's title ("Solution to Exercise 3.1 (recall)") is built from a copy of the
exercise that sphinx-exercise keeps from before the translation; `SyncExerciseTitles`
gives that copy the translated title.

**One HTML writer for the single page.** sphinx-exercise registers its nodes for the
`singlehtml` builder (the PDF's source), and from then on Sphinx looks only there for
that builder, not at the `html` handlers that other extensions registered (the hidden
cells of sphinx-jupyterbook-latex). `share_html_handlers` copies the missing ones over.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms import SphinxTransform

APPENDIX = re.compile(r"(?:^|/)(A\d+)_[^/]*$")


def appendix_prefix(docname: str) -> str | None:
    """`"A2"` for `chapters/A2_performance`, None for any other document."""
    match = APPENDIX.search(docname)
    return match.group(1) if match else None


def renumber_appendices(app, env) -> list[str]:
    """Rewrite `env.toc_fignumbers` of every appendix; return the documents to rewrite."""
    rewritten = []
    for docname, numbers in env.toc_fignumbers.items():
        prefix = appendix_prefix(docname)
        if prefix is None:
            continue
        for figtype, by_id in numbers.items():
            in_order = sorted(by_id, key=lambda node_id: by_id[node_id])
            numbers[figtype] = {node_id: (prefix, i) for i, node_id in enumerate(in_order, 1)}
        rewritten.append(docname)
    return rewritten


class TranslatableExerciseTitles(SphinxTransform):
    """Make each exercise's title ("recall") a translatable message (see above)."""

    default_priority = 15  # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs) -> None:
        from sphinx_exercise.nodes import exercise_subtitle

        kinds = []
        for node in self.document.findall(exercise_subtitle):
            if not node.source:
                source, line = node.parent.parent.source, node.parent.parent.line
                node.source = source or self.document["source"]
                node.line = line or 1
                node.rawsource = node.astext()
            kinds.append(node.rawsource)
        self.document["exercise_kinds"] = kinds


class SyncExerciseTitles(SphinxTransform):
    """Give sphinx-exercise's stored copy of each exercise its translated title."""

    default_priority = 25  # after sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs) -> None:
        from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node

        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in self.document.findall(
            lambda n: isinstance(n, (exercise_node, exercise_enumerable_node))
        ):
            stored = registry.get(node.get("label"), {}).get("node")
            if stored is not None and stored.children and node.children:
                stored.children[0] = node.children[0].deepcopy()


def add_exercise_kinds_for_gettext(app, doctree, docname) -> None:
    """For the gettext builder only: each exercise kind of the page as a message."""
    if app.builder.name != "gettext":
        return
    for kind in dict.fromkeys(doctree.get("exercise_kinds", [])):
        message = nodes.paragraph(kind, kind)
        message.source, message.line = doctree["source"], 1
        message.uid = f"exercise-kind-{kind}"  # the builder skips nodes without one
        doctree.append(message)


def share_html_handlers(app) -> None:
    """Give the `singlehtml` writer every node handler the `html` writer has."""
    handlers = app.registry.translation_handlers
    if "singlehtml" in handlers:
        for node, pair in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(node, pair)


def setup(app):
    # After Sphinx's own TocTreeCollector (priority 500) has assigned the numbers.
    app.connect("env-get-updated", renumber_appendices, priority=900)
    app.connect("builder-inited", share_html_handlers)
    app.add_transform(TranslatableExerciseTitles)
    app.add_transform(SyncExerciseTitles)
    app.connect("doctree-resolved", add_exercise_kinds_for_gettext)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
