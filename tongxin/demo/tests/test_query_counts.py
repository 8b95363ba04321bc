"""Every list page, export and API list reads in a bounded number of queries on a demo district.

Two checks catch a query per row (N+1): the budget, below the rows a long list shows, and no
statement repeated more than twice with other values, for the lists the demo keeps short. A new
parameterless page or API list without a budget fails the walks at the end: give it one, or say
in NOT_A_LIST why it is not a list.
"""

import inspect
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, reset_queries, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone

from tongxin.accounts.models import RoleAssignment, User
from tongxin.activities.models import Activity, Team
from tongxin.assessment.models import Contest, Run
from tongxin.cases.models import Case
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.core.tests.listing import data_rows, login
from tongxin.core.tests.test_access import fill, walk
from tongxin.core.xlsx import XLSX_CONTENT_TYPE
from tongxin.demo.generator import DEFAULT_SEED, Options, generate
from tongxin.demo.history import write_history
from tongxin.estates import selectors as estates
from tongxin.exchange.models import HotlinePeer, RobotEvent, RobotVendor
from tongxin.exchange.services import robot_create
from tongxin.lists.models import Need
from tongxin.venues.models import Venue

# one worker builds the district once for the whole module
pytestmark = pytest.mark.xdist_group("query-counts")

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
API_PREFIX = "/api/v1/"


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """A small demo district written through the services; rolled back at the end of the module."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        generate(Options(people=300, method="services"))
        write_history(seed=DEFAULT_SEED)
        yield
        transaction.set_rollback(True)


# how one row of a page shows: the rows of a table body (its "nothing here" row aside) or a marker
TABLE = "table"


@dataclass(frozen=True)
class Budget:
    persona: str
    queries: int
    # None: the page has no rows to count (a form, a PDF), the budget alone guards it
    rows: str | None = TABLE
    query: str = ""
    # how often one statement may run with other values; more than twice is a query per row
    repeats: int = 2


# url name → who uses it, the most queries it may take, how its rows show
PAGES: dict[str, Budget] = {
    "accounts:list": Budget("anquan", 15),
    "accounts:tokens": Budget("jiedao", 12, rows=None),  # the demo issues no API token
    "open311_keys:list": Budget("anquan", 14),
    # the 12345 platforms (the demo configures one: its tickets and waiting messages in one
    # annotated query) and the group robots with their delivery log (the demo connects no group)
    "exchange:peers": Budget("anquan", 14),
    "exchange:peer_create": Budget("anquan", 14, rows=None),
    "exchange:robots": Budget("shequ_shuji", 14, rows=None),
    "exchange:robot_create": Budget("shequ_shuji", 14, rows=None),
    "exchange:log": Budget("shequ_shuji", 14, rows=None),
    "regions:list": Budget("zuzhibu", 13),
    # assessments: the schemes with their runs, the contests; the forms (the contest's secretaries)
    "assessment:index": Budget("zuzhibu", 16),
    "assessment:scheme_new": Budget("zuzhibu", 12, rows=None),
    "assessment:contest_new": Budget("zuzhibu", 14, rows=None),
    # the boundaries under every map (GeoJSON features): the streets and communities in scope, and
    # on the public pages every one of them
    "regions_map:boundaries": Budget("zuzhibu", 9),
    "regions_map:public_boundaries": Budget("zuzhibu", 7),
    "organisations:list": Budget("zuzhibu", 13),
    "people:list": Budget("jiedao", 15),
    "audit:list": Budget("shenji", 24),
    "assurance:checklist": Budget("anquan", 14),
    "cases:list": Budget("jiedao", 16),
    "cases:export": Budget("jiedao", 17),
    "cases:map": Budget("jiedao", 13, rows='"lat"'),
    "cases:mine": Budget("jiedao", 19, rows='class="case-card"'),
    "cases:pool": Budget("dangyuan", 14, rows='class="case-card"'),
    "cases:supervision": Budget("jiedao", 14, rows='class="case-card"'),
    # report forms: the budget covers their choices of categories and grids
    "cases:patrol": Budget("wanggeyuan", 18, rows=None),
    "cases:hotline": Budget("shequ_shuji", 15, rows=None),
    # the node's sum, then its children's in one query, however many there are
    "cases:rates": Budget("jiedao", 15, repeats=12),
    # categories, whistles, and the archive's count and last run (cases/archive.py)
    "cases:config": Budget("zuzhibu", 16),
    "cases:config_rates": Budget("zuzhibu", 13),
    # the demo drops what the services announce while it writes the past (tongxin/demo/inbox.py)
    "notifications:inbox": Budget("wanggeyuan", 13, rows=None),
    "partners:units": Budget("jiedao", 13),
    "partners:alliances": Budget("zuzhibu", 15),
    "partners:pairings": Budget("jiedao", 14),
    "partners:expiring": Budget("jiedao", 13),
    "partners:duty": Budget("zuzhibu", 23),
    "lists:index": Budget("jiedao", 15),
    "lists:needs": Budget("jiedao", 15),
    "lists:need_export": Budget("jiedao", 15),
    "lists:cases": Budget("jiedao", 13),
    "lists:problems": Budget("jiedao", 14),
    "lists:results": Budget("jiedao", 15),
    "lists:resources": Budget("jiedao", 13),
    "lists:resource_export": Budget("jiedao", 15),
    "lists:projects": Budget("jiedao", 14),
    "lists:project_export": Budget("jiedao", 15),
    "lists:ledger": Budget("jiedao", 32, query="download=1&year={year}"),
    "meetings:index": Budget("zuzhibu", 16),
    "meetings:export": Budget("zuzhibu", 15),
    "meetings:tasks": Budget("zuzhibu", 13),
    "members:reports": Budget("zuzhibu", 14),
    "members:posts": Budget("jiedao", 13),
    "members:units": Budget("zuzhibu", 14),
    "members:services": Budget("jiedao", 14),
    "members:service_export": Budget("jiedao", 15),
    "members:cards": Budget("zuzhibu", 20, rows='class="card-link"'),
    "members:cards_export": Budget("zuzhibu", 20),
    "members:cards_print": Budget("zuzhibu", 20, rows=None),
    "members:check": Budget("zuzhibu", 15, query="year={last_year}"),
    "members:rules": Budget("jiedao", 12),
    "activities:index": Budget("jiedao", 23),
    "activities:export": Budget("jiedao", 16),
    "activities:teams": Budget("zuzhibu", 14),
    "activities:team_export": Budget("zuzhibu", 15),
    "partylife:meetings": Budget("jiedao", 13),
    "partylife:meeting_export": Budget("jiedao", 15),
    "partylife:compliance": Budget("zuzhibu", 16),
    "partylife:meeting_rules": Budget("jiedao", 13),
    "partylife:development": Budget("zuzhibu", 16),
    "partylife:development_export": Budget("zuzhibu", 15),
    "partylife:development_rules": Budget("jiedao", 12, rows=None),
    "partylife:mobile": Budget("zuzhibu", 14),
    "partylife:mobile_export": Budget("zuzhibu", 15),
    "partylife:training": Budget("zuzhibu", 14),
    "partylife:training_export": Budget("zuzhibu", 15),
    "partylife:participant_export": Budget("zuzhibu", 17),
    "statistics:targets": Budget("zuzhibu", 14),
    "statistics:definitions": Budget("zuzhibu", 11, rows="<dt "),
    "statistics:wording": Budget("zuzhibu", 13),
    "statistics:displays": Budget("anquan", 13, rows=None),  # the demo issues no display link
    # the start pages: each section or source is one query whatever its length (tongxin/workbench)
    "workbench:inbox": Budget("shequ_shuji", 32, rows='class="wb-item"'),
    # the demo's grid worker may have nothing due on the day the test runs: the budget alone guards it
    "workbench:tasks": Budget("wanggeyuan", 16, rows=None),
    "workbench:member": Budget("dangyuan", 18, rows=None),
    "privacy:requests": Budget("shequ_shuji", 14),
    # grid work: "my grid" lists (due visits, open cases, today's log) whatever the day holds
    "gridwork:my_grid": Budget("wanggeyuan", 23, rows=None),
    "gridwork:record": Budget("wanggeyuan", 14, rows=None),
    "gridwork:log": Budget("jiedao", 15),
    "gridwork:log_export": Budget("jiedao", 17, rows=None),
    "gridwork:community": Budget("shequ_shuji", 24),
    "gridwork:campaigns": Budget("jiedao", 15),
    "gridwork:campaign_new": Budget("jiedao", 15, rows=None),
    "gridwork:settings": Budget("shequ_shuji", 16),
    # estates: the estates with their badges and open cases (one candidate query), heads, runs, funds, map
    "estates:list": Budget("shequ_shuji", 24),
    "estates:heads": Budget("shequ_shuji", 15),
    "estates:runs": Budget("jiedao", 16),
    "estates:payment_export": Budget("jiedao", 17, query="year={last_year}"),
    "estates:funds": Budget("shequ_shuji", 15),
    "estates:map": Budget("shequ_shuji", 14),
    "estates:rules": Budget("jiedao", 15),  # the rule versions are read once for every place
    # a download of the community's bookings (all the keeper sees when no venue or community is named)
    "venues:booking_export": Budget("shequ_shuji", 20),
    "estates:map_points": Budget("shequ_shuji", 12),
    # households: the list with its care tags (one query for the page's tags), the forms' pickers
    "households:list": Budget("wanggeyuan", 16),
    # the collective economy: the township's villages with income and tier, the tiers' versions, the
    # forms; 两新: the organisations with their rectification counts (one annotated query), the ledger
    "villages:overview": Budget("zhen", 20),
    "villages:tiers": Budget("zuzhibu", 14),
    "villages:tiers_new": Budget("zuzhibu", 13, rows=None),
    "villages:import": Budget("zhen", 11, rows=None),
    "twonew:list": Budget("zhen", 14),
    "twonew:new": Budget("zhen", 14, rows=None),
    "statistics:annual_twonew": Budget("zhen", 15),
    # the cadre roster: one read of the posts, people and profiles for the node and its units
    "cadres:roster": Budget("zuzhibu", 30),
    "cadres:changes": Budget("zuzhibu", 18, rows=None),
    "cadres:terms": Budget("zuzhibu", 20),
    # the 第一书记 and 驻村工作队 serving in the county's villages; the term rule's versions
    "cadres:stationed": Budget("zuzhibu", 16),
    "cadres:rules": Budget("zuzhibu", 14),
    "households:export": Budget("wanggeyuan", 16),
    "households:create": Budget("wanggeyuan", 11, rows=None),
    "households:care_tags": Budget("shequ_shuji", 12),
    "households:links": Budget("jiedao", 13),
    "households:link_create": Budget("jiedao", 11, rows=None),
    "privacy:registry": Budget("anquan", 12),
    "transfer:requests": Budget("jiedao", 10, rows=None),  # the demo files no export request
    # venues: the residents' list (all public venues), the keepers' lists; the calendar and a
    # member's own bookings may be empty weeks in a small district
    "venues:list": Budget("jiedao", 12, rows='class="card venue-card"'),
    "venues:manage": Budget("jiedao", 15),
    "venues:queue": Budget("jiedao", 15, rows='class="card booking-request"'),
    "venues:calendar": Budget("jiedao", 15, rows=None),
    "venues:services": Budget("jiedao", 15),
    "venues:mine": Budget("dangyuan", 14, rows=None),
}

# parameterless pages that are not a list of rows, and why
NOT_A_LIST = {
    # the villages' annual ledger: the registry's figures computed per village (as the overview of
    # each village would), bounded by the statistics tests
    "statistics:annual_villages",
    # a POST-only form of the community's grids page (the visit interval)
    "gridwork:interval",
    # forms: a new estate (the community's buildings and firms to choose from), a new 自治金
    "estates:new",
    "estates:fund_new",
    # a dashboard of counts and shortcuts
    "structure",
    # a redirect to the user's start page, and the account's links on a phone
    "home",
    "workbench:me",
    "partners:index",
    "members:index",
    "partylife:index",
    # open to anyone: the log-in, the language switch, the health check, the resident's pages
    "healthz",
    "login",
    "login_code",
    "logout",
    "set_language",
    "cases_public:report",
    "cases_public:similar",
    "cases_public:areas",
    "cases_public:locate",
    "cases_public:find",
    "privacy:notice",
    "privacy:public_request",
    "privacy:request_create",
    # forms to create one thing, and the choices their pickers load
    "cadres:stationed_create",
    "venues:manage_create",
    "accounts:create",
    "accounts:password",
    "accounts:mfa",
    "regions:create",
    "regions:choices",
    "organisations:create",
    "organisations:choices",
    "people:create",
    "cases:config_category_new",
    "cases:config_whistle_new",
    "cases:config_calendar",
    "partners:unit_create",
    "partners:alliance_create",
    "partners:pairing_create",
    "lists:need_create",
    "lists:resource_create",
    "lists:project_create",
    "meetings:create",
    "members:report_create",
    "members:post_create",
    "members:unit_create",
    "members:rules_create",
    "members:report_online",
    "members:rereport_me",
    "members:person_choices",
    "activities:create",
    "activities:team_create",
    "partylife:meeting_create",
    "partylife:development_open",
    "partylife:mobile_register",
    "partylife:window_create",
    "partylife:training_create",
    "statistics:wording_new",
    "transfer:index",
    "transfer:request_new",  # a form
    # POST only
    "notifications:read_all",
    # one person's own record or file
    "members:me",
    "partylife:my_development",
    # a map whose data comes from the API (its budget is the API's)
    "regions_map:index",
    "regions_map:locate",
    # figures computed per indicator and area, bounded by the statistics tests, not rows of a list
    "statistics:overview",
    "statistics:map",
    "statistics:ledger",
    "statistics:screen",
    "statistics:screen_live",
    "statistics:report",
    "statistics:report_docx",
    "statistics:report_pdf",
}

# GET path → who calls it, the most queries it may take (every one of these answers a list, or a
# paged object whose rows are "items", or a GeoJSON collection of "features")
API: dict[str, Budget] = {
    "/api/v1/regions": Budget("zuzhibu", 11),
    "/api/v1/assessment/schemes": Budget("zuzhibu", 11),
    "/api/v1/assessment/runs": Budget("zuzhibu", 11),
    "/api/v1/regions/grids": Budget("zuzhibu", 10),
    "/api/v1/organisations": Budget("zuzhibu", 11),
    "/api/v1/people": Budget("jiedao", 11),
    "/api/v1/positions": Budget("jiedao", 11),
    "/api/v1/cases": Budget("jiedao", 12),
    "/api/v1/cases/categories": Budget("jiedao", 8),
    "/api/v1/cases/whistle-types": Budget("jiedao", 10),
    "/api/v1/partners/units": Budget("jiedao", 11),
    "/api/v1/partners/alliances": Budget("zuzhibu", 11),
    "/api/v1/partners/pairings": Budget("jiedao", 11),
    "/api/v1/partners/agreements/expiring": Budget("jiedao", 11),
    "/api/v1/lists/needs": Budget("jiedao", 11),
    "/api/v1/lists/problems": Budget("jiedao", 11),
    "/api/v1/lists/results": Budget("jiedao", 11),
    "/api/v1/lists/resources": Budget("jiedao", 11),
    "/api/v1/lists/projects": Budget("jiedao", 11),
    "/api/v1/meetings": Budget("zuzhibu", 11),
    "/api/v1/meetings/tasks": Budget("zuzhibu", 11),
    "/api/v1/members/me/posts": Budget("dangyuan", 12),
    "/api/v1/members/posts": Budget("jiedao", 11),
    "/api/v1/members/reports": Budget("zuzhibu", 11),
    "/api/v1/members/services": Budget("jiedao", 11),
    "/api/v1/members/cards": Budget("zuzhibu", 16),
    "/api/v1/members/unit-reports": Budget("zuzhibu", 11),
    "/api/v1/members/rules": Budget("jiedao", 10, rows=None),  # the demo adopts no version
    "/api/v1/activities": Budget("jiedao", 15),
    "/api/v1/activities/teams/": Budget("zuzhibu", 11),
    "/api/v1/activities/callouts/": Budget("wanggeyuan", 9),
    "/api/v1/partylife/meetings": Budget("jiedao", 11),
    "/api/v1/partylife/compliance": Budget("zuzhibu", 13),
    "/api/v1/partylife/development": Budget("zuzhibu", 11),
    "/api/v1/partylife/mobile": Budget("zuzhibu", 11),
    "/api/v1/partylife/training": Budget("zuzhibu", 11),
    "/api/v1/statistics/indicators": Budget("zuzhibu", 9),
    "/api/v1/privacy/requests": Budget("shequ_shuji", 11),
    "/api/v1/gridwork/entries": Budget("jiedao", 11),
    "/api/v1/gridwork/campaigns": Budget("jiedao", 11),
    "/api/v1/venues": Budget("jiedao", 11),
    "/api/v1/venues/bookings": Budget("jiedao", 11),
    "/api/v1/households": Budget("wanggeyuan", 11),
    "/api/v1/estates": Budget("jiedao", 16),
    "/api/v1/villages/economy": Budget("zuzhibu", 17),
    "/api/v1/villages/tiers": Budget("zuzhibu", 11),
    "/api/v1/twonew/organisations": Budget("zhen", 11),
    "/api/v1/cadres/roster": Budget("zuzhibu", 14),
    "/api/v1/cadres/terms": Budget("zuzhibu", 14),
    "/api/v1/households/links": Budget("jiedao", 12),
    "/api/v1/security/checklist": Budget("anquan", 12),
    "/api/v1/exports": Budget("jiedao", 8, rows=None),  # the demo files no export request
}

# parameterless GET operations that answer one object, and why they are not a list
API_NOT_A_LIST = {
    "/api/v1/me",  # the caller's account
    "/api/v1/cadres/composition",  # the composition of one node (its people ids per figure)
    "/api/v1/regions/locate",  # the grid at a point
    "/api/v1/cases/rates",  # three rates of one area
    "/api/v1/partners/duty",  # the annual duty check: rows per unit, computed (see partners:duty)
    "/api/v1/members/me",  # one member's record
    "/api/v1/members/check",  # the annual check of one area (see members:check)
    # figures computed per indicator and area, bounded by the statistics tests
    "/api/v1/statistics/values",
    "/api/v1/statistics/children",
    "/api/v1/statistics/reports/",
    "/api/v1/statistics/reports/docx",
    "/api/v1/statistics/reports/pdf",
}

TBODY = re.compile(r"<tbody\b.*?</tbody>", re.S)
ROW = re.compile(r"<tr\b[^>]*>\s*<td\b([^>]*)>")
SQL_NUMBERS = re.compile(r"\b\d+\b|'[^']*'")


def rows_shown(response: Any, marker: str) -> int:
    if response["Content-Type"] == XLSX_CONTENT_TYPE:
        return len(data_rows(response))
    if response["Content-Type"].startswith("application/json"):
        body = json.loads(response.content)
        if marker == TABLE:
            found = body if isinstance(body, list) else body.get("items", body.get("features"))
            assert isinstance(found, list), f"no list in {str(body)[:200]}"
            return len(found)
        return response.content.decode().count(marker)
    html = response.content.decode()
    if marker == TABLE:
        # a table's "nothing here" row is one muted cell across the columns
        return sum(
            1
            for body in TBODY.findall(html)
            for cell in ROW.findall(body)
            if not ("colspan" in cell and "muted" in cell)
        )
    return html.count(marker)


def repeated(queries: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """The statements run more than twice with other values, most often first: where an N+1 hides."""
    shapes = Counter(SQL_NUMBERS.sub("?", q["sql"]) for q in queries)
    return [(n, sql[:300] + " … " + sql[-400:]) for sql, n in shapes.most_common() if n > 2]


def measure(client: Client, url: str) -> tuple[Any, list[dict[str, Any]]]:
    # the connection keeps at most 9,000 queries: start from an empty log so none is lost
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, ctx.captured_queries


def check(url: str, budget: Budget) -> None:
    client = login(User.objects.get(username=budget.persona))
    response, queries = measure(client, url)
    assert response.status_code == 200, f"{url} as {budget.persona}: {response.status_code}"
    if budget.rows is not None:
        assert rows_shown(response, budget.rows) > 0, f"{url} as {budget.persona} shows no row"
    assert len(queries) <= budget.queries, (
        f"{url} as {budget.persona} took {len(queries)} queries (budget {budget.queries}); "
        f"repeated: {repeated(queries)}"
    )
    per_row = [(n, sql) for n, sql in repeated(queries) if n > budget.repeats]
    assert per_row == [], f"{url} as {budget.persona} repeats a statement per row: {per_row}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_list_page_reads_in_a_bounded_number_of_queries(district, db, name):
    budget = PAGES[name]
    year = timezone.localdate().year
    query = budget.query.format(year=year, last_year=year - 1)
    check(reverse(name) + (f"?{query}" if query else ""), budget)


@pytest.mark.parametrize("path", sorted(API))
def test_an_api_list_reads_in_a_bounded_number_of_queries(district, db, path):
    check(path, API[path])


# the assessment's lists of one run or contest (the demo's year, finalised: its score grid answers
# with the run's page): url name, query, budget
ASSESSMENT: dict[str, tuple[str, str, Budget]] = {
    "run teams": ("assessment:run", "?kind=team", Budget("zuzhibu", 16)),
    "run cadres": ("assessment:run", "?kind=cadre", Budget("zuzhibu", 16)),
    "run of a village": ("assessment:run", "?kind=cadre", Budget("cun_shuji", 16)),
    "ledger": ("assessment:ledger", "", Budget("zuzhibu", 20)),
    "score sheet": ("assessment:sheet", "", Budget("zuzhibu", 20)),
    "contest": ("assessment:contest", "", Budget("zuzhibu", 16)),
    "results API": ("/api/v1/assessment/runs/{pk}/results", "", Budget("zuzhibu", 12)),
}


@pytest.mark.parametrize("case", sorted(ASSESSMENT))
def test_an_assessment_list_reads_in_a_bounded_number_of_queries(district, db, case):
    name, query, budget = ASSESSMENT[case]
    pk = Contest.objects.get().pk if name == "assessment:contest" else Run.objects.get().pk
    url = name.format(pk=pk) if name.startswith("/") else reverse(name, args=[pk])
    check(url + query, budget)


# the pages that list the rows of one object (a firm's estates, a building head's duties, a run's
# subsidies, a fund's projects, a platform's tickets, a robot's deliveries, an indicator's rows):
# url name → the object's url arguments, read from the district, and the budget
def _robot() -> list[Any]:
    seat = RoleAssignment.objects.filter(role=Role.COMMUNITY_SECRETARY, user__username="shequ_shuji").get()
    robot = robot_create(
        actor=SYSTEM,
        region=seat.region,
        name="文昌社区党建服务工作群",
        vendor=RobotVendor.WECOM,
        webhook="http://127.0.0.1:1/cgi-bin/webhook/send?key=demo",
        events=[RobotEvent.CASE_NEW],
    )
    return [robot.pk]


def _seen(visible: Callable[[Any], Any], persona: str) -> Callable[[], list[Any]]:
    """The first row the persona sees: its primary key is the page's argument."""
    return lambda: [
        visible(User.objects.get(username=persona)).order_by("pk").values_list("pk", flat=True)[0]
    ]


