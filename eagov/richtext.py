"""Rich text: a safe Markdown subset, sanitised on the way in and escaped on the way out.

Stored text is Markdown with every HTML tag removed. Pages render it with raw HTML disabled
and pass the result through an allow-list sanitiser; Word documents walk the same parse
tree (``blocks``), so both show the same structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import nh3
from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

MAX_LENGTH = 50_000
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "blockquote",
    "a",
    "pre",
}
_ALLOWED_ATTRS = {"a": {"href", "title"}}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str | None) -> str:
    """What we store: no HTML tags, no control characters, Unix newlines, trimmed."""
    if not text:
        return ""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Tags are removed, their text kept; entities stay as typed (Markdown shows them).
    stripped = nh3.clean(text, tags=set(), strip_comments=True)
    # nh3 escapes &, < and > in text; the stored form is plain Markdown, so undo that.
    stripped = stripped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return stripped.strip()


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # commonmark without raw HTML; headings are shifted down when rendered (h3..).
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def to_html(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = _parser().render(text)
    html = re.sub(r"<(/?)h[12]>", r"<\1h4>", html)
    safe = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(safe)  # noqa: S704 - sanitised by nh3 with an allow-list just above


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass
class Block:
    """One paragraph-level element: ``kind`` is paragraph, heading, bullet, number or quote."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    level: int = 0

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def blocks(text: str | None) -> list[Block]:
    """The Markdown as a flat list of blocks with styled runs (for Word documents)."""
    if not text:
        return []
    out: list[Block] = []
    lists: list[str] = []
    quote = 0
    pending: str | None = None
    for tok in _parser().parse(text):
        if tok.type == "bullet_list_open":
            lists.append("bullet")
        elif tok.type == "ordered_list_open":
            lists.append("number")
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif tok.type == "blockquote_open":
            quote += 1
        elif tok.type == "blockquote_close":
            quote -= 1
        elif tok.type == "heading_open":
            pending = "heading"
        elif tok.type == "paragraph_open":
            pending = lists[-1] if lists else ("quote" if quote else "paragraph")
        elif tok.type in ("fence", "code_block"):
            out.append(Block("paragraph", [Run(tok.content.rstrip("\n"), code=True)]))
        elif tok.type == "inline" and pending:
            out.append(Block(pending, _runs(tok.children or []), level=max(len(lists) - 1, 0)))
            pending = None
    return out


def _runs(children: list) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "code_inline":
            runs.append(Run(child.content, bold, italic, code=True))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run("\n" if kind == "hardbreak" else " ", bold, italic))
        elif kind == "text" and child.content:
            runs.append(Run(child.content, bold, italic))
    return runs


def plain(text: str | None) -> str:
    """The text without markup, one line per block (for diffs, CSV and search)."""
    return "\n".join(b.text for b in blocks(text))
