"""The wording of the work report (工作综述): the sentence templates, their placeholders, Chinese number
formats, and the versions kept by the county organisation department.

A template is Chinese text with placeholders in braces: `{node}`, `{period}`, `{since}`, `{until}`,
an indicator code such as `{cobuilding.meetings_held}`, or a code with `.previous` (the period
before), `.target` or `.share` (of the annual target). A clause in square brackets is dropped when
every figure in it is zero or missing; a sentence whose figures are all zero or missing is left out.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tongxin.core.actors import Actor, user_or_none
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.statistics.models import ReportWording
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import REGISTRY, Indicator

CONTEXT = ("node", "period", "since", "until")
SUFFIXES = ("previous", "target", "share")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
CLAUSE = re.compile(r"\[([^\[\]]*)\]")
MISSING = "—"


@dataclass(frozen=True)
class Sentence:
    key: str
    section: str  # "overview" or a registry section
    label: Any  # (lazy) what the sentence is about, on the wording form
    default: str


SENTENCES: list[Sentence] = [
    Sentence(
        "opening",
        "overview",
        gettext_lazy("Opening summary"),
        "{period}，{node}坚持以党建引领基层治理，[受理群众诉求{cases.received}件、办结{cases.closed}件，]"
        "[召开联席会议{cobuilding.meetings_held}次，][梳理需求清单{cobuilding.needs}项，]"
        "[在职党员到社区报到{members.reported}名、参与服务{members.services}次，]各项工作有序推进。",
    ),
    Sentence(
        "structure.grids",
        "structure",
        gettext_lazy("Grids and buildings"),
        "{node}共划分一级网格{structure.grids}个[、二三级网格{structure.grids_nested}个]"
        "[，登记楼栋{structure.buildings}栋]。",
    ),
    Sentence(
        "structure.organisations",
        "structure",
        gettext_lazy("Party organisations and members"),
        "建立党组织{structure.organisations}个[，其中党支部（含网格党支部）{structure.branches}个]"
        "[，现有正式党员{structure.members_full}名][、预备党员{structure.members_probationary}名]。",
    ),
    Sentence(
        "structure.roles",
        "structure",
        gettext_lazy("The 234 posts"),
        "健全“两委”“三长”“四员”组织体系，在岗{structure.roles_234}人次[，其中“两委”{structure.two_committees}人次]"
        "[、“三长”{structure.three_heads}人次][、“四员”{structure.four_helpers}人次]"
        "[；35岁以下的占{structure.roles_234_young_share}][，女性占{structure.roles_234_women_share}]。",
    ),
    Sentence(
        "cases.intake",
        "cases",
        gettext_lazy("Cases received and closed"),
        "{period}，{node}共受理群众诉求{cases.received}件[，办结{cases.closed}件]"
        "[，其中办结未解决{cases.closed_unsolved}件][，办结用时中位数{cases.days_to_close}天]。",
    ),
    Sentence(
        "cases.rates",
        "cases",
        gettext_lazy("Dispatch and the three rates"),
        "按照“群众点单、社区派单、党员接单”流程派单{cases.dispatched}件[，响应率{cases.response_rate}]"
        "[，解决率{cases.resolution_rate}][，满意率{cases.satisfaction_rate}]。",
    ),
    Sentence(
        "cases.whistle",
        "cases",
        gettext_lazy("Whistles, supervision and time limits"),
        "[吹哨上报{cases.whistled}件][，报到响应{cases.reported_back}件][；督办{cases.supervised}件]"
        "[，超时{cases.overdue}件]。",
    ),
    Sentence(
        "cases.open",
        "cases",
        gettext_lazy("Cases still open"),
        "截至目前，尚在办理的诉求{cases.open}件。",
    ),
    Sentence(
        "cobuilding.units",
        "cobuilding",
        gettext_lazy("Partner units, alliances and agreements"),
        "{node}现有共建单位{cobuilding.units}家[，其中红色物业{cobuilding.red_property}家]"
        "[；组建大党委、党建联盟等{cobuilding.alliances}个][，成员单位{cobuilding.alliance_members}个]"
        "[；结对共建{cobuilding.pairings}对][，签订共建协议{cobuilding.agreements}份]。",
    ),
    Sentence(
        "cobuilding.meetings",
        "cobuilding",
        gettext_lazy("Joint meetings and the needs list"),
        "{period}，{node}共召开联席会议{cobuilding.meetings_held}次[，形成决议{cobuilding.decisions}项]"
        "[，梳理需求清单{cobuilding.needs}项][，已认领{cobuilding.needs_claimed}项]"
        "[，认领率{cobuilding.needs_claimed_share}][，已办结{cobuilding.needs_met}项]。",
    ),
    Sentence(
        "cobuilding.tasks",
        "cobuilding",
        gettext_lazy("Follow-up of meeting decisions"),
        "联席会议决议到期跟进事项{cobuilding.tasks}项[，已完成{cobuilding.tasks_done}项]"
        "[，完成率{cobuilding.tasks_done_share}]。",
    ),
    Sentence(
        "cobuilding.projects",
        "cobuilding",
        gettext_lazy("Resources and projects"),
        "[资源清单现有可用资源{cobuilding.resources}项；]推进项目清单项目{cobuilding.projects}个"
        "[，完成交付{cobuilding.projects_delivered}个][，其中为民办实事{cobuilding.practical_done}件]"
        "[；认领书记项目{cobuilding.secretary_projects}个][，已完成{cobuilding.secretary_done}个]。",
    ),
    Sentence(
        "members.reported",
        "members",
        gettext_lazy("Dual reporting"),
        "在职党员到社区报到{members.reported}名[，完成年度目标的{members.reported.share}]"
        "[，其中本期新报到{members.reported_new}名][；单位党组织到社区报到{members.unit_reports}个]。",
    ),
    Sentence(
        "members.services",
        "members",
        gettext_lazy("Services recorded"),
        "党员参与志愿服务{members.services}次[，累计服务{members.service_hours}小时]"
        "[，服务2次以上的党员{members.two_services}名]。",
    ),
    Sentence(
        "members.activities",
        "members",
        gettext_lazy("Activities and teams"),
        "开展各类活动{members.activities}场次[，参与{members.attendance}人次]"
        "[；现有服务队伍{members.teams}支][，出动{members.callouts}次]。",
    ),
    Sentence(
        "partylife.meetings",
        "partylife",
        gettext_lazy("三会一课"),
        "各党支部召开“三会一课”{partylife.meetings}次[，落实率{partylife.compliance}]。",
    ),
    Sentence(
        "partylife.development",
        "partylife",
        gettext_lazy("Member development"),
        "发展党员{partylife.admitted}名[，完成年度计划的{partylife.admitted.share}]"
        "[；发展党员在册档案{partylife.development_open}份][，其中时限预警{partylife.development_warnings}份]。",
    ),
    Sentence(
        "partylife.training",
        "partylife",
        gettext_lazy("Training and mobile members"),
        "[举办培训班{partylife.training_classes}期][，参训累计{partylife.training_hours}学时]"
        "[；在外流动党员{partylife.mobile_away}名，纳入流动党员管理]。",
    ),
    # the sections added after version 1: a version that lacks them reads these defaults
    Sentence(
        "gridwork.log",
        "gridwork",
        gettext_lazy("Grid workers' visits and patrols"),
        "{period}，{node}网格员入户走访{gridwork.visits}次[，巡查{gridwork.patrols}次]"
        "[，排查{gridwork.inspections}次][，开展政策宣传{gridwork.policy_talks}次]"
        "[，提供创业就业指导{gridwork.startup_advice}次][，代办服务{gridwork.errands}次]。",
    ),
    Sentence(
        "gridwork.mediations",
        "gridwork",
        gettext_lazy("Mediation of disputes"),
        "调解矛盾纠纷{gridwork.mediations}次[，调解成功{gridwork.mediations_resolved}次]"
        "[，调解成功率{gridwork.mediations_resolved_share}]。",
    ),
    Sentence(
        "gridwork.households",
        "gridwork",
        gettext_lazy("Households linked and visited"),
        "[推行“十联户”“党员联户”机制，联户覆盖{gridwork.linked_households}户]"
        "[；关爱对象按期走访{gridwork.tagged_visited}户]。",
    ),
    Sentence(
        "exchange.hotline",
        "exchange",
        gettext_lazy("12345 hotline tickets"),
        "{period}，12345 热线平台向{node}转办工单{exchange.hotline_tickets}件，"
        "均已转为群众诉求纳入接诉即办流程办理。",
    ),
    Sentence(
        "estates.coverage",
        "estates",
        gettext_lazy("Red property service and owners' committees"),
        "{node}共有小区{estates.estates}个[，其中红色物业小区{estates.red_property}个]"
        "[，红色物业覆盖率{estates.red_property_share}][；成立红色业委会的小区{estates.red_committee}个]"
        "[，覆盖率{estates.red_committee_share}]。",
    ),
    Sentence(
        "estates.firms",
        "estates",
        gettext_lazy("Property firms evaluated"),
        "[参加评价的物业企业{estates.firms_evaluated}家][，评定“金牌红心物业”{estates.gold_firms}家]。",
    ),
    Sentence(
        "estates.funds",
        "estates",
        gettext_lazy("Building heads' subsidies and the 自治金"),
        "[审批楼栋长补贴{estates.subsidies_paid}][，惠及楼栋长{estates.subsidy_heads}名]"
        "[；拨付楼组自治金{estates.fund_granted}][，支出{estates.fund_spent}]。",
    ),
    Sentence(
        "venues.open",
        "venues",
        gettext_lazy("Venues open"),
        "{node}现有开放的党群服务阵地{venues.open}个[，其中向居民开放预约的{venues.open_to_residents}个]"
        "[，每周累计开放{venues.hours_per_week}小时][，安排坐班值班{venues.duty_slots}班次]。",
    ),
    Sentence(
        "venues.bookings",
        "venues",
        gettext_lazy("Bookings of rooms"),
        "{period}，受理场地预约{venues.bookings}次[，已使用{venues.bookings_used}次]"
        "[，预约未到场{venues.no_shows}次]。",
    ),
    Sentence(
        "venues.services",
        "venues",
        gettext_lazy("Services at the venues"),
        "依托阵地开展便民服务{venues.service_records}次[，服务群众{venues.people_served}人次]。",
    ),
    Sentence(
        "twonew.coverage",
        "twonew",
        gettext_lazy("Party organisations in 两新 organisations"),
        "{node}登记两新组织{twonew.organisations}个[，已建立党组织的{twonew.with_party_organisation}个]"
        "[，党组织覆盖率{twonew.party_organisation_share}][，本期新建党组织{twonew.party_founded}个]。",
    ),
    Sentence(
        "twonew.work",
        "twonew",
        gettext_lazy("Charters, instructors and model posts"),
        "[实现党建入章的{twonew.charter}个，入章率{twonew.charter_share}]"
        "[；选派党建指导员的{twonew.instructors}个，选派率{twonew.instructor_share}]"
        "[；实行交叉任职的{twonew.cross_appointment}个][；设立党员示范岗、先锋岗和党员责任区{twonew.posts}个]"
        "[；党建示范两新组织{twonew.demonstration}个][，软弱涣散两新组织{twonew.weak}个]。",
    ),
    Sentence(
        "twonew.rectification",
        "twonew",
        gettext_lazy("Rectification"),
        "梳理整改清单事项{twonew.rectification_items}项[，已完成{twonew.rectification_done}项]"
        "[，完成率{twonew.rectification_done_share}][，尚未完成{twonew.rectification_open}项]。",
    ),
    Sentence(
        "economy.income",
        "economy",
        gettext_lazy("Village collective income"),
        "{node}[已有{economy.villages_reported}个村录入年度集体经济收支，]"
        "村级集体经济收入合计{economy.collective_income}万元[，完成年度目标的{economy.collective_income.share}]。",
    ),
    Sentence(
        "economy.tiers",
        "economy",
        gettext_lazy("Villages by income tier"),
        "按年度收入分档，[最高档的村{economy.villages_top_tier}个][、第二档{economy.villages_second_tier}个]"
        "[、第三档{economy.villages_third_tier}个]"
        "[；薄弱村{economy.villages_weak}个，占已录入村数的{economy.villages_weak_share}]。",
    ),
    Sentence(
        "economy.projects",
        "economy",
        gettext_lazy("Collective-economy projects"),
        "推进村级集体经济“5+N”项目{economy.projects}个[，累计投资{economy.project_investment}万元]"
        "[；村集体公司和合作社{economy.enterprises}家]。",
    ),
    Sentence(
        "cadres.roster",
        "cadres",
        gettext_lazy("The 234 roster"),
        "{node}“234”干部队伍共{cadres.people}人[，其中大专以上学历{cadres.college}人、占{cadres.college_share}]"
        "[，35周岁以下{cadres.young}人、占{cadres.young_share}][，女性{cadres.women}人、占{cadres.women_share}]。",
    ),
    Sentence(
        "cadres.committees",
        "cadres",
        gettext_lazy("The 两委 and village cadres"),
        "村（社区）“两委”成员{cadres.committee_people}人[，交叉任职{cadres.cross_holding}人]"
        "[，交叉任职比例{cadres.cross_holding_share}][；致富能手{cadres.wealth_leaders}人]"
        "[，大学生村干部{cadres.graduate_cadres}人]。",
    ),
    Sentence(
        "cadres.stationed",
        "cadres",
        gettext_lazy("Stationed cadres and changes"),
        "[选派驻村第一书记{cadres.first_secretaries}名][，驻村工作队员{cadres.work_team}名]"
        "[；本期名册人员变动{cadres.role_changes}人][；即将届满的任期{cadres.terms_ending}届]。",
    ),
    Sentence(
        "assessment.teams",
        "assessment",
        gettext_lazy("Teams and cadres assessed"),
        "{period}，{node}完成年度考核的村（社区）班子{assessment.teams}个"
        "[，其中考核优秀的{assessment.teams_excellent}个][，优秀率{assessment.teams_excellent_share}]"
        "[；参加考核的村（社区）干部{assessment.cadres}名]。",
    ),
    Sentence(
        "assessment.bottom",
        "assessment",
        gettext_lazy("The 末位 and contests"),
        "[考核末位的班子和干部{assessment.bottom}个][；举办村（社区）书记擂台比武{assessment.contests}次]。",
    ),
]
BY_KEY = {s.key: s for s in SENTENCES}
DEFAULTS = {s.key: s.default for s in SENTENCES}


# ---- Chinese formats ---------------------------------------------------------------------------------


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _trim(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# sums in yuan whose codes do not say so: written as 元 or 万元
MONEY_CODES = frozenset({"estates.subsidies_paid", "estates.fund_granted", "estates.fund_spent"})


def is_money(indicator: Indicator) -> bool:
    return indicator.code.endswith((".money", ".yuan", "_yuan")) or indicator.code in MONEY_CODES


def fmt(indicator: Indicator | None, value: Any) -> str:
    """A value as Chinese reports write it: 12,345 · 94.3% · 1,795.5 · 12.5万元; "—" when missing."""
    if value is None:
        return MISSING
    if isinstance(value, dict):
        value = sum(value.values())
    if indicator is not None and indicator.kind == "ratio":
        return _trim(Decimal(value) * 100, 1) + "%"
    if indicator is not None and is_money(indicator):
        amount = Decimal(value)
        return _trim(amount / 10000, 2) + "万元" if abs(amount) >= 10000 else _trim(amount, 2) + "元"
    if isinstance(value, int):
        return f"{value:,}"
    return _trim(Decimal(value), 1)


def percent(value: Decimal | None) -> str:
    return MISSING if value is None else _trim(Decimal(value) * 100, 1) + "%"


# ---- templates ---------------------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"})
_DOUBLED = re.compile(r"([，；、：])[，；、：]+")
_BEFORE_STOP = re.compile(r"[，；、：]+([。！？])")
_LEADING = re.compile(r"^[，；、：]+")


def known(name: str) -> bool:
    if name in CONTEXT or name in REGISTRY:
        return True
    code, _dot, suffix = name.rpartition(".")
    return suffix in SUFFIXES and code in REGISTRY


def problems(template: str) -> list[str]:
    """What is wrong with a template, in words; empty when it can be used."""
    found = []
    unknown = sorted({n for n in PLACEHOLDER.findall(template) if not known(n.strip())})
    if unknown:
        found.append(
            ngettext(
                "Unknown placeholder: %(names)s.",
                "Unknown placeholders: %(names)s.",
                len(unknown),
            )
            % {"names": "、".join("{" + n + "}" for n in unknown)}
        )
    rest = PLACEHOLDER.sub("", template)
    if "{" in rest or "}" in rest:
        found.append(_("A brace is not closed: write placeholders as {code}."))
    if "[" in CLAUSE.sub("", rest) or "]" in CLAUSE.sub("", rest):
        found.append(_("A square bracket is not closed or is nested: write optional clauses as [text]."))
    return found


@dataclass
class Values:
    """What placeholders read: the context words and the figures by code."""

    context: dict[str, str]
    figures: dict[str, Any]  # code → Figure (selectors.Figure)

    def raw(self, name: str) -> Any:
        """The number behind a figure placeholder (None when missing)."""
        if name in self.figures:
            return _number(self.figures[name].value)
        code, _dot, suffix = name.rpartition(".")
        figure = self.figures.get(code)
        if figure is None:
            return None
        if suffix == "previous":
            return _number(figure.previous)
        if suffix == "target":
            return figure.target
        if suffix == "share":
            return figure.share
        return None

    def text(self, name: str) -> str:
        if name in self.context:
            return self.context[name]
        code, _dot, suffix = name.rpartition(".")
        if name in self.figures:
            figure = self.figures[name]
            return fmt(figure.indicator, figure.value)
        figure = self.figures.get(code)
        if figure is None:
            return MISSING
        if suffix == "share":
            return percent(figure.share)
        if suffix == "target":
            return fmt(figure.indicator, figure.target if figure.target is None else int(figure.target))
        return fmt(figure.indicator, figure.previous)


def _number(value: Any) -> Any:
    if isinstance(value, dict):
        return sum(value.values())
    return value


def _empty(value: Any) -> bool:
    return value is None or value == 0


def figure_names(template: str) -> list[str]:
    return [n.strip() for n in PLACEHOLDER.findall(template) if n.strip() not in CONTEXT]


def render(template: str, values: Values) -> tuple[str, list[str]] | None:
    """The sentence and the indicator codes it quotes, or None when every figure in it is empty."""
    names = figure_names(template)
    if names and all(_empty(values.raw(n)) for n in names):
        return None

    def clause(match: re.Match[str]) -> str:
        inside = figure_names(match.group(1))
        if inside and all(_empty(values.raw(n)) for n in inside):
            return ""
        return match.group(1)

    kept = CLAUSE.sub(clause, template)
    used = []
    parts = []
    last = 0
    for match in PLACEHOLDER.finditer(kept):
        parts.append(kept[last : match.start()].translate(_FULL_WIDTH))
        name = match.group(1).strip()
        parts.append(values.text(name))
        if name not in CONTEXT:
            code = name if name in REGISTRY else name.rpartition(".")[0]
            if code not in used:
                used.append(code)
        last = match.end()
    parts.append(kept[last:].translate(_FULL_WIDTH))
    text = "".join(parts).strip()
    text = _LEADING.sub("", _BEFORE_STOP.sub(r"\1", _DOUBLED.sub(r"\1", text)))
    return text, used


# ---- versions ----------------------------------------------------------------------------------------


def wording_in_force(day: date) -> ReportWording | None:
    """The version in force on `day` (the last day of a report's period); the first one before any."""
    found = ReportWording.objects.filter(valid_from__lte=day).order_by("-valid_from", "-version").first()
    return found or ReportWording.objects.order_by("valid_from", "version").first()


def wording_latest() -> ReportWording | None:
    return ReportWording.objects.order_by("-valid_from", "-version").first()


def sentences_of(wording: ReportWording | None) -> dict[str, str]:
    """Every sentence key with its text: the version's, or the default for a key it lacks."""
    stored = wording.sentences if wording is not None else {}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def wording_create(
    *, actor: Actor, sentences: dict[str, str], valid_from: date, note: str = ""
) -> ReportWording:
    """A new version of the report's wording, in force from `valid_from`. Versions are never edited:
    each keeps who wrote it, when and why, and the older ones stay in force for earlier periods."""
    if not has_capability(actor, Capability.STATISTICS_CONFIGURE):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for key, text in sentences.items():
        if key not in BY_KEY:
            errors.setdefault("__all__", []).append(_("Unknown sentence: %(key)s.") % {"key": key})
            continue
        text = (text or "").strip()
        if not text:
            errors.setdefault(key, []).append(_("Write the sentence; it cannot be empty."))
            continue
        found = problems(text)
        if found:
            errors.setdefault(key, []).extend(found)
        cleaned[key] = text
    with transaction.atomic():
        latest = ReportWording.objects.select_for_update().order_by("-version").first()
        if latest is not None and valid_from < latest.valid_from:
            errors.setdefault("valid_from", []).append(
                _("A new version cannot start before the latest one (%(day)s).")
                % {"day": latest.valid_from.isoformat()}
            )
        if errors:
            raise ValidationError(errors)
        merged = {**sentences_of(latest), **cleaned}
        if latest is not None and merged == sentences_of(latest) and valid_from == latest.valid_from:
            return latest  # nothing changes
        return ReportWording.objects.create(
            version=(latest.version + 1) if latest is not None else 1,
            valid_from=valid_from,
            sentences=merged,
            note=note.strip()[:200],
            created_by=user_or_none(actor),
        )


def period_phrase(period: Period, today: date) -> str:
    """How a sentence names the period: 今年以来, 2025年, 2026年第三季度, 2026年11月, or a range."""
    if period.grain == "year":
        return "今年以来" if period.since <= today <= period.until else f"{period.since.year}年"
    if period.grain == "quarter":
        q = "一二三四"[(period.since.month - 1) // 3]
        return f"{period.since.year}年第{q}季度"
    if period.grain == "month":
        return f"{period.since.year}年{period.since.month}月"
    return f"{cn_date(period.since)}至{cn_date(period.until)}"


def period_title(period: Period) -> str:
    if period.grain == "year":
        return f"{period.since.year}年度"
    if period.grain in ("quarter", "month"):
        return period_phrase(period, date.min)
    return f"{cn_date(period.since)}至{cn_date(period.until)}"
