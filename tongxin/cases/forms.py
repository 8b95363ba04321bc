"""Forms of the case pages. They check input; the services decide what is allowed."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongxin.cases.icons import group_icon
from tongxin.cases.models import (
    CalendarDay,
    CaseCategory,
    CaseKind,
    CaseStatus,
    Rating,
    RejectReason,
    Responder,
    WhistleRouteStep,
    WhistleType,
)
from tongxin.cases.selectors import cases_visible, dispatch_responders, dispatch_roles, dispatch_users
from tongxin.cases.workflow import RULES, Action
from tongxin.core.forms import DateInput
from tongxin.regions.models import Region

DESCRIPTION_MAX = 2000
NOTE_MAX = 2000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more photos from one <input type=file multiple>."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


def category_choices(*, include_parents: bool = False) -> list[tuple[Any, Any]]:
    """Active categories as a two-level <select>: first-level names as groups."""
    categories = list(CaseCategory.objects.filter(active=True).select_related("parent").order_by("code"))
    groups: list[tuple[Any, Any]] = []
    for parent in (c for c in categories if c.parent_id is None):
        children = [(str(c.pk), f"{c.code} {c.name}") for c in categories if c.parent_id == parent.pk]
        if include_parents:
            children.insert(0, (str(parent.pk), _("%(name)s — all") % {"name": parent.name}))
        if children:
            groups.append((f"{parent.code} {parent.name}", children))
    return groups


def category_tiles() -> list[dict[str, Any]]:
    """Active categories for the resident's tile picker: groups with an icon, plain names only."""
    categories = list(CaseCategory.objects.filter(active=True).order_by("code"))
    groups = []
    for parent in (c for c in categories if c.parent_id is None):
        options = [{"value": str(c.pk), "name": c.name} for c in categories if c.parent_id == parent.pk]
        if options:
            groups.append({"name": parent.name, "icon": group_icon(parent.code), "options": options})
    return groups


class CategoryTiles(forms.Widget):
    """Radio buttons styled as tiles, grouped by the first level (category_picker.js shows the groups
    first, then one group's categories); without JavaScript all groups are shown."""

    template_name = "cases/widgets/category_tiles.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.groups: list[dict[str, Any]] = []

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["groups"] = self.groups
        return context

    def format_value(self, value: Any) -> str:
        return "" if value is None else str(value)


