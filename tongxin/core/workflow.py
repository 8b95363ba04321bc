"""A workflow as data: one `Rule` per action says everything about it.

Where it may start (sources), where it leads (target), who may take it, whether a note is needed,
what it reads (params), what must hold besides the status (guard), what it changes (effect), who
hears of it (audiences) and whether it goes to webhooks, and its words (labels). Pages, the API,
the notifier and tests derive their tables from the rules, so adding an action is adding a rule.

The applying function stays in the owning app (cases.services.case_transition): it locks the row,
checks the version and writes the transition row; it asks the rule for every decision.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Choices, Model
from django.utils.translation import gettext_lazy as _

from tongxin.core.actors import Actor, actor_label, user_or_none

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # str or a lazy translation (a test dependency)

S = TypeVar("S")  # the object a workflow moves: a case, a decision, a need…

# effect(subject, actor, reason, now, params): change the subject's fields (not saved), create any
# side rows, and return the target status when it depends on the outcome (None: the rule's target)
Effect = Callable[[S, Actor, str, datetime, dict[str, Any]], str | None]
# guard(subject): None when the action may be taken now, otherwise the error to refuse it with
Guard = Callable[[S], ValidationError | None]


class IllegalTransition(ValidationError):
    """The action is not allowed from the current status (or its guard refuses it)."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Param:
    """One input of an action.

    `type` is a class the value must be an instance of, or a `Choices` class whose values it must
    be one of; None always passes the type check. `required`: the value must be given (not None).
    `default`: what a client that leaves the field out sends (MISSING: leave it out altogether).
    `message`: the error for a missing or wrong value (Django's “Enter a valid value.” otherwise).
    """

    name: str
    type: type
    required: bool = False
    default: Any = MISSING
    message: "StrOrPromise | None" = None

    def accepts(self, value: Any) -> bool:
        if value is None:
            return not self.required
        if issubclass(self.type, Choices):
            return value in self.type.values
        return isinstance(value, self.type)


@dataclass(frozen=True)
class Labels:
    """The words of an action, lazy so each reader gets their own language.

    timeline: the officials' timeline; button: what a page's button says (None: no page offers it);
    done: the past participle in “cannot be %(action)s” (None: the action's name);
    public: the resident's timeline (None: not shown to them); reason: the label of the note field.
    """

    timeline: "StrOrPromise"
    done: "StrOrPromise | None" = None
    button: "StrOrPromise | None" = None
    public: "StrOrPromise | None" = None
    reason: "StrOrPromise | None" = None


@dataclass(frozen=True)
class Rule(Generic[S]):
    action: StrEnum
    sources: Collection[str]  # kept as a frozenset
    target: str | None  # None: the status stays, or the effect decides
    who: Collection[str]  # the parties that may act (a frozenset); the workflow's may_act reads them
    labels: Labels
    effect: "Effect[S] | None" = None  # None: nothing but the transition row
    needs_reason: bool = False
    params: tuple[Param, ...] = ()
    guard: "Guard[S] | None" = None
    # who hears of it: fixed audiences, or a function of the transition row for outcome-dependent ones
    audiences: Collection[str] | Callable[[Any], Collection[str]] = ()
    webhook: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "who", frozenset(self.who))

    @property
    def param_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params)

    def leaves(self, status: str) -> bool:
        return status in self.sources

    def refusal(self, subject: S) -> ValidationError | None:
        """The guard's objection, if any (the status is checked separately)."""
        return None if self.guard is None else self.guard(subject)

    def permits(self, subject: S, status: str) -> bool:
        """Allowed now for someone entitled: the status fits and the guard does not object."""
        return self.leaves(status) and self.refusal(subject) is None

    def check(self, subject: S, *, reason: str, params: Mapping[str, Any]) -> None:
        """The note, the params and the guard, in this order; raises ValidationError."""
        if self.needs_reason and not (reason or "").strip():
            raise ValidationError({"reason": [_("Please give a reason or note.")]})
        check_params(self, params)
        refusal = self.refusal(subject)
        if refusal is not None:
            raise refusal

    def run(
        self, subject: S, *, status: str, actor: Actor, reason: str, now: datetime, params: dict[str, Any]
    ) -> str:
        """Run the effect; the status the subject ends in."""
        target = self.effect(subject, actor, reason, now, params) if self.effect is not None else None
        return target or self.target or status

    def audiences_for(self, row: Any) -> Collection[str]:
        return self.audiences(row) if callable(self.audiences) else self.audiences


def check_params(rule: Rule[Any], params: Mapping[str, Any]) -> None:
    unknown = set(params) - rule.param_names
    if unknown:  # a caller's mistake, not a user's: fail loudly
        raise TypeError(f"{rule.action} takes no {', '.join(sorted(unknown))}")
    errors = {
        p.name: [p.message or _("Enter a valid value.")]
        for p in rule.params
        if not p.accepts(params.get(p.name))
    }
    if errors:
        raise ValidationError(errors)


def by_action(rules: Collection[Rule[S]]) -> dict[str, Rule[S]]:
    """The rules keyed by action, refusing a second rule for one action."""
    table: dict[str, Rule[S]] = {}
    for rule in rules:
        if rule.action in table:
            raise ValueError(f"two rules for {rule.action}")
        table[rule.action] = rule
    return table


M = TypeVar("M", bound=Model)


def record_step(
    model: type[M],
    *,
    action: str,
    from_status: str,
    to_status: str,
    actor: Actor,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    **subject: Any,
) -> M:
    """Write one transition row (the history and the outbox) of any workflow: the step, who took it
    (their account, or none for a stand-in, and how they read), why (cut to the column) and when;
    `subject` names the row it moves (need=…, booking=…)."""
    limit = getattr(model._meta.get_field("reason"), "max_length", None)
    return model._default_manager.create(
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=user_or_none(actor),
        actor_label=actor_label(actor)[:100],
        reason=(reason or "").strip()[:limit],
        data=data or {},
        at=at,
        **subject,
    )
