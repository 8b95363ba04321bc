from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.assessment.models import GradeLink, Item, Scheme
from tongxin.assessment.services import ITEM_FIELDS, SCHEME_FIELDS
from tongxin.assessment.sources import reader
from tongxin.core.forms import DateInput


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = list(SCHEME_FIELDS)
        help_texts = {
            "excellent_min": gettext_lazy("Used when grades go by cut-offs."),
            "excellent_share": gettext_lazy(
                "Used when grades go by shares: the best this share is 优秀, the next 良好, the rest 一般 "
                "(较差 below the 一般 cut-off)."
            ),
            "bottom_count": gettext_lazy("0: no 末位 by number."),
            "show_ranking": gettext_lazy("Off by default: rankings are shown to the owning department only."),
        }


class ItemForm(forms.ModelForm):
    indicator = forms.ChoiceField(label=gettext_lazy("figure"), required=False)
    bands = forms.CharField(
        label=gettext_lazy("bands"),
        required=False,
        help_text=gettext_lazy(
            "Threshold:share of the maximum in per cent, separated by commas, e.g. 90:100, 80:80, 60:50."
        ),
    )

    class Meta:
        model = Item
        fields = [name for name in ITEM_FIELDS if name != "position"]  # the order is kept by the page

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—"), *reader().choices()]  # type: ignore[attr-defined]

    def clean_bands(self) -> list[list[str]]:
        text = (self.cleaned_data.get("bands") or "").replace("，", ",").replace("：", ":")
        bands = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            threshold, _sep, share = part.partition(":")
            try:
                bands.append([str(Decimal(threshold.strip())), str(Decimal(share.strip()))])
            except InvalidOperation as exc:
                raise forms.ValidationError(_("Write each band as threshold:share, e.g. 90:100.")) from exc
        return bands


class GradeLinkForm(forms.ModelForm):
    class Meta:
        model = GradeLink
        fields = ["grade", "kind", "note"]


class ReportForm(forms.Form):
    report = forms.FileField(label=gettext_lazy("述职 report (PDF or picture)"))


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel workbook (.xlsx)"))


class ContestForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=120)
    held_on = forms.DateField(label=gettext_lazy("held on"), widget=DateInput)
    topics = forms.CharField(
        label=gettext_lazy("topics"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    drop_extremes = forms.BooleanField(
        label=gettext_lazy("drop the highest and the lowest score"), required=False, initial=True
    )
    judges = forms.CharField(
        label=gettext_lazy("judges, one per line"), widget=forms.Textarea(attrs={"rows": 4})
    )
    participants: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=gettext_lazy("participants (secretaries)"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, secretaries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = secretaries  # type: ignore[attr-defined]
        self.fields["participants"].label_from_instance = lambda p: f"{p.region.name} · {p.name}"  # type: ignore[attr-defined]
