"""The public programme as an iCalendar feed: what, when, where. No personal data.

Written in the active language (the view sets the one of its URL, `?taal=fy`): the calendar's
name, "gaat niet door" and the categories."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext


def programme_calendar(location, occurrences, *, base_url: str) -> bytes:
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Buurtkamer//Programma//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{gettext('Buurtkamer')} {location.name}")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    host = base_url.split("//", 1)[-1].strip("/") or "buurtkamer"
    stamp = timezone.now()
    where = ", ".join(part for part in (location.name, location.address, location.town) if part)
    for occurrence in occurrences:
        activity = occurrence.activity
        event = icalendar.Event()
        event.add("uid", f"occurrence-{occurrence.pk}@{host}")
        event.add("dtstamp", stamp)
        # Local wall-clock times with their zone: 10:00 stays 10:00 across DST.
        event.add("dtstart", datetime.datetime.combine(occurrence.date, occurrence.starts_at, zone))
        event.add("dtend", datetime.datetime.combine(occurrence.date, occurrence.ends_at, zone))
        summary = activity.title
        if occurrence.is_cancelled:
            summary = f"{summary} ({gettext('gaat niet door')})"
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        event.add("summary", summary)
        room = f" ({occurrence.room.name})" if occurrence.room else ""
        event.add("location", where + room)
        description = activity.description
        if activity.price_text:
            description = f"{description}\n{activity.price_text}".strip()
        if description:
            event.add("description", description)
        event.add("categories", [activity.category.name])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
