"""Accounts pages: the security administrator's (list, detail, create) and every user's own
(API tokens, password). Views stay thin: selectors read, services write and audit."""

from typing import cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.accounts import selectors, services
from tongxin.accounts.forms import AccountCreateForm, AccountSearchForm, RoleGrantForm, TokenCreateForm
from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.access import login_only, requires
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import form_page, paginate
from tongxin.core.roles import Capability, Role
from tongxin.core.scope import scope_for
from tongxin.people.selectors import person_get
from tongxin.regions.selectors import region_get

PAGE_SIZE = 50
PEOPLE_SHOWN = 50


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- the security administrator's pages ---


@requires(Capability.ACCOUNTS_MANAGE)
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    search = AccountSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = paginate(request, selectors.accounts_search(request.user, query), PAGE_SIZE)
    scope = scope_for(request.user, Capability.ACCOUNTS_MANAGE)
    locked = selectors.locked_usernames([a.username for a in page])
    rows = []
    for account in page:
        roles, others = selectors.roles_split(account, scope)
        rows.append(
            {"account": account, "roles": roles, "others": others, "locked": account.username in locked}
        )
    return render(
        request, "accounts/list.html", {"search": search, "query": query, "page": page, "rows": rows}
    )


def _render_detail(
    request: HttpRequest, account: User, grant_form: RoleGrantForm | None = None, status: int = 200
) -> HttpResponse:
    scope = scope_for(request.user, Capability.ACCOUNTS_MANAGE)
    roles, others = selectors.roles_split(account, scope)
    context = {
        "account": account,
        "roles": roles,
        "others": others,
        "locked": bool(selectors.locked_usernames([account.username])),
        "failures": selectors.failed_logins(account.username),
        "grant_form": grant_form or RoleGrantForm(regions=selectors.grantable_regions(request.user)),
        "is_self": account.pk == request.user.pk,
        "mfa_enrolled": services.mfa_enrolled(account),
    }
    return render(request, "accounts/detail.html", context, status=status)


@requires(Capability.ACCOUNTS_MANAGE)
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, selectors.account_get(request.user, pk))


@requires(Capability.ACCOUNTS_MANAGE)
@require_POST
def account_role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(request.user, pk)
    form = RoleGrantForm(request.POST, regions=selectors.grantable_regions(request.user))
    if form.is_valid():
        region = region_get(request.user, form.cleaned_data["region"], capability=Capability.ACCOUNTS_MANAGE)
        role = form.cleaned_data["role"]
        if RoleAssignment.objects.filter(user=account, role=role, region=region).exists():
            form.add_error(None, _("This account already holds this role there."))
        else:
            try:
                services.role_grant(
                    user=account, role=role, region=region, granted_by=_me(request), request=request
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(
                    request,
                    _("Granted the role %(role)s at %(region)s.")
                    % {"role": Role(role).label, "region": region.name},
                )
                return redirect("accounts:detail", pk=account.pk)
    return _render_detail(request, account, form, status=400)


@requires(Capability.ACCOUNTS_MANAGE)
@require_POST
def account_role_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    account = selectors.account_get(request.user, pk)
    assignment = selectors.role_assignment_get(request.user, account, assignment_pk)
    try:
        services.role_revoke(assignment=assignment, revoked_by=_me(request), request=request)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request,
            _("Revoked the role %(role)s at %(region)s.")
            % {"role": assignment.get_role_display(), "region": assignment.region.name},
        )
    return redirect("accounts:detail", pk=account.pk)


@requires(Capability.ACCOUNTS_MANAGE)
@require_POST
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(request.user, pk)
    services.account_unlock(account=account, actor=_me(request), request=request)
    messages.success(request, _("The account %(name)s may log in again.") % {"name": account.username})
    return redirect("accounts:detail", pk=account.pk)


