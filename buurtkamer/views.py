import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django.views.i18n import set_language as django_set_language

import activities.dashboard
import locations.dashboard
import visitors.dashboard
import volunteers.dashboard
from locations.models import LogEntry, Membership, unpack_calendar
from visitors.models import Visit

from . import health, jobs
from .dashboard import location_search, summarised
from .languages import set_user_language, valid_language
from .permissions import (
    Action,
    Dashboard,
    can,
    coordinated_locations,
    dashboard_for,
    viewable_locations,
)

# Each area adds a panel to the dashboard, in this order.
DASHBOARD_PANELS = [
    volunteers.dashboard.panel,
    activities.dashboard.panel,
    locations.dashboard.panel,
    visitors.dashboard.panel,
]


@require_safe
@login_required
def dashboard(request):
    """The start page: what this person does here, per role.

    A fixed number of queries, whatever the number of locations, shifts or visits
    (tests/test_dashboard_queries.py, tests/test_dashboard_national.py). Everyone: the session,
    the user, the locations with the person's roles, the cards' counts, their opening hours and
    their closures around today (one query: LocationQuerySet.with_counts and with_calendar),
    the activities of the coming week; staff also the authenticator check (two-step login);
    staff and coordinators the last settled day of the roll-up and the visits of the trend's
    weeks (visitors/dashboard.py visit_rows); a coordinator the roster of the coming weeks,
    staff only the shifts its figures need (one query: volunteers/dashboard.py
    add_roster_figures); a volunteer their next shifts and the open places; a coordinator their
    next shifts with the late cancellations, the onboarding to-dos and the logbook's latest
    follow-ups. Volunteer 6, staff 8, coordinator 10. With more than twelve locations the
    panels summarise (buurtkamer/dashboard.py) from the same data, and staff get a search among
    them.
    """
    user = request.user
    today = timezone.localdate()

    # The opening hours and the closures the activities panel (this week ahead) and the
    # visitors panel (its openings of the last weeks) look at, in the locations' own query.
    calendar = (
        today - datetime.timedelta(days=visitors.dashboard.OPENINGS_DAYS),
        today + datetime.timedelta(days=activities.dashboard.DAYS - 1),
    )

    def shape(queryset):
        # The cards' figures and the panels' open follow-ups, in the same query.
        return (
            queryset.with_calendar(*calendar)
            .order_by("name")
            .with_counts(
                team_size=Membership.objects.current(),
                visitors_today=Visit.objects.counted().on(today),
                open_follow_ups=LogEntry.objects.open_follow_ups(),
            )
        )

    # Each with .my_role (shown on the card, decides nothing), read with the roles themselves.
    locations = viewable_locations(user, shape)
    unpack_calendar(locations)
    kind = dashboard_for(user)
    if kind == Dashboard.COORDINATOR:
        # The roster of the coming weeks, read once for the volunteers' and visitors' panels.
        coordinated = coordinated_locations(user, locations)
        prefetch_related_objects(coordinated, volunteers.dashboard.roster_prefetch(today))
        volunteers.dashboard.add_roster_figures(coordinated, today)
    elif kind == Dashboard.STAFF:
        # Every location: the roster's figures from the shifts they need, read as tuples.
        volunteers.dashboard.add_roster_figures(locations, today)
    for location in locations:
        location.may_manage = can(user, Action.MANAGE_LOCATION, location)
        location.may_record_visits = can(user, Action.RECORD_VISITS, location)
    panels = [
        found
        for panel in DASHBOARD_PANELS
        if (found := panel(request, kind=kind, locations=locations))
    ]
    context = {"locations": locations, "panels": panels}
    if kind == Dashboard.STAFF and summarised(locations):
        # A national install: the cards of the locations searched for, not of all of them.
        context["search"] = location_search(request, locations)
    return render(request, f"buurtkamer/dashboard_{kind}.html", context)


@never_cache
@require_safe
def healthz(request):
    """200 when the app can serve: the database answers, every migration on disk is applied,
    and (when settings.HEALTHZ_JOBS) every scheduled job succeeded recently enough
    (buurtkamer/jobs.py). Otherwise 503, naming each failed check under "failed"."""
    body = {"status": "ok", "database": "ok", "migrations": "ok", "jobs": "ok"}
    failed = []
    try:
        unapplied = health.unapplied_migrations(connection)
        if unapplied:
            failed.append("migrations")
            # The jobs' table may be what a missing migration makes: not checked then.
            body.update(migrations="unapplied", unapplied=unapplied, jobs="not checked")
        elif settings.HEALTHZ_JOBS:
            overdue = jobs.overdue()
            if overdue:
                failed.append("jobs")
                body["jobs"] = overdue
        else:
            body["jobs"] = "not checked"
    except DatabaseError as error:
        return JsonResponse(
            {"status": "error", "database": "unavailable", "error": type(error).__name__},
            status=503,
        )
    if failed:
        return JsonResponse({**body, "status": "error", "failed": failed}, status=503)
    return JsonResponse(body)


@login_required
def email_addresses_closed(request):
    """allauth's e-mail page (/accounts/email/), switched off: nobody adds or changes addresses.

    With verification off (everyone is invited, so the invitation proves the address), that page
    would let anyone add another person's address to their own account. A new address is set by
    AanZet in the admin. GET and POST alike: a message, and back to the start page.
    """
    messages.info(
        request,
        _(
            "Je e-mailadres kun je hier niet wijzigen. Heb je een nieuw adres? Vraag een "
            "medewerker van AanZet om het aan te passen."
        ),
    )
    return redirect("dashboard")


@require_http_methods(["GET", "POST"])
def set_language(request):
    """The footer's language switch (nl · fy · en): Django's own view (the cookie, back to the
    page), and for a person logged in also their stored language, so that their pages on any
    device and their e-mails follow it (languages.set_user_language, audited)."""
    language = valid_language(request.POST.get("language"))
    if language is not None and request.user.is_authenticated:
        set_user_language(user=request.user, language=language)
    return django_set_language(request)
