from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.transfer import layouts, selectors
from tongxin.transfer.layouts import Layout
from tongxin.transfer.reading import MAX_BYTES, MAX_ROWS

INDENT = "\u3000"  # an ideographic space per level, so the region list reads as a tree


class ImportForm(forms.Form):
    # empty files pass the form so the service refuses (and audits) them like any other bad file
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    dry_run = forms.BooleanField(required=False, label=_("Only check the file; save nothing"))

    def __init__(self, layout: Layout, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_import_{layout.kind}_%s")
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.geojson,.json" if layout.geojson else ".xlsx"
        if layout.geojson:
            self.fields["file"].help_text = _(
                "Excel .xlsx or GeoJSON, at most %(mb)d MB and %(rows)s rows."
            ) % {"mb": MAX_BYTES // (1024 * 1024), "rows": f"{MAX_ROWS:,}"}
        else:
            self.fields["file"].help_text = _("Excel .xlsx, at most %(mb)d MB and %(rows)s rows.") % {
                "mb": MAX_BYTES // (1024 * 1024),
                "rows": f"{MAX_ROWS:,}",
            }


class ExportForm(forms.Form):
    root = forms.ChoiceField(label=_("Region"))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", _("Excel (.xlsx)")), ("geojson", "GeoJSON")]
    )
    reveal = forms.BooleanField(
        required=False,
        label=_("Include full phone and ID-card numbers"),
        help_text=_(
            "Without this, the numbers are masked. With it, you are asked why, and a colleague must "
            "approve the export before you can download it."
        ),
    )

    def __init__(self, user: Any, layout: Layout, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_export_{layout.kind}_%s")
        super().__init__(*args, **kwargs)
        roots = selectors.export_root_choices(user, layout)
        top = min((r.depth for r in roots), default=0)
        root_field = self.fields["root"]
        assert isinstance(root_field, forms.ChoiceField)
        root_field.choices = [(r.pk, f"{INDENT * (r.depth - top)}{r.name} · {r.code}") for r in roots]
        if not layout.geojson:
            del self.fields["format"]
        if layout.kind != layouts.PEOPLE or not has_capability(user, Capability.PEOPLE_REVEAL):
            del self.fields["reveal"]
