"""Rows of the authorization matrix for one area; see tests/test_authorization_matrix.py.

ROWS: {url name: Row(get=..., post=...)}, the outcome per role as in the main MATRIX.
PK_KIND: {url name: kind} for URLs with a `pk`; objects() makes one object of each kind.
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

# Reports: staff (all locations) and coordinators (their own; another location's slug in the
# query string is a 404, see tests/test_reports.py). Volunteers 403; the tablet has no session.
REPORT = (L, L, 403, 403, 200, 200, 200)
ROWS = {
    "visitors:report": Row(get=REPORT, post=NOBODY),
    "visitors:report-csv": Row(get=REPORT, post=NOBODY),
    "visitors:report-xlsx": Row(get=REPORT, post=NOBODY),
    "visitors:year-overview": Row(get=REPORT, post=NOBODY),
    # Stories of a location: its coordinators and staff.
    "visitors:stories": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "visitors:story-edit": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "visitors:story-delete": Row(get=MANAGERS, post=MANAGERS_POST),
}
PK_KIND = {"visitors:story-edit": "story", "visitors:story-delete": "story"}
NOT_HTML = {"visitors:report-csv", "visitors:report-xlsx"}


def objects(location, coordinator, personas):
    """{kind: object} of this location, one of each kind in PK_KIND."""
    import datetime

    from visitors.models import Story

    story = Story.objects.create(
        location=location,
        date=datetime.date(2026, 11, 3),
        text=f"Verhaal van {location.slug}",
        created_by=coordinator,
    )
    return {"story": story}


def sample(url_name, argument, objects):
    """A value for a URL argument other than slug and pk (a token), or None."""
    return None


def unchanged(kind, before, fresh):
    """After a refused request on another location's object: is it as it was?"""
    if kind == "story":
        return fresh is not None and fresh.text == before.text and fresh.date == before.date
    return True
