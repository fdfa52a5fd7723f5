"""The feeds URLs of the volunteers app (joined in volunteers/urls.py).

The token is the credential of a feed (secrets.token_urlsafe): VolunteerProfile.calendar_token
for a person's own shifts, RosterFeedToken.token for a location's roster. The roster feed moved
to agenda/rooster/... with its own secrets, so links of the old form (the personal token and a
slug) no longer work.
"""

from django.urls import path, re_path

from .views import feeds

SECRET_IN_URL = r"(?P<calendar_token>[A-Za-z0-9_-]{16,64})"  # noqa: S105 - a pattern
ROSTER_SECRET_IN_URL = r"(?P<roster_token>[A-Za-z0-9_-]{16,64})"  # noqa: S105 - a pattern

urlpatterns = [
    # A volunteer's own shifts: the secret link for the phone's calendar.
    re_path(rf"^agenda/{SECRET_IN_URL}\.ics$", feeds.my_feed, name="my-feed"),
    # A location's roster, for its coordinators (and staff), with a secret of its own.
    re_path(
        rf"^agenda/rooster/{ROSTER_SECRET_IN_URL}/(?P<location_slug>[-a-zA-Z0-9_]+)\.ics$",
        feeds.location_feed,
        name="location-feed",
    ),
    path("agenda/nieuwe-link/", feeds.regenerate_feed, name="regenerate-feed"),
]
