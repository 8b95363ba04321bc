"""The demo accounts: one per persona of DOMAIN.md §1, all with one shared demo password."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongxin.core.roles import Role

# printed by `tongxin demo_logins`; a demo database is for trying Tongxin out, never for real data
DEMO_PASSWORD = "Tongxin-demo-2026"


@dataclass(frozen=True)
class Persona:
    username: str
    label: Promise
    role: str


PERSONAS = [
    Persona("dangyuan", _("In-service Party member (resident)"), Role.MEMBER),
    Persona("wanggeyuan", _("Grid worker"), Role.GRID_WORKER),
    Persona("wanggezhang", _("Grid leader"), Role.GRID_LEADER),
    Persona("shequ_shuji", _("Community secretary"), Role.COMMUNITY_SECRETARY),
    Persona("shegong", _("Community staff"), Role.COMMUNITY_STAFF),
    Persona("jiedao", _("Street Party working committee"), Role.STREET_OFFICIAL),
    Persona("lianluoyuan", _("Partner unit liaison"), Role.PARTNER_LIAISON),
    Persona("zuzhibu", _("County organisation department"), Role.COUNTY_ORG),
    Persona("sysadmin", _("System administrator"), Role.SYSTEM_ADMIN),
    Persona("anquan", _("Security administrator"), Role.SECURITY_ADMIN),
    Persona("shenji", _("Auditor"), Role.AUDITOR),
    Persona("zhen", _("Township Party committee"), Role.STREET_OFFICIAL),
    Persona("cun_shuji", _("Village secretary"), Role.COMMUNITY_SECRETARY),
]
PERSONA_BY_USERNAME = {p.username: p for p in PERSONAS}
