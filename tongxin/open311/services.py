"""Writes for Open311: a POSTed service request becomes an ordinary case through case_intake.

The case is located to its grid from the point (or to the named community), counted in the
community's list and in the rates like any other; only the key's node may receive it. A retry with
the same key and client reference returns the first case and writes nothing; the same reference
with other content is refused."""

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongxin.cases.models import CaseCategory, CaseKind, CaseSource
from tongxin.cases.services import case_intake, locate
from tongxin.open311.attributes import resolve_attributes
from tongxin.open311.models import ClientKey, ServiceRequest

DESCRIPTION_MAX = 2000
NAME_MAX = 50


class ReferenceReused(Exception):
    """The client reference was already used for a request with other content."""


@dataclass
class Submission:
    """A POST requests body, as GeoReport names its fields."""

    service_code: str
    description: str = ""
    lat: float | None = None
    long: float | None = None
    address_string: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    media_url: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    client_ref: str = ""

    def fingerprint(self) -> str:
        content = {k: v for k, v in self.__dict__.items() if k != "client_ref"}
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _validate(submission: Submission) -> None:
    errors: dict[str, list[str]] = {}
    if submission.email:
        try:
            EmailValidator()(submission.email)
        except ValidationError:
            errors["email"] = [_("The email address is not valid.")]
    if submission.media_url:
        try:
            URLValidator(schemes=["http", "https"])(submission.media_url)
        except ValidationError:
            errors["media_url"] = [_("media_url must be an http or https address.")]
        if len(submission.media_url) > 500:
            errors["media_url"] = [_("media_url is longer than 500 characters.")]
    if len(submission.description) > DESCRIPTION_MAX:
        errors["description"] = [
            _("The description is longer than %(n)s characters.") % {"n": DESCRIPTION_MAX}
        ]
    if len(f"{submission.first_name} {submission.last_name}".strip()) > NAME_MAX:
        errors["first_name"] = [_("The name is longer than %(n)s characters.") % {"n": NAME_MAX}]
    if submission.lat is None and submission.long is None and not submission.address_string.strip():
        errors["lat"] = [_("Give lat and long, or address_string.")]
    if errors:
        raise ValidationError(errors)


def service_request_create(
    *, key: ClientKey, category: CaseCategory, submission: Submission, now: datetime | None = None
) -> tuple[ServiceRequest, bool]:
    """Create the case of a POST requests; returns the Open311 row and whether it is new.

    Raises ValidationError (400), PermissionDenied (outside the key's node: 403) or ReferenceReused."""
    fingerprint = submission.fingerprint()
    if submission.client_ref:
        found = _replay(key, submission.client_ref, fingerprint)
        if found is not None:
            return found, False
    _validate(submission)
    kind, community = resolve_attributes(submission.attributes, key_region=key.region)
    try:
        with transaction.atomic():
            grid, found_community = locate(lng=submission.long, lat=submission.lat, community=community)
            if not (grid or found_community).path.startswith(key.region.path):
                raise PermissionDenied(_("The place lies outside the area this key serves."))
            case, _token = case_intake(
                source=CaseSource.API,
                kind=kind or CaseKind.COMPLAINT,
                category=category,
                description=submission.description,
                lng=submission.long,
                lat=submission.lat,
                community=community,
                address=submission.address_string[:200],
                reporter_name=f"{submission.first_name} {submission.last_name}".strip(),
                reporter_phone=submission.phone,
                now=now,
            )
            row = ServiceRequest.objects.create(
                case=case,
                client_key=key,
                client_ref=submission.client_ref,
                fingerprint=fingerprint,
                token=secrets.token_urlsafe(18),
                media_url=submission.media_url,
                attributes=submission.attributes,
            )
    except IntegrityError:
        # a concurrent retry with the same reference committed first
        found = _replay(key, submission.client_ref, fingerprint) if submission.client_ref else None
        if found is None:
            raise
        return found, False
    return row, True


def _replay(key: ClientKey, client_ref: str, fingerprint: str) -> ServiceRequest | None:
    found = (
        ServiceRequest.objects.select_related("case").filter(client_key=key, client_ref=client_ref).first()
    )
    if found is not None and found.fingerprint != fingerprint:
        raise ReferenceReused
    return found
