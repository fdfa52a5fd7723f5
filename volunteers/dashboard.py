"""What the volunteers area adds to the dashboard (buurtkamer/views.py): one panel or none.

A volunteer sees their next shifts and the open places at their locations; a coordinator the
gaps of the next four weeks (below the minimum, or no shift lead), recent late cancellations and
the onboarding to-dos; staff the gaps per location. A fixed number of queries whatever the data.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    F,
    Prefetch,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from buurtkamer.dashboard import LISTED, summarised
from buurtkamer.dates import monday_of
from buurtkamer.permissions import Dashboard, coordinated_locations

from .models import (
    Assignment,
    Shift,
    Task,
    day_parts_without_lead,
    standing_q,
    understaffed_q,
)
from .profiles import onboarding_todos
from .services import OPEN_PLACES_WEEKS, open_places, open_places_window

# The gaps of the same weeks as the open places volunteers are offered: all of them, per week.
WEEKS_AHEAD = OPEN_PLACES_WEEKS
LATE_CANCELLATIONS_DAYS = 14
SHOWN = 8  # items per list on the dashboard; the rest is counted


def panel(request, *, kind, locations):
    """The context of this area's dashboard panel, or None to show nothing.

    kind: which dashboard (permissions.Dashboard); locations: the Location objects on it
    (already fetched). The dict returned must hold "template", which the dashboard includes
    with the dict as `panel`.
    """
    today = timezone.localdate()
    if kind == Dashboard.STAFF:
        return _staff_panel(locations, today)
    if kind == Dashboard.COORDINATOR:
        coordinated = coordinated_locations(request.user, locations)
        return _coordinator_panel(request.user, coordinated, locations, today)
    return _volunteer_panel(request.user, locations, today)


def _with_locations(items, by_id, attribute="shift"):
    """Put the already-fetched Location on each shift (no query per row)."""
    for item in items:
        shift = getattr(item, attribute) if attribute else item
        shift.location = by_id[shift.location_id]
    return items


def _next_shifts(user, by_id, today):
    assignments = list(
        Assignment.objects.active()
        .filter(volunteer=user, shift__date__gte=today, shift__location_id__in=list(by_id))
        .select_related("shift")
        .order_by("shift__date", "shift__starts_at")[:SHOWN]
    )
    return _with_locations(assignments, by_id)


def _next_shifts_and_late_cancellations(user, locations, coordinated_by_id, today):
    """A coordinator's own next shifts (as _next_shifts: at any of their locations) and the
    recent late cancellations at the locations they coordinate: the first SHOWN of each, from
    one query (a row number per kind, in its own order)."""
    by_id = {location.pk: location for location in locations}
    since = timezone.now() - datetime.timedelta(days=LATE_CANCELLATIONS_DAYS)
    mine = standing_q() & Q(volunteer=user, shift__date__gte=today, shift__location_id__in=by_id)
    late = Q(cancelled_late=True, shift__location_id__in=coordinated_by_id) & (
        Q(shift__date__gte=today) | Q(cancelled_at__gte=since)
    )
    own = Case(When(mine, then=Value(True)), default=Value(False))
    rows = list(
        Assignment.objects.filter(mine | late)
        .annotate(
            own=own,
            next_rank=Window(
                RowNumber(),
                partition_by=[own],
                order_by=[F("shift__date").asc(), F("shift__starts_at").asc()],
            ),
            late_rank=Window(RowNumber(), partition_by=[own], order_by=[F("cancelled_at").desc()]),
        )
        .filter(Q(own=True, next_rank__lte=SHOWN) | Q(own=False, late_rank__lte=SHOWN))
        .select_related("shift", "volunteer")
    )
    # Their own shifts stand, late cancellations do not: a row is one or the other.
    next_shifts = sorted(
        (row for row in rows if row.own),
        key=lambda row: (row.shift.date, row.shift.starts_at),
    )
    cancelled = sorted(
        (row for row in rows if not row.own), key=lambda row: row.cancelled_at, reverse=True
    )
    return _with_locations(next_shifts, by_id), _with_locations(cancelled, by_id)


def _volunteer_panel(user, locations, today):
    by_id = {location.pk: location for location in locations}
    if not by_id:
        return None
    open_shifts = list(open_places(locations, *open_places_window(today), user=user))
    # Places that are needed (below the minimum) first, then the extra ones; by date within.
    open_shifts.sort(key=lambda shift: not shift.is_understaffed)
    return {
        "template": "volunteers/dashboard/volunteer.html",
        "next_shifts": _next_shifts(user, by_id, today),
        "open_shifts": open_shifts[:SHOWN],
        # The places they can take (not at a time they already work), as "Open plekken" offers.
        "open_places": sum(shift.places_left for shift in open_shifts if not shift.busy),
        "my_shifts_url": reverse("volunteers:my-shifts"),
        "open_places_url": reverse("volunteers:open-places"),
    }


ROSTER = "dashboard_shifts"  # the attribute roster_prefetch puts on each location
FIGURES = "dashboard_roster"  # the attribute add_roster_figures puts on each location


@dataclass
class RosterFigures:
    """What the staff dashboard shows of a location's roster. The gap weeks (today up to
    WEEKS_AHEAD): the places short (Shift.places_needed of the understaffed shifts) and the
    day-parts without a shift lead (day_parts_without_lead). This week, closed days left out:
    the shifts not understaffed ("filled") of all ("total"), the visitors panel's fill rate."""

    places_short: int = 0
    without_lead: int = 0
    filled: int = 0
    total: int = 0


