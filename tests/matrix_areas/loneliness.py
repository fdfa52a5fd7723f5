"""Rows of the authorization matrix for one area; see tests/test_authorization_matrix.py.

The loneliness rounds (loneliness/). Staff plan rounds; coordinators see the figures of their
locations' rounds, print the questionnaire and type in paper answers; volunteers and tablets
see no figures. The questionnaire on the tablet is for whoever may count at the door, and only
while a round runs there (objects() plans one at each location for today). The round pages
that have no location in their URL take the round as `round_id` (a sample), not as `pk`: a
round belongs to several locations.
"""

import datetime
import uuid

from django.utils import timezone

from loneliness.models import Response, Round, Source
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

# anonymous, tablet, volunteer, other_volunteer, coordinator, other_coordinator, staff
ROUNDS = (L, L, 403, 403, 200, 200, 200)
STAFF_ONLY = (L, L, 403, 403, 403, 403, 200)
STAFF_ONLY_INVALID = (L, L, 403, 403, 403, 403, 400)
# Dokkum's round: its coordinator and staff; Burgum's coordinator does not see it (404).
FIGURES = (L, L, 403, 403, 200, 404, 200)
AT_THE_DOOR = (L, 200, 403, 404, 200, 404, 200)  # as visitors:tablet
AT_THE_DOOR_INVALID = (L, 400, 403, 404, 400, 404, 400)

ROWS = {
    "loneliness:rounds": Row(get=ROUNDS, post=NOBODY),
    "loneliness:round-new": Row(get=STAFF_ONLY, post=STAFF_ONLY_INVALID),
    "loneliness:round-edit": Row(get=STAFF_ONLY, post=STAFF_ONLY_INVALID),
    "loneliness:figures": Row(get=FIGURES, post=NOBODY),
    "loneliness:figures-csv": Row(get=FIGURES, post=NOBODY),
    "loneliness:figures-xlsx": Row(get=FIGURES, post=NOBODY),
    "loneliness:paper": Row(get=MANAGERS, post=NOBODY),
    # An empty POST has no sheets: the form again (400).
    "loneliness:paper-entry": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    # An empty POST lacks the questionnaire's id: the form again (400).
    "loneliness:tablet": Row(get=AT_THE_DOOR, post=AT_THE_DOOR_INVALID),
    # JSON as the page's script sends it; `{}` lacks the client_id: 400.
    "loneliness:answers-api": Row(get=NOBODY, post=(401, 400, 403, 404, 400, 404, 400)),
}
PK_KIND = {"loneliness:paper": "round", "loneliness:paper-entry": "round"}
NOT_HTML = {"loneliness:figures-csv", "loneliness:figures-xlsx"}
JSON_ENDPOINTS = {"loneliness:answers-api"}
LIST_PAGES = ["loneliness:rounds", "loneliness:figures"]


def objects(location, coordinator, personas):
    """A round running today at this location only."""
    today = timezone.localdate()
    round_ = Round.objects.create(
        name=f"Ronde {location.slug}",
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=10),
        created_by=personas["staff"],
    )
    round_.locations.set([location])
    return {"round": round_}


def sample(url_name, argument, objects):
    """A value for a URL argument other than slug and pk (a token), or None."""
    if argument == "round_id":
        return objects["round"].pk
    return None


def unchanged(kind, before, fresh):
    """After a refused request on another location's object: is it as it was?"""
    if kind == "round":
        return fresh.name == before.name and not fresh.responses.exists()
    return True


def busy(location, coordinator, tag, size):
    """More answers in this location's round, and an older round with answers of its own."""
    current = Round.objects.filter(locations=location).order_by("-starts_on").first()
    earlier = Round.objects.create(
        name=f"Eerder {tag} {location.slug}",
        starts_on=datetime.date(2020 + len(tag), 3, 1),
        ends_on=datetime.date(2020 + len(tag), 3, 14),
    )
    earlier.locations.set([location])
    for round_ in (current, earlier):
        Response.objects.bulk_create(
            Response(
                round=round_,
                location=location,
                answer_1="ja",
                answer_4="nee" if number % 2 else "ja",
                source=Source.TABLET,
                client_id=uuid.uuid4(),
            )
            for number in range(size * 4)
        )
