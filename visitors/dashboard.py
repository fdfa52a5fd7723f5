"""What the visitors area adds to the dashboard (buurtkamer/views.py): one panel or none.

Staff: per location this week up to today beside the same days of last week and of the same
ISO week last year, with a trend line of the last whole weeks (see week_figures), the roster's
fill rate this week, open follow-ups in the logbook, and openings: an opened day-part of the
last two weeks without a single count (a forgotten tablet must not silently become "nobody
came"), each with a link to enter a manual tally. Coordinators: the same for the locations they
coordinate. A fixed number of queries, whatever the number of locations and weeks. On the staff
dashboard the panel comes first ("lead"): it is what staff open the dashboard for.
"""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from buurtkamer.dates import monday_of, same_week_a_year_before
from buurtkamer.permissions import Dashboard, coordinated_locations
from locations.models import Weekday, closed_dates_of
from volunteers.dashboard import ROSTER

from . import charts
from .models import Visit
from .reports import opened_day_parts

TREND_WEEKS = 8
OPENINGS_DAYS = 14


def visit_rows(locations, today):
    """[(location id, date, day part, counted visits)] of every day-part with visitors that
    week_figures and openings_without_count look at: the trend's weeks up to today (which hold
    the openings' two weeks) and the same days a year ago. One query."""
    monday = monday_of(today)
    first = monday - datetime.timedelta(weeks=TREND_WEEKS)
    year_ago = same_week_a_year_before(monday)
    return list(
        Visit.objects.counted()
        .filter(location_id__in=[location.pk for location in locations])
        .filter(
            Q(recorded_on__range=(first, today))
            | Q(recorded_on__range=(year_ago, year_ago + (today - monday)))
        )
        .order_by()
        .values_list("location_id", "recorded_on", "day_part")
        .annotate(n=Count("id"))
    )


def week_figures(locations, today, rows):
    """{location id: figures} of the visits per week, from visit_rows.

    The current week has only just begun on a Monday, so it is compared up to today with the
    same days of last week ("this" / "last_to_date") and of the same ISO week a year earlier
    ("last_year"); "last" is the whole of last week. The trend holds whole weeks only (the
    TREND_WEEKS weeks before this one): a week that is not over yet would dive to 0 each Monday.
    """
    monday = monday_of(today)
    elapsed = today - monday  # 0 days on a Monday
    first = monday - datetime.timedelta(weeks=TREND_WEEKS)
    year_ago = same_week_a_year_before(monday)
    per_day = defaultdict(Counter)
    for location_id, day, _day_part, n in rows:
        per_day[location_id][day] += n

    def visits(location_id, start, end):
        return sum(n for day, n in per_day[location_id].items() if start <= day <= end)

    weeks = [first + datetime.timedelta(weeks=number) for number in range(TREND_WEEKS)]
    last_monday = monday - datetime.timedelta(weeks=1)
    return {
        location.pk: {
            "this": visits(location.pk, monday, today),
            "last_to_date": visits(location.pk, last_monday, last_monday + elapsed),
            "last": visits(location.pk, last_monday, monday - datetime.timedelta(days=1)),
            "last_year": visits(location.pk, year_ago, year_ago + elapsed),
            "trend": [visits(location.pk, w, w + datetime.timedelta(days=6)) for w in weeks],
        }
        for location in locations
    }


def openings_without_count(locations, today, rows):
    """[(location, date, day part)] of opened day-parts of the last two weeks (not today) with
    no counted visit and no tally (visit_rows). No query: the opening hours and closures are
    prefetched on the locations."""
    ids = [location.pk for location in locations]
    start, end = today - datetime.timedelta(days=OPENINGS_DAYS), today - datetime.timedelta(days=1)
    hours = [  # prefetched by the dashboard for the cards
        (row.location_id, row.weekday, row.day_part, row.opens_at, row.closes_at)
        for location in locations
        for row in location.opening_hours.all()
    ]
    # And the closures, prefetched by the dashboard (buurtkamer/views.py DASHBOARD_CLOSURES).
    closures = [closure for location in locations for closure in location.dashboard_closures]
    opened = opened_day_parts(ids, start, end, hours, closed_dates_of(closures, start, end))
    counted = {
        (location_id, day, day_part)
        for location_id, day, day_part, _n in rows
        if start <= day <= end
    }
    by_id = {location.pk: location for location in locations}
    return [
        (by_id[location_id], day, day_part)
        for location_id, day, day_part, _minutes in sorted(
            opened, key=lambda o: (o[1], o[0]), reverse=True
        )
        if (location_id, day, day_part) not in counted
    ]


def fill_rates(locations, today):
    """{location id: (shifts not understaffed, shifts)} this week; closed days left out
    (Shift.is_understaffed: the roster's own rule). The shifts are the ones the dashboard
    prefetched on the locations (volunteers.dashboard.roster_prefetch): no query."""
    monday = monday_of(today)
    sunday = monday + datetime.timedelta(days=6)
    result = {}
    for location in locations:
        for shift in getattr(location, ROSTER):
            if monday <= shift.date <= sunday and not shift.closed:
                filled, total = result.get(shift.location_id, (0, 0))
                result[shift.location_id] = (filled + (not shift.is_understaffed), total + 1)
    return result


def _row(location, figures, fills, follow_ups):
    filled, total = fills.get(location.pk, (0, 0))
    return {
        "location": location,
        **figures,
        "spark": charts.sparkline(
            _("Bezoeken per week, de laatste %(weeks)s volle weken, %(location)s")
            % {"weeks": TREND_WEEKS, "location": location.name},
            figures["trend"],
        ),
        "report_url": reverse("visitors:report")
        + "?"
        + urlencode({"periode": "deze-maand", "locatie": location.slug}),
        "fill": {
            "filled": filled,
            "total": total,
            "share": round(filled * 100 / total) if total else None,
        },
        "follow_ups": follow_ups.get(location.pk, 0),
    }


def panel(request, *, kind, locations):
    """The context of this area's dashboard panel, or None to show nothing.

    kind: which dashboard (permissions.Dashboard); locations: the Location objects on it
    (already fetched). The dict returned must hold "template", which the dashboard includes
    with the dict as `panel`.
    """
    if kind == Dashboard.STAFF:
        shown = list(locations)
    elif kind == Dashboard.COORDINATOR:
        shown = coordinated_locations(request.user, locations)
    else:
        return None
    if not shown:
        return None
    today = timezone.localdate()
    visits = visit_rows(shown, today)
    weeks = week_figures(shown, today, visits)
    fills = fill_rates(shown, today)
    follow_ups = {location.pk: location.open_follow_ups for location in shown}
    rows = [_row(location, weeks[location.pk], fills, follow_ups) for location in shown]
    openings = [
        {
            "location": location,
            "date": day,
            "day_part": day_part,
            "url": reverse("visitors:tallies", kwargs={"slug": location.slug})
            + "?"
            + urlencode({"date": day.isoformat(), "day_part": day_part}),
        }
        for location, day, day_part in openings_without_count(shown, today, visits)
    ]
    return {
        "template": "visitors/reports/dashboard_panel.html",
        "kind": kind,
        "rows": rows,
        "openings": openings,
        "weekday": Weekday(today.isoweekday()).label,
        "trend_weeks": TREND_WEEKS,
        "lead": kind == Dashboard.STAFF,  # the staff dashboard starts with it: what staff come for
        "report_url": reverse("visitors:report"),
    }
