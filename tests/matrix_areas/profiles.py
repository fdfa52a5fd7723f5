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

# Every person's own page and download: everyone logged in (their own data only).
# The volunteers of a location and a volunteer's page: its coordinators and staff.
ROWS = {
    # An empty POST misses the first name: the form again with the message (400).
    "volunteers:my-profile": Row(get=ALL_LOGGED_IN, post=(L, L, 400, 400, 400, 400, 400)),
    "volunteers:my-data": Row(get=ALL_LOGGED_IN, post=NOBODY),
    "volunteers:list": Row(get=MANAGERS, post=NOBODY),
    "volunteers:detail": Row(get=MANAGERS, post=NOBODY),
    "volunteers:change-status": Row(get=NOBODY, post=MANAGERS_POST_INVALID),
    # Every field of VOG / buddy / notes is optional: an empty POST is valid (clears them).
    "volunteers:edit-onboarding": Row(get=NOBODY, post=MANAGERS_POST),
    "volunteers:add-training": Row(get=NOBODY, post=MANAGERS_POST_INVALID),
    # Not paused or stopped: nothing taken off, back to the page with a message.
    "volunteers:release-shifts": Row(get=NOBODY, post=MANAGERS_POST),
    "volunteers:remove-training": Row(get=NOBODY, post=MANAGERS_POST),
}
PK_KIND = {
    "volunteers:detail": "volunteer",
    "volunteers:change-status": "volunteer",
    "volunteers:edit-onboarding": "volunteer",
    "volunteers:add-training": "volunteer",
    "volunteers:release-shifts": "volunteer",
    "volunteers:remove-training": "volunteer",
}
NOT_HTML = {"volunteers:my-data"}  # JSON or CSV


def objects(location, coordinator, personas):
    """{kind: object} of this location, one of each kind in PK_KIND."""
    import datetime

    from locations.models import Role
    from tests.factories import MembershipFactory
    from volunteers.models import MemberRecord, Status, Training, VolunteerProfile

    membership = MembershipFactory(
        location=location, role=Role.VOLUNTEER, user__first_name=f"Baukje {location.slug}"
    )
    person = membership.user
    profile = VolunteerProfile.objects.create(user=person, phone="0611111111")
    MemberRecord.objects.create(
        membership=membership,
        status=Status.INTAKE,
        status_since=datetime.date(2025, 1, 1),
        notes="Kan goed koken.",
    )
    training = Training.objects.create(
        profile=profile,
        name="Sociale veiligheid",
        followed_on=datetime.date(2025, 3, 1),
        location=location,
    )
    return {"volunteer": person, "volunteer_training": training}


def sample(url_name, argument, objects):
    """A value for a URL argument other than slug and pk (a token), or None."""
    if argument == "training_pk" and "volunteer_training" in objects:
        return objects["volunteer_training"].pk
    return None


def unchanged(kind, before, fresh):
    """After a refused request on another location's object: is it as it was?"""
    if kind == "volunteer":
        from volunteers.models import MemberRecord

        profile = fresh.volunteer_profile
        record = MemberRecord.objects.get(membership__user=fresh)
        return (
            record.status == "intake"
            and profile.phone == "0611111111"
            and record.notes == "Kan goed koken."
            and profile.trainings.count() == 1
        )
    return True
