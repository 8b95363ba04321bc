"""Structure (组织体系): grids, buildings, Party organisations, members, positions and the 234 roles."""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability
from tongxin.organisations.models import BRANCH_KINDS, OrgKind, PartyOrganisation
from tongxin.people.models import PartyStatus, Person, Position, PositionKind
from tongxin.regions.models import Level, Region
from tongxin.statistics.indicators._helpers import NOW, both, in_force, labels, ratio
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, Source, register, section

S = section("structure", _("Structure"))

regions = Source("regions", lambda: Region.objects.all(), "path", Capability.STRUCTURE_VIEW)
organisations = Source(
    "organisations", lambda: PartyOrganisation.objects.all(), "region__path", Capability.STRUCTURE_VIEW
)
people = Source("people", lambda: Person.objects.all(), "region__path", Capability.PEOPLE_VIEW)
positions = Source(
    "positions", lambda: Position.objects.select_related("person"), "region__path", Capability.PEOPLE_VIEW
)

TWO_COMMITTEES = [
    PositionKind.SECRETARY,
    PositionKind.DEPUTY_SECRETARY,
    PositionKind.COMMITTEE_MEMBER,
    PositionKind.CONCURRENT_MEMBER,
    PositionKind.RESIDENTS_DIRECTOR,
]
THREE_HEADS = [PositionKind.GROUP_LEADER, PositionKind.GRID_LEADER, PositionKind.BUILDING_HEAD]
FOUR_HELPERS = [
    PositionKind.POLICY_PROMOTER,
    PositionKind.INFORMATION_COLLECTOR,
    PositionKind.MEDIATOR,
    PositionKind.STARTUP_ADVISER,
]
ROLES_234 = TWO_COMMITTEES + THREE_HEADS + FOUR_HELPERS
held = in_force("starts_on", "ends_on")


def _under_35(p: Period) -> Q:
    born_after = date(p.until.year - 35, p.until.month, min(p.until.day, 28))
    return Q(person__birth_date__gt=born_after)


register(
    Indicator(
        code="structure.grids",
        section=S,
        name=_("First-level grids"),
        unit=pgettext_lazy("unit of a figure", "grids"),
        definition=_("Grids directly under a community, as they stand today."),
        source=regions,
        where=lambda p: Q(level=Level.GRID, parent__level=Level.COMMUNITY),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="structure.grids_nested",
        section=S,
        name=_("Second- and third-level grids"),
        unit=pgettext_lazy("unit of a figure", "grids"),
        definition=_("Grids inside another grid (nested responsibility grids), as they stand today."),
        source=regions,
        where=lambda p: Q(level=Level.GRID, parent__level=Level.GRID),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="structure.buildings",
        section=S,
        name=_("Buildings"),
        unit=pgettext_lazy("unit of a figure", "buildings"),
        definition=_("Buildings recorded under the grids, as they stand today."),
        source=regions,
        where=lambda p: Q(level=Level.BUILDING),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="structure.organisations",
        section=S,
        name=_("Party organisations"),
        unit=pgettext_lazy("unit of a figure", "organisations"),
        definition=_(
            "Party committees, general branches, branches and groups attached to regions in the area, "
            "founded by the end of the period (or with no founding date recorded)."
        ),
        source=organisations,
        where=lambda p: Q(founded_on__isnull=True) | Q(founded_on__lte=p.until),
        stock=True,
        group_by="kind",
        group_label=labels(OrgKind),
    ),
    Indicator(
        code="structure.branches",
        section=S,
        name=_("Party branches"),
        unit=pgettext_lazy("unit of a figure", "branches"),
        definition=_("Branches and grid branches (党支部、网格党支部) founded by the end of the period."),
        source=organisations,
        where=lambda p: (
            Q(kind__in=list(BRANCH_KINDS)) & (Q(founded_on__isnull=True) | Q(founded_on__lte=p.until))
        ),
        stock=True,
    ),
    Indicator(
        code="structure.members_full",
        section=S,
        name=_("Full Party members"),
        unit=pgettext_lazy("unit of a figure", "people"),
        definition=_("People living in the area recorded as full members (正式党员), as recorded today."),
        source=people,
        where=lambda p: Q(party_status=PartyStatus.FULL),
        stock=True,
        tags=NOW,
        headline=True,
    ),
    Indicator(
        code="structure.members_probationary",
        section=S,
        name=_("Probationary members"),
        unit=pgettext_lazy("unit of a figure", "people"),
        definition=_(
            "People living in the area recorded as probationary members (预备党员), as recorded today."
        ),
        source=people,
        where=lambda p: Q(party_status=PartyStatus.PROBATIONARY),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="structure.positions",
        section=S,
        name=_("Positions held"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_(
            "Posts at a region or Party organisation of the area whose term covers the last "
            "day of the period."
        ),
        source=positions,
        where=held,
        stock=True,
    ),
    Indicator(
        code="structure.two_committees",
        section=S,
        name=_("两委 members"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_(
            "Posts in the Party committee and the residents' or villagers' committee (书记、副书记、委员、"
            "兼职委员、居委会主任) in force on the last day of the period."
        ),
        source=positions,
        where=both(held, Q(kind__in=TWO_COMMITTEES)),
        stock=True,
    ),
    Indicator(
        code="structure.three_heads",
        section=S,
        name=_("三长"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_("党小组长, 网格长 and 楼栋长 posts in force on the last day of the period."),
        source=positions,
        where=both(held, Q(kind__in=THREE_HEADS)),
        stock=True,
    ),
    Indicator(
        code="structure.four_helpers",
        section=S,
        name=_("四员"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_(
            "政策宣传员, 信息收集员, 维稳调解员 and 创业指导员 posts in force on the last day of the period."
        ),
        source=positions,
        where=both(held, Q(kind__in=FOUR_HELPERS)),
        stock=True,
    ),
    Indicator(
        code="structure.roles_234",
        section=S,
        name=_("234 posts"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_("两委, 三长 and 四员 posts together, in force on the last day of the period."),
        source=positions,
        where=both(held, Q(kind__in=ROLES_234)),
        stock=True,
    ),
    Indicator(
        code="structure.roles_234_young",
        section=S,
        name=_("234 posts held by people under 35"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_("234 posts in force whose holder was under 35 on the last day of the period."),
        source=positions,
        where=both(held, Q(kind__in=ROLES_234), _under_35),
        stock=True,
    ),
    ratio(
        code="structure.roles_234_young_share",
        section=S,
        name=_("Share of 234 posts held by people under 35"),
        definition=_("234 posts held by people under 35 ÷ all 234 posts in force."),
        numerator="structure.roles_234_young",
        denominator="structure.roles_234",
        stock=True,
    ),
    Indicator(
        code="structure.roles_234_women",
        section=S,
        name=_("234 posts held by women"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_("234 posts in force whose holder is recorded as female."),
        source=positions,
        where=both(held, Q(kind__in=ROLES_234), Q(person__gender="F")),
        stock=True,
    ),
    ratio(
        code="structure.roles_234_women_share",
        section=S,
        name=_("Share of 234 posts held by women"),
        definition=_("234 posts held by women ÷ all 234 posts in force."),
        numerator="structure.roles_234_women",
        denominator="structure.roles_234",
        stock=True,
    ),
)
