"""The work report as PDF (fpdf2), with the Chinese font the service cards embed (members/cards.py)."""

import io
from typing import Any

from tongxin.members.cards import PDF_CONTENT_TYPE, PdfFontMissing, cjk_font
from tongxin.statistics.report import Chart, Paragraph, Report, Table

__all__ = ["PDF_CONTENT_TYPE", "PdfFontMissing", "report_pdf"]

HEAD_FILL = (243, 227, 227)
WIDTH = 170  # mm between the margins of A4 with 20 mm margins
CHART_HEIGHT = (WIDTH - 10) * 600 / 1500  # mm, at the aspect of report_chart's images


def report_pdf(report: Report) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    path, face = cjk_font()

    class ReportPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("cjk", size=8)
            self.set_text_color(120, 120, 120)
            self.cell(0, 6, f"{report.title}　第 {self.page_no()} 页", align="C")
            self.set_text_color(0, 0, 0)

    pdf = ReportPDF(format="A4", unit="mm")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("cjk", "", path, collection_font_number=face)
    pdf.set_title(report.title)
    pdf.set_creator("Tongxin")
    head = FontFace(fill_color=HEAD_FILL)
    char = WrapMode.CHAR

    pdf.add_page()
    pdf.set_font("cjk", size=17)
    pdf.multi_cell(0, 10, report.title, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=char)
    pdf.set_font("cjk", size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 6, report.subtitle, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=char)
    pdf.set_text_color(0, 0, 0)

    def heading(text: str) -> None:
        room(25)
        pdf.ln(3)
        pdf.set_font("cjk", size=13)
        pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")

    def room(height: float) -> None:
        """Start a new page unless `height` mm fit: a caption never sits alone at a page's foot."""
        if pdf.will_page_break(height):
            pdf.add_page()

    def caption(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("cjk", size=10)
        pdf.cell(0, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")

    def paragraph(text: str) -> None:
        pdf.set_font("cjk", size=11)
        # two full-width spaces: the first-line indent of Chinese prose
        pdf.multi_cell(0, 7, "\u3000\u3000" + text, align="L", new_x="LMARGIN", new_y="NEXT", wrapmode=char)

    def table(block: Table) -> None:
        room(9 + 6 * min(3, len(block.rows) + 1))
        caption(block.title)
        pdf.set_font("cjk", size=9)
        first = 45 if len(block.columns) > 3 else 70
        rest = (WIDTH - first) / max(1, len(block.columns) - 1)
        with pdf.table(
            col_widths=(first, *([rest] * (len(block.columns) - 1))),
            text_align=("LEFT", *(["CENTER"] * (len(block.columns) - 1))),
            line_height=6,
            headings_style=head,
            wrapmode=char,
        ) as grid:
            top = grid.row()
            for column in block.columns:
                top.cell(column)
            for values in block.rows:
                row = grid.row()
                for value in values:
                    row.cell(value)

    def chart(block: Chart) -> None:
        room(11 + CHART_HEIGHT)
        caption(block.title)
        pdf.image(io.BytesIO(block.png()), x=pdf.l_margin + 5, w=WIDTH - 10)

    for part in report.sections:
        heading(f"{part.number}、{part.title}")
        for block in part.blocks:
            if isinstance(block, Paragraph):
                paragraph(block.text)
            elif isinstance(block, Table):
                table(block)
            elif isinstance(block, Chart):
                chart(block)

    pdf.add_page()
    heading("附：数据口径与复现方法")
    paragraph(report.appendix_note)
    pdf.ln(2)
    pdf.set_font("cjk", size=8)
    with pdf.table(
        col_widths=(10, 34, 18, 108),
        text_align=("CENTER", "LEFT", "CENTER", "LEFT"),
        line_height=5,
        headings_style=head,
        wrapmode=char,
    ) as grid:
        top = grid.row()
        for column in ("序号", "指标", "数值", "口径与复现"):
            top.cell(column)
        for entry in report.appendix:
            row: Any = grid.row()
            row.cell(str(entry.number))
            row.cell(f"{entry.name}\n{entry.code}")
            row.cell(entry.value)
            row.cell(f"{entry.definition}\n接口：{entry.api}\n明细：{entry.rows}")
    return bytes(pdf.output())
