"""Pages of the work report (工作综述): read, download as .docx and PDF, edit the wording."""

from django.urls import path

from tongxin.statistics import report_views

urlpatterns = [
    path("", report_views.report, name="report"),
    path("report.docx", report_views.report_docx_view, name="report_docx"),
    path("report.pdf", report_views.report_pdf_view, name="report_pdf"),
    path("wording/", report_views.wording_list, name="wording"),
    path("wording/new/", report_views.wording_new, name="wording_new"),
]
