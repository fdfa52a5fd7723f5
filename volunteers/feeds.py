"""Calendar (iCalendar) feeds of the roster: a volunteer's own shifts, a location's roster.

The feeds are read by phone calendars that cannot log in: the secret token in the URL is the
credential. A person's own feed has their personal secret (VolunteerProfile.calendar_token) and
shows only their own shifts, also for staff and coordinators. A location's roster feed has a
secret of its own for each person and location (RosterFeedToken): a personal link never opens a
roster, and a roster link stops working when its person may no longer manage the location.
Times are written as local wall-clock times with TZID=Europe/Amsterdam and a VTIMEZONE, so 09:30
stays 09:30 on both sides of a DST change.
"""

import datetime

import icalendar
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtkamer.models import AuditEvent, log_action
from buurtkamer.permissions import Action, locations_for
from locations.models import Closure

from .models import Assignment, RosterFeedToken, Shift, VolunteerProfile, new_calendar_token
from .profiles import get_profile

# The window a feed covers: a little history, and the roster as far ahead as it goes.
DAYS_BACK = 92
DAYS_AHEAD = 366


def address_of(location) -> str:
    town = " ".join(part for part in (location.postal_code, location.town) if part)
    return ", ".join(part for part in (location.name, location.address, town) if part)


def _task_label(shift) -> str:
    label = str(shift.get_task_display())
    label = label[:1].upper() + label[1:]
    if shift.title:
        label = f"{label} ({shift.title})"
    return label


def _window(today: datetime.date):
    return today - datetime.timedelta(days=DAYS_BACK), today + datetime.timedelta(days=DAYS_AHEAD)


def _new_calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Buurtkamer//Rooster//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Ask calendar apps to look again every hour (they mostly decide for themselves).
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def _event(
    *, uid: str, shift, summary: str, description: str, stamp, closed=False
) -> icalendar.Event:
    start, end = shift.start_datetime(), shift.end_datetime()
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("location", address_of(shift.location))
    if description:
        event.add("description", description)
    # The location is closed that day: the shift does not happen (and blocks no time).
    event.add("status", "CANCELLED" if closed else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if closed else "OPAQUE")
    return event


def _host(base_url: str) -> str:
    return base_url.split("//", 1)[-1].strip("/") or "buurtkamer"


def personal_calendar(profile, *, base_url: str, today: datetime.date | None = None) -> bytes:
    """The person's own shifts that still stand, DAYS_BACK days back to DAYS_AHEAD ahead.

    Cancelled assignments are left out: the event disappears from the phone at the next refresh.
    One UID per assignment, so an event keeps its identity between refreshes.
    """
    start, end = _window(today or timezone.localdate())
    colleagues = Prefetch(
        "shift__assignments",
        queryset=Assignment.objects.active()
        .exclude(volunteer=profile.user_id)
        .select_related("volunteer")
        .order_by("volunteer__first_name"),
        to_attr="colleagues",
    )
    assignments = (
        Assignment.objects.active()
        .filter(volunteer=profile.user_id, shift__date__gte=start, shift__date__lte=end)
        .annotate(
            closed=Exists(Closure.objects.on(OuterRef("shift__location"), OuterRef("shift__date")))
        )
        .select_related("shift__location")
        .prefetch_related(colleagues)
        .order_by("shift__date", "shift__starts_at")
    )
    calendar = _new_calendar(_("Mijn diensten – Buurtkamer"))
    host, stamp = _host(base_url), timezone.now()
    for assignment in assignments:
        shift = assignment.shift
        names = [other.volunteer.get_short_name() for other in shift.colleagues]
        lines = []
        if names:
            lines.append(_("Samen met: %(names)s") % {"names": ", ".join(names)})
        lines.append(
            _("Afmelden of ruilen: %(url)s") % {"url": base_url.rstrip("/") + my_shifts_path()}
        )
        summary = f"{_task_label(shift)} – {shift.location.name}"
        if assignment.closed:
            summary = _("Gaat niet door (dicht) – %(summary)s") % {"summary": summary}
        calendar.add_component(
            _event(
                uid=f"assignment-{assignment.pk}@{host}",
                shift=shift,
                summary=summary,
                description="\n".join(lines),
                stamp=stamp,
                closed=assignment.closed,
            )
        )
    calendar.add_missing_timezones(first_date=start, last_date=end + datetime.timedelta(days=1))
    return calendar.to_ical()


def location_calendar(location, *, base_url: str, today: datetime.date | None = None) -> bytes:
    """All shifts of a location with how many are on it against how many are needed, and their
    first names: the coordinator's roster in their calendar. Gaps say so in the title."""
    start, end = _window(today or timezone.localdate())
    shifts = (
        Shift.objects.filter(location=location, date__gte=start, date__lte=end)
        .with_state()
        .select_related("location")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.active()
                .select_related("volunteer")
                .order_by("volunteer__first_name"),
                to_attr="standing",
            )
        )
        .order_by("date", "starts_at", "task")
    )
    calendar = _new_calendar(_("Rooster %(location)s") % {"location": location.name})
    host, stamp = _host(base_url), timezone.now()
    for shift in shifts:
        names = ", ".join(a.volunteer.get_short_name() for a in shift.standing)
        # Taken of the places there are; "Tekort" in front while below the minimum.
        summary = f"{_task_label(shift)} {shift.taken}/{shift.maximum}"
        if names:
            summary = f"{summary}: {names}"
        if shift.closed:
            summary = _("Gaat niet door (dicht) – %(summary)s") % {"summary": summary}
        elif shift.is_understaffed:
            summary = _("Tekort – %(summary)s") % {"summary": summary}
        description = _("Nodig: %(minimum)s tot %(maximum)s. Ingeschreven: %(filled)s.") % {
            "minimum": shift.minimum,
            "maximum": shift.maximum,
            "filled": shift.taken,
        }
        calendar.add_component(
            _event(
                uid=f"shift-{shift.pk}@{host}",
                shift=shift,
                summary=summary,
                description=description,
                stamp=stamp,
                closed=shift.closed,
            )
        )
    calendar.add_missing_timezones(first_date=start, last_date=end + datetime.timedelta(days=1))
    return calendar.to_ical()


