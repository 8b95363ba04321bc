"""A log-in starts the session's absolute lifetime (the account gate counts from it)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from tongxin.accounts.middleware import session_started


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_started(request)