OBJECT_PAGES: dict[str, tuple[Callable[[], list[Any]], Budget]] = {
    "estates:firm": (_seen(estates.firms_visible, "jiedao"), Budget("jiedao", 28)),
    "estates:head": (_seen(estates.heads_visible, "shequ_shuji"), Budget("shequ_shuji", 11)),
    "estates:run": (_seen(estates.runs_visible, "shequ_shuji"), Budget("shequ_shuji", 10)),
    "estates:fund": (_seen(estates.funds_visible, "shequ_shuji"), Budget("shequ_shuji", 13)),
    "exchange:peer": (lambda: [HotlinePeer.objects.order_by("pk")[0].pk], Budget("anquan", 11)),
    "exchange:robot": (_robot, Budget("shequ_shuji", 10, rows=None)),
    "statistics:rows": (lambda: ["cases.received"], Budget("jiedao", 11)),
}


@pytest.mark.parametrize("name", sorted(OBJECT_PAGES))
def test_an_object_list_page_reads_in_a_bounded_number_of_queries(district, db, name):
    args, budget = OBJECT_PAGES[name]
    check(reverse(name, args=args()), budget)


def _in_area(model: Any, persona: str, path: str = "region__path") -> Callable[[], list[Any]]:
    """The first row of `model` in the area of the persona's first role: the path's argument."""

    def first() -> list[Any]:
        grant = (
            RoleAssignment.objects.filter(user__username=persona).select_related("region").order_by("pk")[0]
        )
        return [model.objects.filter(**{f"{path}__startswith": grant.region.path}).order_by("pk")[0].pk]

    return first


