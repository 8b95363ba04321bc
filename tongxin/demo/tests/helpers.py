"""Snapshots of the generated data by code (never by id), and a wipe between two writes."""

from typing import Any

from django.db import connection

from tongxin.accounts.models import RoleAssignment, User
from tongxin.organisations.models import PartyOrganisation
from tongxin.people.models import Person, Position
from tongxin.regions.models import Region, RegionCell


def _code_path(path: str, code_of: dict[int, str]) -> str:
    return "/".join(code_of[int(i)] for i in path.strip("/").split("/"))


def snapshot() -> dict[str, Any]:
    """Everything the services decide (paths, depths, boxes, centres, cells), keyed by code."""
    region_code = dict(Region.objects.values_list("id", "code"))
    org_code = dict(PartyOrganisation.objects.values_list("id", "code"))
    regions = []
    for r in Region.objects.order_by("code"):
        expected = (Region.objects.get(pk=r.parent_id).path if r.parent_id else "/") + f"{r.pk}/"
        assert r.path == expected, (r.code, r.path, expected)
        regions.append(
            (
                r.code,
                r.name,
                r.level,
                r.kind,
                region_code.get(r.parent_id or 0),
                r.depth,
                _code_path(r.path, region_code),
                r.address,
                r.geometry,
                r.min_lng,
                r.min_lat,
                r.max_lng,
                r.max_lat,
                r.centre_lng,
                r.centre_lat,
            )
        )
    cells: dict[str, set[int]] = {}
    for cell, region_id in RegionCell.objects.values_list("cell", "region_id"):
        cells.setdefault(region_code[region_id], set()).add(cell)
    orgs = []
    for o in PartyOrganisation.objects.order_by("code"):
        expected = (PartyOrganisation.objects.get(pk=o.parent_id).path if o.parent_id else "/") + f"{o.pk}/"
        assert o.path == expected, (o.code, o.path, expected)
        orgs.append(
            (
                o.code,
                o.name,
                o.kind,
                org_code.get(o.parent_id or 0),
                region_code[o.region_id],
                o.depth,
                _code_path(o.path, org_code),
                o.founded_on,
                o.term_ends_on,
            )
        )
    people = [
        (
            p.name,
            p.gender,
            p.birth_date,
            p.ethnicity,
            region_code[p.region_id],
            p.address,
            p.employer,
            p.party_status,
            p.party_joined_on,
            p.party_full_on,
            org_code.get(p.branch_id or 0),
            p.reveal_phone(),
            p.reveal_id_card(),
            p.phone_hash,
            p.phone_last4,
            p.id_card_hash,
        )
        for p in Person.objects.order_by("id")
    ]
    positions = sorted(
        (
            (
                p.person.id_card_hash,
                p.kind,
                region_code[p.region_id],
                org_code.get(p.organisation_id or 0),
                p.starts_on,
                p.ends_on,
            )
            for p in Position.objects.select_related("person")
        ),
        key=repr,
    )
    roles = sorted(
        (
            a.user.username,
            a.user.person.id_card_hash if a.user.person else "",
            a.role,
            region_code[a.region_id],
        )
        for a in RoleAssignment.objects.select_related("user__person")
    )
    return {
        "regions": regions,
        "cells": cells,
        "organisations": orgs,
        "people": people,
        "positions": positions,
        "roles": roles,
    }


def wipe() -> None:
    """Delete what the generator wrote, table by table (no cascade into other apps' tables)."""
    from tongxin.audit.models import AuditEvent

    AuditEvent.objects.update(actor=None, region=None)  # the role grants were audited
    with connection.cursor() as cursor:
        for model in (RoleAssignment, User, Position, Person, PartyOrganisation, RegionCell, Region):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
