"""Structure (组织体系): grids, buildings, Party organisations, members, positions and the 234 roles."""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.cadres.composition import YOUNG_AGE
from tongxin.cadres.models import TIERS, Tier
from tongxin.cadres.selectors import on_roster
from tongxin.core.roles import Capability
from tongxin.organisations.models import BRANCH_KINDS, OrgKind, PartyOrganisation
from tongxin.people.models import PartyStatus, Person, Position
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

# the "234" posts are the cadre roster's (tongxin.cadres): the 两委 of a community or village (a
# township's, a county's or a grid branch's own committee is not among them), the 三长 and the 四员.
# These figures count posts; the roster's figures (section cadres) count the people holding them.
TWO_COMMITTEES = sorted(TIERS[Tier.TWO_COMMITTEES])
THREE_HEADS = sorted(TIERS[Tier.THREE_HEADS])
FOUR_HELPERS = sorted(TIERS[Tier.FOUR_ASSISTANTS])
ON_ROSTER = on_roster()
held = in_force("starts_on", "ends_on")


def _under_35(p: Period) -> Q:
    """Held by someone aged 35 or under (35周岁以下) on the period's last day, as the roster counts."""
    born_after = date(p.until.year - YOUNG_AGE - 1, p.until.month, min(p.until.day, 28))
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
        name=_("两委 posts"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_(
            "Posts on the Party committee and the residents' or villagers' committee of a community "
            "or village (书记、副书记、委员、兼职委员、主任、副主任、委员) in force on the last day of the "
            "period. "
            "Counted by post: someone on both committees counts twice (the cadre roster's 两委 members "
            "count people)."
        ),
        source=positions,
        where=both(held, ON_ROSTER, Q(kind__in=TWO_COMMITTEES)),
        stock=True,
    ),
    Indicator(
        code="structure.three_heads",
        section=S,
        name=_("三长 posts"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_(
            "党小组长, 网格长 and 楼栋长 posts in force on the last day of the period. Counted by post: "
            "someone holding two of them counts twice."
        ),
        source=positions,
        where=both(held, Q(kind__in=THREE_HEADS)),
        stock=True,
    ),
    Indicator(
        code="structure.four_helpers",
        section=S,
        name=_("四员 posts"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_(
            "政策宣传员, 信息收集员, 维稳调解员 and 创业指导员 posts in force on the last day of the period. "
            "Counted by post: someone holding two of them counts twice."
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
        definition=_(
            "The posts of the cadre roster (两委 of a community or village, 三长 and 四员) in force on the "
            "last day of the period, counted by post: someone holding two posts counts twice. The "
            "roster's 'people on the 234 roster' counts each person once, so it is the smaller figure."
        ),
        source=positions,
        where=both(held, ON_ROSTER),
        stock=True,
    ),
    Indicator(
        code="structure.roles_234_young",
        section=S,
        name=_("234 posts held by people aged 35 or under"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_(
            "234 posts in force whose holder was aged 35 or under on the last day of the period, counted "
            "by post."
        ),
        source=positions,
        where=both(held, ON_ROSTER, _under_35),
        stock=True,
    ),
    ratio(
        code="structure.roles_234_young_share",
        section=S,
        name=_("Share of 234 posts held by people aged 35 or under"),
        definition=_(
            "234 posts held by people aged 35 or under ÷ all 234 posts in force (by post; the roster's "
            "share of people aged 35 or under counts each person once)."
        ),
        numerator="structure.roles_234_young",
        denominator="structure.roles_234",
        stock=True,
    ),
    Indicator(
        code="structure.roles_234_women",
        section=S,
        name=_("234 posts held by women"),
        unit=pgettext_lazy("unit of a figure", "positions"),
        definition=_("234 posts in force whose holder is recorded as female, counted by post."),
        source=positions,
        where=both(held, ON_ROSTER, Q(person__gender="F")),
        stock=True,
    ),
    ratio(
        code="structure.roles_234_women_share",
        section=S,
        name=_("Share of 234 posts held by women"),
        definition=_(
            "234 posts held by women ÷ all 234 posts in force (by post; the roster's share of women "
            "counts each person once)."
        ),
        numerator="structure.roles_234_women",
        denominator="structure.roles_234",
        stock=True,
    ),
)
