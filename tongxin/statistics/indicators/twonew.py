"""两新 organisations (new economic and social organisations): the organisations whose Party facts
are recorded, those with a Party organisation (and the share), 党建入章, 交叉任职, a 党建指导员
assigned, Party organisations founded in the period, demonstration and 软弱涣散 organisations, the
示范岗/先锋岗/党员责任区 by kind, and the rectification list's items done and open.

Each figure's rows are the organisations (or posts, or items) behind it. The facts are kept as they
stand now (no history): an organisation counts from the day its facts were recorded, with today's
facts; only the Party organisation's date (party_since) and the items' dates are read by period.

Seed 004's “201家两新组织实现党建入章，102家实行交叉任职，组建党组织155个，选派党建指导员107名；
党员示范岗32个、先锋岗41个、党员责任区73个；示范典型42个，整顿软弱涣散基层党组织8个” are
twonew.charter, twonew.cross_appointment, twonew.party_founded, twonew.instructors, twonew.posts by
kind, twonew.demonstration and twonew.weak."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability
from tongxin.statistics.indicators._helpers import NOW, both, labels, on_days, ratio
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, Source, register, section
from tongxin.twonew.models import NewOrganisation, Post, PostKind, RectificationItem, Standing

S = section("twonew", _("New organisations (两新)"))
VIEW = Capability.TWONEW_VIEW

organisations = Source(
    "new_organisations",
    lambda: NewOrganisation.objects.filter(unit__active=True).select_related("unit__region"),
    "unit__region__path",
    VIEW,
)
posts = Source(
    "new_organisation_posts",
    lambda: Post.objects.filter(organisation__unit__active=True).select_related("organisation__unit"),
    "organisation__unit__region__path",
    VIEW,
)
items = Source(
    "rectification_items",
    lambda: RectificationItem.objects.select_related("organisation__unit"),
    "organisation__unit__region__path",
    VIEW,
)

ORGANISATIONS = pgettext_lazy("unit of a figure", "organisations")
POSTS = pgettext_lazy("unit of a figure", "posts")
ITEMS = pgettext_lazy("unit of a figure", "items")
INSTRUCTORS = pgettext_lazy("unit of a figure", "instructors")


def _recorded(p: Period) -> Q:
    """Organisations whose facts were recorded by the end of the period."""
    return Q(created_at__lt=p.end)


def _with_party(p: Period) -> Q:
    return Q(has_party_organisation=True) & (Q(party_since__isnull=True) | Q(party_since__lte=p.until))


def _listed(p: Period) -> Q:
    return Q(created_at__lt=p.end)


def _done(p: Period) -> Q:
    return Q(done_on__isnull=False, done_on__lte=p.until)


def _open(p: Period) -> Q:
    return Q(done_on__isnull=True) | Q(done_on__gt=p.until)


register(
    Indicator(
        code="twonew.organisations",
        section=S,
        name=_("New organisations (两新) recorded"),
        unit=ORGANISATIONS,
        definition=_(
            "Companies and social organisations (partner units of kind 两新, active) whose Party facts "
            "are recorded by the end of the period; the denominator of the shares below."
        ),
        source=organisations,
        where=_recorded,
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="twonew.with_party_organisation",
        section=S,
        name=_("New organisations with a Party organisation"),
        unit=ORGANISATIONS,
        definition=_(
            "Recorded organisations that have a Party organisation, set up by the end of the period "
            "(or with no date recorded)."
        ),
        source=organisations,
        where=both(_recorded, _with_party),
        stock=True,
        tags=NOW,
    ),
    ratio(
        code="twonew.party_organisation_share",
        section=S,
        name=_("Share of new organisations with a Party organisation"),
        definition=_("New organisations with a Party organisation ÷ new organisations recorded."),
        numerator="twonew.with_party_organisation",
        denominator="twonew.organisations",
        tags=NOW,
    ),
    Indicator(
        code="twonew.party_founded",
        section=S,
        name=_("Party organisations set up in new organisations"),
        unit=ORGANISATIONS,
        definition=_("Recorded organisations whose Party organisation was set up during the period."),
        source=organisations,
        where=both(Q(has_party_organisation=True), on_days("party_since")),
    ),
    Indicator(
        code="twonew.charter",
        section=S,
        name=_("New organisations with Party building in the charter (党建入章)"),
        unit=ORGANISATIONS,
        definition=_("Recorded organisations whose charter contains Party building (党建入章)."),
        source=organisations,
        where=both(_recorded, Q(charter=True)),
        stock=True,
        tags=NOW,
    ),
    ratio(
        code="twonew.charter_share",
        section=S,
        name=_("Share of new organisations with Party building in the charter"),
        definition=_("New organisations with 党建入章 ÷ new organisations recorded."),
        numerator="twonew.charter",
        denominator="twonew.organisations",
        tags=NOW,
    ),
    Indicator(
        code="twonew.cross_appointment",
        section=S,
        name=_("New organisations with cross-appointment (交叉任职)"),
        unit=ORGANISATIONS,
        definition=_(
            "Recorded organisations whose Party secretary also sits in the management (双向进入、交叉任职)."
        ),
        source=organisations,
        where=both(_recorded, Q(cross_appointment=True)),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="twonew.instructors",
        section=S,
        name=_("New organisations with a Party-building instructor (党建指导员)"),
        unit=ORGANISATIONS,
        definition=_("Recorded organisations with a Party-building instructor (党建指导员) assigned."),
        source=organisations,
        where=both(_recorded, Q(instructor__isnull=False)),
        stock=True,
        tags=NOW,
    ),
    ratio(
        code="twonew.instructor_share",
        section=S,
        name=_("Share of new organisations with a Party-building instructor"),
        definition=_("New organisations with a 党建指导员 assigned ÷ new organisations recorded."),
        numerator="twonew.instructors",
        denominator="twonew.organisations",
        tags=NOW,
    ),
    Indicator(
        code="twonew.demonstration",
        section=S,
        name=_("Demonstration new organisations (示范)"),
        unit=ORGANISATIONS,
        definition=_("Recorded organisations whose status is demonstration (党建示范)."),
        source=organisations,
        where=both(_recorded, Q(standing=Standing.DEMONSTRATION)),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="twonew.weak",
        section=S,
        name=_("Weak and lax new organisations (软弱涣散)"),
        unit=ORGANISATIONS,
        definition=_("Recorded organisations whose status is weak and lax (软弱涣散), to be rectified."),
        source=organisations,
        where=both(_recorded, Q(standing=Standing.WEAK)),
        stock=True,
        tags=NOW,
        higher_is_better=False,
    ),
    Indicator(
        code="twonew.posts",
        section=S,
        name=_("示范岗, 先锋岗 and 党员责任区 by kind"),
        unit=POSTS,
        definition=_(
            "Model posts (党员示范岗), vanguard posts (党员先锋岗) and members' areas of responsibility "
            "(党员责任区) of the new organisations, set up by the end of the period, by kind."
        ),
        source=posts,
        where=_listed,
        group_by="kind",
        group_label=labels(PostKind),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="twonew.rectification_items",
        section=S,
        name=_("Rectification items (整改清单)"),
        unit=ITEMS,
        definition=_(
            "Items of the new organisations' rectification lists listed by the end of the period; the "
            "denominator of the share done."
        ),
        source=items,
        where=_listed,
        stock=True,
    ),
    Indicator(
        code="twonew.rectification_done",
        section=S,
        name=_("Rectification items done"),
        unit=ITEMS,
        definition=_("Of those items, the ones done by the end of the period."),
        source=items,
        where=both(_listed, _done),
        stock=True,
    ),
    Indicator(
        code="twonew.rectification_open",
        section=S,
        name=_("Rectification items open"),
        unit=ITEMS,
        definition=_("Of those items, the ones not done at the end of the period."),
        source=items,
        where=both(_listed, _open),
        stock=True,
        higher_is_better=False,
    ),
    ratio(
        code="twonew.rectification_done_share",
        section=S,
        name=_("Share of rectification items done"),
        definition=_("Rectification items done ÷ rectification items listed, at the end of the period."),
        numerator="twonew.rectification_done",
        denominator="twonew.rectification_items",
    ),
)
