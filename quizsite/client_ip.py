"""The client's IP address for login throttling, trusting a proxy only when told to."""

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or behind a proxy (BEHIND_PROXY=1) the address it appended last.

    Only the last X-Forwarded-For entry is trusted: the proxy adds it; any before it came from
    the client and could be forged to dodge the throttle.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")
