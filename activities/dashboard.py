"""What the activities area adds to the dashboard (buurtkamer/views.py): one panel or none.

Today's programme and the coming week per location, with room conflicts and dates outside the
opening hours marked, and the way to each location's calendar. A fixed number of queries
(occurrences, closures, opening hours, conflicts), whatever the number of locations.
"""

import datetime
from collections import defaultdict

from django.utils import timezone

from buurtkamer.dashboard import LISTED, summarised
from locations.models import closed_dates_of

from . import services

DAYS = 7  # today and the coming six days


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
    days = services.days_with_occurrences(
        locations,
        today,
        end,
        hours=[hours for location in locations for hours in location.calendar_hours],
        closed=closed_dates_of(closures, today, end),
        related=("activity",),  # the panel shows the title; hundreds of rows at a national install
    )
    # Each location's occurrences, in the order of the days: one pass over them all.
    per_location = defaultdict(list)
    for day in days:
        for occurrence in day.occurrences:
            per_location[occurrence.activity.location_id].append(occurrence)
    rows = []
    for location in locations:
        coming = per_location[location.pk]
        rows.append(
            {
                "location": location,
                "today": [o for o in coming if o.date == today],
                "week": len([o for o in coming if not o.is_cancelled]),
                "problems": [
                    o
                    for o in coming
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
