"""Rows of the authorization matrix for one area; see tests/test_authorization_matrix.py.

ROWS: {url name: Row(get=..., post=...)}, the outcome per role as in the main MATRIX.
PK_KIND: {url name: kind} for URLs with a `pk`; objects() makes one object of each kind.

The calendar feeds: the secret token in the URL is the credential, whoever asks (a phone's
calendar app is never logged in). The samples are the location's coordinator's tokens (the
personal one, and the roster secret of the location), so every role gets the feed;
tests/test_calendar_feeds.py and tests/test_member_data_per_location.py cover unknown tokens, a
replaced token, a personal token used for a roster and the location feed of someone who is not
its coordinator (all 404).
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

ROWS = {
    # GET only (POST: 405); the token decides, not the session.
    "volunteers:my-feed": Row(get=EVERYONE, post=NOBODY),
    "volunteers:location-feed": Row(get=EVERYONE, post=NOBODY),
    # Making one's links, or new secret ones: any logged-in person, POST only.
    "volunteers:make-feed": Row(
        get=NOBODY, post=(L, L, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "volunteers:regenerate-feed": Row(
        get=NOBODY, post=(L, L, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
}
PK_KIND = {}
NOT_HTML = {"volunteers:my-feed", "volunteers:location-feed"}  # text/calendar


def objects(location, coordinator, personas):
    """{kind: object} of this location, one of each kind in PK_KIND."""
    from volunteers.models import RosterFeedToken
    from volunteers.profiles import get_profile

    return {
        "feed_token": get_profile(coordinator).calendar_token,
        "roster_token": RosterFeedToken.objects.get_or_create(user=coordinator, location=location)[
            0
        ].token,
        "feed_location_slug": location.slug,
    }


def sample(url_name, argument, objects):
    """A value for a URL argument other than slug and pk (a token), or None."""
    if url_name in ("volunteers:my-feed", "volunteers:location-feed"):
        if argument == "calendar_token":
            return objects.get("feed_token")
        if argument == "roster_token":
            return objects.get("roster_token")
        if argument == "location_slug":
            return objects.get("feed_location_slug")
    return None


def unchanged(kind, before, fresh):
    """After a refused request on another location's object: is it as it was?"""
    return True