def roster_prefetch(today):
    """For prefetch_related_objects on the dashboard's locations: the shifts of this week from
    its Monday up to the last of the gap weeks (WEEKS_AHEAD from today), each with
    Shift.objects.with_state(), as `location.dashboard_shifts`. A coordinator's gaps (here)
    and the figures of add_roster_figures read them: one query for both."""
    return Prefetch(
        "shifts",
        queryset=Shift.objects.with_state().filter(
            date__gte=monday_of(today),
            date__lt=today + datetime.timedelta(weeks=WEEKS_AHEAD),
        ),
        to_attr=ROSTER,
    )


def gaps(location_ids, today, *, weeks=WEEKS_AHEAD, locations=None):
    """The shifts of the coming weeks that are understaffed (Shift.is_understaffed), and the
    day-parts without a shift lead (models.day_parts_without_lead), from one query (none when
    `locations` carry roster_prefetch's shifts). Closed days have neither.

    Returns (below_minimum: [Shift with .taken], without_lead: [((location_id, date,
    day_part), the day-part's lead Shift)])."""
    end = today + datetime.timedelta(weeks=weeks)
    if locations is not None and weeks <= WEEKS_AHEAD:
        wanted = set(location_ids)
        shifts = sorted(
            (
                shift
                for location in locations
                if location.pk in wanted
                for shift in getattr(location, ROSTER)
                if today <= shift.date < end
            ),
            key=lambda shift: (shift.date, shift.starts_at, shift.location_id, shift.task),
        )
    else:
        shifts = list(
            Shift.objects.with_state()
            .filter(location_id__in=location_ids, date__gte=today, date__lt=end)
            .order_by("date", "starts_at", "location_id", "task")
        )
    below = [shift for shift in shifts if shift.is_understaffed]
    missing = day_parts_without_lead(shifts)
    leads = {}
    for shift in shifts:
        if shift.task == Task.SHIFT_LEAD and shift.slot_key in missing:
            leads.setdefault(shift.slot_key, shift)
    return below, list(leads.items())


class _Counted:
    """A shift as add_roster_figures reads it from the database: its fields as a tuple, not a
    model object (a national install has thousands of shifts in the gap weeks). The rules are
    the model's own: Shift.is_understaffed, Shift.places_needed, Shift.slot_key (which
    day_parts_without_lead reads)."""

    __slots__ = ("closed", "date", "day_part", "location_id", "minimum", "taken", "task")
    is_understaffed = Shift.is_understaffed
    places_needed = Shift.places_needed
    slot_key = Shift.slot_key

    def __init__(self, *values):
        (
            self.location_id,
            self.date,
            self.day_part,
            self.task,
            self.minimum,
            self.taken,
            self.closed,
        ) = values


