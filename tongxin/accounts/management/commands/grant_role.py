"""Set up the first accounts of a new installation from the command line.

    tongxin grant_role --username anquan --role security_admin --region 529000000000 --create

After that, the security administrator grants every other role from the accounts pages.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongxin.accounts.models import User
from tongxin.accounts.passwords import one_time_password
from tongxin.accounts.services import role_grant, user_create
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_create


class Command(BaseCommand):
    help = "Grant a role at a region (by code) to an account, optionally creating the account."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--region", required=True, help="the region's code")
        parser.add_argument(
            "--create", action="store_true", help="create the account (prints a one-time password)"
        )
        parser.add_argument(
            "--create-city", metavar="NAME", help="on a new installation: create the root city with this name"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(code=options["region"]).first()
        if region is None and options["create_city"]:
            try:
                region = region_create(
                    actor=SYSTEM, name=options["create_city"], level=Level.CITY, code=options["region"]
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        if region is None:
            raise CommandError(f"No region has the code {options['region']}; import the regions first.")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            if not options["create"]:
                raise CommandError("No such account; add --create to create it.")
            password = one_time_password()
            user = user_create(username=options["username"], password=password, must_change_password=True)
            self.stdout.write(
                f"One-time password (shown once, to be changed at the first log-in): {password}"
            )
        try:
            role_grant(user=user, role=options["role"], region=region, granted_by=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{user.username}: {Role(options['role']).label} at {region.name} ({region.code})")
