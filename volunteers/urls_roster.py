"""The roster URLs of the volunteers app (joined in volunteers/urls.py)."""

from django.urls import path

from .views import roster

urlpatterns = [
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
]
