"""The house style of eagov's Word documents: page, fonts, colours, paragraph and table
styles, list numbering.

``new_document(locale)`` opens a fresh python-docx Document from a base package that is
built once per process and language: python-docx's default template with the house style
applied, Word 2010's duplicate ``stylesWithEffects`` part, the blank thumbnail and the
template's bibliography data removed, and unused table styles pruned (smaller, so faster to
open and save). Builders then only add content.

Chinese text: the document defaults and the main styles name an East Asian font
(``w:eastAsia``) and the East Asian language (``w:lang w:eastAsia="zh-CN"``); the font table
gives Word on Windows a substitute for machines without the Noto font.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING

from . import ooxml

if TYPE_CHECKING:
    from docx.document import Document

# --- the style -----------------------------------------------------------------------------------

LATIN_FONT = "Arial"  # metric twin on Linux: Liberation Sans
EAST_ASIAN_FONT = "Noto Sans CJK SC"
EAST_ASIAN_FALLBACK = "Microsoft YaHei"  # Word's substitute where Noto is not installed
MONO_FONT = "Courier New"  # Liberation Mono on Linux

PRIMARY = "1F3864"  # headings, title
ACCENT = "2E5496"
MUTED = "595959"  # labels, header and footer
HEADER_FILL = "D9E2F3"  # table header rows
LINE = "A6A6A6"  # table borders
DRAFT = "A6A6A6"  # the DRAFT mark

# A4 portrait with 2.5 cm margins, in twentieths of a point (twips).
PAGE_WIDTH = 11906
PAGE_HEIGHT = 16838
MARGIN = 1417
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN  # 9072

# Style ids used by the builders.
TITLE = "Title"
SUBTITLE = "Subtitle"
HEADING_1 = "Heading1"
HEADING_2 = "Heading2"
TOC_HEADING = "TOCHeading"
QUOTE = "Quote"
LIST = "ListParagraph"
TABLE = "TableGrid"
TABLE_TEXT = "EagovTableText"
TABLE_HEADING = "EagovTableHeading"
COVER_KICKER = "EagovCoverKicker"
COVER_LABEL = "EagovCoverLabel"
COVER_VALUE = "EagovCoverValue"
NOTE = "EagovNote"
HASH = "EagovHash"
SIGNATORY = "EagovSignatory"
SIGNATURE_LINE = "EagovSignatureLine"

# List definitions added to the template's numbering part.
BULLET_ABSTRACT = 90
DECIMAL_ABSTRACT = 91
BULLET_NUM = 90

LANGUAGES = {"en": "en-GB", "zh_Hans": "zh-CN"}
# Babel locales for dates: "27 October 2026", "2026年10月27日".
DATE_LOCALES = {"en": "en_GB", "zh_Hans": "zh_Hans_CN"}

_STYLES_KEPT_TABLES = {"TableNormal", "TableGrid"}

_RT_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_RT_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
_RT_EXTENDED = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
)
_RT_FONT_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"


def _pstyle(
    style_id: str,
    name: str,
    *,
    based_on: str = "Normal",
    ppr: str = "",
    rpr: str = "",
    next_id: str | None = None,
    builtin: bool = False,
) -> str:
    custom = "" if builtin else ' w:customStyle="1"'
    nxt = f'<w:next w:val="{next_id}"/>' if next_id else ""
    return (
        f'<w:style {ooxml.W_DECL} w:type="paragraph"{custom} w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="{based_on}"/>{nxt}'
        '<w:uiPriority w:val="39"/><w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


def _size(points: float) -> str:
    half = round(points * 2)
    return f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


def _color(value: str) -> str:
    return f'<w:color w:val="{value}"/>'


_CUSTOM_STYLES = [
    _pstyle(
        TABLE_TEXT,
        "eagov Table Text",
        ppr='<w:spacing w:before="30" w:after="30" w:line="240" w:lineRule="auto"/>',
        rpr=_size(9),
    ),
    _pstyle(
        TABLE_HEADING,
        "eagov Table Heading",
        based_on=TABLE_TEXT,
        ppr="<w:keepNext/>",
        rpr="<w:b/><w:bCs/>" + _color(PRIMARY),
    ),
    _pstyle(
        COVER_KICKER,
        "eagov Cover Kicker",
        ppr='<w:spacing w:before="2400" w:after="120"/>',
        rpr="<w:caps/>" + _color(ACCENT) + '<w:spacing w:val="20"/>' + _size(11),
    ),
    _pstyle(
        COVER_LABEL,
        "eagov Cover Label",
        ppr='<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>',
        rpr=_color(MUTED) + _size(9.5),
    ),
    _pstyle(
        COVER_VALUE,
        "eagov Cover Value",
        ppr='<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>',
        rpr=_size(10.5),
    ),
    _pstyle(NOTE, "eagov Note", rpr="<w:i/><w:iCs/>" + _color(MUTED) + _size(9)),
    _pstyle(
        HASH,
        "eagov Hash",
        ppr='<w:spacing w:after="60"/>',
        rpr=f'<w:rFonts w:ascii="{MONO_FONT}" w:hAnsi="{MONO_FONT}" w:cs="{MONO_FONT}"/>'
        + _size(8.5),
    ),
    _pstyle(
        SIGNATORY,
        "eagov Signatory",
        ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="80"/>',
        rpr="<w:b/><w:bCs/>" + _color(PRIMARY),
    ),
    _pstyle(
        SIGNATURE_LINE,
        "eagov Signature Line",
        ppr='<w:keepNext/><w:keepLines/><w:tabs><w:tab w:val="left" w:pos="1700"/></w:tabs>'
        '<w:spacing w:before="120" w:after="60"/>',
    ),
    _pstyle(
        "TOC1",
        "toc 1",
        next_id="Normal",
        builtin=True,
        ppr=f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>'
        '<w:spacing w:before="80" w:after="40"/>',
        rpr="<w:b/><w:bCs/>",
    ),
    _pstyle(
        "TOC2",
        "toc 2",
        next_id="Normal",
        builtin=True,
        ppr=f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>'
        '<w:spacing w:after="40"/><w:ind w:left="220"/>',
    ),
]


def _list_levels(kind: str) -> str:
    out = []
    bullets = ("\u2022", "\u2013", "\u25e6")
    for level in range(3):
        indent = 360 * (level + 1)
        if kind == "bullet":
            fmt = f'<w:numFmt w:val="bullet"/><w:lvlText w:val="{bullets[level]}"/>'
        else:
            fmt = (
                '<w:numFmt w:val="'
                + ("decimal", "lowerLetter", "lowerRoman")[level]
                + f'"/><w:lvlText w:val="%{level + 1}."/>'
            )
        out.append(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/>{fmt}<w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{indent}" w:hanging="360"/></w:pPr></w:lvl>'
        )
    return "".join(out)


def _abstract_num(ident: int, kind: str) -> str:
    return (
        f'<w:abstractNum {ooxml.W_DECL} w:abstractNumId="{ident}">'
        f'<w:multiLevelType w:val="hybridMultilevel"/>{_list_levels(kind)}</w:abstractNum>'
    )


# --- the base package ---------------------------------------------------------------------------


def new_document(locale: str = "en") -> Document:
    """A Document in the house style, ready for content (A4, fonts, styles, lists)."""
    from docx import Document as open_document

    return open_document(io.BytesIO(_base(locale if locale in LANGUAGES else "en")))


@lru_cache(maxsize=len(LANGUAGES))
def _base(locale: str) -> bytes:
    from docx import Document as open_document
    from docx.oxml.parser import parse_xml
    from docx.shared import Twips
    from lxml import etree

    doc = open_document()
    ooxml.drop_relationships(doc.part, [_RT_STYLES_WITH_EFFECTS, ooxml.RT_CUSTOM_XML])
    ooxml.drop_relationships(doc.part.package, [_RT_THUMBNAIL])

    # Page: A4 portrait.
    section = doc.sections[0]
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Twips(MARGIN))
    section.header_distance = section.footer_distance = Twips(709)

    # Styles: explicit fonts everywhere (theme fonts would win over them), the East Asian
    # font and language in the defaults, the house sizes and colours.
    styles = doc.styles.element
    for style in list(styles.findall(ooxml.w("style"))):
        if (
            style.get(ooxml.w("type")) == "table"
            and style.get(ooxml.w("styleId")) not in _STYLES_KEPT_TABLES
        ):
            styles.remove(style)
    ooxml.strip_theme_fonts(styles)
    defaults = styles.find(f"{ooxml.w('docDefaults')}/{ooxml.w('rPrDefault')}/{ooxml.w('rPr')}")
    ooxml.set_fonts(defaults, LATIN_FONT, EAST_ASIAN_FONT)
    # Latin text is proofed as English in both languages (a Chinese w:val would make
    # LibreOffice break Latin words anywhere); Chinese text is marked by w:eastAsia.
    ooxml.set_lang(defaults, LANGUAGES["en"], "zh-CN")
    size = defaults.find(ooxml.w("sz"))
    size.set(ooxml.w("val"), "21")  # 10.5 pt
    defaults.find(ooxml.w("szCs")).set(ooxml.w("val"), "21")
    spacing = styles.find(
        f"{ooxml.w('docDefaults')}/{ooxml.w('pPrDefault')}/{ooxml.w('pPr')}/{ooxml.w('spacing')}"
    )
    spacing.set(ooxml.w("after"), "120")
    spacing.set(ooxml.w("line"), "264")

    def tune(style_name: str, **font: object) -> None:
        st = doc.styles[style_name]
        ooxml.set_fonts(st.element.get_or_add_rPr(), LATIN_FONT, EAST_ASIAN_FONT)
        for attr, value in font.items():
            if attr.startswith("pf_"):
                setattr(st.paragraph_format, attr[3:], value)
            elif attr == "color":
                st.font.color.rgb = value
            else:
                setattr(st.font, attr, value)

    from docx.shared import Pt, RGBColor

    primary, accent, muted = (RGBColor.from_string(c) for c in (PRIMARY, ACCENT, MUTED))
    tune("Normal")
    tune(
        "Heading 1",
        size=Pt(14),
        bold=True,
        color=primary,
        pf_space_before=Pt(18),
        pf_space_after=Pt(6),
    )
    tune(
        "Heading 2",
        size=Pt(12),
        bold=True,
        color=accent,
        pf_space_before=Pt(12),
        pf_space_after=Pt(4),
    )
    tune("Title", size=Pt(24), color=primary, pf_space_after=Pt(12))
    tune("Subtitle", size=Pt(14), italic=False, color=accent, pf_space_after=Pt(24))
    tune("TOC Heading", size=Pt(14), bold=True, color=primary, pf_space_before=Pt(0))
    tune("Header", size=Pt(8.5), color=muted)
    tune("Footer", size=Pt(8.5), color=muted)
    tune("Quote", color=muted)
    for name in ("Header", "Footer"):
        p_pr = doc.styles[name].element.get_or_add_pPr()
        tabs = p_pr.find(ooxml.w("tabs"))
        if tabs is not None:
            p_pr.remove(tabs)
        p_pr.insert(
            0,
            parse_xml(
                f'<w:tabs {ooxml.W_DECL}><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/>'
                f'<w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
            ),
        )
    # Table Grid: lighter borders, a little cell padding.
    grid = styles.find(f"{ooxml.w('style')}[@{ooxml.w('styleId')}='{TABLE}']")
    for border in grid.iter(
        *(ooxml.w(s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    ):
        if border.getparent().tag == ooxml.w("tblBorders"):
            border.set(ooxml.w("color"), LINE)
    for style_xml in _CUSTOM_STYLES:
        styles.append(parse_xml(style_xml))

    # Lists: a multi-level bullet list and a multi-level numbered list.
    numbering = doc.part.numbering_part.element
    first_num = numbering.find(ooxml.w("num"))
    for ident, kind in ((BULLET_ABSTRACT, "bullet"), (DECIMAL_ABSTRACT, "decimal")):
        abstract = parse_xml(_abstract_num(ident, kind))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
    numbering.append(
        parse_xml(
            f'<w:num {ooxml.W_DECL} w:numId="{BULLET_NUM}">'
            f'<w:abstractNumId w:val="{BULLET_ABSTRACT}"/></w:num>'
        )
    )

    # Settings: refresh fields (TOC, page numbers) on open; Chinese as the East Asian language.
    settings = doc.settings.element
    ooxml.set_update_fields(settings)
    for name in ("savePreviewPicture", "rsids"):
        for old in settings.findall(ooxml.w(name)):
            settings.remove(old)
    theme_lang = settings.find(ooxml.w("themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(ooxml.w("val"), LANGUAGES["en"])
        theme_lang.set(ooxml.w("eastAsia"), "zh-CN")

    # Font table: what Word substitutes for a font the machine lacks.
    font_part = doc.part.rels.part_with_reltype(_RT_FONT_TABLE)
    fonts = etree.fromstring(font_part.blob)
    for name, alt, charset, family in (
        (LATIN_FONT, None, "00", "swiss"),
        (EAST_ASIAN_FONT, EAST_ASIAN_FALLBACK, "86", "swiss"),
        (MONO_FONT, None, "00", "modern"),
    ):
        entry = etree.SubElement(fonts, ooxml.w("font"))
        entry.set(ooxml.w("name"), name)
        if alt:
            etree.SubElement(entry, ooxml.w("altName")).set(ooxml.w("val"), alt)
        etree.SubElement(entry, ooxml.w("charset")).set(ooxml.w("val"), charset)
        etree.SubElement(entry, ooxml.w("family")).set(ooxml.w("val"), family)
        etree.SubElement(entry, ooxml.w("pitch")).set(
            ooxml.w("val"), "fixed" if family == "modern" else "variable"
        )
    font_part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)

    # Extended properties: the template says "Microsoft Macintosh Word"; say who made it.
    app_part = doc.part.package.part_related_by(_RT_EXTENDED)
    app_part._blob = (
        b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'extended-properties"><Application>eagov</Application><DocSecurity>0</DocSecurity>'
        b"<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
        b"<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
    )

    core = doc.core_properties
    core.author = core.last_modified_by = "eagov"
    core.title = core.subject = core.keywords = core.comments = core.category = ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