@requires(Capability.ACCOUNTS_MANAGE)
@require_POST
def account_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.account_set_active(account=account, active=active, actor=_me(request), request=request)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        if active:
            messages.success(request, _("The account %(name)s is active again.") % {"name": account.username})
        else:
            messages.success(
                request,
                _("The account %(name)s is deactivated: it can no longer log in or use API tokens.")
                % {"name": account.username},
            )
    return redirect("accounts:detail", pk=account.pk)


def _one_time_password_page(request: HttpRequest, account: User, password: str) -> HttpResponse:
    response = render(request, "accounts/one_time_password.html", {"account": account, "password": password})
    response["Cache-Control"] = "no-store"  # shown once, never kept by a cache
    return response


@requires(Capability.ACCOUNTS_MANAGE)
@require_POST
def account_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(request.user, pk)
    try:
        password = services.account_password_reset(account=account, actor=_me(request), request=request)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("accounts:detail", pk=account.pk)
    return _one_time_password_page(request, account, password)


@requires(Capability.ACCOUNTS_MANAGE)
@require_POST
def account_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(request.user, pk)
    try:
        services.mfa_reset(account=account, actor=_me(request), request=request)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request,
            _("The authenticator of %(name)s is removed; it sets up a new one at its next log-in.")
            % {"name": account.username},
        )
    return redirect("accounts:detail", pk=account.pk)


@requires(Capability.ACCOUNTS_MANAGE)
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    query = ((data or request.GET).get("q") or "").strip()[:50]
    people = list(selectors.people_without_account(request.user, query)[:PEOPLE_SHOWN])
    regions = selectors.grantable_regions(request.user)

    form = AccountCreateForm(data, people=people, regions=regions)
    if data is not None and form.is_valid():
        person = person_get(request.user, form.cleaned_data["person"], capability=Capability.ACCOUNTS_MANAGE)
        role = form.cleaned_data["role"]
        region = (
            region_get(request.user, form.cleaned_data["region"], capability=Capability.ACCOUNTS_MANAGE)
            if role
            else None
        )
        try:
            account, password = services.account_create(
                username=form.cleaned_data["username"],
                person=person,
                created_by=_me(request),
                request=request,
                role=role,
                region=region,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Created the account %(name)s.") % {"name": account.username})
            return _one_time_password_page(request, account, password)
    context = {"form": form, "query": query, "people": people, "more": len(people) >= PEOPLE_SHOWN}
    # shown again after a POST only with its errors
    return render(request, "accounts/create.html", context, status=400 if data is not None else 200)


# --- every user's own pages ---


@login_only
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST if request.method == "POST" else None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        created, secret = services.token_create(
            user=_me(request), name=form.cleaned_data["name"], request=request
        )
        form = TokenCreateForm()
    response = render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": selectors.tokens_of(request.user),
            "created": created,
            "secret": secret,
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"  # the secret is in this page once, never in a cache
    return response


@login_only
@require_POST
def token_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(request.user, pk)
    try:
        created, secret = services.token_rotate(token=token, actor=_me(request), request=request)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("accounts:tokens")
    response = render(
        request,
        "accounts/tokens.html",
        {
            "form": TokenCreateForm(),
            "tokens": selectors.tokens_of(request.user),
            "created": created,
            "secret": secret,
            "rotated": token,
            "now": timezone.now(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_only
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(request.user, pk)
    services.token_revoke(token=token, actor=_me(request), request=request)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@login_only
@require_http_methods(["GET", "POST"])
def password(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    forced = me.must_change_password or services.password_expired(me)

    def save(form: PasswordChangeForm) -> None:
        services.password_change(user=me, new_password=form.cleaned_data["new_password1"], request=request)
        update_session_auth_hash(request, me)

    return form_page(
        request,
        PasswordChangeForm(me, request.POST if request.method == "POST" else None),
        save=save,
        # after a forced change the gate may still ask for the second factor: start from home
        success="home" if forced else "accounts:password",
        message=_("Your password is changed."),
        template="accounts/password.html",
        context={"forced": forced, "one_time": me.must_change_password},
        status=400 if request.method == "POST" else 200,  # shown again after a POST only with its errors
    )
