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

from django.db.models import Case, DateField, F, Value, When
from django.db.models.functions import Cast, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from buurtkamer.dashboard import LISTED, summarised
from buurtkamer.dates import monday_of, same_week_a_year_before
from buurtkamer.permissions import Dashboard, coordinated_locations
from locations.models import Weekday, closed_dates_of
from volunteers.dashboard import FIGURES as ROSTER_FIGURES

from . import charts
from .reports import opened_day_parts
from .reports.figures import halves, settled_through

TREND_WEEKS = 8
OPENINGS_DAYS = 14
MOVERS_WEEKS = 4  # the movers compare the last four whole weeks with a year before
MOVERS_SHOWN = 5  # risers and fallers each
SIX_DAYS = datetime.timedelta(days=6)  # a week's Monday to its Sunday


def visit_rows(locations, today):
    """[(location id, day, day part, counted visits)] of what week_figures and
    openings_without_count look at, from one query: the last OPENINGS_DAYS days (which hold
    this week and last week) per day and day-part, and the same days as this week's a year ago
    per day; the older days summed per week, keyed by its Monday with day part "": the trend's
    weeks and the MOVERS_WEEKS weeks before the one a year ago. About thirty rows per location,
    however many visits. The settled days from the daily roll-up, the days after them from the
    visits (the report's two halves, visitors/reports/figures.py): a key may come twice, once
    from each half, to be added up. Two queries: the last settled day, then the rows."""
    monday = monday_of(today)
    first = monday - datetime.timedelta(weeks=TREND_WEEKS)
    recent = today - datetime.timedelta(days=OPENINGS_DAYS)
    year_ago = same_week_a_year_before(monday)
    movers_year_ago = year_ago - datetime.timedelta(weeks=MOVERS_WEEKS)
    # Every period week_figures adds up is whole weeks from a Monday, or days: two conditions
    # instead of one per period (cheaper to build and to count).
    key = Case(
        When(date__gte=recent, then=F("date")),
        When(date__range=(year_ago, year_ago + (today - monday)), then=F("date")),
        default=Cast(TruncWeek("date"), DateField()),  # a date on PostgreSQL too
        output_field=DateField(),
    )
    part = Case(When(date__gte=recent, then=F("day_part")), default=Value(""))
    ids = [location.pk for location in locations]
    through = settled_through()
    parts = [
        half.rows.order_by()
        .values("location_id", day=key, part=part)
        .annotate(n=half.n())
        .values_list("location_id", "day", "part", "n")
        # The weeks up to today, and the same weeks a year before: two ranges, so that each
        # half reads only the days it counts.
        for start, end in ((first, today), (movers_year_ago, year_ago + (today - monday)))
        for half in halves(ids, start, end, through)
    ]
    return list(parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0])


def _weeks(first, count):
    return [first + datetime.timedelta(weeks=number) for number in range(count)]


def week_figures(locations, today, rows):
    """{location id: figures} of the visits per week, from visit_rows.

    The current week has only just begun on a Monday, so it is compared up to today with the
    same days of last week ("this" / "last_to_date") and of the same ISO week a year earlier
    ("last_year"); "last" is the whole of last week. The trend holds whole weeks only (the
    TREND_WEEKS weeks before this one): a week that is not over yet would dive to 0 each Monday.
    "period" is the MOVERS_WEEKS whole weeks before this one, "period_last_year" the same weeks
    a year earlier: what the movers and the municipalities compare.
    """
    monday = monday_of(today)
    elapsed = today - monday  # 0 days on a Monday
    first = monday - datetime.timedelta(weeks=TREND_WEEKS)
    year_ago = same_week_a_year_before(monday)
    last_monday = monday - datetime.timedelta(weeks=1)
    before = datetime.timedelta(weeks=MOVERS_WEEKS)
    yesterday = datetime.timedelta(days=1)
    spans = {
        "this": (monday, today),
        "last_to_date": (last_monday, last_monday + elapsed),
        "last": (last_monday, monday - yesterday),
        "last_year": (year_ago, year_ago + elapsed),
        "period": (monday - before, monday - yesterday),
        "period_last_year": (year_ago - before, year_ago - yesterday),
    }
    weeks = _weeks(first, TREND_WEEKS)
    figures = {
        location.pk: {**dict.fromkeys(spans, 0), "trend": [0] * TREND_WEEKS}
        for location in locations
    }
    # Which figures a row's day counts in, worked out once per day (a few dozen), not per row.
    counts_in = {}
    for location_id, day, _day_part, n in rows:
        if day not in counts_in:
            counts_in[day] = (
                [name for name, (start, end) in spans.items() if start <= day <= end],
                [i for i, week in enumerate(weeks) if week <= day <= week + SIX_DAYS],
            )
        names, trend_weeks = counts_in[day]
        location_figures = figures[location_id]
        for name in names:
            location_figures[name] += n
        for i in trend_weeks:
            location_figures["trend"][i] += n
    return figures


