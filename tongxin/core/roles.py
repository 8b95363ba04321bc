"""Roles and what they allow. A role is held at a region node and reaches its whole subtree.

The system, security and audit administrators are separate roles (等保 2.0 三员分立):
no role both changes data and grants roles, and only the auditor reads the audit trail.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Capability(models.TextChoices):
    STRUCTURE_VIEW = "structure.view", _("See regions, grids and organisations")
    STRUCTURE_EDIT = "structure.edit", _("Change regions, grids and organisations")
    PEOPLE_VIEW = "people.view", _("See people and positions")
    PEOPLE_EDIT = "people.edit", _("Change people and positions")
    PEOPLE_REVEAL = "people.reveal", _("Reveal phone and ID-card numbers")
    DATA_IMPORT = "data.import", _("Import from Excel")
    DATA_EXPORT = "data.export", _("Export to Excel")
    ACCOUNTS_MANAGE = "accounts.manage", _("Grant and revoke roles")
    AUDIT_VIEW = "audit.view", _("Read the audit trail")
    SECURITY_VIEW = "security.view", _("See the security checklist and its state")
    CASES_VIEW = "cases.view", _("See cases")
    CASES_REPORT = "cases.report", _("Report cases (patrol, hotline)")
    CASES_MANAGE = "cases.manage", _("Accept, dispatch, follow up and archive cases")
    CASES_VERIFY = "cases.verify", _("Verify handled cases on site")
    CASES_SUPERVISE = "cases.supervise", _("Supervise cases (督办)")
    CASES_CONFIGURE = "cases.configure", _("Configure categories, time limits and whistle routes")
    PARTNERS_VIEW = "partners.view", _("See partner units, alliances, the three lists and joint meetings")
    PARTNERS_MANAGE = (
        "partners.manage",
        _("Keep partner units, alliances, needs, projects and joint meetings"),
    )
    PARTNERS_CLAIM = "partners.claim", _("Claim needs and keep a unit's resources (liaison)")
    MEMBERS_VIEW = "members.view", _("See reported members, service records, activities and teams")
    MEMBERS_MANAGE = "members.manage", _("Record reporting, activities, attendance and teams")
    PARTYLIFE_VIEW = "partylife.view", _("See 三会一课, member development and mobile members")
    PARTYLIFE_MANAGE = "partylife.manage", _("Record 三会一课, member development and training")
    STATISTICS_VIEW = "statistics.view", _("See overviews, figures and work reports")
    STATISTICS_TARGETS = "statistics.targets", _("Set annual targets for figures")
    STATISTICS_CONFIGURE = "statistics.configure", _("Edit the wording of the work report")
    PRIVACY_REQUESTS = "privacy.requests", _("Handle requests of data subjects (个人权利请求)")
    PRIVACY_REGISTRY = "privacy.registry", _("Read the registry of personal-data fields")
    HOUSEHOLDS_VIEW = "households.view", _("See households, their residents and 联户 links")
    HOUSEHOLDS_EDIT = "households.edit", _("Keep households, their residents and 联户 links")
    CARE_TAGS_VIEW = "care_tags.view", _("See and set the care tags of households (sensitive)")
    CARE_TAGS_CONFIGURE = "care_tags.configure", _("Configure the care tags of a street or community")
    CLIENT_KEYS_MANAGE = "client_keys.manage", _("Issue and revoke the keys of Open311 client systems")
    HOTLINE_MANAGE = "hotline.manage", _("Configure 12345 hotline platforms, their secrets and callbacks")
    ROBOTS_MANAGE = "robots.manage", _("Configure group-chat robots and read their delivery log")
    GRIDWORK_VIEW = "gridwork.view", _("See the grid work log, grids' days and campaigns")
    GRIDWORK_RECORD = "gridwork.record", _("Record grid work (visits, patrols, rounds, 四员 work)")
    GRIDWORK_CONFIGURE = (
        "gridwork.configure",
        _("Configure log kinds, checklists and visit intervals; start and close campaigns"),
    )
    VENUES_VIEW = "venues.view", _("See venues, their rooms, bookings, duty rota and services")
    VENUES_MANAGE = "venues.manage", _("Keep venues and rooms, approve bookings, record duty and services")
    VENUES_KEEP = "venues.keep", _("Keep the venues one's own partner unit opens (liaison)")
    ESTATES_VIEW = "estates.view", _("See estates, property firms' evaluations, subsidies and 自治金")
    ESTATES_MANAGE = (
        "estates.manage",
        _("Keep estates, owners' committees, building heads' subsidies and 自治金"),
    )
    ESTATES_CONFIGURE = (
        "estates.configure",
        _("Set the estates' rules: 红色业委会, the property firms' evaluation, building heads' subsidy"),
    )
    VILLAGES_VIEW = "villages.view", _("See the village collective economy")
    VILLAGES_MANAGE = "villages.manage", _("Enter and import the village collective economy")
    VILLAGES_CONFIGURE = "villages.configure", _("Configure the collective-economy tiers")
    TWONEW_VIEW = "twonew.view", _("See new organisations (两新) and their Party facts")
    TWONEW_MANAGE = "twonew.manage", _("Keep the Party facts and rectification lists of new organisations")
    CADRES_VIEW = "cadres.view", _("See the cadre roster, its composition, terms and elections")
    CADRES_MANAGE = "cadres.manage", _("Keep cadre profiles, stationed cadres, terms and elections (换届)")
    ASSESSMENT_VIEW = "assessment.view", _("See the results of annual assessments and contests")
    ASSESSMENT_MANAGE = (
        "assessment.manage",
        _("Define assessment schemes, run assessments, enter scores and hold contests (考核, 擂台比武)"),
    )


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator (系统管理员)")
    SECURITY_ADMIN = "security_admin", _("Security administrator (安全员)")
    AUDITOR = "auditor", _("Auditor (审计员)")
    COUNTY_ORG = "county_org", _("County organisation department (组织部)")
    STREET_OFFICIAL = "street_official", _("Street Party working committee (街道党工委)")
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary (社区书记)")
    COMMUNITY_STAFF = "community_staff", _("Community staff (社工)")
    GRID_WORKER = "grid_worker", _("Grid worker (网格员)")
    GRID_LEADER = "grid_leader", _("Grid leader or building head (网格长/楼栋长)")
    MEMBER = "member", _("In-service Party member (在职党员)")
    PARTNER_LIAISON = "partner_liaison", _("Partner unit liaison (共建单位联络员)")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator (12345 接线员)")


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(
        {
            C.STRUCTURE_VIEW,
            C.STRUCTURE_EDIT,
            C.PEOPLE_VIEW,
            C.PEOPLE_EDIT,
            C.DATA_IMPORT,
            C.DATA_EXPORT,
            C.CASES_CONFIGURE,
            C.HOUSEHOLDS_VIEW,
            C.HOUSEHOLDS_EDIT,
            C.CADRES_VIEW,
        }
    ),
    Role.SECURITY_ADMIN: frozenset(
        {
            C.STRUCTURE_VIEW,
            C.ACCOUNTS_MANAGE,
            C.SECURITY_VIEW,
            C.PRIVACY_REQUESTS,
            C.PRIVACY_REGISTRY,
            C.CLIENT_KEYS_MANAGE,
            C.HOTLINE_MANAGE,
        }
    ),
    Role.AUDITOR: frozenset({C.STRUCTURE_VIEW, C.AUDIT_VIEW, C.SECURITY_VIEW, C.PRIVACY_REGISTRY}),
    Role.COUNTY_ORG: frozenset(
        {
            C.STRUCTURE_VIEW,
            C.STRUCTURE_EDIT,
            C.PEOPLE_VIEW,
            C.DATA_IMPORT,
            C.DATA_EXPORT,
            C.CASES_VIEW,
            C.CASES_SUPERVISE,
            C.CASES_CONFIGURE,
            C.PARTNERS_VIEW,
            C.MEMBERS_VIEW,
            C.PARTYLIFE_VIEW,
            C.PARTYLIFE_MANAGE,
            C.PRIVACY_REQUESTS,
            C.VILLAGES_VIEW,
            C.VILLAGES_CONFIGURE,
            C.TWONEW_VIEW,
            C.TWONEW_MANAGE,
            C.STATISTICS_VIEW,
            C.STATISTICS_TARGETS,
            C.STATISTICS_CONFIGURE,
            C.HOUSEHOLDS_VIEW,
            C.CADRES_VIEW,
            C.ASSESSMENT_VIEW,
            C.ASSESSMENT_MANAGE,
            C.CADRES_MANAGE,
            C.ESTATES_VIEW,
            C.ESTATES_CONFIGURE,
            C.VENUES_VIEW,
            C.GRIDWORK_VIEW,
        }
    ),
    Role.STREET_OFFICIAL: frozenset(
        {
            C.STRUCTURE_VIEW,
            C.STRUCTURE_EDIT,
            C.PEOPLE_VIEW,
            C.PEOPLE_EDIT,
            C.PEOPLE_REVEAL,
            C.DATA_IMPORT,
            C.DATA_EXPORT,
            C.CASES_VIEW,
            C.CASES_MANAGE,
            C.CASES_SUPERVISE,
            C.PARTNERS_VIEW,
            C.PARTNERS_MANAGE,
            C.MEMBERS_VIEW,
            C.MEMBERS_MANAGE,
            C.PARTYLIFE_VIEW,
            C.PARTYLIFE_MANAGE,
            C.PRIVACY_REQUESTS,
            C.VILLAGES_VIEW,
            C.VILLAGES_MANAGE,
            C.TWONEW_VIEW,
            C.TWONEW_MANAGE,
            C.STATISTICS_VIEW,
            C.STATISTICS_TARGETS,
            C.HOUSEHOLDS_VIEW,
            C.HOUSEHOLDS_EDIT,
            C.CARE_TAGS_CONFIGURE,
            C.ROBOTS_MANAGE,
            C.CADRES_VIEW,
            C.ASSESSMENT_VIEW,
            C.CADRES_MANAGE,
            C.ESTATES_VIEW,
            C.ESTATES_MANAGE,
            C.ESTATES_CONFIGURE,
            C.VENUES_VIEW,
            C.VENUES_MANAGE,
            C.GRIDWORK_VIEW,
            C.GRIDWORK_CONFIGURE,
        }
    ),
    Role.COMMUNITY_SECRETARY: frozenset(
        {
            C.STRUCTURE_VIEW,
            C.STRUCTURE_EDIT,
            C.PEOPLE_VIEW,
            C.PEOPLE_EDIT,
            C.PEOPLE_REVEAL,
            C.DATA_IMPORT,
            C.DATA_EXPORT,
            C.CASES_VIEW,
            C.CASES_REPORT,
            C.CASES_MANAGE,
            C.PARTNERS_VIEW,
            C.PARTNERS_MANAGE,
            C.MEMBERS_VIEW,
            C.MEMBERS_MANAGE,
            C.PARTYLIFE_VIEW,
            C.PARTYLIFE_MANAGE,
            C.PRIVACY_REQUESTS,
            C.VILLAGES_VIEW,
            C.TWONEW_VIEW,
            C.STATISTICS_VIEW,
            C.STATISTICS_TARGETS,
            C.HOUSEHOLDS_VIEW,
            C.HOUSEHOLDS_EDIT,
            C.CARE_TAGS_VIEW,
            C.CARE_TAGS_CONFIGURE,
            C.ROBOTS_MANAGE,
            C.CADRES_VIEW,
            C.ASSESSMENT_VIEW,
            C.CADRES_MANAGE,
            C.ESTATES_VIEW,
            C.ESTATES_MANAGE,
            C.VENUES_VIEW,
            C.VENUES_MANAGE,
            C.GRIDWORK_VIEW,
            C.GRIDWORK_RECORD,
            C.GRIDWORK_CONFIGURE,
        }
    ),
    Role.COMMUNITY_STAFF: frozenset(
        {
            C.STRUCTURE_VIEW,
            C.PEOPLE_VIEW,
            C.PEOPLE_EDIT,
            C.DATA_EXPORT,
            C.CASES_VIEW,
            C.CASES_REPORT,
            C.CASES_MANAGE,
            C.PARTNERS_VIEW,
            C.PARTNERS_MANAGE,
            C.MEMBERS_VIEW,
            C.MEMBERS_MANAGE,
            C.PARTYLIFE_VIEW,
            C.VILLAGES_VIEW,
            C.STATISTICS_VIEW,
            C.HOUSEHOLDS_VIEW,
            C.HOUSEHOLDS_EDIT,
            C.CARE_TAGS_VIEW,
            C.CADRES_VIEW,
            C.ESTATES_VIEW,
            C.ESTATES_MANAGE,
            C.VENUES_VIEW,
            C.VENUES_MANAGE,
            C.GRIDWORK_VIEW,
            C.GRIDWORK_RECORD,
        }
    ),
    Role.GRID_WORKER: frozenset(
        {
            C.STRUCTURE_VIEW,
            C.PEOPLE_VIEW,
            C.PEOPLE_EDIT,
            C.PEOPLE_REVEAL,
            C.CASES_VIEW,
            C.CASES_REPORT,
            C.CASES_VERIFY,
            C.MEMBERS_VIEW,
            C.HOUSEHOLDS_VIEW,
            C.HOUSEHOLDS_EDIT,
            C.CARE_TAGS_VIEW,
            C.VENUES_VIEW,
            C.GRIDWORK_VIEW,
            C.GRIDWORK_RECORD,
        }
    ),
    Role.GRID_LEADER: frozenset(
        {
            C.STRUCTURE_VIEW,
            C.PEOPLE_VIEW,
            C.CASES_VIEW,
            C.CASES_REPORT,
            C.CASES_VERIFY,
            C.MEMBERS_VIEW,
            C.HOUSEHOLDS_VIEW,
            C.CARE_TAGS_VIEW,
            C.GRIDWORK_VIEW,
            C.GRIDWORK_RECORD,
        }
    ),
    Role.MEMBER: frozenset({C.STRUCTURE_VIEW}),
    Role.PARTNER_LIAISON: frozenset({C.STRUCTURE_VIEW, C.PARTNERS_VIEW, C.PARTNERS_CLAIM, C.VENUES_KEEP}),
    Role.HOTLINE_OPERATOR: frozenset({C.STRUCTURE_VIEW, C.CASES_REPORT}),
}

# roles that only the security administrator may grant, never to themself
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})


def capabilities_of(role: str) -> frozenset[str]:
    return ROLE_CAPABILITIES.get(role, frozenset())