def _own_region(persona: str) -> Callable[[], list[Any]]:
    return lambda: [RoleAssignment.objects.filter(user__username=persona).order_by("pk")[0].region_id]


# the API lists of one object (a region's children, a case's timeline, a need's suggested resources,
# an activity's sign-ups, a team's members, an indicator's rows, a venue's rooms): path template →
# the object's path arguments, read from the district, and the budget
OBJECT_API: dict[str, tuple[Callable[[], list[Any]], Budget]] = {
    "/api/v1/regions/{}/children": (_own_region("jiedao"), Budget("jiedao", 9)),
    "/api/v1/cases/{}/timeline": (
        _in_area(Case, "shequ_shuji", "region_path"),
        Budget("shequ_shuji", 9),
    ),
    "/api/v1/lists/needs/{}/suggestions": (
        _in_area(Need, "shequ_shuji"),
        Budget("shequ_shuji", 10, rows=None),
    ),
    "/api/v1/activities/{}/signups": (
        _in_area(Activity, "shequ_shuji"),
        Budget("shequ_shuji", 8, rows=None),
    ),
    "/api/v1/activities/teams/{}/members": (
        _in_area(Team, "shequ_shuji"),
        Budget("shequ_shuji", 8, rows=None),
    ),
    "/api/v1/statistics/rows/{}": (lambda: ["cases.received"], Budget("jiedao", 9)),
    "/api/v1/venues/{}/rooms": (_in_area(Venue, "jiedao"), Budget("jiedao", 8)),
}