def openings_without_count(locations, today, rows):
    """[(location, date, day part)] of opened day-parts of the last two weeks (not today) with
    no counted visit and no tally (visit_rows). No query: the opening hours and closures came
    with the locations (LocationQuerySet.with_calendar)."""
    ids = [location.pk for location in locations]
    start, end = today - datetime.timedelta(days=OPENINGS_DAYS), today - datetime.timedelta(days=1)
    hours = [  # read by the dashboard with the locations (LocationQuerySet.with_calendar)
        (row.location_id, row.weekday, row.day_part, row.opens_at, row.closes_at)
        for location in locations
        for row in location.calendar_hours
    ]
    # And the closures around today, read the same way.
    closures = [closure for location in locations for closure in location.calendar_closures]
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


def fill_rates(locations):
    """{location id: (shifts not understaffed, shifts)} this week; closed days left out
    (Shift.is_understaffed: the roster's own rule). Read from the figures the dashboard put on
    the locations (volunteers.dashboard.add_roster_figures): no query."""
    return {
        location.pk: (figures.filled, figures.total)
        for location in locations
        if (figures := getattr(location, ROSTER_FIGURES)).total
    }


def _row(location, figures, fills, follow_ups, *, shown=True):
    """A location's row; `shown` False for a row only added up into the summary's totals
    (no chart, no link: with hundreds of locations they would be made for nothing)."""
    filled, total = fills.get(location.pk, (0, 0))
    row = {
        "location": location,
        **figures,
        "fill": {
            "filled": filled,
            "total": total,
            "share": round(filled * 100 / total) if total else None,
        },
        "follow_ups": follow_ups.get(location.pk, 0),
    }
    if shown:
        row["spark"] = charts.sparkline(
            _("Bezoeken per week, de laatste %(weeks)s volle weken, %(location)s")
            % {"weeks": TREND_WEEKS, "location": location.name},
            figures["trend"],
        )
        row["report_url"] = (
            reverse("visitors:report")
            + "?"
            + urlencode({"periode": "deze-maand", "locatie": location.slug})
        )
    return row


def _change(now, before):
    """The change from `before` to `now` in whole percents, None when there was nothing before."""
    return round((now - before) * 100 / before) if before else None


def movers(locations, weeks):
    """(risers, fallers): the MOVERS_SHOWN locations whose visits of the last MOVERS_WEEKS whole
    weeks grew most against the same weeks a year before, and those that shrank most, in
    visits (a big location's dip weighs more than a small one's), then by name."""
    rows = [
        {
            "location": location,
            "now": weeks[location.pk]["period"],
            "before": weeks[location.pk]["period_last_year"],
        }
        for location in locations
    ]
    for row in rows:
        row["difference"] = row["now"] - row["before"]
        row["change"] = _change(row["now"], row["before"])
    risers = sorted(
        (row for row in rows if row["difference"] > 0),
        key=lambda row: (-row["difference"], row["location"].name),
    )
    fallers = sorted(
        (row for row in rows if row["difference"] < 0),
        key=lambda row: (row["difference"], row["location"].name),
    )
    return risers[:MOVERS_SHOWN], fallers[:MOVERS_SHOWN]


