"""What the activities area adds to the dashboard (buurtkamer/views.py): one panel or none.

Today's programme and the coming week per location, with room conflicts and dates outside the
opening hours marked, and the way to each location's calendar. A fixed number of queries
(occurrences, closures, opening hours, conflicts), whatever the number of locations.
"""

import datetime
from collections import defaultdict
from typing import NamedTuple

from django.utils import timezone

from buurtkamer.dashboard import LISTED, summarised
from locations.models import closed_dates_of

from . import services
from .models import Occurrence

DAYS = 7  # today and the coming six days


class Titled(NamedTuple):
    """What the panel shows of an occurrence's activity."""

    location_id: int
    title: str


class Coming:
    """An occurrence as the panel reads it: its fields as a tuple, not a model object (a
    national install has 1,500 a week; building model objects for them cost more than the rest
    of the panel). The rules are the model's own: Occurrence.is_cancelled and
    Occurrence.overlaps (which services.room_conflicts asks)."""

    __slots__ = (
        "activity",
        "closed",
        "conflicts",
        "date",
        "ends_at",
        "outside_hours",
        "pk",
        "room_id",
        "starts_at",
        "status",
    )
    is_cancelled = Occurrence.is_cancelled
    overlaps = Occurrence.overlaps

    def __init__(self, pk, location_id, title, date, starts_at, ends_at, room_id, status):
        self.pk, self.activity = pk, Titled(location_id, title)
        self.date, self.starts_at, self.ends_at = date, starts_at, ends_at
        self.room_id, self.status = room_id, status


def week_ahead(locations, start, end, *, hours, closed) -> list[Coming]:
    """The occurrences (cancelled ones too) of these locations from start to end, in the order
    of the calendar (services.days_with_occurrences), each marked as there
    (services.mark_problems): one query, and one more only when an occurrence has a room
    (services.room_conflicts). `hours` and `closed` as days_with_occurrences takes
    them."""
    location_ids = [location.pk for location in locations]
    coming = [
        Coming(*row)
        for row in Occurrence.objects.filter(activity__location_id__in=location_ids)
        .between(start, end)
        .order_by("date", "starts_at", "activity__title")
        .values_list(
            "pk",
            "activity__location_id",
            "activity__title",
            "date",
            "starts_at",
            "ends_at",
            "room_id",
            "status",
        )
    ]
    services.mark_problems(coming, location_ids, hours=hours, closed=closed)
    return coming


def panel(request, *, kind, locations):
    """The context of this area's dashboard panel, or None to show nothing.

    kind: which dashboard (permissions.Dashboard); locations: the Location objects on it
    (already fetched). The dict returned must hold "template", which the dashboard includes
    with the dict as `panel`.
    """
    locations = list(locations)
    if not locations:
        return None
    today = timezone.localdate()
    end = today + datetime.timedelta(days=DAYS - 1)
    # Read by the dashboard with the locations (buurtkamer/views.py, with_calendar): the opening
    # hours and the closures around today.
    closures = [closure for location in locations for closure in location.calendar_closures]
    coming = week_ahead(
        locations,
        today,
        end,
        hours=[hours for location in locations for hours in location.calendar_hours],
        closed=closed_dates_of(closures, today, end),
    )
    # Each location's occurrences, in the order of the days: one pass over them all.
    per_location = defaultdict(list)
    for occurrence in coming:
        per_location[occurrence.activity.location_id].append(occurrence)
    rows = []
    for location in locations:
        mine = per_location[location.pk]
        rows.append(
            {
                "location": location,
                "today": [o for o in mine if o.date == today],
                "week": len([o for o in mine if not o.is_cancelled]),
                "problems": [
                    o
                    for o in mine
                    if not o.is_cancelled and (o.conflicts or o.outside_hours or o.closed)
                ],
            }
        )
    summary = None
    if summarised(locations):
        # A national install: the totals, and the locations with clashes first.
        with_problems = sorted(
            (row for row in rows if row["problems"]),
            key=lambda row: (-len(row["problems"]), row["location"].name),
        )
        summary = {
            "today": sum(len(row["today"]) for row in rows),
            "week": sum(row["week"] for row in rows),
            "problems": sum(len(row["problems"]) for row in rows),
            "more": max(len(with_problems) - LISTED, 0),
        }
        rows = with_problems[:LISTED]
    return {
        "template": "activities/dashboard_panel.html",
        "rows": rows,
        "summary": summary,
        "kind": kind,
        "several": len(locations) > 1,
    }