@pytest.mark.parametrize("path", sorted(OBJECT_API))
def test_an_object_api_list_reads_in_a_bounded_number_of_queries(district, db, path):
    args, budget = OBJECT_API[path]
    check(path.format(*args()), budget)


# --- the walks: a new list cannot come without a budget ---


def parameterless_pages() -> set[str]:
    names = set()
    for route, _pattern in walk(get_resolver().url_patterns):
        url = "/" + route
        if url.startswith(API_PREFIX) or "<" in route or "(?P" in route:
            continue
        names.add(resolve(url).view_name)
    return names


PAGED = re.compile(r"\bpaginate\(|\blist_page\(")


def paged_pages() -> set[str]:
    """The pages whose view pages a list (it calls paginate or list_page), with or without a
    parameter in their URL."""
    names = set()
    for route, pattern in walk(get_resolver().url_patterns):
        url = fill(route, "1")
        if url.startswith(API_PREFIX):
            continue
        if PAGED.search(inspect.getsource(inspect.unwrap(pattern.callback))):
            names.add(resolve(url).view_name)
    return names


def test_every_paged_page_has_a_budget():
    """A page that pages its rows is a list: it has a budget here, whatever its URL takes."""
    budgeted = set(PAGES) | set(OBJECT_PAGES) | {name for name, _query, _budget in ASSESSMENT.values()}
    assert paged_pages() - budgeted == set(), "new paged pages: give them a budget in PAGES or OBJECT_PAGES"