def community_choices(communities: Iterable[Region]) -> list[tuple[Any, Any]]:
    """Communities grouped by their street."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for community in communities:
        street = community.parent.name if community.parent_id else ""  # type: ignore[union-attr]
        groups.setdefault(street, []).append((str(community.pk), community.name))
    return [(street or _("Communities"), options) for street, options in groups.items()]


class CategoryField(forms.ChoiceField):
    def __init__(self, *, include_parents: bool = False, **kwargs: Any) -> None:
        self.include_parents = include_parents
        super().__init__(choices=(), **kwargs)

    def refresh(self, empty_label: Any = None) -> None:
        self.choices = [
            ("", empty_label or _("Choose…")),
            *category_choices(include_parents=self.include_parents),
        ]

    def clean(self, value: Any) -> CaseCategory | None:
        value = super().clean(value)
        if not value:
            return None
        return CaseCategory.objects.get(pk=value)


class LocationFields(forms.Form):
    """A point (from the map pin or the phone's position) or a named place; both optional here."""

    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lng") is None) != (data.get("lat") is None):
            data["lng"] = data["lat"] = None
        return data


class CommunityReport(LocationFields):
    """A report naming its category and, when it has no point, the community it is in."""

    community = forms.ChoiceField(label=_("Community"), required=False)
    community_prompt: Any = _("Choose the community…")

    def __init__(self, *args: Any, communities: Iterable[Region] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].refresh()  # type: ignore[attr-defined]
        self.communities = {str(c.pk): c for c in communities}
        self.fields["community"].choices = [  # type: ignore[attr-defined]
            ("", self.community_prompt),
            *community_choices(self.communities.values()),
        ]

    def clean_community(self) -> Region | None:
        value = self.cleaned_data.get("community")
        return self.communities.get(value) if value else None


class ReportForm(CommunityReport):
    """The resident's report (群众点单): phone-friendly, no account."""

    community_prompt = _("Choose your community…")

    category = CategoryField(label=_("What is it about?"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in CaseKind if k != CaseKind.PATROL],
        initial=CaseKind.COMPLAINT,
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is wrong, where exactly, since when. Please do not write other people's names."),
    )
    photos = PhotosField(label=_("Photos (optional)"))
    reporter_phone = forms.CharField(
        label=_("Your phone number (optional)"),
        max_length=20,
        required=False,
        help_text=_("Only the community sees it, to call you back about this problem."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # a honeypot: hidden from people, filled in by bots
    leave_empty = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    field_order = ["category", "kind", "description", "community", "address", "photos", "reporter_phone"]

    def __init__(self, *args: Any, communities: Iterable[Region] = (), **kwargs: Any) -> None:
        super().__init__(*args, communities=communities, **kwargs)
        tiles = CategoryTiles()
        tiles.groups = category_tiles()
        self.fields["category"].widget = tiles

    def is_bot(self) -> bool:
        return bool((self.data.get("leave_empty") or "").strip())


class PatrolForm(LocationFields):
    """A grid worker's patrol report (巡查上报): the phone's position is optional, the grid is enough."""

    category = CategoryField(label=_("Category"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices, initial=CaseKind.PATROL)
    description = forms.CharField(
        label=_("What did you find?"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Region.objects.none(), required=False)
    photos = PhotosField(label=_("Photos (optional)"))

    field_order = ["category", "kind", "description", "grid", "address", "photos"]

    def __init__(self, *args: Any, grids: Any = None, own_grid: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].refresh()  # type: ignore[attr-defined]
        if grids is not None:
            self.fields["grid"].queryset = grids  # type: ignore[attr-defined]
            # the worker's own grid first; a worker of one grid has nothing to choose
            self.fields["grid"].initial = own_grid or (grids.first() if grids.count() == 1 else None)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("lng") is None and data.get("grid") is None:
            self.add_error("grid", _("Choose the grid, or let the phone give its position."))
        return data


class HotlineForm(CommunityReport):
    """A 12345 ticket entered by the hotline operator."""

    hotline_ticket = forms.CharField(label=_("12345 ticket number"), max_length=40)
    category = CategoryField(label=_("Category"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, k.label) for k in CaseKind if k != CaseKind.PATROL]
    )
    description = forms.CharField(
        label=_("What the caller says"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    reporter_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Caller's phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    field_order = [
        "hotline_ticket",
        "category",
        "kind",
        "description",
        "community",
        "address",
        "reporter_name",
        "reporter_phone",
    ]


# --- the case list ------------------------------------------------------------------------------

STATUS_FILTER_CHOICES = [
    ("", _("All")),
    ("open", _("Open (not closed)")),
    *CaseStatus.choices,
]


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Tracking code, 12345 ticket or words"), "type": "search"}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *CaseKind.choices], required=False
    )
    category = CategoryField(label=_("Category"), include_parents=True, required=False)
    node = forms.ChoiceField(label=_("Area"), required=False)
    since = forms.DateField(label=_("Reported from"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Reported until"), required=False, widget=DateInput())
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    supervised = forms.BooleanField(label=_("Under supervision"), required=False)

    def __init__(self, *args: Any, nodes: Iterable[Region] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].refresh(_("All categories"))  # type: ignore[attr-defined]
        nodes = list(nodes)
        base = min((n.depth for n in nodes), default=0)
        self.nodes = {str(n.pk): n for n in nodes}
        self.fields["node"].choices = [  # type: ignore[attr-defined]
            ("", _("Everywhere I see")),
            *[(str(n.pk), "\u3000" * (n.depth - base) + n.name) for n in nodes],
        ]

    def clean_node(self) -> Region | None:
        value = self.cleaned_data.get("node")
        return self.nodes.get(value) if value else None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or None,
            "kind": data.get("kind") or None,
            "category": data.get("category"),
            "region": data.get("node"),
            "overdue": bool(data.get("overdue")),
            "supervised": bool(data.get("supervised")),
            "since": data.get("since"),
            "until": data.get("until"),
            "q": (data.get("q") or "").strip(),
        }

    def values(self) -> dict[str, Any]:
        """The filters in force (what an export records in the audit trail)."""
        return {k: v for k, v in self.filters().items() if v not in (None, "", False)}


# --- actions on a case --------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Every action form posts the version of the case it was rendered with."""

    action = ""
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.case = case
        rule = RULES[self.action]
        self.fields["reason"].required = rule.needs_reason
        if rule.labels.reason is not None:
            self.fields["reason"].label = rule.labels.reason
        if case is not None:
            self.fields["expected_version"].initial = case.version

    @classmethod
    def options(cls, user: Any, case: Any) -> dict[str, Any]:
        """What the form offers for this case and user (people, teams, cases to name)."""
        return {}

    @property
    def label(self) -> Any:
        return RULES[self.action].labels.button

    def transition_params(self) -> dict[str, Any]:
        return {}


def _make(action: str) -> type[ActionForm]:
    """The form of an action that reads nothing but the note."""
    return type(f"{action.title().replace('_', '')}Form", (ActionForm,), {"action": action})


class _NamesACase(ActionForm):
    """Reject as a duplicate, merge: the other case is named by its tracking code."""

    def __init__(self, *args: Any, visible_cases: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visible_cases = visible_cases

    @classmethod
    def options(cls, user: Any, case: Any) -> dict[str, Any]:
        return {"visible_cases": cases_visible(user).exclude(pk=case.pk)}


class RejectForm(_NamesACase):
    action = Action.REJECT
    why = forms.ChoiceField(
        label=_("Reason"),
        choices=RejectReason.choices,
    )
    original = forms.CharField(
        label=_("Tracking code of the original case (for a duplicate)"), max_length=16, required=False
    )
    field_order = ["why", "original", "reason"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        code = (data.get("original") or "").strip().upper()
        data["original_case"] = None
        if data.get("why") == RejectReason.DUPLICATE:
            found = (
                self.visible_cases.filter(tracking_code=code).first()
                if code and self.visible_cases is not None
                else None
            )
            if found is None:
                self.add_error("original", _("Give the tracking code of the original case."))
            data["original_case"] = found
        return data

    def transition_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"why": self.cleaned_data["why"]}
        if self.cleaned_data.get("original_case") is not None:
            params["original"] = self.cleaned_data["original_case"]
        return params


class MergeForm(_NamesACase):
    action = Action.MERGE
    into = forms.CharField(label=_("Tracking code of the case to merge into"), max_length=16)
    field_order = ["into", "reason"]

    def clean_into(self) -> Any:
        code = self.cleaned_data["into"].strip().upper()
        found = (
            self.visible_cases.filter(tracking_code=code).first() if self.visible_cases is not None else None
        )
        if found is None:
            raise ValidationError(_("No case with this tracking code in your area."))
        return found

    def transition_params(self) -> dict[str, Any]:
        return {"into": self.cleaned_data["into"]}


def person_label(user: Any, roles: Iterable[Any] = ()) -> str:
    """“张三 · 网格员 · 第一网格”: the name, the nearest role and where it is held."""
    parts = [user.display_name()]
    role = next(iter(roles), None)
    if role is not None:
        parts += [str(role.get_role_display()), role.region.name]
    elif user.person_id and user.person.party_status:
        parts.append(str(_("Party member")))
    return " · ".join(parts)


class DispatchForm(ActionForm):
    """To one person (with their role and grid) or one team, partner unit or department (grouped by
    kind, by their names)."""

    action = Action.DISPATCH
    to = forms.ChoiceField(label=_("To"))
    field_order = ["to", "reason"]

    def __init__(
        self,
        *args: Any,
        users: Iterable[Any] = (),
        responders: Iterable[Responder] = (),
        roles: dict[int, list[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        roles = roles or {}
        self.users = {f"u{u.pk}": u for u in users}
        self.responders = {f"r{r.pk}": r for r in responders}
        people = sorted(
            ((key, person_label(u, roles.get(u.pk, ()))) for key, u in self.users.items()),
            key=lambda item: item[1],
        )
        groups: list[tuple[Any, Any]] = [("", _("Choose…")), (_("People"), people)]
        for kind, kind_label in Responder.Kind.choices:
            options = [(key, r.name) for key, r in self.responders.items() if r.kind == kind]
            if options:
                groups.append((kind_label, options))
        self.fields["to"].choices = groups  # type: ignore[attr-defined]

    @classmethod
    def options(cls, user: Any, case: Any) -> dict[str, Any]:
        users = list(dispatch_users(case))
        return {"users": users, "responders": dispatch_responders(case), "roles": dispatch_roles(case, users)}

    def transition_params(self) -> dict[str, Any]:
        key = self.cleaned_data["to"]
        if key in self.users:
            return {"to_user": self.users[key], "to_responder": None}
        return {"to_user": None, "to_responder": self.responders[key]}


class AcceptDispatchForm(DispatchForm):
    """受理并派单: the dispatch form on a new case."""

    action = Action.ACCEPT_DISPATCH


class AssignVerifierForm(ActionForm):
    """改派核查: a person of the community checks the result on site instead of the grid."""

    action = Action.ASSIGN_VERIFIER
    to_user = forms.ChoiceField(label=_("Who checks on site"))
    field_order = ["to_user", "reason"]

    def __init__(
        self, *args: Any, users: Iterable[Any] = (), roles: dict[int, list[Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        roles = roles or {}
        self.users = {str(u.pk): u for u in users}
        self.fields["to_user"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose…")),
            *sorted(
                ((key, person_label(u, roles.get(u.pk, ()))) for key, u in self.users.items()),
                key=lambda item: item[1],
            ),
        ]

    @classmethod
    def options(cls, user: Any, case: Any) -> dict[str, Any]:
        users = list(dispatch_users(case))
        return {"users": users, "roles": dispatch_roles(case, users)}

    def transition_params(self) -> dict[str, Any]:
        return {"to_user": self.users[self.cleaned_data["to_user"]]}


class WhistleForm(ActionForm):
    action = Action.WHISTLE
    whistle_type = forms.ModelChoiceField(label=_("Whistle"), queryset=WhistleType.objects.none())
    to_responder = forms.ModelChoiceField(
        label=_("To (optional: otherwise the route decides)"),
        queryset=Responder.objects.none(),
        required=False,
    )
    field_order = ["whistle_type", "to_responder", "reason"]

    def __init__(self, *args: Any, responders: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["whistle_type"].queryset = WhistleType.objects.filter(active=True)  # type: ignore[attr-defined]
        if responders is not None:
            self.fields["to_responder"].queryset = responders  # type: ignore[attr-defined]

    @classmethod
    def options(cls, user: Any, case: Any) -> dict[str, Any]:
        return {"responders": dispatch_responders(case)}

    def transition_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"whistle_type": self.cleaned_data["whistle_type"]}
        if self.cleaned_data.get("to_responder") is not None:
            params["to_responder"] = self.cleaned_data["to_responder"]
        return params


class ResolveForm(ActionForm):
    action = Action.RESOLVE
    photos = PhotosField(label=_("Photos (optional)"))


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class FollowUpForm(ActionForm):
    action = Action.FOLLOW_UP
    solved = forms.ChoiceField(
        label=_("Does the resident say it is solved?"), choices=YES_NO, widget=forms.RadioSelect
    )
    rating = forms.ChoiceField(
        label=_("Rating given on the call"), choices=[("", _("Not given")), *Rating.choices], required=False
    )
    field_order = ["solved", "rating", "reason"]

    def transition_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"solved": self.cleaned_data["solved"] == "yes"}
        if self.cleaned_data.get("rating"):
            params["rating"] = self.cleaned_data["rating"]
        return params


def _action_forms() -> dict[str, type[ActionForm]]:
    """A form for every action a page offers (its rule has a button label): the one written for
    it when it reads more than the note, otherwise a plain one."""
    written: dict[str, type[ActionForm]] = {}
    pending = list(ActionForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending += form.__subclasses__()
        if form.action:
            written[form.action] = form
    return {
        action: written.get(action) or _make(action)
        for action, rule in RULES.items()
        if rule.labels.button is not None
    }


ACTION_FORMS = _action_forms()


# --- the resident's “find my report” -----------------------------------------------------------


class FindReportForm(forms.Form):
    """查询我的诉求: the tracking code and the last four digits of the phone given with the report."""

    code = forms.CharField(
        label=_("Tracking code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    digits = forms.RegexField(
        label=_("Last four digits of your phone number"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Enter the last four digits of the phone number, e.g. 1234.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "4"}),
        help_text=_("Of the phone number you gave when you reported the problem."),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()


# --- the resident's rating -------------------------------------------------------------------------


class RatingForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    solved = forms.ChoiceField(label=_("Is the problem solved?"), choices=YES_NO, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- configuration -----------------------------------------------------------------------------------


class CategoryForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16)
    name = forms.CharField(label=_("Name"), max_length=60)
    parent = forms.ModelChoiceField(
        label=_("Parent (empty for a first-level category)"),
        queryset=CaseCategory.objects.filter(parent__isnull=True),
        required=False,
    )
    response_hours = forms.DecimalField(
        label=_("Response limit (working hours)"), max_digits=6, decimal_places=2
    )
    handling_hours = forms.DecimalField(
        label=_("Handling limit (working hours)"), max_digits=6, decimal_places=2
    )
    closure_hours = forms.DecimalField(
        label=_("Closure limit (working hours)"), max_digits=6, decimal_places=2
    )
    warn_share = forms.DecimalField(
        label=_("Warn when this share of the handling time is used"), max_digits=3, decimal_places=2
    )
    auto_whistle = forms.BooleanField(label=_("Whistle automatically when overdue"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class WhistleTypeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=24)
    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(label=_("Who reports"), max_length=120, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class RouteStepForm(forms.Form):
    """One step of a route; a row left without a target is no step."""

    target = forms.ChoiceField(
        label=_("Goes to"), choices=[("", "—"), *WhistleRouteStep.Target.choices], required=False
    )
    responder_kind = forms.ChoiceField(
        label=_("Kind of responder"), choices=[("", "—"), *Responder.Kind.choices], required=False
    )
    report_hours = forms.DecimalField(
        label=_("Report within (working hours)"), max_digits=6, decimal_places=2, required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("target") and data.get("report_hours") is None and not data.get("DELETE"):
            self.add_error("report_hours", _("How long may the called party take to report?"))
        return data


RouteStepFormSet = forms.formset_factory(RouteStepForm, extra=1, can_delete=True, max_num=10)


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=40, required=False)


class RatesForm(forms.Form):
    node = forms.IntegerField(required=False, widget=forms.HiddenInput)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


class RateRulesForm(forms.Form):
    basically_weight = forms.DecimalField(
        label=_("Weight of “basically satisfied” (基本满意)"),
        min_value=0,
        max_value=1,
        max_digits=4,
        decimal_places=3,
        help_text=_(
            "Between 0 and 1: a rating of “basically satisfied” counts as this share of “satisfied”."
        ),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    note = forms.CharField(
        label=_("Source or reason"),
        max_length=200,
        required=False,
        help_text=_("For example the evaluation rules this weight comes from."),
    )
