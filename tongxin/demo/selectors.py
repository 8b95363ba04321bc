"""Reads for the demo commands: what was generated, the demo log-ins, and a digest of the data."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from tongxin.accounts.models import RoleAssignment, User
from tongxin.demo.generator.personas import PERSONA_BY_USERNAME, PERSONAS
from tongxin.organisations.models import PartyOrganisation
from tongxin.people.models import Person, Position
from tongxin.regions.models import LEVEL_ORDER, Region


@dataclass
class Summary:
    regions: dict[str, int]
    organisations: int
    people: int
    members: int
    positions: int
    accounts: int

    def lines(self) -> list[str]:
        levels = ", ".join(f"{level.label} {self.regions.get(level, 0):,}" for level in LEVEL_ORDER)
        return [
            f"regions: {levels}",
            f"Party organisations: {self.organisations:,}",
            f"people: {self.people:,} (Party members {self.members:,})",
            f"positions: {self.positions:,}",
            f"accounts: {self.accounts:,}",
        ]


def demo_summary() -> Summary:
    by_level = dict(Region.objects.order_by().values_list("level").annotate(n=Count("id")))
    return Summary(
        regions={str(k): v for k, v in by_level.items()},
        organisations=PartyOrganisation.objects.count(),
        people=Person.objects.count(),
        members=Person.objects.exclude(party_status="").count(),
        positions=Position.objects.count(),
        accounts=User.objects.count(),
    )


def has_regions() -> bool:
    return Region.objects.exists()


@dataclass
class DemoLogin:
    username: str
    persona: str
    role: str
    node: str


def demo_logins() -> list[DemoLogin]:
    """The demo accounts that exist, in persona order, with each role and where it is held."""
    assignments = (
        RoleAssignment.objects.filter(user__username__in=[p.username for p in PERSONAS], user__is_active=True)
        .select_related("user", "region")
        .order_by("id")
    )
    rows: dict[str, list[DemoLogin]] = {}
    for a in assignments:
        persona = PERSONA_BY_USERNAME[a.user.username]
        rows.setdefault(a.user.username, []).append(
            DemoLogin(
                a.user.username,
                str(persona.label),
                str(a.get_role_display()),
                f"{a.region.name} ({a.region.code})",
            )
        )
    return [row for p in PERSONAS for row in rows.get(p.username, [])]


def demo_digest(*, with_personal_data: bool = True) -> str:
    """A SHA-256 over everything generated, by code and name (never by database id).

    Two runs with the same seed give the same digest; decrypting personal data is slow, so
    benchmarks may leave it out.
    """
    h = hashlib.sha256()

    def feed(kind: str, rows: Any) -> None:
        for row in rows:
            h.update(kind.encode())
            h.update(json.dumps(row, ensure_ascii=False, default=str, sort_keys=True).encode())

    feed(
        "region",
        Region.objects.order_by("code").values_list(
            "code",
            "name",
            "level",
            "kind",
            "parent__code",
            "depth",
            "address",
            "geometry",
            "centre_lng",
            "centre_lat",
        ),
    )
    feed(
        "org",
        PartyOrganisation.objects.order_by("code").values_list(
            "code", "name", "kind", "parent__code", "region__code", "depth", "founded_on", "term_ends_on"
        ),
    )
    people = Person.objects.order_by("id").select_related("region", "branch")
    for p in people.iterator(chunk_size=2000):
        row = [
            p.name,
            p.gender,
            p.birth_date,
            p.ethnicity,
            p.region.code,
            p.address,
            p.employer,
            p.party_status,
            p.party_joined_on,
            p.party_full_on,
            p.branch.code if p.branch else None,
        ]
        if with_personal_data:
            row += [p.reveal_phone(), p.reveal_id_card()]
        feed("person", [row])
    feed(
        "position",
        Position.objects.order_by("person_id", "kind", "region__code", "organisation__code").values_list(
            "person__name",
            "person__birth_date",
            "kind",
            "region__code",
            "organisation__code",
            "starts_on",
            "ends_on",
        ),
    )
    feed(
        "role",
        RoleAssignment.objects.order_by("user__username", "role").values_list(
            "user__username", "user__person__name", "role", "region__code"
        ),
    )
    return h.hexdigest()
