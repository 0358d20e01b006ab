"""The text of a Word document, read the same way at build time and when a copy comes back.

A contract document has two kinds of text:

- **content**: what the parties agreed to and how it is presented (cover, sections,
  deliverables, metrics, principles, standards, risks, the signatories, the content hash);
- **volatile** paragraphs, each holding a hidden bookmark named ``_eagov_<key>`` (or
  ``_eagov_<key>__<n>`` for the n-th line of a part): what may change while the contract
  runs without changing what was agreed (the date of the document, the version's status,
  deliverable status, measured values, recorded signatures). Only the paragraph in which a
  bookmark *starts* is volatile: a bookmark never reaches over several paragraphs (editors
  do not keep those reliably), and one whose end was lost cannot swallow the rest.

``extract`` walks the body XML in document order and returns both: the content as a list of
normalised lines (one per paragraph, with a marker per table row and cell, so moving text
between cells shows), and the volatile parts by key. Left out: the results of TOC fields
(Word rewrites them when it refreshes the table of contents), deleted text of tracked
changes, headers and footers (separate parts: the reference, page numbers, DRAFT mark).
Hidden text (``w:vanish``) is kept, marked, so hiding a clause is a change.

The content **fingerprint** is a SHA-256 over those lines. The builder stores it in the
document's custom XML part; verification recomputes it from an uploaded copy and compares
it with the fingerprint of a document freshly built from the database.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .ooxml import W_NS

PREFIX = "_eagov_"
ALGORITHM = "eagov-text-1"
ROW = "\u241e"  # a marker line at the start of every table row
CELL = "\u241f"  # and of every cell
HIDDEN = "\u2063hidden:"

_P = f"{{{W_NS}}}p"
_R = f"{{{W_NS}}}r"
_T = f"{{{W_NS}}}t"
_TR = f"{{{W_NS}}}tr"
_TC = f"{{{W_NS}}}tc"
_TAB = f"{{{W_NS}}}tab"
_BR = f"{{{W_NS}}}br"
_CR = f"{{{W_NS}}}cr"
_NBH = f"{{{W_NS}}}noBreakHyphen"
_PTAB = f"{{{W_NS}}}ptab"
_SYM = f"{{{W_NS}}}sym"
_A_CHAR = f"{{{W_NS}}}char"
_FLDCHAR = f"{{{W_NS}}}fldChar"
_INSTR = f"{{{W_NS}}}instrText"
_FLDSIMPLE = f"{{{W_NS}}}fldSimple"
_BM_START = f"{{{W_NS}}}bookmarkStart"
_DEL = f"{{{W_NS}}}del"
_MOVE_FROM = f"{{{W_NS}}}moveFrom"
_RPR = f"{{{W_NS}}}rPr"
_VANISH = f"{{{W_NS}}}vanish"
_A_TYPE = f"{{{W_NS}}}fldCharType"
_A_INSTR = f"{{{W_NS}}}instr"
_A_NAME = f"{{{W_NS}}}name"
_A_VAL = f"{{{W_NS}}}val"

_TAGS = (
    *(_P, _R, _T, _TR, _TC, _TAB, _PTAB, _BR, _CR, _NBH, _SYM, _FLDCHAR, _INSTR, _FLDSIMPLE),
    *(_BM_START, _DEL, _MOVE_FROM),
)

_SPACES = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def normalise(text: str) -> str:
    """NFC, no soft hyphens or zero-width characters, one space for any run of white space."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


@dataclass
class Extract:
    content: list[str] = field(default_factory=list)
    volatile: dict[str, list[str]] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.content)

    def part(self, key: str) -> str:
        """A volatile part as one line ("" if absent)."""
        return " / ".join(self.volatile.get(key, []))


def fingerprint(lines: list[str]) -> str:
    data = ALGORITHM + "\n" + "\n".join(lines)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass
class _Field:
    instr: list[str] = field(default_factory=list)
    in_result: bool = False

    @property
    def is_toc(self) -> bool:
        return "".join(self.instr).strip().upper().startswith("TOC")


def extract(root: Any) -> Extract:
    """The content lines and volatile parts of a ``w:body`` (or ``w:document``) element."""
    out = Extract()
    fields: list[_Field] = []
    simple: list[bool] = []  # fldSimple nesting: True for a TOC
    paras: list[tuple[list[str], str | None]] = []  # open paragraphs: (text, volatile key)
    hidden: list[bool] = []  # open runs: is the run hidden?
    deleted = 0

    def excluded() -> bool:
        return deleted > 0 or any(f.in_result and f.is_toc for f in fields) or any(simple)

    for event, el in etree.iterwalk(root, events=("start", "end"), tag=_TAGS):
        tag = el.tag
        if event == "start":
            if tag == _T:
                if paras and not excluded():
                    text = el.text or ""
                    paras[-1][0].append(HIDDEN + text if hidden and hidden[-1] else text)
            elif tag == _R:
                r_pr = el.find(_RPR)
                vanish = r_pr.find(_VANISH) if r_pr is not None else None
                hidden.append(
                    vanish is not None and vanish.get(_A_VAL, "true") not in ("0", "false", "off")
                )
            elif tag == _P:
                paras.append(([], None))
            elif tag in (_TAB, _PTAB, _BR, _CR):
                if paras and not excluded():
                    paras[-1][0].append(" ")
            elif tag == _SYM:
                if paras and not excluded():
                    paras[-1][0].append(f"\u2063sym:{el.get(_A_CHAR, '')}")
            elif tag == _NBH:
                if paras and not excluded():
                    paras[-1][0].append("-")
            elif tag == _INSTR:
                if fields and not fields[-1].in_result:
                    fields[-1].instr.append(el.text or "")
            elif tag == _FLDCHAR:
                kind = el.get(_A_TYPE)
                if kind == "begin":
                    fields.append(_Field())
                elif kind == "separate" and fields:
                    fields[-1].in_result = True
                elif kind == "end" and fields:
                    fields.pop()
            elif tag == _FLDSIMPLE:
                simple.append((el.get(_A_INSTR) or "").strip().upper().startswith("TOC"))
            elif tag == _BM_START:
                name = el.get(_A_NAME) or ""
                if name.startswith(PREFIX) and paras and paras[-1][1] is None:
                    paras[-1] = (paras[-1][0], name[len(PREFIX) :].split("__")[0])
            elif tag in (_DEL, _MOVE_FROM):
                deleted += 1
            elif tag == _TR:
                out.content.append(ROW)
            elif tag == _TC:
                out.content.append(CELL)
        else:
            if tag == _P and paras:
                parts, key = paras.pop()
                text = normalise("".join(parts))
                if text:
                    if key is None:
                        out.content.append(text)
                    else:
                        out.volatile.setdefault(key, []).append(text)
            elif tag == _R and hidden:
                hidden.pop()
            elif tag == _FLDSIMPLE and simple:
                simple.pop()
            elif tag in (_DEL, _MOVE_FROM):
                deleted -= 1
    return out
