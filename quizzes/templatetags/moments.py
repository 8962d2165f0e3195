"""`{{ value|moment }}`: a moment as a time of day when it is today, else as a date and time,
in the site's time zone and the reader's format ("14:05"; "21 November 2026, 14:05")."""

from datetime import datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter(name="moment")
def moment(value: datetime | None, now: datetime | None = None) -> str:
    """ "" for none; the date too unless it is today, so a start days ago is not read as today's."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.date() == timezone.localtime(now or timezone.now()).date():
        return formats.time_format(local, "TIME_FORMAT")
    return formats.date_format(local, "DATETIME_FORMAT")
