"""Raw WordprocessingML helpers for what python-docx has no API for.

Fields (TOC, PAGE, NUMPAGES), bookmarks, cell shading, repeated header rows, East Asian
fonts, the settings flag that makes Word refresh fields on open, a DRAFT watermark and a
custom XML part. Large tables are written here as one XML string parsed once: python-docx's
per-cell API (``table.cell()``, ``row.cells``, ``cell.text``) costs far more per cell than
building the same elements directly.

Everything returns or takes lxml elements of python-docx's own element classes
(``docx.oxml.parser.parse_xml``), so python-docx reads the result like anything it wrote.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
V_NS = "urn:schemas-microsoft-com:vml"
O_NS = "urn:schemas-microsoft-com:office:office"
W10_NS = "urn:schemas-microsoft-com:office:word"
DS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
RT_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
RT_CUSTOM_XML_PROPS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
)
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
CT_XML = "application/xml"

W_DECL = f'xmlns:w="{W_NS}"'


def w(tag: str) -> str:
    """Clark notation of a w: name, e.g. ``w("p")``."""
    return f"{{{W_NS}}}{tag}"


# --- text --------------------------------------------------------------------------------------

# Characters XML 1.0 does not allow (lxml refuses them); stored text may still hold some.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: Any) -> str:
    return _NOT_XML.sub("", str(text))


def esc(text: Any) -> str:
    """Text for an element body or a double-quoted attribute."""
    return (
        clean(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


@dataclass(frozen=True)
class Run:
    """A run of text with character formatting (all optional)."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    color: str | None = None
    size: float | None = None  # points


def run_xml(run: Run, mono_font: str = "Courier New") -> str:
    props = []
    if run.code:
        props.append(f'<w:rFonts w:ascii="{mono_font}" w:hAnsi="{mono_font}" w:cs="{mono_font}"/>')
    if run.bold:
        props.append("<w:b/>")
    if run.italic:
        props.append("<w:i/>")
    if run.color:
        props.append(f'<w:color w:val="{run.color}"/>')
    if run.size:
        half = round(run.size * 2)
        props.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    # Line breaks inside a run become <w:br/>; tabs become <w:tab/>.
    parts = []
    for i, line in enumerate(clean(run.text).split("\n")):
        if i:
            parts.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{esc(piece)}</w:t>')
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


@dataclass
class Para:
    """One paragraph to write as XML: style id, runs and paragraph properties."""

    runs: Sequence[Run] = ()
    style: str | None = None
    align: str | None = None  # left, center, right, both
    keep_next: bool = False
    num: tuple[int, int] | None = None  # (numId, ilvl)
    bookmark: tuple[int, str] | None = None  # (id, name) around the paragraph's runs
    page_break_before: bool = False
    space_after: int | None = None  # twentieths of a point
    raw: str = ""  # extra run XML appended after the runs (fields, breaks)


def para_xml(p: Para, mono_font: str = "Courier New") -> str:
    ppr = []
    if p.style:
        ppr.append(f'<w:pStyle w:val="{p.style}"/>')
    if p.keep_next:
        ppr.append("<w:keepNext/>")
    if p.page_break_before:
        ppr.append("<w:pageBreakBefore/>")
    if p.num:
        ppr.append(f'<w:numPr><w:ilvl w:val="{p.num[1]}"/><w:numId w:val="{p.num[0]}"/></w:numPr>')
    if p.space_after is not None:
        ppr.append(f'<w:spacing w:after="{p.space_after}"/>')
    if p.align:
        ppr.append(f'<w:jc w:val="{p.align}"/>')
    body = "".join(run_xml(r, mono_font) for r in p.runs) + p.raw
    if p.bookmark:
        ident, name = p.bookmark
        body = (
            f'<w:bookmarkStart w:id="{ident}" w:name="{esc(name)}"/>{body}'
            f'<w:bookmarkEnd w:id="{ident}"/>'
        )
    pxml = f"<w:pPr>{''.join(ppr)}</w:pPr>" if ppr else ""
    return f"<w:p>{pxml}{body}</w:p>"