def add_roster_figures(locations, today) -> None:
    """Put RosterFigures on each location as `location.dashboard_roster`.

    From the shifts roster_prefetch put on the locations when they have them (a coordinator's
    few: no query). Otherwise (staff: every location) from one query that reads only the
    shifts the figures need, as tuples: this week's (the fill rate), the understaffed ones of
    the gap weeks (ShiftQuerySet.understaffed's rule) and the shift-lead shifts of the gap
    weeks (day_parts_without_lead judges them), whatever the number of locations."""
    monday = monday_of(today)
    sunday = monday + datetime.timedelta(days=6)
    end = today + datetime.timedelta(weeks=WEEKS_AHEAD)
    figures = {location.pk: RosterFigures() for location in locations}
    if all(hasattr(location, ROSTER) for location in locations):
        shifts = [shift for location in locations for shift in getattr(location, ROSTER)]
    else:
        shifts = [
            _Counted(*row)
            for row in Shift.objects.with_state()
            .filter(location_id__in=list(figures), date__gte=monday, date__lt=end)
            .filter(
                Q(date__lte=sunday) | understaffed_q() | Q(task=Task.SHIFT_LEAD, date__gte=today)
            )
            .order_by()
            .values_list("location_id", "date", "day_part", "task", "minimum", "taken", "closed")
        ]
    leads = []
    for shift in shifts:
        location_figures = figures[shift.location_id]
        if shift.date <= sunday and not shift.closed:  # this week, closed days left out
            location_figures.total += 1
            if not shift.is_understaffed:
                location_figures.filled += 1
        if today <= shift.date < end:
            location_figures.places_short += shift.places_needed
            if shift.task == Task.SHIFT_LEAD:
                leads.append(shift)
    for location_id, _date, _part in day_parts_without_lead(leads):
        figures[location_id].without_lead += 1
    for location in locations:
        setattr(location, FIGURES, figures[location.pk])


def per_week(shifts):
    """[(monday, [shift, ...])] in date order: the gap list grouped per week."""
    weeks = {}
    for shift in shifts:
        weeks.setdefault(monday_of(shift.date), []).append(shift)
    return [(monday, items, monday + datetime.timedelta(days=6)) for monday, items in weeks.items()]


def _coordinator_panel(user, coordinated, locations, today):
    if not coordinated:
        return None
    by_id = {location.pk: location for location in coordinated}
    below, without_lead = gaps(list(by_id), today, locations=coordinated)
    _with_locations(below, by_id, attribute=None)
    for _key, shift in without_lead:
        shift.location = by_id[shift.location_id]
    next_shifts, late = _next_shifts_and_late_cancellations(user, locations, by_id, today)
    todos = onboarding_todos(coordinated, today=today)
    return {
        "template": "volunteers/dashboard/coordinator.html",
        "weeks": WEEKS_AHEAD,
        # Every gap (each a link to who fits it), grouped per week.
        "below_minimum": below,
        "below_minimum_weeks": per_week(below),
        "below_minimum_count": len(below),
        "without_lead": [shift for _key, shift in without_lead],
        "without_lead_count": len(without_lead),
        "late_cancellations": late,
        "todos": todos[:SHOWN],
        "todos_count": len(todos),
        "locations": coordinated,
        "several_locations": len(coordinated) > 1,  # else the gap list leaves out the name
        "next_shifts": next_shifts,
        "my_shifts_url": reverse("volunteers:my-shifts"),
    }


def _staff_panel(locations, today):
    if not locations:
        return None
    rows = [
        {
            "location": location,
            "places_short": getattr(location, FIGURES).places_short,
            "without_lead": getattr(location, FIGURES).without_lead,
        }
        for location in locations
    ]
    summary = None
    if summarised(locations):
        # A national install: the totals, and the locations with the most gaps first.
        with_gaps = sorted(
            (row for row in rows if row["places_short"] or row["without_lead"]),
            key=lambda row: (-row["places_short"], -row["without_lead"], row["location"].name),
        )
        summary = {
            "locations": len(locations),
            "with_gaps": len(with_gaps),
            "places_short": sum(row["places_short"] for row in rows),
            "without_lead": sum(row["without_lead"] for row in rows),
            "more": max(len(with_gaps) - LISTED, 0),
        }
        rows = with_gaps[:LISTED]
    return {
        "template": "volunteers/dashboard/staff.html",
        "weeks": WEEKS_AHEAD,
        "rows": rows,
        "summary": summary,
    }