def test_every_parameterless_page_has_a_budget_or_is_not_a_list():
    pages = parameterless_pages()
    assert pages - set(PAGES) - NOT_A_LIST == set(), "new pages: give them a budget in PAGES or a reason"
    assert set(PAGES) & NOT_A_LIST == set()
    assert (set(PAGES) | NOT_A_LIST) - pages == set(), "these pages are gone: remove them here"


def api_get_operations(client: Client, *, with_parameters: bool = False) -> dict[str, bool]:
    """Every GET path of the API (without a path parameter, unless asked) → whether it answers a list."""
    schema = client.get(API_PREFIX + "openapi.json").json()
    components = schema["components"]["schemas"]

    def is_list(operation: dict[str, Any]) -> bool:
        content = operation["responses"].get("200", {}).get("content", {})
        answer = content.get("application/json", {}).get("schema", {})
        if answer.get("type") == "array":
            return True
        properties = components.get(answer.get("$ref", "").rsplit("/", 1)[-1], {}).get("properties", {})
        return properties.get("items", {}).get("type") == "array" and "count" in properties

    return {
        path: is_list(operations["get"])
        for path, operations in schema["paths"].items()
        if "get" in operations and ("{" not in path or with_parameters)
    }


def test_every_api_list_has_a_budget(client, db):
    operations = api_get_operations(client)
    lists = {path for path, is_list in operations.items() if is_list}
    assert lists - set(API) == set(), "new API lists: give them a budget in API"
    assert set(operations) - set(API) - API_NOT_A_LIST == set(), "new GET operations: a budget or a reason"
    assert set(API) & API_NOT_A_LIST == set()
    assert (set(API) | API_NOT_A_LIST) - set(operations) == set(), "these operations are gone: remove them"


def test_every_api_list_of_one_object_has_a_budget(client, db):
    """A list endpoint whose path names an object (/regions/{id}/children) has a budget too."""
    operations = api_get_operations(client, with_parameters=True)
    lists = {
        re.sub(r"\{[^}]*\}", "{}", path) for path, is_list in operations.items() if is_list and "{" in path
    }
    budgeted = set(OBJECT_API) | {path.replace("{pk}", "{}") for path, _q, _b in ASSESSMENT.values()}
    assert lists - budgeted == set(), "new API lists of one object: give them a budget in OBJECT_API"
    assert set(OBJECT_API) - lists == set(), "these API lists are gone: remove them from OBJECT_API"
