"""Who changes state: a signed-in user, or a stand-in for no user at all.

Every service that changes state takes a keyword-only `actor: Actor` and checks the right inside.
There is no None: the worker, the demo, a management command and a data migration act as SYSTEM; a
resident holding a case's tracking link acts as RESIDENT (cases only). A stand-in is never
authenticated, so a scope or capability check refuses it unless a rule names it.
"""

from typing import TYPE_CHECKING, Any, Final, TypeGuard, Union

from django.core.exceptions import PermissionDenied

from tongxin.core.scope import scope_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tongxin.accounts.models import User


class StandIn:
    """An actor that is not a user: equal by name, never authenticated, with no primary key."""

    is_authenticated: Final = False
    is_anonymous: Final = False
    is_active: Final = False
    pk: Final = None

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<actor {self.name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StandIn) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("actor", self.name))

    def get_username(self) -> str:
        return self.name

    def display_name(self) -> str:
        return self.name


SYSTEM: Final = StandIn("system")
RESIDENT: Final = StandIn("resident")

# request.user is typed User | AnonymousUser; an anonymous visitor reaching a service (a view that
# forgot its login check) is refused by every check, like a stand-in that no rule names.
Actor = Union["User", "AnonymousUser", StandIn]


def is_user(actor: object) -> "TypeGuard[User]":
    """A signed-in user (not a stand-in, not an anonymous visitor)."""
    return not isinstance(actor, StandIn) and bool(getattr(actor, "is_authenticated", False))


def user_or_none(actor: object) -> "User | None":
    """The user to store in a `by`/`actor` foreign key: None for a stand-in."""
    return actor if is_user(actor) else None


def actor_label(actor: object) -> str:
    """How an actor reads in a timeline or an audit row."""
    if isinstance(actor, StandIn):
        return actor.name
    display = getattr(actor, "display_name", None)
    return display() if callable(display) else str(actor)


def require_scope(actor: object, capability: str, *regions: Any) -> None:
    """Inside a service: refuse an actor whose `capability` does not reach every region given
    (None entries are skipped). SYSTEM acts everywhere; any other stand-in nowhere."""
    if actor == SYSTEM:
        return
    if not is_user(actor):
        raise PermissionDenied
    scope = scope_for(actor, capability)
    for region in regions:
        if region is not None and not scope.contains(region.path):
            raise PermissionDenied
