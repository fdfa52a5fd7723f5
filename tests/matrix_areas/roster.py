"""Rows of the authorization matrix for the roster; see tests/test_authorization_matrix.py.

ROWS: {url name: Row(get=..., post=...)}, the outcome per role as in the main MATRIX.
PK_KIND: {url name: kind} for URLs with a `pk`; objects() makes one object of each kind.

Taking a place and cancelling are a person's own business: taking needs a current membership of
the shift's location (staff are no member: 404), cancelling is for the assignment's own
volunteer only (everyone else: 404). The roster of a location: its members read it, its
coordinators and staff manage it.
"""

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

R = REDIRECT
ROWS = {
    "volunteers:my-shifts": Row(get=ALL_LOGGED_IN, post=NOBODY),
    "volunteers:open-places": Row(get=ALL_LOGGED_IN, post=NOBODY),
    # GET: the confirmation page of the e-mail link; POST: take it (then to my shifts).
    "volunteers:take": Row(get=(L, L, 200, 404, 200, 404, 404), post=(L, L, R, 404, R, 404, 404)),
    # The volunteer's own assignment only; an empty reason is fine.
    "volunteers:cancel": Row(
        get=(L, L, 200, 404, 404, 404, 404), post=(L, L, R, 404, 404, 404, 404)
    ),
    "volunteers:roster": Row(get=MEMBERS_ONLY, post=NOBODY),
    "volunteers:roster-print": Row(get=MEMBERS_ONLY, post=NOBODY),
    "volunteers:shift": Row(get=MEMBERS_ONLY, post=NOBODY),
    # An empty POST chooses nobody: the shift page again with the message (400).
    "volunteers:assign": Row(get=NOBODY, post=MANAGERS_POST_INVALID),
    "volunteers:unassign": Row(get=NOBODY, post=MANAGERS_POST),
    # A gap: who fits (coordinators and staff). An empty POST chooses nobody: the page again
    # with the message (400).
    "volunteers:gap": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    # An empty choice clears the attendance (here: refused, the shift has not started; back).
    "volunteers:shift-attendance": Row(get=NOBODY, post=MANAGERS_POST),
    # An empty POST: no templates at all is a valid choice (they are all removed).
    "volunteers:shift-templates": Row(get=MANAGERS, post=MANAGERS_POST),
    "volunteers:generate-shifts": Row(get=NOBODY, post=MANAGERS_POST),
}
PK_KIND = {
    "volunteers:take": "shift",
    "volunteers:cancel": "assignment",
    "volunteers:shift": "shift",
    "volunteers:assign": "shift",
    "volunteers:gap": "shift",
    "volunteers:unassign": "assignment",
    "volunteers:shift-attendance": "assignment",
}
NOT_HTML = set()  # answers that are not HTML on purpose (an .ics feed, a CSV)


def objects(location, coordinator, personas):
    """A coming shift with room (nobody on it) and a standing assignment of the location's
    volunteer persona on another shift."""
    import datetime

    from django.utils import timezone

    from volunteers.models import Assignment, Shift, Task

    own = personas["volunteer"] if location.slug == "dokkum" else personas["other_volunteer"]
    day = timezone.localdate() + datetime.timedelta(days=10)
    shift = Shift.objects.create(
        location=location,
        date=day,
        day_part="afternoon",
        task=Task.HOST,
        starts_at=datetime.time(13, 30),
        ends_at=datetime.time(16, 30),
        minimum=1,
        maximum=3,
    )
    other = Shift.objects.create(
        location=location,
        date=day + datetime.timedelta(days=1),
        day_part="morning",
        task=Task.KITCHEN,
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 0),
    )
    assignment = Assignment.objects.create(shift=other, volunteer=own)
    return {"shift": shift, "assignment": assignment}


def sample(url_name, argument, objects):
    """A value for a URL argument other than slug and pk (a token), or None."""
    return None


def unchanged(kind, before, fresh):
    """After a refused request on another location's object: is it as it was?"""
    if kind == "shift":
        return fresh.assignments.count() == 0 and fresh.maximum == before.maximum
    if kind == "assignment":
        return fresh.cancelled_at is None and fresh.attendance == before.attendance
    return True


# Pages with lists: loaded under fetch mode RAISE, their query counts may not grow with busy().
LIST_PAGES = [
    "volunteers:my-shifts",
    "volunteers:open-places",
    "volunteers:roster",
    "volunteers:roster-print",
    "volunteers:shift",
    "volunteers:gap",
    "volunteers:shift-templates",
]


def busy(location, coordinator, tag, size):
    """More shifts, each with every current member of the location on it (the personas too),
    one cancelled late, and one shift with room (an open place)."""
    import datetime

    from django.utils import timezone

    from locations.models import Membership
    from volunteers.models import Assignment, Shift, Task

    members = list(
        Membership.objects.current().filter(location=location).values_list("user_id", flat=True)
    )
    first_day = timezone.localdate() + datetime.timedelta(days=2 if tag == "a" else 16)
    now = timezone.now()
    new = []
    for number in range(size):
        shift = Shift.objects.create(
            location=location,
            date=first_day + datetime.timedelta(days=number),
            day_part="evening",
            task=Task.HOST,
            starts_at=datetime.time(19, 0),
            ends_at=datetime.time(21, 0),
            minimum=1,
            maximum=len(members) + 1,
            regular=False,
        )
        for person in members:
            new.append(Assignment(shift=shift, volunteer_id=person))
        new[-1].cancelled_at = now
        new[-1].cancelled_late = True
    Assignment.objects.bulk_create(new)
