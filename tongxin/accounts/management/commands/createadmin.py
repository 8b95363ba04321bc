"""The first account of a new installation: a fresh install has none until this command.

    tongxin createadmin --username anquan --region 320500000000 [--create-city 苏州市]

It creates a security administrator (or --role system_admin / auditor) with a random one-time
password, printed once, which must be changed at the first log-in; the second factor is set up
right after. The security administrator then creates every other account from the accounts pages.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tongxin.accounts.models import User
from tongxin.accounts.passwords import one_time_password
from tongxin.accounts.services import role_grant, user_create
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import ADMIN_ROLES, Role
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_create


class Command(BaseCommand):
    help = "Create an administrator account with a one-time password (printed once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--role", default=Role.SECURITY_ADMIN, choices=sorted(str(r) for r in ADMIN_ROLES)
        )
        parser.add_argument("--region", required=True, help="the code of the region the role covers")
        parser.add_argument("--create-city", metavar="NAME", help="create the root city with this name")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError("An account with this name exists already.")
        region = Region.objects.filter(code=options["region"]).first()
        try:
            if region is None and options["create_city"]:
                region = region_create(
                    actor=SYSTEM, name=options["create_city"], level=Level.CITY, code=options["region"]
                )
            if region is None:
                raise CommandError(f"No region has the code {options['region']}; add --create-city NAME.")
            password = one_time_password()
            user = user_create(username=options["username"], password=password, must_change_password=True)
            role_grant(user=user, role=options["role"], region=region, granted_by=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{user.username}: {Role(options['role']).label} at {region.name} ({region.code})")
        self.stdout.write(f"One-time password (shown once, to be changed at the first log-in): {password}")