def page_break_xml() -> str:
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


# --- tables ------------------------------------------------------------------------------------


@dataclass
class Cell:
    paras: list[Para]
    fill: str | None = None


@dataclass
class Table:
    """A table written in one go: widths in twips, an optional repeated header row."""

    widths: Sequence[int]
    header: Sequence[str] | None = None
    rows: list[list[Cell]] = field(default_factory=list)
    style: str = "TableGrid"
    header_style: str | None = None
    cell_style: str | None = None
    header_fill: str | None = None
    borders: bool = True
    cant_split: bool = True


def table_xml(table: Table, mono_font: str = "Courier New") -> str:
    total = sum(table.widths)
    grid = "".join(f'<w:gridCol w:w="{wd}"/>' for wd in table.widths)
    borders = (
        ""
        if table.borders
        else "<w:tblBorders>"
        + "".join(
            f'<w:{side} w:val="nil"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + "</w:tblBorders>"
    )
    out = [
        "<w:tbl>",
        f'<w:tblPr><w:tblStyle w:val="{table.style}"/><w:tblW w:w="{total}" w:type="dxa"/>',
        borders,
        '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
        'w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>',
        f"<w:tblGrid>{grid}</w:tblGrid>",
    ]
    tcw = [f'<w:tcW w:w="{wd}" w:type="dxa"/>' for wd in table.widths]
    split = "<w:cantSplit/>" if table.cant_split else ""
    if table.header is not None:
        # tblHeader: Word and LibreOffice repeat this row at the top of every page.
        out.append(f"<w:tr><w:trPr>{split}<w:tblHeader/></w:trPr>")
        fill = shading_xml(table.header_fill) if table.header_fill else ""
        for i, text in enumerate(table.header):
            head = para_xml(Para([Run(text)], style=table.header_style), mono_font)
            out.append(f"<w:tc><w:tcPr>{tcw[i]}{fill}</w:tcPr>{head}</w:tc>")
        out.append("</w:tr>")
    row_open = f"<w:tr><w:trPr>{split}</w:trPr>" if split else "<w:tr>"
    for row in table.rows:
        out.append(row_open)
        for i, cell in enumerate(row):
            fill = shading_xml(cell.fill) if cell.fill else ""
            paras = cell.paras or [Para()]
            body = "".join(
                para_xml(p if p.style else _with_style(p, table.cell_style), mono_font)
                for p in paras
            )
            out.append(f"<w:tc><w:tcPr>{tcw[i]}{fill}</w:tcPr>{body}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _with_style(p: Para, style: str | None) -> Para:
    if style is None:
        return p
    p.style = style
    return p


def shading_xml(fill: str) -> str:
    return f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'


def shade_cell(tc: Any, fill: str) -> None:
    """Shade an existing cell (python-docx ``_Cell`` or ``CT_Tc``)."""
    from docx.oxml.parser import parse_xml

    element = getattr(tc, "_tc", tc)
    tc_pr = element.get_or_add_tcPr()
    for old in tc_pr.findall(w("shd")):
        tc_pr.remove(old)
    shd = parse_xml(f'<w:shd {W_DECL} w:val="clear" w:color="auto" w:fill="{fill}"/>')
    for name in _AFTER_SHD:  # CT_TcPr is a sequence: shd comes before these
        successor = tc_pr.find(w(name))
        if successor is not None:
            successor.addprevious(shd)
            return
    tc_pr.append(shd)


_AFTER_SHD = (
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
    "cellIns",
    "cellDel",
    "cellMerge",
    "tcPrChange",
)


def repeat_header(tr: Any) -> None:
    """Mark a row (python-docx ``_Row`` or ``CT_Row``) as a header repeated on each page."""
    from docx.oxml.parser import parse_xml

    element = getattr(tr, "_tr", tr)
    tr_pr = element.get_or_add_trPr()
    if tr_pr.find(w("tblHeader")) is None:
        tr_pr.append(parse_xml(f"<w:tblHeader {W_DECL}/>"))


# --- body assembly -----------------------------------------------------------------------------


def append_body_xml(document: Document, fragments: Iterable[str]) -> None:
    """Parse block-level XML (paragraphs, tables) once and put it before the body's sectPr."""
    from docx.oxml.parser import parse_xml

    xml = f"<w:body {W_DECL}>{''.join(fragments)}</w:body>"
    parsed = parse_xml(xml)
    body = document.element.body
    sect_pr = body.find(w("sectPr"))
    for child in list(parsed):
        if sect_pr is not None:
            sect_pr.addprevious(child)
        else:
            body.append(child)


# --- fields ------------------------------------------------------------------------------------


def field_xml(instr: str, placeholder: str, *, dirty: bool = False, run: Run | None = None) -> str:
    """A complex field (begin, instruction, separate, cached result, end) as run XML."""
    begin = (
        '<w:fldChar w:fldCharType="begin" w:dirty="true"/>'
        if dirty
        else ('<w:fldChar w:fldCharType="begin"/>')
    )
    result = run_xml(Run(placeholder) if run is None else run)
    return (
        f"<w:r>{begin}</w:r>"
        f'<w:r><w:instrText xml:space="preserve"> {esc(instr)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{result}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def add_field(paragraph: Paragraph, instr: str, placeholder: str = "") -> None:
    """Append a complex field to a python-docx paragraph (e.g. PAGE, NUMPAGES)."""
    from docx.oxml.parser import parse_xml

    wrapper = parse_xml(f"<w:p {W_DECL}>{field_xml(instr, placeholder)}</w:p>")
    for r in list(wrapper):
        paragraph._p.append(r)


TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'


def toc_xml(placeholder: str, style: str | None = None) -> str:
    """The table-of-contents field; Word fills it in (``dirty`` plus ``updateFields``)."""
    run = Run(placeholder, italic=True, color="7F7F7F")
    return para_xml(
        Para(style=style, raw=field_xml(TOC_INSTRUCTION, placeholder, dirty=True, run=run))
    )


# CT_Settings is a sequence: updateFields must come before these (ECMA-376 Part 1, 17.15.1.78).
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)


def set_update_fields(settings_element: Any) -> None:
    """``<w:updateFields w:val="true"/>``: Word refreshes TOC and page fields on open."""
    from docx.oxml.parser import parse_xml

    for old in settings_element.findall(w("updateFields")):
        settings_element.remove(old)
    flag = parse_xml(f'<w:updateFields {W_DECL} w:val="true"/>')
    for name in _AFTER_UPDATE_FIELDS:
        successor = settings_element.find(w(name))
        if successor is not None:
            successor.addprevious(flag)
            return
    settings_element.append(flag)


# --- fonts -------------------------------------------------------------------------------------


def set_fonts(r_pr: Any, latin: str, east_asian: str) -> None:
    """Explicit fonts on an rPr (theme font attributes would override them, so drop them)."""
    from docx.oxml.parser import parse_xml

    for old in r_pr.findall(w("rFonts")):
        r_pr.remove(old)
    fonts = parse_xml(
        f'<w:rFonts {W_DECL} w:ascii="{latin}" w:hAnsi="{latin}" w:cs="{latin}" '
        f'w:eastAsia="{east_asian}"/>'
    )
    r_pr.insert(0, fonts)  # rFonts is the first child of CT_RPr


def set_lang(r_pr: Any, latin: str, east_asian: str) -> None:
    from docx.oxml.parser import parse_xml

    for old in r_pr.findall(w("lang")):
        r_pr.remove(old)
    # lang is late in CT_RPr's sequence; only eastAsianLayout, specVanish, oMath follow.
    lang = parse_xml(f'<w:lang {W_DECL} w:val="{latin}" w:eastAsia="{east_asian}" w:bidi="ar-SA"/>')
    for name in ("eastAsianLayout", "specVanish", "oMath"):
        successor = r_pr.find(w(name))
        if successor is not None:
            successor.addprevious(lang)
            return
    r_pr.append(lang)


def strip_theme_fonts(root: Any) -> None:
    """Remove ``w:*Theme`` attributes from every rFonts under ``root``."""
    theme_attrs = [w(a) for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")]
    for fonts in root.iter(w("rFonts")):
        for attr in theme_attrs:
            fonts.attrib.pop(attr, None)


# --- watermark ---------------------------------------------------------------------------------

_TEXT_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(
        f'<v:f eqn="{eqn}"/>'
        for eqn in (
            "sum #0 0 10800",
            "prod #0 2 1",
            "sum 21600 0 @1",
            "sum 0 0 @2",
            "sum 21600 0 @3",
            "if @0 @3 0",
            "if @0 21600 @1",
            "if @0 0 @2",
            "if @0 @4 21600",
            "mid @5 @6",
            "mid @8 @5",
            "mid @7 @8",
            "mid @6 @7",
            "sum @6 0 @5",
        )
    )
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" '
    'xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/>'
    "</v:shapetype>"
)


def watermark_run_xml(text: str, font: str, color: str = "#C0C0C0") -> str:
    """A diagonal text watermark as Word writes it (a VML shape in a header run)."""
    return (
        f'<w:r xmlns:v="{V_NS}" xmlns:o="{O_NS}" xmlns:w10="{W10_NS}"><w:rPr><w:noProof/></w:rPr>'
        f"<w:pict>{_TEXT_SHAPETYPE}"
        '<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136" '
        'style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:140pt;'
        "rotation:315;z-index:-251657216;mso-position-horizontal:center;"
        "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
        'mso-position-vertical-relative:margin" o:allowincell="f" '
        f'fillcolor="{color}" stroked="f"><v:fill opacity=".5"/>'
        f'<v:textpath style="font-family:&quot;{esc(font)}&quot;;font-size:1pt" '
        f'string="{esc(text)}"/><w10:wrap anchorx="margin" anchory="margin"/></v:shape>'
        "</w:pict></w:r>"
    )


def add_watermark(paragraph: Paragraph, text: str, font: str) -> None:
    from docx.oxml.parser import parse_xml

    wrapper = parse_xml(f"<w:p {W_DECL}>{watermark_run_xml(text, font)}</w:p>")
    for r in list(wrapper):
        paragraph._p.append(r)


# --- custom XML part ---------------------------------------------------------------------------


def add_custom_xml_part(
    document: Document, xml: bytes, *, schema_uri: str, item_key: str = ""
) -> str:
    """Store ``xml`` as customXml/itemN.xml with its itemProps, related from the main part.

    Returns the datastore item id (a GUID, derived from ``item_key`` when given so that the
    same document builds the same package).
    """
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    main = document.part
    package = main.package
    used = {str(p.partname) for p in package.iter_parts()}
    n = 1
    while f"/customXml/item{n}.xml" in used:
        n += 1
    item_id = (
        "{"
        + str(uuid.uuid5(uuid.NAMESPACE_URL, item_key) if item_key else uuid.uuid4()).upper()
        + "}"
    )
    props = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<ds:datastoreItem xmlns:ds="{DS_NS}" ds:itemID="{item_id}"><ds:schemaRefs>'
        f'<ds:schemaRef ds:uri="{esc(schema_uri)}"/></ds:schemaRefs></ds:datastoreItem>'
    ).encode()
    item = Part(PackURI(f"/customXml/item{n}.xml"), CT_XML, xml, package)
    props_part = Part(PackURI(f"/customXml/itemProps{n}.xml"), CT_CUSTOM_XML_PROPS, props, package)
    item.relate_to(props_part, RT_CUSTOM_XML_PROPS)
    main.relate_to(item, RT_CUSTOM_XML)
    return item_id


def drop_relationships(part: Any, reltypes: Iterable[str]) -> None:
    """Forget relationships of the given types (their parts are then not written)."""
    wanted = set(reltypes)
    for r_id, rel in list(part.rels.items()):
        if rel.reltype in wanted:
            del part.rels[r_id]
