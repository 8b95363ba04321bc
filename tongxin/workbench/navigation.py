"""The main menu and the phone's tab bar, as data: groups of items, each shown only to those who
may use it. base.html draws them; the context processor picks what the user sees."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability as C
from tongxin.core.roles import Role
from tongxin.core.scope import capabilities, roles
from tongxin.workbench.selectors import start_page_of


@dataclass(frozen=True)
class Viewer:
    """What the menu asks of a user: their capabilities, their roles, whether they are a person."""

    caps: frozenset[str]
    roles: frozenset[str]
    has_person: bool

    def can(self, *caps: str) -> bool:
        return any(c in self.caps for c in caps)


Rule = Callable[[Viewer], bool]


def anyone(viewer: Viewer) -> bool:
    return True


def cap(*caps: str) -> Rule:
    return lambda v: v.can(*caps)


@dataclass(frozen=True)
class Item:
    label: Promise
    url_name: str
    when: Rule = anyone
    # other pages that count as this item (the tab stays lit on them)
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    key: str
    label: Promise
    items: tuple[Item, ...]
    # the URL namespaces whose pages belong to the group (it shows as the current one there)
    namespaces: tuple[str, ...] = ()


def _member(v: Viewer) -> bool:
    return Role.MEMBER in v.roles or v.has_person


def _case_worker(v: Viewer) -> bool:
    return v.has_person or v.can(C.CASES_VIEW, C.CASES_REPORT, C.CASES_MANAGE, C.CASES_VERIFY)


def _estates_area(v: Viewer) -> bool:
    """Officials of estates, and partner liaisons (a property firm's sees its estates)."""
    return v.can(C.ESTATES_VIEW) or Role.PARTNER_LIAISON in v.roles


def _members_area(v: Viewer) -> bool:
    return v.has_person or v.can(C.MEMBERS_VIEW)


MENU: tuple[Group, ...] = (
    Group(
        "cases",
        pgettext_lazy("menu", "Cases"),
        (
            Item(_("All cases"), "cases:list", cap(C.CASES_VIEW)),
            Item(_("My cases"), "cases:mine", _case_worker),
            Item(_("Report a problem"), "cases:patrol", cap(C.CASES_REPORT)),
            Item(
                _("Hotline entry"),
                "cases:hotline",
                lambda v: Role.HOTLINE_OPERATOR in v.roles or v.can(C.CASES_MANAGE),
            ),
            Item(_("Order pool (接单)"), "cases:pool", _member),
            Item(_("Supervision"), "cases:supervision", cap(C.CASES_SUPERVISE)),
            Item(_("Three rates"), "cases:rates", cap(C.CASES_VIEW)),
            Item(_("Case settings"), "cases:config", cap(C.CASES_CONFIGURE)),
        ),
        ("cases",),
    ),
    Group(
        "gridwork",
        pgettext_lazy("menu", "Grid work"),
        (
            Item(_("My grid"), "gridwork:my_grid", cap(C.GRIDWORK_RECORD)),
            Item(_("Grids of the community"), "gridwork:community", cap(C.GRIDWORK_VIEW)),
            Item(_("Grid work log"), "gridwork:log", cap(C.GRIDWORK_VIEW)),
            Item(_("Campaigns"), "gridwork:campaigns", cap(C.GRIDWORK_VIEW)),
            Item(
                pgettext_lazy("household register", "Households"), "households:list", cap(C.HOUSEHOLDS_VIEW)
            ),
            Item(_("联户 links"), "households:links", cap(C.HOUSEHOLDS_VIEW)),
            Item(_("Care tags"), "households:care_tags", cap(C.CARE_TAGS_CONFIGURE)),
            Item(_("Grid work settings"), "gridwork:settings", cap(C.GRIDWORK_CONFIGURE)),
        ),
        ("gridwork", "households"),
    ),
    Group(
        "cobuilding",
        pgettext_lazy("menu", "Co-building"),
        (
            Item(_("Co-building hub"), "partners:index", cap(C.PARTNERS_VIEW)),
            Item(_("Village collective economy"), "villages:overview", cap(C.VILLAGES_VIEW)),
            Item(_("New organisations (两新)"), "twonew:list", cap(C.TWONEW_VIEW)),
            Item(_("Needs"), "lists:needs", cap(C.PARTNERS_VIEW)),
            Item(_("Resources"), "lists:resources", cap(C.PARTNERS_VIEW)),
            Item(_("Projects"), "lists:projects", cap(C.PARTNERS_VIEW)),
            Item(_("Joint meetings"), "meetings:index", cap(C.PARTNERS_VIEW)),
            Item(_("Estates and property firms"), "estates:list", _estates_area),
            Item(_("Building heads' subsidies"), "estates:runs", cap(C.ESTATES_VIEW)),
            Item(_("Projects map"), "estates:map", cap(C.ESTATES_VIEW)),
            Item(_("Estate rules"), "estates:rules", cap(C.ESTATES_VIEW)),
            Item(_("Venues (阵地)"), "venues:manage", cap(C.VENUES_VIEW, C.VENUES_KEEP)),
            Item(_("Bookings to approve"), "venues:queue", cap(C.VENUES_MANAGE, C.VENUES_KEEP)),
            Item(_("Partner units"), "partners:units", cap(C.PARTNERS_VIEW)),
            Item(_("Alliances"), "partners:alliances", cap(C.PARTNERS_VIEW)),
        ),
        ("partners", "lists", "meetings", "estates", "venues"),
    ),
    Group(
        "members",
        pgettext_lazy("menu", "Members"),
        (
            Item(_("Reporting and service"), "members:index", _members_area),
            Item(_("My service record"), "members:me", lambda v: v.has_person),
            Item(_("Reported members"), "members:reports", cap(C.MEMBERS_VIEW)),
            Item(_("Service records"), "members:services", cap(C.MEMBERS_VIEW)),
            Item(_("Activities"), "activities:index", _members_area),
            Item(_("My room bookings"), "venues:mine", _members_area),
            Item(_("Teams"), "activities:teams", cap(C.MEMBERS_VIEW)),
        ),
        ("members", "activities"),
    ),
    Group(
        "partylife",
        pgettext_lazy("menu", "Party life"),
        (
            Item(_("Party life"), "partylife:index", cap(C.PARTYLIFE_VIEW)),
            Item(_("三会一课 records"), "partylife:meetings", cap(C.PARTYLIFE_VIEW)),
            Item(_("三会一课 compliance"), "partylife:compliance", cap(C.PARTYLIFE_VIEW)),
            Item(_("Member development"), "partylife:development", cap(C.PARTYLIFE_VIEW)),
            Item(_("Mobile members"), "partylife:mobile", cap(C.PARTYLIFE_VIEW)),
            Item(_("Training"), "partylife:training", cap(C.PARTYLIFE_VIEW)),
            Item(_("Cadre roster (234)"), "cadres:roster", cap(C.CADRES_VIEW), also=("cadres:changes",)),
            Item(_("Terms and elections (换届)"), "cadres:terms", cap(C.CADRES_VIEW)),
        ),
        ("partylife", "cadres"),
    ),
    Group(
        "statistics",
        pgettext_lazy("menu", "Figures"),
        (
            Item(_("Overview"), "statistics:overview", cap(C.STATISTICS_VIEW)),
            Item(_("Work report"), "statistics:report", cap(C.STATISTICS_VIEW)),
            Item(_("Big screen"), "statistics:screen", cap(C.STATISTICS_VIEW)),
            Item(_("Indicator definitions"), "statistics:definitions", cap(C.STATISTICS_VIEW)),
            Item(_("Annual targets"), "statistics:targets", cap(C.STATISTICS_TARGETS)),
            Item(_("Assessments (考核)"), "assessment:index", cap(C.ASSESSMENT_VIEW)),
        ),
        ("statistics", "assessment"),
    ),
    Group(
        "admin",
        pgettext_lazy("menu", "Administration"),
        (
            Item(_("Regions"), "regions:list", cap(C.STRUCTURE_VIEW)),
            Item(_("Organisations"), "organisations:list", cap(C.STRUCTURE_VIEW)),
            Item(_("People"), "people:list", cap(C.PEOPLE_VIEW)),
            Item(_("Map"), "regions_map:index", cap(C.STRUCTURE_VIEW)),
            Item(_("Import & export"), "transfer:index", cap(C.DATA_IMPORT, C.DATA_EXPORT)),
            Item(_("Accounts"), "accounts:list", cap(C.ACCOUNTS_MANAGE)),
            Item(_("Display links"), "statistics:displays", cap(C.ACCOUNTS_MANAGE)),
            Item(_("Open311 client keys"), "open311_keys:list", cap(C.CLIENT_KEYS_MANAGE)),
            Item(_("12345 hotline platforms"), "exchange:peers", cap(C.HOTLINE_MANAGE)),
            Item(_("Group robots"), "exchange:robots", cap(C.ROBOTS_MANAGE), also=("exchange:log",)),
            Item(_("Audit trail"), "audit:list", cap(C.AUDIT_VIEW)),
            Item(_("Personal-data registry"), "privacy:registry", cap(C.PRIVACY_REGISTRY)),
            Item(_("Subject-rights requests"), "privacy:requests", cap(C.PRIVACY_REQUESTS)),
            Item(_("Security checklist"), "assurance:checklist", cap(C.SECURITY_VIEW)),
            Item(_("API tokens"), "accounts:tokens"),
            Item(_("Change password"), "accounts:password"),
        ),
        (
            "regions",
            "organisations",
            "people",
            "regions_map",
            "transfer",
            "accounts",
            "audit",
            "assurance",
            "privacy",
            "exchange",
            "open311_keys",
        ),
    ),
)

# the region tree, one click from every page for those who see it
STRUCTURE = Item(
    pgettext_lazy("menu", "Structure"), "structure", cap(C.STRUCTURE_VIEW), also=("regions:detail",)
)

# line icons, 24×24, drawn with the current colour (no icon font, nothing from the internet)
ICONS = {
    "inbox": "M4 13h4l2 3h4l2-3h4M5 5h14l1 8v6H4v-6z",
    "report": "M12 5v14M5 12h14",
    "map": "M9 4 3 6v14l6-2 6 2 6-2V4l-6 2zM9 4v14M15 6v14",
    "bell": "M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20h4",
    "me": "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0",
    "home": "M3 11 12 4l9 7M5 10v10h14V10",
    "hand": (
        "M7 11V6a1.5 1.5 0 0 1 3 0v5M10 10V4.5a1.5 1.5 0 0 1 3 0V10M13 10V5.5a1.5 1.5 0 0 1 3 0V12"
        "M16 9a1.5 1.5 0 0 1 3 0v5a7 7 0 0 1-14 0v-3a1.5 1.5 0 0 1 2-1.4"
    ),
    "flag": "M5 21V4M5 4h11l-2 4 2 4H5",
    "book": "M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2zM4 19V5",
}


@dataclass(frozen=True)
class Tab:
    label: Promise
    url_name: str
    icon: str
    also: tuple[str, ...] = ()
    badge: bool = False  # shows the unread notifications


# five at most on a phone: the map stays in the menu (管理 → 地图) and on the grid's page
GRID_TABS = (
    Tab(pgettext_lazy("tab", "To do"), "workbench:tasks", "inbox", also=("cases:mine",)),
    Tab(
        pgettext_lazy("tab", "My grid"),
        "gridwork:my_grid",
        "home",
        also=("gridwork:record", "gridwork:record_household", "gridwork:record_details"),
    ),
    Tab(pgettext_lazy("tab", "Report"), "cases:patrol", "report"),
    Tab(pgettext_lazy("tab", "Messages"), "notifications:inbox", "bell", badge=True),
    Tab(pgettext_lazy("tab", "Me"), "workbench:me", "me", also=("accounts:password", "accounts:tokens")),
)
MEMBER_TABS = (
    Tab(pgettext_lazy("tab", "Home"), "workbench:member", "home"),
    Tab(pgettext_lazy("tab", "Orders"), "cases:pool", "hand"),
    Tab(pgettext_lazy("tab", "Activities"), "activities:index", "flag", also=("activities:detail",)),
    Tab(pgettext_lazy("tab", "Record"), "members:me", "book"),
    Tab(pgettext_lazy("tab", "Me"), "workbench:me", "me", also=("accounts:password", "accounts:tokens")),
)
TABS_BY_START = {"workbench:tasks": GRID_TABS, "workbench:member": MEMBER_TABS}


@dataclass
class Link:
    label: Any
    url: str
    current: bool


@dataclass
class Menu:
    start: Link
    structure: Link | None
    groups: list[tuple[Group, list[Link], bool]] = field(default_factory=list)
    tabs: list[tuple[Tab, Link, str]] = field(default_factory=list)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # an app left out of the URLs (a trimmed deployment)
        return None


def viewer_of(user: Any) -> Viewer:
    return Viewer(
        frozenset(capabilities(user)), frozenset(roles(user)), bool(getattr(user, "person_id", None))
    )


def menu_for(user: Any, view_name: str) -> Menu:
    """The menu the user sees on the page named `view_name`."""
    viewer = viewer_of(user)
    namespace = view_name.split(":", 1)[0] if ":" in view_name else ""
    start_name = start_page_of(user)
    start = Link(_("Start"), reverse("home"), view_name in {"home", start_name})
    structure = None
    if STRUCTURE.when(viewer):
        structure = Link(
            STRUCTURE.label, reverse(STRUCTURE.url_name), view_name in {"structure", *STRUCTURE.also}
        )
    menu = Menu(start, structure)
    for group in MENU:
        links = []
        for item in group.items:
            url = _url(item.url_name) if item.when(viewer) else None
            if url is not None:
                links.append(Link(item.label, url, view_name in {item.url_name, *item.also}))
        if links:
            menu.groups.append((group, links, namespace in group.namespaces))
    tabs = TABS_BY_START.get(start_name, ())
    for tab in tabs:
        url = _url(tab.url_name)
        if url is not None:
            menu.tabs.append(
                (tab, Link(tab.label, url, view_name in {tab.url_name, *tab.also}), ICONS[tab.icon])
            )
    return menu
