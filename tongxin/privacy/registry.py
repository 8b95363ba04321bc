"""The registry of personal-data fields (个人信息字段登记), as code.

Every model field that holds personal information is listed here with why it is processed
(处理目的), on which legal basis (PIPL art. 13), how long it is kept and what erases it, its class
(一般/敏感个人信息) and how it is protected. A test walks every model of every installed app and
fails when a field that looks personal is neither here nor in NOT_PERSONAL (with the reason), or
when an entry names a field that does not exist. docs/privacy.md carries the processing-activity
record generated from this registry, checked against its digest (`registry_digest`).
"""

import hashlib
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.privacy.conf import value


class Purpose(models.TextChoices):
    CASES = "cases", _("Handle the resident's report and call them back (处理诉求、回访)")
    REGISTER = "register", _("Keep the register of residents of the grid (网格人口信息管理)")
    PARTY = "party", _("Manage Party membership and organisation life (党员管理)")
    MOBILE = "mobile", _("Stay in touch with members living away (流动党员联系)")
    COBUILDING = "cobuilding", _("Organise co-building with partner units (共建联络)")
    ACCOUNTS = "accounts", _("Run officials' accounts and access control (账号与权限管理)")
    SECURITY = "security", _("Keep the security audit trail (安全审计)")
    RIGHTS = "rights", _("Answer requests of data subjects (响应个人权利请求)")
    ESTATES = (
        "estates",
        _("Keep owners' committees and building heads' work and subsidies (小区治理、楼栋长补贴)"),
    )
    CADRES = (
        "cadres",
        _("Keep the roster of village and community cadres and their elections (干部名册与换届)"),
    )
    VENUES = "venues", _("Book rooms at venues and show who is on duty there (阵地预约与值班)")
    ASSESSMENT = (
        "assessment",
        _("Assess village and community teams and cadres and hold secretaries' contests (考核与擂台比武)"),
    )


class Basis(models.TextChoices):
    """PIPL art. 13: why processing is lawful."""

    CONSENT = "consent", _("The person's consent (art. 13(1))")
    HR = "hr", _("Necessary for human-resources management (art. 13(2))")
    DUTY = "duty", _("Necessary for a statutory duty or obligation (art. 13(3))")


class Retention(models.TextChoices):
    CASE_REPORTER = "case_reporter", _("Erased automatically once the period after the case closes ends")
    TRACKING_LINK = "tracking_link", _("The link stops working once the period after the case closes ends")
    MOBILE_CONTACT = (
        "mobile_contact",
        _("Erased automatically once the period after the member's return ends"),
    )
    REQUEST = "request", _("Erased automatically once the period after the answer ends")
    BOOKING_CONTACT = (
        "booking_contact",
        _("Erased automatically once the period after the booking ends, is cancelled or is not approved"),
    )
    REGISTERED = "registered", _("While the person is in the register; erased on a deletion request")
    MEMBERSHIP = "membership", _("While the membership lasts, as Party rules require")
    ACCOUNT = "account", _("While the account exists")
    AUDIT = "audit", _("At least 180 days, then archived (等保 level 3)")
    RECORD = "record", _("As long as the record it belongs to")


# the setting that holds each automatic period, in days
RETENTION_SETTING = {
    Retention.CASE_REPORTER: "TONGXIN_PRIVACY_CASE_REPORTER_DAYS",
    Retention.TRACKING_LINK: "TONGXIN_PRIVACY_TRACKING_LINK_DAYS",
    Retention.MOBILE_CONTACT: "TONGXIN_PRIVACY_MOBILE_CONTACT_DAYS",
    Retention.REQUEST: "TONGXIN_PRIVACY_REQUEST_DAYS",
    Retention.BOOKING_CONTACT: "TONGXIN_PRIVACY_BOOKING_CONTACT_DAYS",
}


class PiClass(models.TextChoices):
    GENERAL = "general", _("General personal information (一般个人信息)")
    SENSITIVE = "sensitive", _("Sensitive personal information (敏感个人信息)")


