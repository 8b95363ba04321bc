"""The Excel layouts: one sheet per kind, columns matched by header name.

Sheet titles, headers and choice labels are the canonical Chinese ones officials use; they are
part of the file format, so they stay Chinese whatever the interface language. The English
aliases are accepted on import.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.cadres.models import Education, PoliticalStatus
from tongxin.core.roles import Capability
from tongxin.organisations.models import OrgKind
from tongxin.people.models import Gender, PartyStatus, PositionKind
from tongxin.regions.models import Kind, Level

REGIONS, GRIDS, ORGANISATIONS, PEOPLE = "regions", "grids", "organisations", "people"
HOUSEHOLDS = "households"
CADRES = "cadres"
KINDS = (REGIONS, GRIDS, ORGANISATIONS, PEOPLE, HOUSEHOLDS, CADRES)

NOTES_SHEET = "说明"
SUMMARY_SHEET = "汇总"

# value types; cells.py turns each into a parser
TEXT, CODE, REGION_CODE, DATE, NUMBER, CHOICE, GEOJSON, ID_CARD, PHONE = (
    "text",
    "code",
    "region_code",
    "date",
    "number",
    "choice",
    "geojson",
    "id_card",
    "phone",
)


@dataclass(frozen=True)
class Choices:
    """Canonical label per stored value, plus every other spelling accepted on import."""

    labels: dict[str, str]
    synonyms: dict[str, str] = field(default_factory=dict)

    def lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for value, label in self.labels.items():
            table[normalise(label)] = value
            if value:
                table[normalise(value)] = value
        for spelling, value in self.synonyms.items():
            table[normalise(spelling)] = value
        return table

    def label(self, value: str) -> str:
        return self.labels.get(value, value)


LEVEL_CHOICES = Choices(
    labels={
        Level.CITY: "市",
        Level.COUNTY: "区县",
        Level.STREET: "街道",
        Level.COMMUNITY: "社区",
        Level.GRID: "网格",
        Level.BUILDING: "楼栋",
    },
    synonyms={
        "地级市": Level.CITY,
        "区/县": Level.COUNTY,
        "县区": Level.COUNTY,
        "区": Level.COUNTY,
        "县": Level.COUNTY,
        "旗": Level.COUNTY,
        "街道/乡镇": Level.STREET,
        "乡镇": Level.STREET,
        "镇": Level.STREET,
        "乡": Level.STREET,
        "苏木": Level.STREET,
        "社区/村": Level.COMMUNITY,
        "村": Level.COMMUNITY,
        "嘎查": Level.COMMUNITY,
        "楼": Level.BUILDING,
    },
)

KIND_CHOICES = Choices(
    labels={
        Kind.CITY: "市",
        Kind.DISTRICT: "区",
        Kind.COUNTY: "县",
        Kind.BANNER: "旗",
        Kind.STREET: "街道",
        Kind.TOWN: "镇",
        Kind.TOWNSHIP: "乡",
        Kind.SUMU: "苏木",
        Kind.COMMUNITY: "社区",
        Kind.VILLAGE: "村",
        Kind.GACHA: "嘎查",
        Kind.GRID: "网格",
        Kind.BUILDING: "楼栋",
    },
    synonyms={"市辖区": Kind.DISTRICT, "县级市": Kind.COUNTY, "乡镇": Kind.TOWN},
)

# which local names fit which level
KINDS_OF_LEVEL: dict[str, set[str]] = {
    Level.CITY: {Kind.CITY},
    Level.COUNTY: {Kind.DISTRICT, Kind.COUNTY, Kind.BANNER},
    Level.STREET: {Kind.STREET, Kind.TOWN, Kind.TOWNSHIP, Kind.SUMU},
    Level.COMMUNITY: {Kind.COMMUNITY, Kind.VILLAGE, Kind.GACHA},
    Level.GRID: {Kind.GRID},
    Level.BUILDING: {Kind.BUILDING},
}

ORG_KIND_CHOICES = Choices(
    labels={
        OrgKind.COMMITTEE: "党委",
        OrgKind.WORKING_COMMITTEE: "党工委",
        OrgKind.GENERAL_BRANCH: "党总支",
        OrgKind.BRANCH: "党支部",
        OrgKind.GRID_BRANCH: "网格党支部",
        OrgKind.GROUP: "党小组",
    },
    synonyms={
        "党委员会": OrgKind.COMMITTEE,
        "工委": OrgKind.WORKING_COMMITTEE,
        "党工作委员会": OrgKind.WORKING_COMMITTEE,
        "总支": OrgKind.GENERAL_BRANCH,
        "党总支部": OrgKind.GENERAL_BRANCH,
        "支部": OrgKind.BRANCH,
        "楼栋党小组": OrgKind.GROUP,
    },
)

GENDER_CHOICES = Choices(
    labels={Gender.MALE: "男", Gender.FEMALE: "女"},
    synonyms={"male": Gender.MALE, "female": Gender.FEMALE},
)

PARTY_STATUS_CHOICES = Choices(
    labels={PartyStatus.NONE: "群众", PartyStatus.PROBATIONARY: "预备党员", PartyStatus.FULL: "正式党员"},
    synonyms={
        "none": PartyStatus.NONE,
        "masses": PartyStatus.NONE,
        "中共党员": PartyStatus.FULL,
        "党员": PartyStatus.FULL,
        "中共预备党员": PartyStatus.PROBATIONARY,
    },
)

POSITION_CHOICES = Choices(
    labels={
        PositionKind.SECRETARY: "书记",
        PositionKind.DEPUTY_SECRETARY: "副书记",
        PositionKind.COMMITTEE_MEMBER: "委员",
        PositionKind.CONCURRENT_MEMBER: "兼职委员",
        PositionKind.RESIDENTS_DIRECTOR: "居委会主任",
        PositionKind.GRID_LEADER: "网格长",
        PositionKind.GRID_WORKER: "网格员",
        PositionKind.BUILDING_HEAD: "楼栋长",
        PositionKind.GROUP_LEADER: "党小组长",
        PositionKind.POLICY_PROMOTER: "政策宣传员",
        PositionKind.INFORMATION_COLLECTOR: "信息收集员",
        PositionKind.MEDIATOR: "维稳调解员",
        PositionKind.STARTUP_ADVISER: "创业指导员",
    },
    synonyms={"村委会主任": PositionKind.RESIDENTS_DIRECTOR, "专职网格员": PositionKind.GRID_WORKER},
)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...]
    type: str
    help: Any  # a lazy translation
    required: bool = False  # the header must be present in an uploaded sheet
    needed: bool = False  # a new record needs a value (shown in the template notes)
    choices: Choices | None = None
    width: int = 14
    example: Any = ""
    max_length: int = 200


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    aliases: tuple[str, ...]
    columns: tuple[Column, ...]
    optional: bool = False  # a second sheet that may be left out (职务)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header_of(self, key: str) -> str:
        for c in self.columns:
            if c.key == key:
                return c.header
        return ""


@dataclass(frozen=True)
class Layout:
    kind: str
    label: Promise
    description: Promise
    edit_capability: str
    view_capability: str
    sheets: tuple[Sheet, ...]
    geojson: bool = False  # a .geojson FeatureCollection is accepted too

    @property
    def main(self) -> Sheet:
        return self.sheets[0]


def normalise(text: Any) -> str:
    """Header and choice spelling: no spaces, underscores, dashes, required-marks or (notes)."""
    value = str(text or "").strip().lower()
    value = re.sub(r"[（(][^）)]*[）)]", "", value)
    return re.sub(r"[\s_\-*＊:：]", "", value)


# the examples name the demo district (黔源市岩江区金岩街道文昌社区, tongxin/demo), not a real place
_SAMPLE_POLYGON = (
    '{"type":"Polygon","coordinates":'
    "[[[106.125,27.4135],[106.1346,27.4127],[106.1337,27.4225],[106.125,27.4225],[106.125,27.4135]]]}"
)

_CODE = Column(
    "code",
    "编码",
    ("code", "区划编码", "region code"),
    REGION_CODE,
    _("12-digit statistical code; a grid adds 3 digits to its community's code, a building 5 more."),
    required=True,
    needed=True,
    width=22,
    example="529002001001",
)
_BOUNDARY_HELP = _("Boundary as GeoJSON Polygon or MultiPolygon text (longitude, latitude).")

REGION_SHEET = Sheet(
    REGIONS,
    "区划",
    ("regions", "region"),
    (
        _CODE,
        Column(
            "name",
            "名称",
            ("name",),
            TEXT,
            _("Name."),
            required=True,
            needed=True,
            width=24,
            example="文昌社区",
            max_length=100,
        ),
        Column(
            "level",
            "层级",
            ("level",),
            CHOICE,
            _("Level of the region."),
            required=True,
            needed=True,
            choices=LEVEL_CHOICES,
            width=8,
            example="社区",
        ),
        Column(
            "kind",
            "类型",
            ("kind", "type"),
            CHOICE,
            _("Local name of the level; optional, the usual one is used when empty."),
            choices=KIND_CHOICES,
            width=8,
            example="社区",
        ),
        Column(
            "parent_code",
            "上级编码",
            ("parent_code", "parent", "上级区划编码"),
            REGION_CODE,
            _("Code of the region above; it may be in the same file."),
            required=True,
            needed=True,
            width=22,
            example="529002001000",
        ),
        Column(
            "address", "地址", ("address",), TEXT, _("Address."), width=30, example="岩江区金岩街道文昌路"
        ),
        Column(
            "lng",
            "经度",
            ("longitude", "lng", "lon"),
            NUMBER,
            _("Longitude of the centre."),
            example=106.1339,
        ),
        Column("lat", "纬度", ("latitude", "lat"), NUMBER, _("Latitude of the centre."), example=27.4128),
        Column("boundary", "边界", ("boundary", "geometry", "geojson"), GEOJSON, _BOUNDARY_HELP, width=40),
    ),
)

GRID_SHEET = Sheet(
    GRIDS,
    "网格",
    ("grids", "grid"),
    (
        Column(
            "code",
            "网格编码",
            ("code", "grid code", "编码"),
            REGION_CODE,
            _("The community's 12-digit code plus a 3-digit sequence."),
            required=True,
            needed=True,
            width=22,
            example="529002001001001",
        ),
        Column(
            "name",
            "网格名称",
            ("name", "grid name", "名称"),
            TEXT,
            _("Name."),
            required=True,
            needed=True,
            width=24,
            example="文昌社区第一网格",
            max_length=100,
        ),
        Column(
            "parent_code",
            "上级编码",
            ("parent_code", "parent", "社区编码", "community code"),
            REGION_CODE,
            _("Code of the community, or of the grid this grid lies in."),
            required=True,
            needed=True,
            width=22,
            example="529002001001",
        ),
        Column(
            "boundary",
            "边界",
            ("boundary", "geometry", "geojson"),
            GEOJSON,
            _BOUNDARY_HELP,
            required=True,
            needed=True,
            width=40,
            example=_SAMPLE_POLYGON,
        ),
        Column("address", "地址", ("address",), TEXT, _("Address."), width=30, example=""),
    ),
)

ORGANISATION_SHEET = Sheet(
    ORGANISATIONS,
    "党组织",
    ("organisations", "organizations", "organisation"),
    (
        Column(
            "code",
            "组织编码",
            ("code", "organisation code", "organization code", "编码"),
            CODE,
            _("The organisation's code, unique in Tongxin."),
            required=True,
            needed=True,
            width=18,
            example="ORG-0105",
        ),
        Column(
            "name",
            "组织名称",
            ("name", "名称"),
            TEXT,
            _("Full name."),
            required=True,
            needed=True,
            width=30,
            example="文昌社区第二网格党支部",
            max_length=120,
        ),
        Column(
            "kind",
            "组织类型",
            ("kind", "type", "类型"),
            CHOICE,
            _("Type of organisation."),
            required=True,
            needed=True,
            choices=ORG_KIND_CHOICES,
            width=12,
            example="网格党支部",
        ),
        Column(
            "parent_code",
            "上级组织编码",
            ("parent_code", "parent", "上级编码"),
            CODE,
            _("Code of the organisation above; empty only for a top committee."),
            required=True,
            width=18,
            example="ORG-0003",
        ),
        Column(
            "region_code",
            "所在区划编码",
            ("region_code", "region", "区划编码"),
            REGION_CODE,
            _("Code of the region the organisation serves."),
            required=True,
            needed=True,
            width=22,
            example="529002001001002",
        ),
        Column(
            "founded_on",
            "成立日期",
            ("founded_on", "founded"),
            DATE,
            _("Date founded."),
            width=12,
            example="2021-07-01",
        ),
        Column(
            "term_ends_on",
            "届满日期",
            ("term_ends_on", "term ends"),
            DATE,
            _("Date the current term ends."),
            width=12,
            example="2026-06-30",
        ),
    ),
)

_ID_CARD_HELP = _("18-character citizen ID number; it identifies the person.")

PERSON_SHEET = Sheet(
    PEOPLE,
    "人员",
    ("people", "persons", "person"),
    (
        Column(
            "name",
            "姓名",
            ("name",),
            TEXT,
            _("Name."),
            required=True,
            needed=True,
            width=10,
            example="张三",
            max_length=50,
        ),
        Column(
            "gender",
            "性别",
            ("gender", "sex"),
            CHOICE,
            _("Gender."),
            choices=GENDER_CHOICES,
            width=6,
            example="男",
        ),
        Column(
            "birth_date",
            "出生日期",
            ("birth_date", "date of birth", "birthday"),
            DATE,
            _("Date of birth."),
            width=12,
            example="1949-12-31",
        ),
        Column(
            "ethnicity",
            "民族",
            ("ethnicity", "nation"),
            TEXT,
            _("Ethnic group."),
            width=8,
            example="汉族",
            max_length=20,
        ),
        Column(
            "id_card",
            "身份证号",
            ("id_card", "id card", "id number", "公民身份号码"),
            ID_CARD,
            _ID_CARD_HELP,
            width=22,
            example="11010519491231002X",
        ),
        Column(
            "phone",
            "手机号",
            ("phone", "mobile", "联系电话", "电话"),
            PHONE,
            _("Mobile or landline number."),
            width=15,
            example="13800000000",
        ),
        Column(
            "region_code",
            "居住区划编码",
            ("region_code", "region", "区划编码"),
            REGION_CODE,
            _("Code of the community, grid or building where the person lives."),
            required=True,
            needed=True,
            width=22,
            example="529002001001001",
        ),
        Column(
            "address",
            "地址",
            ("address",),
            TEXT,
            _("Home address."),
            width=30,
            example="兰庭家园1栋2单元101室",
        ),
        Column(
            "employer", "工作单位", ("employer", "work unit"), TEXT, _("Employer."), width=20, max_length=120
        ),
        Column(
            "party_status",
            "政治面貌",
            ("party_status", "political status"),
            CHOICE,
            _("Party membership."),
            choices=PARTY_STATUS_CHOICES,
            width=10,
            example="正式党员",
        ),
        Column(
            "party_joined_on",
            "入党日期",
            ("party_joined_on", "joined"),
            DATE,
            _("Date of joining the Party."),
            width=12,
            example="1975-07-01",
        ),
        Column(
            "party_full_on",
            "转正日期",
            ("party_full_on", "full member since"),
            DATE,
            _("Date of becoming a full member."),
            width=12,
            example="1976-07-01",
        ),
        Column(
            "branch_code",
            "所在支部编码",
            ("branch_code", "branch"),
            CODE,
            _("Code of the Party branch the member belongs to."),
            width=18,
            example="ORG-0004",
        ),
    ),
)

POSITION_SHEET = Sheet(
    "positions",
    "职务",
    ("positions", "position"),
    (
        Column(
            "id_card",
            "身份证号",
            ("id_card", "id card", "id number", "公民身份号码"),
            ID_CARD,
            _("ID number of the person who holds the position."),
            required=True,
            width=22,
            example="11010519491231002X",
        ),
        Column(
            "name",
            "姓名",
            ("name",),
            TEXT,
            _("Name of the person; needed when the ID number is masked or unknown."),
            width=10,
            example="张三",
        ),
        Column(
            "kind",
            "职务",
            ("position", "kind", "post"),
            CHOICE,
            _("Position."),
            required=True,
            needed=True,
            choices=POSITION_CHOICES,
            width=12,
            example="网格长",
        ),
        Column(
            "region_code",
            "区划编码",
            ("region_code", "region"),
            REGION_CODE,
            _("Code of the region where the position is held."),
            width=22,
            example="529002001001001",
        ),
        Column(
            "org_code",
            "组织编码",
            ("organisation_code", "organization_code", "org_code", "organisation"),
            CODE,
            _("Code of the Party organisation, for posts held in one (书记, 委员, 党小组长…)."),
            width=18,
        ),
        Column(
            "starts_on",
            "开始日期",
            ("starts_on", "start", "start date"),
            DATE,
            _("First day in the position."),
            required=True,
            needed=True,
            width=12,
            example="2024-03-01",
        ),
        Column(
            "ends_on",
            "结束日期",
            ("ends_on", "end", "end date"),
            DATE,
            _("Last day in the position; empty while it is held."),
            width=12,
        ),
    ),
    optional=True,
)


# households (户): the address parts in the GB/T 39609 order under a building (in a village, under its
# village group: 组 in 街巷院落, then 门牌号, no unit or room); care tags are
# sensitive and never travel in this file (they are set on the household's page by those who see them)
HOUSEHOLD_SHEET = Sheet(
    HOUSEHOLDS,
    "住户",
    ("households", "household", "户"),
    (
        Column(
            "building_code",
            "楼栋编码",
            ("building_code", "building", "楼栋"),
            REGION_CODE,
            _(
                "Code of the building the household lives in; in a village, of its village group "
                "(村民小组, a grid without buildings)."
            ),
            required=True,
            needed=True,
            width=24,
            example="52900200100100100001",
        ),
        Column(
            "street",
            "街巷院落",
            ("street", "街路巷", "小区"),
            TEXT,
            _(
                "Street, lane or compound, with its number where it has one; in a village, the group "
                "(组), such as 一组."
            ),
            width=24,
            example="文昌路12号兰庭家园",
            max_length=100,
        ),
        Column(
            "house_number",
            "门楼牌号",
            ("house_number", "门牌号", "楼号"),
            TEXT,
            _("Number of the building (门楼牌号); in a village, the house number, such as 23."),
            width=10,
            example="1栋",
            max_length=30,
        ),
        Column(
            "unit",
            "单元",
            ("unit",),
            TEXT,
            _("Unit (stairway) of the building."),
            width=8,
            example="3",
            max_length=10,
        ),
        Column(
            "room",
            "室",
            ("room", "户室号", "房号"),
            TEXT,
            _(
                "Room number; with the building, house number and unit it identifies the household. "
                "Empty in a village group."
            ),
            required=True,
            width=8,
            example="502",
            max_length=20,
        ),
        Column("note", "备注", ("note", "remarks"), TEXT, _("Note."), width=24, max_length=200),
        Column(
            "address",
            "完整地址",
            ("address", "full address"),
            TEXT,
            _("Written by the export; ignored on import (it is made from the other columns)."),
            width=44,
            max_length=255,
        ),
    ),
)


# the cadre roster (干部名册): one row per cadre with the facts the 234 composition counts; the posts
# themselves travel on the 职务 sheet of the people file (the 现任职务 column here is for reading)
EDUCATION_CHOICES = Choices(
    labels={
        Education.JUNIOR: "初中及以下",
        Education.SENIOR: "高中/中专",
        Education.COLLEGE: "大专",
        Education.BACHELOR: "本科",
        Education.POSTGRADUATE: "研究生",
    },
    synonyms={
        "初中": Education.JUNIOR,
        "小学": Education.JUNIOR,
        "高中": Education.SENIOR,
        "中专": Education.SENIOR,
        "职高": Education.SENIOR,
        "专科": Education.COLLEGE,
        "大学专科": Education.COLLEGE,
        "大学本科": Education.BACHELOR,
        "硕士": Education.POSTGRADUATE,
        "博士": Education.POSTGRADUATE,
        "硕士研究生": Education.POSTGRADUATE,
    },
)
POLITICAL_CHOICES = Choices(
    labels={
        PoliticalStatus.MASSES: "群众",
        PoliticalStatus.LEAGUE: "共青团员",
        PoliticalStatus.DEMOCRATIC: "民主党派",
        "party": "中共党员",
    },
    synonyms={"团员": PoliticalStatus.LEAGUE, "党员": "party", "中共预备党员": "party", "预备党员": "party"},
)
YES_NO = Choices(labels={"yes": "是", "no": "否"}, synonyms={"y": "yes", "n": "no", "1": "yes", "0": "no"})

CADRE_SHEET = Sheet(
    CADRES,
    "干部名册",
    ("cadres", "roster", "干部"),
    (
        Column(
            "id_card",
            "身份证号",
            ("id_card", "id card", "公民身份号码"),
            ID_CARD,
            _("ID number of the cadre; without it the name is looked up among the unit's post holders."),
            width=22,
            example="11010519491231002X",
        ),
        Column(
            "name", "姓名", ("name",), TEXT, _("Name of the cadre."), needed=True, width=10, example="张三"
        ),
        Column(
            "unit_code",
            "社区/村编码",
            ("unit_code", "community", "village", "社区编码", "村编码"),
            REGION_CODE,
            _("Code of the community or village where the cadre holds a post."),
            required=True,
            needed=True,
            width=16,
            example="529002001001",
        ),
        Column(
            "posts",
            "现任职务",
            ("posts",),
            TEXT,
            _("Written by the export; ignored on import (posts are kept on the 职务 sheet)."),
            width=24,
        ),
        Column(
            "education",
            "学历",
            ("education",),
            CHOICE,
            _("Highest education completed."),
            required=True,
            needed=True,
            choices=EDUCATION_CHOICES,
            width=10,
            example="大专",
        ),
        Column("major", "专业", ("major",), TEXT, _("Field of study."), width=14, max_length=60),
        Column(
            "upgrade_level",
            "在读学历",
            ("upgrade_level", "学历提升"),
            CHOICE,
            _("The degree being studied for (学历提升), if any."),
            choices=EDUCATION_CHOICES,
            width=10,
        ),
        Column(
            "upgrade_school",
            "在读院校",
            ("upgrade_school",),
            TEXT,
            _("School of the degree in progress."),
            width=16,
            max_length=100,
        ),
        Column(
            "upgrade_expected_on",
            "预计毕业日期",
            ("upgrade_expected_on",),
            DATE,
            _("Expected graduation date."),
            width=12,
        ),
        Column(
            "political_status",
            "政治面貌",
            ("political_status",),
            CHOICE,
            _("Political status; 中共党员 comes from the person's Party membership and is not changed here."),
            choices=POLITICAL_CHOICES,
            width=10,
            example="群众",
        ),
        Column(
            "wealth_leader", "致富能手", ("wealth_leader",), CHOICE, _("是 or 否."), choices=YES_NO, width=8
        ),
        Column(
            "college_graduate_cadre",
            "大学生村干部",
            ("college_graduate_cadre",),
            CHOICE,
            _("是 or 否."),
            choices=YES_NO,
            width=10,
        ),
        Column("veteran", "退役军人", ("veteran",), CHOICE, _("是 or 否."), choices=YES_NO, width=8),
        Column("note", "备注", ("note", "remarks"), TEXT, _("Note."), width=20, max_length=200),
    ),
)


def _layouts() -> dict[str, Layout]:
    return {
        REGIONS: Layout(
            REGIONS,
            _("Regions"),
            _("Cities, counties, streets, communities, grids and buildings, with codes and boundaries."),
            Capability.STRUCTURE_EDIT,
            Capability.STRUCTURE_VIEW,
            (REGION_SHEET,),
        ),
        GRIDS: Layout(
            GRIDS,
            _("Grids"),
            _("Grids with their boundary polygons. A GeoJSON FeatureCollection is accepted too."),
            Capability.STRUCTURE_EDIT,
            Capability.STRUCTURE_VIEW,
            (GRID_SHEET,),
            geojson=True,
        ),
        ORGANISATIONS: Layout(
            ORGANISATIONS,
            _("Party organisations"),
            _("Committees, general branches, branches and Party groups, attached to their regions."),
            Capability.STRUCTURE_EDIT,
            Capability.STRUCTURE_VIEW,
            (ORGANISATION_SHEET,),
        ),
        PEOPLE: Layout(
            PEOPLE,
            _("People and positions"),
            _("Residents, Party members and cadres (人员 sheet) and the posts they hold (职务 sheet)."),
            Capability.PEOPLE_EDIT,
            Capability.PEOPLE_VIEW,
            (PERSON_SHEET, POSITION_SHEET),
        ),
        HOUSEHOLDS: Layout(
            HOUSEHOLDS,
            pgettext_lazy("household register", "Households"),
            _("Households under their buildings, with the address in the GB/T 39609 order; no care tags."),
            Capability.HOUSEHOLDS_EDIT,
            Capability.HOUSEHOLDS_VIEW,
            (HOUSEHOLD_SHEET,),
        ),
        CADRES: Layout(
            CADRES,
            _("Cadre roster"),
            _("What the 234 composition counts of each cadre: education, 学历提升, 致富能手, 大学生村干部."),
            Capability.CADRES_MANAGE,
            Capability.CADRES_VIEW,
            (CADRE_SHEET,),
        ),
    }


LAYOUTS = _layouts()


def layout_for(kind: str) -> Layout | None:
    return LAYOUTS.get(kind)
