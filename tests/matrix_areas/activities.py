"""Rows of the authorization matrix for one area; see tests/test_authorization_matrix.py.

ROWS: {url name: Row(get=..., post=...)}, the outcome per role as in the main MATRIX.
PK_KIND: {url name: kind} for URLs with a `pk`; objects() makes one object of each kind.

Activities: the public programme (its page, poster and .ics) is for everyone, no login. A
location's calendar, activities and dates are for its people (volunteers read only); changing
them is for its coordinators and staff. The calendar of every location is staff's. Categories
and partners are shared lists: coordinators (of any location) and staff; a coordinator reaches
only the partners of their own locations. The paired tablet alone is not a person: login page.
"""

import datetime

from django.utils import timezone

from activities import services
from activities.models import Activity, Category, Occurrence, Partner, PartnerKind, Room
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

# Shared lists: any coordinator and staff; volunteers 403. An empty POST: the form again (400).
COORDINATORS = (L, L, 403, 403, 200, 200, 200)
COORDINATORS_POST_INVALID = (L, L, 403, 403, 400, 400, 400)
STAFF_ONLY = (L, L, 403, 403, 403, 403, 200)

ROWS = {
    "activities:programme-index": Row(get=EVERYONE, post=NOBODY),
    "activities:programme": Row(get=EVERYONE, post=NOBODY),
    "activities:poster": Row(get=EVERYONE, post=NOBODY),
    "activities:programme-ics": Row(get=EVERYONE, post=NOBODY),
    "activities:calendar": Row(get=MEMBERS_ONLY, post=NOBODY),
    "activities:calendar-all": Row(get=STAFF_ONLY, post=NOBODY),
    "activities:activity-list": Row(get=MEMBERS_ONLY, post=NOBODY),
    "activities:activity-detail": Row(get=MEMBERS_ONLY, post=NOBODY),
    # An empty POST lacks the title, times and dates: the form again (400).
    "activities:activity-new": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "activities:activity-edit": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "activities:occurrence": Row(get=MEMBERS_ONLY, post=NOBODY),
    "activities:occurrence-edit": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    # Cancelling needs a reason; attendance needs a number: an empty POST is 400.
    "activities:occurrence-cancel": Row(get=NOBODY, post=MANAGERS_POST_INVALID),
    "activities:occurrence-restore": Row(get=NOBODY, post=MANAGERS_POST),
    "activities:occurrence-attendance": Row(get=NOBODY, post=MANAGERS_POST_INVALID),
    "activities:rooms": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "activities:room-edit": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "activities:categories": Row(get=COORDINATORS, post=COORDINATORS_POST_INVALID),
    "activities:category-edit": Row(get=COORDINATORS, post=COORDINATORS_POST_INVALID),
    "activities:partners": Row(get=COORDINATORS, post=NOBODY),
    "activities:partner-new": Row(get=COORDINATORS, post=COORDINATORS_POST_INVALID),
    # The sample is a partner of Dokkum only: Burgum's coordinator does not find it.
    "activities:partner-edit": Row(
        get=(L, L, 403, 403, 200, 404, 200), post=(L, L, 403, 403, 400, 404, 400)
    ),
}
PK_KIND = {
    "activities:activity-detail": "activity",
    "activities:activity-edit": "activity",
    "activities:occurrence": "occurrence",
    "activities:occurrence-edit": "occurrence",
    "activities:occurrence-cancel": "occurrence",
    "activities:occurrence-restore": "occurrence",
    "activities:occurrence-attendance": "occurrence",
    "activities:room-edit": "room",
}
NOT_HTML = {"activities:programme-ics"}


def objects(location, coordinator, personas):
    """{kind: object} of this location: a room, a weekly activity in it from today with its
    coming dates, the first of those, and a partner that works with this location only."""
    today = timezone.localdate()
    room = Room.objects.create(location=location, name=f"Grote zaal {location.slug}")
    activity = Activity.objects.create(
        location=location,
        title=f"Koffieochtend {location.name}",
        category=Category.objects.order_by("position").first(),
        room=room,
        starts_on=today,
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(11, 30),
        volunteers_needed=1,
    )
    services.generate_occurrences(activity, today=today)
    partner = Partner.objects.create(
        name=f"Bakkerij in {location.name}", kind=PartnerKind.ENTREPRENEUR
    )
    partner.locations.add(location)
    return {
        "room": room,
        "activity": activity,
        "occurrence": activity.occurrences.order_by("date").first(),
        "partner": partner,
    }


def sample(url_name, argument, objects):
    """A value for a URL argument other than slug and pk (a token), or None."""
    if argument == "partner_id":
        return objects["partner"].pk
    if argument == "category_id":
        return Category.objects.order_by("position").first().pk
    return None


def unchanged(kind, before, fresh):
    """After a refused request on another location's object: is it as it was?"""
    if kind == "occurrence":
        assert isinstance(fresh, Occurrence)
        return (fresh.status, fresh.starts_at, fresh.attendance, fresh.changed_by_hand) == (
            before.status,
            before.starts_at,
            before.attendance,
            before.changed_by_hand,
        )
    if kind == "activity":
        return (fresh.title, fresh.starts_at, fresh.room_id) == (
            before.title,
            before.starts_at,
            before.room_id,
        )
    if kind == "room":
        return (fresh.name, fresh.active) == (before.name, before.active)
    return True
