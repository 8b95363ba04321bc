"""The work report as a Word document (.docx), laid out like an official Chinese report: 黑体 title and
headings, 宋体 body with a two-character first-line indent, tables with a grid, charts as images."""

import io
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable

from tongxin.statistics.report import Chart, Paragraph, Report, Table

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT, HEADING_FONT = "宋体", "黑体"
BODY_SIZE = Pt(12)
CELL, CELL_CENTRED, CELL_HEAD = "TongxinCell", "TongxinCellCentred", "TongxinCellHead"


def _font(target: Any, name: str, size: Pt | None = None, bold: bool | None = None) -> None:
    """Set the font of a style or a run for Latin and East Asian text alike."""
    font = target.font
    font.name = name
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    element = target.element
    element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def report_docx(report: Report) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.8)
    normal = document.styles["Normal"]
    _font(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    _table_styles(document)
    properties = document.core_properties
    properties.title, properties.author, properties.comments = report.title, "同心", report.subtitle

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(report.title), HEADING_FONT, Pt(18))
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = subtitle.add_run(report.subtitle)
    _font(run, BODY_FONT, Pt(10.5))
    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    for part in report.sections:
        _heading(document, f"{part.number}、{part.title}")
        for block in part.blocks:
            if isinstance(block, Paragraph):
                paragraph = document.add_paragraph(block.text)
                paragraph.paragraph_format.first_line_indent = Pt(24)
            elif isinstance(block, Table):
                _table(document, block)
            elif isinstance(block, Chart):
                _caption(document, block.title)
                picture = document.add_paragraph()
                picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
                picture.add_run().add_picture(io.BytesIO(block.png()), width=Cm(15))

    _heading(document, "附：数据口径与复现方法")
    note = document.add_paragraph(report.appendix_note)
    note.paragraph_format.first_line_indent = Pt(24)
    table = _grid(document, ["序号", "指标", "数值", "口径与复现"], [Cm(1.2), Cm(3.4), Cm(2.0), Cm(8.8)])
    for entry in report.appendix:
        cells = table.add_row().cells
        _cell(cells[0], str(entry.number), center=True)
        _cell(cells[1], f"{entry.name}\n{entry.code}")
        _cell(cells[2], entry.value, center=True)
        _cell(cells[3], f"{entry.definition}\n接口：{entry.api}\n明细：{entry.rows}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table_styles(document: Any) -> None:
    """Paragraph styles for table cells, so that a cell takes one style rather than a run's fonts."""
    for name, font, align in (
        (CELL, BODY_FONT, WD_ALIGN_PARAGRAPH.LEFT),
        (CELL_CENTRED, BODY_FONT, WD_ALIGN_PARAGRAPH.CENTER),
        (CELL_HEAD, HEADING_FONT, WD_ALIGN_PARAGRAPH.CENTER),
    ):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        _font(style, font, Pt(9))
        style.paragraph_format.line_spacing = 1.0
        style.paragraph_format.alignment = align
        assert style.style_id == name


def _heading(document: Any, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    _font(paragraph.add_run(text), HEADING_FONT, Pt(14))


def _caption(document: Any, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    _font(paragraph.add_run(text), HEADING_FONT, Pt(10.5))


def _grid(document: Any, columns: list[str], widths: list[Cm] | None = None) -> DocxTable:
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for n, heading in enumerate(columns):
        cell = table.rows[0].cells[n]
        _cell(cell, heading, center=True, bold=True)
        if widths:
            cell.width = widths[n]
    return table


def _cell(cell: Any, text: str, *, center: bool = False, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    # the style id straight into the XML: python-docx's by-name lookup walks every style each time
    paragraph._p.style = CELL_HEAD if bold else CELL_CENTRED if center else CELL
    paragraph.text = text


def _table(document: Any, block: Table) -> None:
    _caption(document, block.title)
    table = _grid(document, block.columns)
    for row in block.rows:
        cells = table.add_row().cells
        for n, value in enumerate(row):
            _cell(cells[n], value, center=n > 0)
    document.add_paragraph()
