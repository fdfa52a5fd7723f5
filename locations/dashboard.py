"""What the locations area adds to the dashboard (buurtkamer/views.py): the logbook's open
follow-ups for coordinators (their locations) and staff (per location)."""

from buurtkamer.dashboard import LISTED, summarised
from buurtkamer.permissions import Dashboard, coordinated_location_ids

from .models import LogEntry

LATEST = 5  # open follow-ups listed by name on a coordinator's dashboard


def panel(request, *, kind, locations):
    """The context of this area's dashboard panel, or None to show nothing.

    kind: which dashboard (permissions.Dashboard); locations: the Location objects on it
    (already fetched, each with `.open_follow_ups`: LocationQuerySet.with_counts over
    LogEntry.objects.open_follow_ups()). The dict returned must hold "template", which the
    dashboard includes with the dict as `panel`.
    One query at most (the coordinator's latest entries), however many locations and entries.
    """
    if kind == Dashboard.STAFF:
        rows = [(location, location.open_follow_ups) for location in locations]
        total = sum(count for _location, count in rows)
        more = 0
        if summarised(locations):
            # A national install: the locations with the most open follow-ups only.
            rows = sorted((row for row in rows if row[1]), key=lambda row: (-row[1], row[0].name))
            rows, more = rows[:LISTED], max(len(rows) - LISTED, 0)
        return {
            "template": "locations/dashboard_panel.html",
            "kind": kind,
            "rows": rows,
            "total": total,
            "more": more,
        }
    if kind != Dashboard.COORDINATOR:
        return None
    mine = coordinated_location_ids(request.user)
    if not mine:
        return None
    latest = list(
        LogEntry.objects.open_follow_ups()
        .filter(location_id__in=mine)
        .select_related("location")
        .order_by("-date", "-created_at", "-id")[:LATEST]
    )
    rows = [(location, location.open_follow_ups) for location in locations if location.pk in mine]
    return {
        "template": "locations/dashboard_panel.html",
        "kind": kind,
        "rows": rows,
        "latest": latest,
        "total": sum(count for _location, count in rows),
    }