class Protection(models.TextChoices):
    PLAIN = "plain", _("Stored as entered; shown only within the scope")
    MASKED = "masked", _("Shown masked")
    ENCRYPTED = "encrypted", _("Encrypted at rest, shown masked, revealed with a stated purpose")
    BLIND_INDEX = "blind_index", _("Keyed hash for look-up only (never shown)")


@dataclass(frozen=True)
class PersonalField:
    model: str  # app_label.ModelName
    field: str
    purpose: Purpose
    basis: Basis
    retention: Retention
    pi_class: PiClass = PiClass.GENERAL
    protection: Protection = Protection.PLAIN

    @property
    def key(self) -> tuple[str, str]:
        return (self.model, self.field)

    def retention_days(self) -> int | None:
        setting = RETENTION_SETTING.get(self.retention)
        return value(setting) if setting else None


P, B, R, S = Purpose, Basis, Retention, PiClass.SENSITIVE
ENC, IDX, MASK = Protection.ENCRYPTED, Protection.BLIND_INDEX, Protection.MASKED


def _fields(
    model: str, purpose: Purpose, basis: Basis, retention: Retention, *names: str
) -> list[PersonalField]:
    return [PersonalField(model, name, purpose, basis, retention) for name in names]


REGISTRY: tuple[PersonalField, ...] = (
    # residents who report a case (群众): the phone is optional, asked for the call-back
    PersonalField("cases.Case", "reporter_name", P.CASES, B.CONSENT, R.CASE_REPORTER, protection=MASK),
    PersonalField(
        "cases.Case", "reporter_phone_encrypted", P.CASES, B.CONSENT, R.CASE_REPORTER, protection=ENC
    ),
    PersonalField("cases.Case", "reporter_phone_hash", P.CASES, B.CONSENT, R.CASE_REPORTER, protection=IDX),
    PersonalField(
        "cases.Case", "tracking_token_encrypted", P.CASES, B.CONSENT, R.TRACKING_LINK, protection=ENC
    ),
    PersonalField("cases.Case", "rating_token_hash", P.CASES, B.CONSENT, R.TRACKING_LINK, protection=IDX),
    # what the problem is and where: kept with the case, for the figures and the history
    *_fields("cases.Case", P.CASES, B.CONSENT, R.RECORD, "address", "description"),
    # an old closed case's timeline, archived (cases/archive.py): its notes may name people; kept as
    # the case is, and erased with it, like the transition rows it replaces
    PersonalField("cases.CaseArchive", "history", P.CASES, B.CONSENT, R.RECORD),
    # the register of people (人口信息): residents, members, cadres
    PersonalField("people.Person", "name", P.REGISTER, B.DUTY, R.REGISTERED),
    PersonalField("people.Person", "phone_encrypted", P.REGISTER, B.DUTY, R.REGISTERED, protection=ENC),
    PersonalField("people.Person", "phone_hash", P.REGISTER, B.DUTY, R.REGISTERED, protection=IDX),
    PersonalField("people.Person", "phone_last4", P.REGISTER, B.DUTY, R.REGISTERED, protection=MASK),
    PersonalField("people.Person", "id_card_encrypted", P.REGISTER, B.DUTY, R.REGISTERED, S, ENC),
    PersonalField("people.Person", "id_card_hash", P.REGISTER, B.DUTY, R.REGISTERED, S, IDX),
    *_fields("people.Person", P.REGISTER, B.DUTY, R.REGISTERED, "gender", "birth_date", "ethnicity"),
    *_fields("people.Person", P.REGISTER, B.DUTY, R.REGISTERED, "address", "employer", "region"),
    # households (户) and who lives there; a care tag (低保, 残疾…) is sensitive (PIPL art. 28)
    *_fields(
        "households.Household",
        P.REGISTER,
        B.DUTY,
        R.REGISTERED,
        "address",
        "street",
        "house_number",
        "unit",
        "room",
    ),
    *_fields(
        "households.Residence",
        P.REGISTER,
        B.DUTY,
        R.REGISTERED,
        "person",
        "relation",
        "moved_in_on",
        "moved_out_on",
    ),
    # who looks after which households or grids (十联户, 党员联户, 干部联网格, 1+1)
    *_fields("households.Link", P.REGISTER, B.DUTY, R.RECORD, "person", "partner"),
    *[
        PersonalField("households.HouseholdTag", name, P.REGISTER, B.DUTY, R.REGISTERED, S)
        for name in ("tag", "note", "since")
    ],
    # Party membership: a specific identity (特定身份), sensitive
    *[
        PersonalField("people.Person", name, P.PARTY, B.DUTY, R.MEMBERSHIP, S)
        for name in ("party_status", "party_joined_on", "party_full_on", "branch")
    ],
    PersonalField(
        "partylife.MobileMember", "contact_encrypted", P.MOBILE, B.DUTY, R.MOBILE_CONTACT, protection=ENC
    ),
    *_fields(
        "partylife.MobileMember", P.MOBILE, B.DUTY, R.MEMBERSHIP, "current_place", "work", "certificate"
    ),
    # names written on co-building records
    *_fields("lists.Project", P.COBUILDING, B.DUTY, R.RECORD, "lead_name"),
    *_fields("meetings.Invitation", P.COBUILDING, B.DUTY, R.RECORD, "name"),
    *_fields("meetings.FollowUpTask", P.COBUILDING, B.DUTY, R.RECORD, "owner_name"),
    # officials' accounts
    *_fields("accounts.User", P.ACCOUNTS, B.HR, R.ACCOUNT, "username", "first_name", "last_name", "email"),
    # the security audit trail and the log-in defences
    *_fields("audit.AuditEvent", P.SECURITY, B.DUTY, R.AUDIT, "actor_username", "ip"),
    *[
        PersonalField(f"axes.{model}", name, P.SECURITY, B.DUTY, R.AUDIT)
        for model in ("AccessAttempt", "AccessLog", "AccessFailureLog")
        for name in ("username", "ip_address")
    ],
    # a room booked at a venue: the resident's name and phone, for the keeper to call them back
    PersonalField("venues.Booking", "booker_name", P.VENUES, B.CONSENT, R.BOOKING_CONTACT, protection=MASK),
    PersonalField(
        "venues.Booking", "phone_encrypted", P.VENUES, B.CONSENT, R.BOOKING_CONTACT, protection=ENC
    ),
    PersonalField("venues.Booking", "phone_hash", P.VENUES, B.CONSENT, R.BOOKING_CONTACT, protection=IDX),
    # who is on duty at a venue (坐班值班), shown to residents
    *_fields("venues.DutySlot", P.VENUES, B.DUTY, R.RECORD, "name"),
    # subject-rights requests themselves
    PersonalField("privacy.SubjectRequest", "requester_name", P.RIGHTS, B.DUTY, R.REQUEST, protection=MASK),
    PersonalField("privacy.SubjectRequest", "phone_encrypted", P.RIGHTS, B.DUTY, R.REQUEST, protection=ENC),
    PersonalField("privacy.SubjectRequest", "phone_hash", P.RIGHTS, B.DUTY, R.REQUEST, protection=IDX),
    PersonalField("privacy.SubjectRequest", "detail", P.RIGHTS, B.DUTY, R.REQUEST),
    # the annual assessment (年度考核) of cadres and the secretaries' contests (擂台比武): who was
    # assessed, their grade and what it led to (一述二考三挂钩), their 述职 report, the judges
    *_fields(
        "assessment.Result", P.ASSESSMENT, B.HR, R.RECORD, "person", "total", "grade", "report", "report_name"
    ),
    *_fields("assessment.Consequence", P.ASSESSMENT, B.HR, R.RECORD, "person", "note"),
    *_fields("assessment.Participant", P.ASSESSMENT, B.HR, R.RECORD, "person", "result", "place"),
    *_fields("assessment.Judge", P.ASSESSMENT, B.DUTY, R.RECORD, "name"),
    # the cadre roster (干部名册): education and the facts the 234 composition counts; political
    # status and veteran status are specific identities (特定身份), sensitive
    *_fields(
        "cadres.CadreProfile",
        P.CADRES,
        B.HR,
        R.RECORD,
        "person",
        "education",
        "major",
        "upgrade_level",
        "upgrade_school",
        "upgrade_expected_on",
        "wealth_leader",
        "college_graduate_cadre",
        "note",
    ),
    *[
        PersonalField("cadres.CadreProfile", name, P.CADRES, B.HR, R.RECORD, S)
        for name in ("political_status", "veteran")
    ],
    *_fields("cadres.Stationed", P.CADRES, B.HR, R.RECORD, "person", "note"),
    *_fields("cadres.Candidate", P.CADRES, B.DUTY, R.RECORD, "person", "votes", "elected"),
    # 两新 organisations: the Party-building instructor (党建指导员) assigned to one, the Party members
    # at its 示范岗/先锋岗/党员责任区, and who answers for an item of its rectification list
    *_fields("twonew.NewOrganisation", P.PARTY, B.DUTY, R.RECORD, "instructor"),
    # (being at a 党员示范岗 tells that one is a Party member: a specific identity, sensitive)
    PersonalField("twonew.Post", "members", P.PARTY, B.DUTY, R.RECORD, S),
    *_fields("twonew.RectificationItem", P.PARTY, B.DUTY, R.RECORD, "owner"),
    # estates: who sits on an owners' committee (业委会), a building head's work, grade and subsidy
    *_fields("estates.CommitteeMember", P.ESTATES, B.DUTY, R.RECORD, "person", "role"),
    *_fields("estates.BuildingHeadDuty", P.ESTATES, B.DUTY, R.RECORD, "note"),
    *_fields("estates.HeadAssessment", P.ESTATES, B.DUTY, R.RECORD, "grade"),
    *_fields("estates.SubsidyRow", P.ESTATES, B.DUTY, R.RECORD, "position", "amount"),
    *_fields("estates.GroupFund", P.ESTATES, B.DUTY, R.RECORD, "keeper_name"),
)

