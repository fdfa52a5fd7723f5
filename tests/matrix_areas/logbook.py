"""Rows of the authorization matrix for one area; see tests/test_authorization_matrix.py.

ROWS: {url name: Row(get=..., post=...)}, the outcome per role as in the main MATRIX.
PK_KIND: {url name: kind} for URLs with a `pk`; objects() makes one object of each kind.

The logbook, closures and house rules of a location (the `locations` app). The logbook is for
the location's people: its volunteers and coordinators read and write, its coordinators close a
follow-up; staff everything. The paired tablet alone is not a person: it gets the login page
here (it writes through a page of its own, visitors:tablet-logbook, in the main matrix).
Closures and house rules are the coordinator's.
"""

import datetime

from django.utils import timezone

from locations.models import Closure, LogEntry
from tests.matrix_common import (  # noqa: F401 - the vocabulary of the rows
    ALL_LOGGED_IN,
    EVERYONE,
    MANAGERS,
    MANAGERS_POST,
    MANAGERS_POST_INVALID,
    MEMBERS_ONLY,
    NOBODY,
    REDIRECT,
    L,
    Row,
)
from visitors.models import Tablet

# An empty POST to the new-entry form lacks the kind and the text: the form again, 400.
MEMBERS_POST_INVALID = (L, L, 400, 404, 400, 404, 400)

ROWS = {
    "locations:logbook": Row(get=MEMBERS_ONLY, post=NOBODY),
    "locations:logbook-new": Row(get=MEMBERS_ONLY, post=MEMBERS_POST_INVALID),
    # An empty POST has no closing note: the form again (400).
    "locations:logbook-close": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    # An empty POST has no dates: the form again (400).
    "locations:closures": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "locations:closure-delete": Row(get=NOBODY, post=MANAGERS_POST),
    # Every field may be empty: an empty POST saves and goes back to the location.
    "locations:house-rules": Row(get=MANAGERS, post=MANAGERS_POST),
}
PK_KIND = {
    "locations:logbook-close": "log_entry",
    "locations:closure-delete": "closure",
}
NOT_HTML = set()  # answers that are not HTML on purpose (an .ics feed, a CSV)


def objects(location, coordinator, personas):
    """{kind: object} of this location, one of each kind in PK_KIND: an open follow-up and a
    closure that has not begun (so it may be deleted)."""
    today = timezone.localdate()
    entry = LogEntry.objects.create(
        location=location,
        kind=LogEntry.Kind.INCIDENT,
        text=f"Overlast bij de ingang van {location.name}.",
        needs_follow_up=True,
        author=coordinator,
    )
    closure = Closure.objects.create(
        location=location,
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=32),
        reason="Verbouwing",
        created_by=coordinator,
    )
    return {"log_entry": entry, "closure": closure}


def sample(url_name, argument, objects):
    """A value for a URL argument other than slug and pk (a token), or None."""
    return None


def unchanged(kind, before, fresh):
    """After a refused request on another location's object: is it as it was?"""
    if kind == "log_entry":
        return fresh.closed_at is None and fresh.closing_note == "" and fresh.text == before.text
    if kind == "closure":
        return (fresh.starts_on, fresh.ends_on, fresh.reason) == (
            before.starts_on,
            before.ends_on,
            before.reason,
        )
    return True


LIST_PAGES = ["locations:logbook", "locations:closures"]


def busy(location, coordinator, tag, size):
    """More entries (open, closed, some written on the tablet) and closures for the list pages."""
    today = timezone.localdate()
    tablet = Tablet.objects.filter(location=location).first()
    for number in range(size):
        LogEntry.objects.create(
            location=location, text=f"Via de tablet {tag}{number}", tablet=tablet
        )
        LogEntry.objects.create(
            location=location,
            kind=LogEntry.Kind.MAINTENANCE,
            text=f"Lamp kapot {tag}{number}",
            needs_follow_up=True,
            author=coordinator,
            closed_at=timezone.now() if number % 2 else None,
            closed_by=coordinator if number % 2 else None,
            closing_note="Gerepareerd" if number % 2 else "",
        )
        start = today + datetime.timedelta(days=40 + 10 * number + (5 if tag == "b" else 0))
        Closure.objects.create(
            location=location, starts_on=start, ends_on=start, reason=f"Dicht {tag}{number}"
        )
