"""API authentication: a session (with CSRF) or a bearer token. Deny by default."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from tongxin.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        found = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if found is None:
            return None  # revoked, expired, unknown or of a deactivated account: 401
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class SessionCookieAuth(SessionAuth):
    """The log-in session; its CSRF check only applies when a session cookie is sent."""

    def __call__(self, request: HttpRequest) -> Any:
        if self.param_name not in request.COOKIES:
            return None
        return super().__call__(request)


# the token comes first: SessionAuth refuses an unsafe request without a CSRF token before the
# next method is tried, and a token client has neither cookie nor CSRF token
API_AUTH = [TokenAuth(), SessionCookieAuth()]