# fields whose names look personal but are not: the reason is the record of that decision
NOT_PERSONAL: dict[tuple[str, str], str] = {
    ("villages.Tier", "name"): "an income tier's name (e.g. 100万元以上)",
    ("villages.Enterprise", "name"): "a village collective company's or cooperative's name",
    ("villages.EconomyProject", "name"): "a collective-economy project's name",
    ("twonew.Post", "name"): "the name of a 示范岗, 先锋岗 or 党员责任区",
    ("auth.Permission", "name"): "a permission's name",
    ("auth.Permission", "codename"): "a permission's code",
    ("auth.Group", "name"): "a group's name",
    ("otp_totp.TOTPDevice", "name"): "a second-factor device's label",
    ("otp_static.StaticDevice", "name"): "the recovery codes' label",
    ("accounts.ApiToken", "name"): "a token's label",
    ("open311.ClientKey", "client_name"): "the name of a client system (an app, a kiosk), not a person",
    ("regions.Region", "name"): "a place's name",
    ("regions.Region", "address"): "the address of a community's office",
    ("organisations.PartyOrganisation", "name"): "an organisation's name",
    ("jobs.WorkerHeartbeat", "name"): "a worker process",
    ("django_tasks_database.DBTaskResult", "queue_name"): "a task queue (django-tasks)",
    ("django_tasks_database.DBTaskResult", "backend_name"): "a task backend (django-tasks)",
    # the file holds full numbers: 0600, deleted when the approval expires (transfer.requests)
    ("transfer.ExportRequest", "file_name"): "the random name of an approved export's file",
    ("cases.CaseCategory", "name"): "a category",
    ("cases.CalendarDay", "name"): "a holiday's name",
    ("cases.Responder", "name"): "a department or unit",
    ("cases.WhistleType", "name"): "a kind of whistle",
    ("partners.PartnerUnit", "name"): "an organisation",
    ("partners.PartnerUnit", "address"): "an organisation's address",
    ("partners.Alliance", "name"): "an alliance",
    ("partners.Agreement", "file_name"): "a document's file name",
    ("lists.Evidence", "file_name"): "a document's file name",
    ("meetings.Meeting", "place"): "where a meeting is held",
    ("members.ServicePost", "name"): "a post",
    ("members.ServicePost", "places"): "a number of places",
    ("members.MemberReport", "employer_unit"): "a unit (the member is the Person it links)",
    ("members.MemberReport", "employer_organisation"): "a Party organisation",
    ("activities.Activity", "place"): "where an activity is held",
    ("activities.Activity", "places"): "a number of places",
    ("activities.Team", "name"): "a team",
    ("partylife.ServiceWindow", "name"): "a service window (an office)",
    ("partylife.ServiceWindow", "address"): "an office's address",
    ("partylife.ServiceWindow", "phone"): "an office's telephone",
    ("partylife.TrainingClass", "name"): "a training class",
    ("partylife.TrainingClass", "place"): "where a class is held",
    ("households.CareTag", "name"): "a kind of care (低保, 残疾…), not a person's",
    ("gridwork.LogKind", "name"): "a kind of grid-work log entry",
    ("cadres.Stationed", "sending_unit_name"): "the unit that sent a first secretary or work team",
    ("gridwork.ChecklistTemplate", "name"): "the name of a campaign checklist (综合排查)",
    ("venues.Venue", "name"): "a venue's name",
    ("venues.Venue", "address"): "a venue's address",
    ("venues.Room", "name"): "a room's name",
    ("assessment.Scheme", "name"): "an assessment scheme's name",
    ("assessment.Item", "name"): "an assessment item (考核项目)",
    ("exchange.HotlinePeer", "name"): "a 12345 hotline platform",
    ("exchange.Robot", "name"): "a chat group's name",
    # secrets of other systems, not personal data: encrypted with the field key (so that its
    # rotation re-encrypts them too), never shown again after they are entered
    ("exchange.HotlinePeer", "secret_encrypted"): "a hotline platform's shared HMAC secret",
    ("exchange.Robot", "webhook_encrypted"): "a group robot's webhook address (it holds the robot's key)",
    ("exchange.Robot", "secret_encrypted"): "a DingTalk robot's signing secret",
    ("estates.Estate", "name"): "an estate's name",
    ("estates.Estate", "address"): "an estate's address",
    ("estates.GroupFund", "name"): "a building group's name",
}