def profile_for_token(token: str) -> VolunteerProfile | None:
    """The profile whose calendar URL this is, if its person may still use it."""
    profile = (
        VolunteerProfile.objects.select_related("user")
        .filter(calendar_token=token, anonymised_at__isnull=True, user__is_active=True)
        .first()
    )
    return profile


def roster_token_for(token: str, location_slug: str) -> RosterFeedToken | None:
    """The roster feed secret of this location, if its person may still use it (still active,
    not anonymised, and still allowed to manage the location: the view checks that last)."""
    return (
        RosterFeedToken.objects.select_related("user", "location")
        .filter(token=token, location__slug=location_slug, user__is_active=True)
        .exclude(user__volunteer_profile__anonymised_at__isnull=False)
        .first()
    )


def my_shifts_path() -> str:
    """The "my shifts" page, where a volunteer cancels."""
    return reverse("volunteers:my-shifts")


def my_feed(request) -> dict:
    """What templates/volunteers/feeds/my_feed_link.html needs, as `my_feed` in the context:

    context["my_feed"] = feeds.my_feed(request)
    {% include "volunteers/feeds/my_feed_link.html" %}

    Only reads: the links that exist. `missing` says that a link is still to be made (by a POST
    to make_links), the personal one or a roster of a location the person coordinates.
    """
    profile = VolunteerProfile.objects.filter(user=request.user).first()
    url = None
    if profile is not None:
        url = request.build_absolute_uri(
            reverse("volunteers:my-feed", kwargs={"calendar_token": profile.calendar_token})
        )
    rosters = []  # a coordinator's feeds of their locations' rosters, each with its own secret
    locations = _coordinated_locations(request.user)
    tokens = _roster_tokens(request.user, locations)
    for location in locations:
        if location.pk in tokens:
            feed = _location_url(request, tokens[location.pk], location)
            rosters.append({"name": location.name, "url": feed, "webcal_url": _webcal(feed)})
    return {
        "url": url,
        "webcal_url": _webcal(url) if url else None,
        "missing": url is None or len(tokens) < len(locations),
        "make_url": reverse("volunteers:make-feed"),
        "regenerate_url": reverse("volunteers:regenerate-feed"),
        "locations": rosters,
    }


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


def _roster_tokens(user, locations) -> dict[int, str]:
    """{location id: the person's roster feed secret there}, for the ones that exist."""
    return dict(
        RosterFeedToken.objects.filter(user=user, location__in=locations).values_list(
            "location_id", "token"
        )
    )


def _location_url(request, token: str, location) -> str:
    return request.build_absolute_uri(
        reverse(
            "volunteers:location-feed",
            kwargs={"roster_token": token, "location_slug": location.slug},
        )
    )


def _coordinated_locations(user):
    """The locations whose roster feed the person may have: coordinated ones (staff: all)."""
    return list(locations_for(user, Action.MANAGE_LOCATION).active().order_by("name"))


def _make_roster_tokens(user) -> int:
    """The roster feed secrets of the locations the person coordinates that have none yet;
    returns how many were made. A second call at once makes nothing more (the unique pair)."""
    have = set(RosterFeedToken.objects.filter(user=user).values_list("location_id", flat=True))
    missing = [location for location in _coordinated_locations(user) if location.pk not in have]
    made = RosterFeedToken.objects.bulk_create(
        [RosterFeedToken(user=user, location=location) for location in missing],
        ignore_conflicts=True,
    )
    return len(made)


def make_links(user) -> bool:
    """Make the person's calendar links that do not exist yet: the personal one (with the
    profile that holds it) and the roster feeds of the locations they coordinate. Audited when
    something was made; the same request twice makes nothing the second time. Returns whether
    something was made."""
    with transaction.atomic():
        # Two clicks at once: the second waits here, then finds the links made.
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        _profile, personal_made = VolunteerProfile.objects.get_or_create(user=user)
        rosters_made = _make_roster_tokens(user)
        if personal_made or rosters_made:
            log_action(
                actor=user,
                action=AuditEvent.Action.CALENDAR_LINKS_MADE,
                subject=user.email,
                volunteer=user.pk,  # anonymise() clears the subject by this
                personal=personal_made,
                rosters=rosters_made,
            )
    return bool(personal_made or rosters_made)


def new_links(user) -> None:
    """A new personal secret, and new roster feed secrets: every old link of the person stops
    working at once. Audited."""
    with transaction.atomic():
        profile = get_profile(user)
        profile.calendar_token = new_calendar_token()
        profile.save(update_fields=["calendar_token"])
        RosterFeedToken.objects.filter(user=user).delete()
        rosters_made = _make_roster_tokens(user)
        log_action(
            actor=user,
            action=AuditEvent.Action.CALENDAR_LINKS_MADE,
            subject=user.email,
            volunteer=user.pk,
            renewed=True,
            rosters=rosters_made,
        )