def per_municipality(locations, weeks):
    """[{municipality, locations, today, now, before, change}] by municipality name: the visits
    of today and of the last MOVERS_WEEKS whole weeks beside the same weeks a year before."""
    groups = {}
    for location in locations:
        group = groups.setdefault(
            location.municipality,
            {
                "municipality": location.municipality,
                "locations": 0,
                "today": 0,
                "now": 0,
                "before": 0,
            },
        )
        group["locations"] += 1
        group["today"] += location.visitors_today
        group["now"] += weeks[location.pk]["period"]
        group["before"] += weeks[location.pk]["period_last_year"]
    rows = sorted(groups.values(), key=lambda group: group["municipality"].casefold())
    for row in rows:
        row["change"] = _change(row["now"], row["before"])
    return rows


def totals(rows):
    """The figures of all rows added up, for the summary's "all locations" line."""
    filled = sum(row["fill"]["filled"] for row in rows)
    total = sum(row["fill"]["total"] for row in rows)
    trend = [sum(week) for week in zip(*(row["trend"] for row in rows), strict=True)]
    return {
        **{
            key: sum(row[key] for row in rows)
            for key in ("this", "last_to_date", "last", "last_year", "follow_ups")
        },
        "trend": trend,
        "spark": charts.sparkline(
            _("Bezoeken per week, de laatste %(weeks)s volle weken, alle locaties")
            % {"weeks": TREND_WEEKS},
            trend,
        ),
        "fill": {
            "filled": filled,
            "total": total,
            "share": round(filled * 100 / total) if total else None,
        },
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
    fills = fill_rates(shown)
    follow_ups = {location.pk: location.open_follow_ups for location in shown}
    many = summarised(shown)
    rows = [
        _row(location, weeks[location.pk], fills, follow_ups, shown=not many) for location in shown
    ]
    summary = None
    if many:
        # A national install: the totals, the movers and the municipalities instead of a row
        # per location (buurtkamer/dashboard.py).
        risers, fallers = movers(shown, weeks)
        summary = {
            "locations": len(shown),
            "totals": totals(rows),
            "risers": risers,
            "fallers": fallers,
            "mover_lists": [
                (
                    risers,
                    _("Meer bezoekers dan vorig jaar"),
                    "stijgers",
                    _("Geen enkele locatie had meer bezoekers dan vorig jaar."),
                ),
                (
                    fallers,
                    _("Minder bezoekers dan vorig jaar"),
                    "dalers",
                    _("Geen enkele locatie had minder bezoekers dan vorig jaar."),
                ),
            ],
            "municipalities": per_municipality(shown, weeks),
            "movers_weeks": MOVERS_WEEKS,
        }
        rows = []
    unrecorded = openings_without_count(shown, today, visits)  # the most recent first
    # With many locations the first LISTED, and how many more.
    shown_openings = unrecorded[:LISTED] if summary else unrecorded
    openings = [
        {
            "location": location,
            "date": day,
            "day_part": day_part,
            "url": reverse("visitors:tallies", kwargs={"slug": location.slug})
            + "?"
            + urlencode({"date": day.isoformat(), "day_part": day_part}),
        }
        for location, day, day_part in shown_openings
    ]
    return {
        "template": "visitors/reports/dashboard_panel.html",
        "kind": kind,
        "rows": rows,
        "summary": summary,
        "openings": openings,
        "openings_more": len(unrecorded) - len(shown_openings),
        "weekday": Weekday(today.isoweekday()).label,
        "trend_weeks": TREND_WEEKS,
        "lead": kind == Dashboard.STAFF,  # the staff dashboard starts with it: what staff come for
        "report_url": reverse("visitors:report"),
    }
