"""Rows of the authorization matrix for one area; see tests/test_authorization_matrix.py.

ROWS: {url name: Row(get=..., post=...)}, the outcome per role as in the main MATRIX.
PK_KIND: {url name: kind} for URLs with a `pk`; objects() makes one object of each kind.

Invitations that wait for the person's yes or no (issue 11). The accept / decline links are
for the invited person only, logged in: everyone else gets 404, the link's code is not enough.

The world gets a persona on top: "the coordinator of another location who invited this
person". The Burgum coordinator has invited every volunteer of Dokkum (the `volunteer` persona
and the volunteer whose profile the profile rows open) to Burgum, and the Dokkum coordinator
every volunteer of Burgum to Dokkum; none of them has answered. A pending invitation grants
nothing, so every row of the matrix still holds as it is: `other_coordinator` gets 404 on the
Dokkum volunteer's profile pages (volunteers:detail and the rest), and `other_volunteer`, now
invited to Dokkum, still gets 404 on every Dokkum page.
"""

from locations import services as team_services
from locations.models import Location, Membership, Role
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

# The sample invitation is the Dokkum volunteer's, to Burgum (see objects()).
ONLY_THE_INVITED = (L, L, 200, 404, 404, 404, 404)
ONLY_THE_INVITED_POST = (L, L, REDIRECT, 404, 404, 404, 404)

ROWS = {
    "locations:accept-membership": Row(get=ONLY_THE_INVITED, post=ONLY_THE_INVITED_POST),
    "locations:decline-membership": Row(get=ONLY_THE_INVITED, post=ONLY_THE_INVITED_POST),
}
PK_KIND = {
    "locations:accept-membership": "invitation",
    "locations:decline-membership": "invitation",
}
NOT_HTML = set()


def objects(location, coordinator, personas):
    """The coordinator of the *other* location invites this location's volunteers there."""
    other = Location.objects.exclude(pk=location.pk).get(slug__in=["dokkum", "burgum"])
    inviter = (
        personas["other_coordinator"] if location.slug == "dokkum" else personas["coordinator"]
    )
    invited = {}
    for membership in (
        Membership.objects.current()
        .filter(location=location, role=Role.VOLUNTEER)
        .select_related("user")
        .order_by("pk")
    ):
        pending, _sent = team_services.invite_person(
            location=other,
            email=membership.user.email,
            first_name="Uitgenodigd",
            last_name="",
            role=Role.VOLUNTEER,
            invited_by=inviter,
            base_url="http://testserver",
        )
        assert pending.pending, "an existing account must only be invited"
        invited[membership.user_id] = pending
    persona = personas["volunteer"] if location.slug == "dokkum" else personas["other_volunteer"]
    return {"invitation": invited[persona.pk]}


def sample(url_name, argument, objects):
    """The code of the accept / decline link (as in the e-mail)."""
    if argument == "code" and url_name in ROWS and "invitation" in objects:
        return team_services.membership_invitation_tokens.make_token(objects["invitation"])
    return None


def unchanged(kind, before, fresh):
    if kind == "invitation":
        return fresh.pending and fresh.ended_at is None and fresh.role == before.role
    return True
