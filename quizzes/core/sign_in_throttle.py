"""Sign-in throttling: bound password guessing without letting anyone lock an account out.

django-axes records every failure (`AccessAttempt`: username, address, browser, count, last
time); this module is its handler (`AXES_HANDLER`) and decides, from those records:

- a username and an address: `AXES_FAILURE_LIMIT` failures lock the pair for
  `SIGN_IN_FIRST_LOCK`, each further failure after a lock doubles it, up to
  `SIGN_IN_LONGEST_LOCK`. Attempts refused during a lock are not counted, so classmates cannot
  stretch it;
- a username from every address together: `SIGN_IN_ACCOUNT_FAILURE_LIMIT` failures lock it for
  `SIGN_IN_LONGEST_LOCK` after each further failure, which bounds guessing spread over many
  addresses;
- a browser that has signed in as the username before carries a signed device cookie (OWASP's
  "device cookie" pattern) and is held up by neither lock: its wrong passwords are counted on
  their own (`DeviceFailureCount`), and past `AXES_FAILURE_LIMIT` of them it is treated like
  any other browser.

Failures are forgotten `AXES_COOLOFF_TIME` after the last one, or when the right password is
given from that address or browser; a teacher can also unlock their learners (`unlock`).
"""

import math
import secrets
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from quizzes.models import DeviceFailureCount

DEVICE_COOKIE = "device"
DEVICE_COOKIE_AGE = 365 * 24 * 60 * 60
_DEVICE_SALT = "quizsite.sign_in_throttle.device"
# A shared classroom computer remembers the last few people who signed in on it.
_USERS_PER_DEVICE = 10


def _device_cookie(request) -> dict:
    """The browser's device cookie ({"id": …, "users": […]}), or {} if missing or forged."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return {}
    try:
        known = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return {}
    return known if isinstance(known, dict) else {}


def device_cookie_set(request, response, username: str) -> None:
    """Remember in this browser that `username` has signed in here, for a year."""
    known = _device_cookie(request)
    users = [username, *(user for user in known.get("users", []) if user != username)]
    value = {"id": known.get("id") or secrets.token_hex(16), "users": users[:_USERS_PER_DEVICE]}
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(value, salt=_DEVICE_SALT, compress=True),
        max_age=DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _known_device(request, username) -> str | None:
    """The id of this browser's device cookie when it names `username`, else None."""
    known = _device_cookie(request)
    return known.get("id") if username and username in known.get("users", ()) else None


def _forgotten_before(request):
    return request.axes_attempt_time - settings.AXES_COOLOFF_TIME


def _trusted_device(request, username) -> str | None:
    """The browser's device id if it signed in as `username` and is within its own bound."""
    device = _known_device(request, username)
    if device is None:
        return None
    spent = DeviceFailureCount.objects.filter(
        device=device,
        username=username,
        failures__gte=settings.AXES_FAILURE_LIMIT,
        last_failure_at__gt=_forgotten_before(request),
    ).exists()
    return None if spent else device


def _device_failure_count(device: str, username: str, when) -> None:
    counts = DeviceFailureCount.objects.filter(device=device, username=username)
    if counts.update(failures=F("failures") + 1, last_failure_at=when):
        return
    try:
        with transaction.atomic():
            DeviceFailureCount.objects.create(
                device=device, username=username, failures=1, last_failure_at=when
            )
    except IntegrityError:  # the same browser failed twice at once
        counts.update(failures=F("failures") + 1, last_failure_at=when)


def pair_lock(failures: int) -> timedelta:
    """How long a username and address stay locked after their `failures`-th failure."""
    doublings = min(failures - settings.AXES_FAILURE_LIMIT, 20)
    return min(settings.SIGN_IN_FIRST_LOCK * 2**doublings, settings.SIGN_IN_LONGEST_LOCK)


def _lock_end(pair: tuple, account: tuple):
    """When a username's lock at an address ends, or None if it has none.

    `pair` is (failures, last failure) for the username at that address, `account` the same
    for the username from every address.
    """
    ends = []
    failures, last = pair
    if failures >= settings.AXES_FAILURE_LIMIT:
        ends.append(last + pair_lock(failures))
    failures, last = account
    if failures >= settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT:
        ends.append(last + settings.SIGN_IN_LONGEST_LOCK)
    return max(ends, default=None)


def _failures(usernames, since):
    return AccessAttempt.objects.filter(username__in=usernames, attempt_time__gt=since)


def lock_remaining(request, credentials=None) -> timedelta:
    """How much longer this username is refused from this request's address (zero: not)."""
    username = get_client_username(request, credentials)
    here = Q(ip_address=request.axes_ip_address)
    failures = _failures([username], _forgotten_before(request)).aggregate(
        here=Sum("failures_since_start", filter=here, default=0),
        here_last=Max("attempt_time", filter=here),
        everywhere=Sum("failures_since_start", default=0),
        last=Max("attempt_time"),
    )
    end = _lock_end(
        (failures["here"], failures["here_last"]), (failures["everywhere"], failures["last"])
    )
    return max(end - request.axes_attempt_time, timedelta(0)) if end else timedelta(0)


class SignInThrottle(AxesDatabaseHandler):
    """axes' database handler with this site's locks (see the module's docstring)."""

    def is_locked(self, request, credentials=None) -> bool:
        username = get_client_username(request, credentials)
        if _trusted_device(request, username):
            return False
        return lock_remaining(request, credentials) > timedelta(0)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:  # axes logs that it cannot count this
            return super().user_login_failed(sender, credentials, request=request, **kwargs)
        username = get_client_username(request, credentials)
        device = _trusted_device(request, username)
        if device:
            _device_failure_count(device, username, request.axes_attempt_time)
            return None
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # axes itself locks at the pair's limit; the account's bound is this site's.
        if not request.axes_locked_out and lock_remaining(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
        return None

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After the right password: forget this address's and this browser's failures."""
        username = get_client_username(request, credentials)
        device = _known_device(request, username)
        if device:
            DeviceFailureCount.objects.filter(device=device, username=username).delete()
        return super().reset_user_attempts(request, credentials)

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        if request is not None:
            DeviceFailureCount.objects.filter(
                last_failure_at__lte=_forgotten_before(request)
            ).delete()
        return super().clean_expired_user_attempts(request, credentials)


def locked_out(request, original_response=None, credentials=None):
    """The page for a refused sign-in (AXES_LOCKOUT_CALLABLE): how long to wait, what works."""
    remaining = lock_remaining(request, credentials)
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def locked_usernames(usernames) -> set[str]:
    """Which of these usernames are locked now, from some address or as an account."""
    now = timezone.now()
    pairs = (
        _failures(usernames, now - settings.AXES_COOLOFF_TIME)
        .order_by()
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    by_username = {}
    for pair in pairs:
        by_username.setdefault(pair["username"], []).append((pair["failures"], pair["last"]))
    locked = set()
    for username, its_pairs in by_username.items():
        account = (sum(f for f, _ in its_pairs), max(last for _, last in its_pairs))
        if any((_lock_end(pair, account) or now) > now for pair in its_pairs):
            locked.add(username)
    return locked


def unlock(username: str) -> None:
    """Forget every failure recorded for `username`: from every address and every browser."""
    AxesProxyHandler.reset_attempts(username=username)
    DeviceFailureCount.objects.filter(username=username).delete()
