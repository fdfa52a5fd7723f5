"""Issue 17: the staff dashboard (every location) counts the roster's gaps and this week's fill
rate from one query (volunteers/dashboard.py add_roster_figures: this week's shifts, the
understaffed ones by ShiftQuerySet.understaffed's rule, the lead shifts), a coordinator's (a few
locations) from the shifts themselves; the visitors panel reads the settled days from the daily
roll-up and the later days from the visits. Both ways give the same figures. The clock stands on
Wednesday 25 November 2026: the roll-up settles up to Saturday 21 November (visitors/rollup.py),
in the middle of last week."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from locations.models import Closure, DayPart, Role
from visitors.models import SettledDays
from volunteers.models import Assignment, Task

from .factories import MembershipFactory
from .support import add_visits, make_persona, make_shift

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=AMSTERDAM)
TODAY = NOW.date()
MONDAY = datetime.date(2026, 11, 23)
DASHBOARD = reverse("dashboard")


@pytest.fixture(autouse=True)
def now(db):
    with time_machine.travel(NOW, tick=False):
        yield NOW


def panel_of(response, prefix):
    return next(p for p in response.context["panels"] if p["template"].startswith(prefix))


def take(shift, people, *, cancelled=0):
    for number, person in enumerate(people):
        Assignment.objects.create(
            shift=shift,
            volunteer=person,
            cancelled_at=timezone.now() if number < cancelled else None,
        )


@pytest.fixture
def roster(dokkum, burgum):
    """Shifts at Dokkum and Burgum from this Monday to past the four gap weeks: short ones,
    full ones, a closed day, lead shifts with and without someone standing, cancellations."""
    team = [MembershipFactory(location=dokkum).user for _ in range(4)]
    day = datetime.timedelta(days=1)
    # Monday (before today): this week's fill rate, not a gap.
    take(make_shift(dokkum, MONDAY, Task.HOST, minimum=2, maximum=3), team[:1])
    take(make_shift(dokkum, MONDAY, Task.SHIFT_LEAD, maximum=1), team[1:2])
    # Today: a host short by two (one cancelled), a lead shift without anyone.
    take(make_shift(dokkum, TODAY, Task.HOST, minimum=3, maximum=3), team[:2], cancelled=1)
    make_shift(dokkum, TODAY, Task.SHIFT_LEAD, maximum=1)
    # Friday: full; two lead shifts in one day-part, one of them taken: it has a lead.
    take(make_shift(dokkum, TODAY + 2 * day, Task.HOST, maximum=2), team[:2])
    take(make_shift(dokkum, TODAY + 2 * day, Task.SHIFT_LEAD, maximum=1), team[2:3])
    make_shift(dokkum, TODAY + 2 * day, Task.SHIFT_LEAD, regular=False, maximum=1)
    # Next week, the afternoon: short by one, no lead.
    make_shift(dokkum, TODAY + 7 * day, Task.KITCHEN, part=DayPart.AFTERNOON)
    make_shift(dokkum, TODAY + 7 * day, Task.SHIFT_LEAD, part=DayPart.AFTERNOON)
    # Past the four weeks: neither a gap nor this week.
    make_shift(dokkum, TODAY + 29 * day, Task.HOST)
    make_shift(dokkum, TODAY + 29 * day, Task.SHIFT_LEAD)
    # Burgum: closed on Thursday (no gaps, not in the fill rate), short on Saturday.
    Closure.objects.create(
        location=burgum, starts_on=TODAY + day, ends_on=TODAY + day, reason="Dicht"
    )
    make_shift(burgum, TODAY + day, Task.HOST, minimum=2)
    make_shift(burgum, TODAY + day, Task.SHIFT_LEAD)
    make_shift(burgum, TODAY + 3 * day, Task.HOST, minimum=2, maximum=2)
    take(make_shift(burgum, TODAY + 3 * day, Task.SHIFT_LEAD), team[3:4])
    return {"dokkum": dokkum, "burgum": burgum}


@pytest.fixture
def coordinator_of_both(burgum):
    person = make_persona("coordinator")  # of Dokkum
    MembershipFactory(location=burgum, user=person, role=Role.COORDINATOR)
    return person


def test_the_staff_roster_figures_counted_in_sql_equal_the_coordinators_from_the_shifts(
    client, login, roster, coordinator_of_both
):
    staff = panel_of(login(make_persona("staff")).get(DASHBOARD), "volunteers/")
    staff_gaps = {
        row["location"].slug: (row["places_short"], row["without_lead"]) for row in staff["rows"]
    }
    staff_fill = {
        row["location"].slug: row["fill"]
        for row in panel_of(client.get(DASHBOARD), "visitors/")["rows"]
    }

    response = login(coordinator_of_both).get(DASHBOARD)
    coordinator = panel_of(response, "volunteers/")
    coordinator_gaps = {
        slug: (
            sum(s.places_needed for s in coordinator["below_minimum"] if s.location.slug == slug),
            len([s for s in coordinator["without_lead"] if s.location.slug == slug]),
        )
        for slug in roster
    }
    coordinator_fill = {
        row["location"].slug: row["fill"] for row in panel_of(response, "visitors/")["rows"]
    }

    # Dokkum: today's host 2 short and its lead 1, Friday's extra lead 1, next week's kitchen
    # and lead 1 each; no lead today and next week's afternoon (Friday has one).
    assert coordinator_gaps == {"dokkum": (6, 2), "burgum": (2, 0)}
    assert {slug: staff_gaps[slug] for slug in roster} == coordinator_gaps
    # This week at Dokkum: Monday's lead, Friday's host and lead filled, 3 of 7; at Burgum the
    # closed Thursday left out: the short host and the lead on Saturday, 1 of 2.
    assert coordinator_fill == {
        "dokkum": {"filled": 3, "total": 7, "share": 43},
        "burgum": {"filled": 1, "total": 2, "share": 50},
    }
    assert {slug: staff_fill[slug] for slug in roster} == coordinator_fill


FIGURES = ["this", "last_to_date", "last", "last_year", "trend", "period", "period_last_year"]


def visitor_figures(client):
    panel = panel_of(client.get(DASHBOARD), "visitors/")
    rows = {row["location"].slug: {key: row[key] for key in FIGURES} for row in panel["rows"]}
    openings = [(o["location"].slug, o["date"], o["day_part"]) for o in panel["openings"]]
    return rows, openings


def test_the_visitors_panel_counts_the_same_from_the_roll_up_as_from_the_visits(
    client, login, dokkum, burgum
):
    day = datetime.timedelta(days=1)
    for when, n in [
        (TODAY, 4),  # this week, live
        (MONDAY, 3),  # this week, live
        (MONDAY - 7 * day, 5),  # last Monday: settled
        (MONDAY - day, 2),  # last Sunday: after the settled days
        (MONDAY - 3 * day, 6),  # last Friday: settled
        (MONDAY - 4 * 7 * day, 7),  # a trend week, the first of the movers' four
        (datetime.date(2025, 11, 24), 8),  # the same Monday a year ago
        (datetime.date(2025, 11, 10), 9),  # the movers' weeks a year ago
        (datetime.date(2025, 11, 23), 1),  # the day before last year's week: movers
    ]:
        add_visits(dokkum, when, n)
    add_visits(burgum, MONDAY - 6 * day, 2, DayPart.AFTERNOON)
    add_visits(burgum, MONDAY - 6 * day, 5, voided=True)  # not counted, rolled up or not
    add_visits(burgum, datetime.date(2025, 6, 2), 10)  # outside every period
    login(make_persona("staff"))

    from_visits = visitor_figures(client)
    call_command("settle_visits")
    assert SettledDays.objects.get().through == datetime.date(2026, 11, 21)
    from_roll_up = visitor_figures(client)

    assert from_roll_up == from_visits
    dokkum_figures = from_visits[0]["dokkum"]
    assert dokkum_figures["this"] == 7
    assert dokkum_figures["last"] == 13
    assert dokkum_figures["last_year"] == 8
    assert dokkum_figures["trend"][-1] == 13
    assert dokkum_figures["trend"][-4] == 7
    assert dokkum_figures["period"] == 13 + 7
    assert dokkum_figures["period_last_year"] == 9 + 1
    assert from_visits[0]["burgum"]["last"] == 2
