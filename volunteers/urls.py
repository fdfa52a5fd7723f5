"""The URLs of the volunteers app: rosters, volunteer profiles and calendar feeds.

A feed's token is its credential (secrets.token_urlsafe): VolunteerProfile.calendar_token for a
person's own shifts, RosterFeedToken.token for a location's roster. The roster feed moved to
agenda/rooster/... with its own secrets, so links of the old form (the personal token and a
slug) no longer work.
"""

from django.urls import path, re_path

from .views import feeds, profiles, roster

app_name = "volunteers"

SECRET_IN_URL = r"(?P<calendar_token>[A-Za-z0-9_-]{16,64})"  # noqa: S105 - a pattern
ROSTER_SECRET_IN_URL = r"(?P<roster_token>[A-Za-z0-9_-]{16,64})"  # noqa: S105 - a pattern

urlpatterns = [
    # Rosters ----------------------------------------------------------------------------------
    # A volunteer's own roster pages.
    path("rooster/mijn-diensten/", roster.my_shifts, name="my-shifts"),
    path("rooster/open-plekken/", roster.open_places, name="open-places"),
    path("rooster/dienst/<int:pk>/ik-kom/", roster.take, name="take"),
    path("rooster/afmelden/<int:pk>/", roster.cancel, name="cancel"),
    # A location's roster: its members read it, its coordinators manage it.
    path("locaties/<slug:slug>/rooster/", roster.roster, name="roster"),
    path("locaties/<slug:slug>/rooster/afdrukken/", roster.roster_print, name="roster-print"),
    path("locaties/<slug:slug>/rooster/dienst/<int:pk>/", roster.shift_detail, name="shift"),
    path("locaties/<slug:slug>/rooster/dienst/<int:pk>/indelen/", roster.assign, name="assign"),
    # A gap: who fits, and one click to put them on it (in place with htmx, or as a page).
    path("locaties/<slug:slug>/rooster/dienst/<int:pk>/aanvullen/", roster.gap, name="gap"),
    path(
        "locaties/<slug:slug>/rooster/indeling/<int:pk>/uitschrijven/",
        roster.unassign,
        name="unassign",
    ),
    path(
        "locaties/<slug:slug>/rooster/indeling/<int:pk>/aanwezigheid/",
        roster.attendance,
        name="shift-attendance",
    ),
    path("locaties/<slug:slug>/rooster/sjablonen/", roster.shift_templates, name="shift-templates"),
    path("locaties/<slug:slug>/rooster/aanmaken/", roster.generate, name="generate-shifts"),
    # Volunteers -------------------------------------------------------------------------------
    # A volunteer's own data.
    path("mijn-gegevens/", profiles.my_profile, name="my-profile"),
    path("mijn-gegevens/download/", profiles.my_data, name="my-data"),
    # The volunteers of a location: its coordinators and staff.
    path("locaties/<slug:slug>/vrijwilligers/", profiles.volunteer_list, name="list"),
    path("locaties/<slug:slug>/vrijwilligers/<int:pk>/", profiles.volunteer_detail, name="detail"),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/status/",
        profiles.change_status,
        name="change-status",
    ),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/uit-rooster/",
        profiles.release,
        name="release-shifts",
    ),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/begeleiding/",
        profiles.edit_onboarding,
        name="edit-onboarding",
    ),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/trainingen/",
        profiles.add_training,
        name="add-training",
    ),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/trainingen/<int:training_pk>/verwijderen/",
        profiles.remove_training,
        name="remove-training",
    ),
    # Calendar feeds ---------------------------------------------------------------------------
    # A volunteer's own shifts: the secret link for the phone's calendar.
    re_path(rf"^agenda/{SECRET_IN_URL}\.ics$", feeds.my_feed, name="my-feed"),
    # A location's roster, for its coordinators (and staff), with a secret of its own.
    re_path(
        rf"^agenda/rooster/{ROSTER_SECRET_IN_URL}/(?P<location_slug>[-a-zA-Z0-9_]+)\.ics$",
        feeds.location_feed,
        name="location-feed",
    ),
    path("agenda/link-maken/", feeds.make_feed, name="make-feed"),
    path("agenda/nieuwe-link/", feeds.regenerate_feed, name="regenerate-feed"),
]
