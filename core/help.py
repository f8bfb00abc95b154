"""The project's user documentation (docs/*.md) as pages of the app, so that the pages that say
"how this is scored" or "what this rule means" can link to it: the same files the repository
shows, rendered once per change of the file."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element

import markdown
from django.conf import settings
from django.urls import reverse
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


@dataclass(frozen=True)
class HelpPage:
    slug: str
    title: str
    file: str
    summary: str


# The documents written for the people who use the app (docs/benchmarks.md and
# docs/reliability.md are for those who run it, and stay in the repository).
HELP_PAGES = [
    HelpPage("using", "Using the tracker", "using.md",
             "What each role can do, page by page: browsing, following, logging meetings, importing, reviewing, tuning."),
    HelpPage("scoring", "How closeness is scored", "scoring.md",
             "The four components, how they make a score, why the published properties hold, and a worked example."),
    HelpPage("conflict-rules", "Conflict-of-interest rules", "conflict-rules.md",
             "When each flag is raised, how disclosure lowers its severity, and how a flag is reviewed."),
    HelpPage("engagement", "Community engagement and trust", "engagement.md",
             "Coverage, anonymous feedback, reported conflicts, recusal guidance and the disclosure register."),
    HelpPage("data-format", "Data format", "data-format.md",
             "The CSV files analysts import and export, the commands, and what each import message means."),
    HelpPage("reference", "Pages and API reference", "reference.md",
             "Every page and every REST API endpoint: who may use it and what it does."),
]
HELP_BY_SLUG = {page.slug: page for page in HELP_PAGES}
_SLUG_BY_FILE = {page.file: page.slug for page in HELP_PAGES}


class _DocumentLinks(Treeprocessor):
    """Links between the documents ("benchmarks.md#x") point at their help pages, or, for a
    document that has none (and one outside docs/, as "../CHANGELOG.md"), are shown as their text."""

    def run(self, root: Element) -> None:
        for parent in root.iter():
            for link in list(parent):
                if link.tag != "a":
                    continue
                href = link.get("href", "")
                target, _, anchor = href.partition("#")
                if ":" in target or target.startswith("/") or not target.endswith(".md"):
                    continue  # a web address, or no document
                slug = _SLUG_BY_FILE.get(target)
                if slug:
                    link.set("href", reverse("help_page", args=[slug]) + (f"#{anchor}" if anchor else ""))
                else:
                    link.tag = "span"
                    del link.attrib["href"]


class _DocumentLinksExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_DocumentLinks(md), "document_links", 5)


def _docs_dir() -> Path:
    return Path(settings.BASE_DIR) / "docs"


@lru_cache(maxsize=16)
def _rendered(path: Path, modified: float) -> str:
    # tables with align attributes, not inline styles (the Content-Security-Policy refuses those);
    # headings get ids (toc), so pages can link to a section
    return markdown.markdown(
        path.read_text(encoding="utf-8"),
        extensions=["tables", "fenced_code", "sane_lists", "toc", _DocumentLinksExtension()],
        extension_configs={"tables": {"use_align_attribute": True}, "toc": {"permalink": False}},
        output_format="html",
    )


def help_html(page: HelpPage) -> str:
    """The page's document as HTML (trusted: the project's own files)."""
    path = _docs_dir() / page.file
    return _rendered(path, path.stat().st_mtime)