# names for fields without a reader-facing verbose_name (the stored form is not what a reader knows)
FIELD_LABELS = {
    "phone_encrypted": _("phone number"),
    "reporter_phone_encrypted": _("reporter's phone number"),
    "phone_hash": _("look-up hash of the phone number"),
    "reporter_phone_hash": _("look-up hash of the phone number"),
    "phone_last4": _("last four digits of the phone number"),
    "id_card_encrypted": _("ID-card number"),
    "id_card_hash": _("look-up hash of the ID-card number"),
    "tracking_token_encrypted": _("token of the tracking link"),
    "rating_token_hash": _("hash of the rating link's token"),
    "contact_encrypted": _("contact phone number"),
    "username": _("account"),
    "ip_address": _("IP address"),
}
MODEL_LABELS = {"axes": _("log-in attempts (lock-out)")}


@dataclass(frozen=True)
class Row:
    """One registry entry as the page and the record in docs show it."""

    entry: PersonalField
    model_label: str
    field_label: str
    days: int | None


def rows() -> list[Row]:
    result = []
    for entry in REGISTRY:
        app_label, model_name = entry.model.split(".")
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(entry.field)
        field_label = FIELD_LABELS.get(entry.field) or getattr(field, "verbose_name", None) or entry.field
        model_label = MODEL_LABELS.get(app_label) or model._meta.verbose_name
        result.append(Row(entry, str(model_label), str(field_label), entry.retention_days()))
    return result


def entries_by_model() -> dict[str, list[PersonalField]]:
    grouped: dict[str, list[PersonalField]] = {}
    for entry in REGISTRY:
        grouped.setdefault(entry.model, []).append(entry)
    return grouped


def purposes_of(*models_: str) -> list[Purpose]:
    """The purposes for which the given models hold personal data (for a form's notice)."""
    seen: list[Purpose] = []
    for entry in REGISTRY:
        if entry.model in models_ and entry.purpose not in seen:
            seen.append(entry.purpose)
    return seen


def registry_digest() -> str:
    """A hash of what the registry says (not how it is written): the record in docs must match it."""
    lines = sorted(
        "|".join([e.model, e.field, e.purpose, e.basis, e.retention, e.pi_class, e.protection])
        for e in REGISTRY
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
