"""The reports' daily roll-up (visitors/rollup.py): whatever taps, undos, late taps, tallies,
corrections, voids and nightly runs happen, the roll-up equals counting the visits, and the
report's figures are the same with it as without it (and as counting directly)."""

import contextlib
import datetime
import io
import uuid
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locations.demo import demo_opening_hours
from locations.models import Closure, DayPart, Location, OpeningHours, Weekday
from visitors import rollup, services
from visitors.models import (
    CameVia,
    DailyCount,
    FirstVisit,
    ManualTally,
    MonthlyCount,
    MonthlyTotal,
    SettledDays,
    Visit,
)
from visitors.reports import Filters, build_report
from visitors.reports.filters import Grouping

from .factories import LocationFactory, OccurrenceFactory, force_login

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=AMSTERDAM)  # a Monday; DST on 29 March

SEQUENCES = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def world(db, coordinator):
    """Dokkum and Burgum with their demo opening hours, a closure, two ways in and an activity
    on three Tuesdays."""
    dokkum, burgum = Location.objects.get(slug="dokkum"), Location.objects.get(slug="burgum")
    for location in (dokkum, burgum):
        OpeningHours.objects.bulk_create(demo_opening_hours(location))
    Closure.objects.create(
        location=dokkum,
        starts_on=datetime.date(2026, 3, 10),
        ends_on=datetime.date(2026, 3, 12),
        reason="Schilders",
    )
    ways = [CameVia.objects.create(name="Flyer"), CameVia.objects.create(name="Huisarts")]
    occurrences = [
        OccurrenceFactory(activity__location=dokkum, date=datetime.date(2026, 3, day))
        for day in (3, 10, 17)
    ]
    return {
        "locations": [dokkum, burgum],
        "ways": ways,
        "occurrences": occurrences,
        "user": coordinator,
    }


# The steps of a sequence --------------------------------------------------------------------

STEPS = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 60)),  # hours
    st.tuples(
        st.just("tap"),
        st.integers(0, 1),  # which location
        st.floats(0, 47.9),  # hours late (queued on the tablet)
        st.sampled_from(FirstVisit.values),
        st.integers(0, 2),  # how they came (2: not given)
        st.booleans(),  # for the activity of that day, if any
    ),
    st.tuples(st.just("undo")),
    st.tuples(
        st.just("tally"),
        st.integers(0, 1),
        st.integers(1, 30),  # days back
        st.sampled_from(DayPart.values),
        st.integers(1, 4),
        st.integers(0, 4),
    ),
    st.tuples(st.just("correct"), st.integers(0, 5), st.integers(1, 4), st.integers(0, 4)),
    st.tuples(st.just("void"), st.integers(0, 5)),
    st.tuples(st.just("settle")),
)


def _step(step, world, taps):
    kind, *args = step
    user, now = world["user"], datetime.datetime.now(tz=AMSTERDAM)
    if kind == "tap":
        which, late, first, way, for_activity = args
        location = world["locations"][which]
        tapped_at = now - datetime.timedelta(hours=late)
        occurrence = next(
            (o for o in world["occurrences"] if o.activity.location_id == location.pk), None
        )
        visit, _created = services.record_visit(
            location=location,
            client_id=uuid.uuid4(),
            facts=services.VisitFacts(
                first_visit=first, came_via=world["ways"][way] if way < 2 else None
            ),
            tapped_at=tapped_at,
            occurrence=occurrence if for_activity else None,
        )
        taps.append(visit)
    elif kind == "undo" and taps:
        with contextlib.suppress(services.VisitError):  # too late: nothing changes
            services.undo_visit(location=taps[-1].location, client_id=taps[-1].client_id)
    elif kind == "tally":
        which, days_back, part, visitors, first = args
        try:
            services.record_tally(
                location=world["locations"][which],
                date=now.date() - datetime.timedelta(days=days_back),
                day_part=part,
                visitors=visitors,
                first_visits=min(first, visitors),
                user=user,
            )
        except services.VisitError as error:
            services.correct_tally(
                tally=error.tally, visitors=visitors, first_visits=min(first, visitors), user=user
            )
    elif kind in ("correct", "void"):
        tallies = list(ManualTally.objects.filter(voided_at=None).order_by("pk"))
        if tallies:
            tally = tallies[args[0] % len(tallies)]
            if kind == "void":
                services.void_tally(tally=tally, user=user)
            else:
                visitors, first = args[1], min(args[2], args[1])
                services.correct_tally(
                    tally=tally, visitors=visitors, first_visits=first, user=user
                )
    elif kind == "settle":
        call_command("settle_visits", stdout=io.StringIO())


# What is compared -------------------------------------------------------------------------------

KEY = ["location_id", "day_part", "came_via_id", "occurrence_id"]


def assert_rollup_equals_counting_the_visits():
    through = SettledDays.objects.get(pk=1).through
    rolled = Counter()
    for row in DailyCount.objects.values("date", *KEY).annotate(
        n=Sum("visits"), first=Sum("first_visits")
    ):
        assert through is not None and row["date"] <= through, "a day after the settled ones"
        key = (row["date"], *(row[name] for name in KEY))
        rolled[key, "n"] += row["n"]
        rolled[key, "first"] += row["first"]
    counted = Counter()
    if through is not None:
        for row in (
            Visit.objects.counted()
            .filter(recorded_on__lte=through)
            .values("recorded_on", *KEY)
            .annotate(n=Count("id"), first=Count("id", filter=Q(first_visit=FirstVisit.YES)))
        ):
            key = (row["recorded_on"], *(row[name] for name in KEY))
            counted[key, "n"] += row["n"]
            counted[key, "first"] += row["first"]
    assert +rolled == +counted
    assert not rollup.mismatches()
    call_command("settle_visits", "--check", stdout=io.StringIO())


def _figures(report):
    return {
        "per_unit": report.per_unit,
        "totals": report.totals,
        "timeline": report.timeline,
        "heat": report.heat,
        "slots": report.slots,
        "came_via": report.came_via,
        "activities": report.activities,
    }


def assert_report_same_without_rollup(locations, start, end):
    for grouping in Grouping.values:
        filters = Filters(start=start, end=end, locations=locations, grouping=grouping)
        with_rollup = _figures(build_report(filters, with_stories=False))
        with transaction.atomic():
            SettledDays.objects.filter(pk=1).update(through=None)  # everything counted live
            without = _figures(build_report(filters, with_stories=False))
            transaction.set_rollback(True)
        assert with_rollup == without
    # ... and as counting directly
    visits = Visit.objects.counted().filter(recorded_on__range=(start, end), location__in=locations)
    assert with_rollup["totals"]["visits"] == visits.count()
    assert with_rollup["totals"]["first_visits"] == visits.filter(first_visit="yes").count()
    via = Counter(str(v.came_via or "niet ingevuld") for v in visits.filter(first_visit="yes"))
    assert {str(name): n for name, n in with_rollup["came_via"]} == dict(via)


@SEQUENCES
@given(steps=st.lists(STEPS, max_size=25))
def test_the_rollup_always_equals_counting_the_visits_and_the_report_is_the_same(world, steps):
    with transaction.atomic(), time_machine.travel(START, tick=False) as clock:
        taps = []
        for step in steps:
            if step[0] == "wait":
                clock.shift(datetime.timedelta(hours=step[1]))
            else:
                _step(step, world, taps)
        call_command("settle_visits", stdout=io.StringIO())
        assert_rollup_equals_counting_the_visits()
        today = datetime.datetime.now(tz=AMSTERDAM).date()
        assert_report_same_without_rollup(
            world["locations"], today - datetime.timedelta(days=40), today
        )
        transaction.set_rollback(True)


def test_a_tally_on_a_settled_day_is_in_the_rollup_at_once_and_its_void_too(world):
    dokkum, user = world["locations"][0], world["user"]
    with time_machine.travel(START, tick=False):
        rollup.settle()
        day = SettledDays.objects.get().through
        assert day == datetime.date(2026, 2, 26)  # 72 hours back, the day before
        tally = services.record_tally(
            location=dokkum, date=day, day_part="morning", visitors=7, first_visits=2, user=user
        )
        assert DailyCount.objects.filter(date=day).aggregate(n=Sum("visits"))["n"] == 7
        services.correct_tally(tally=tally, visitors=5, first_visits=1, user=user)
        assert list(DailyCount.objects.values_list("visits", "first_visits")) == [(5, 1)]
        services.void_tally(tally=tally, user=user)
        assert not DailyCount.objects.exists()
        assert_rollup_equals_counting_the_visits()


def test_a_tap_queued_for_48_hours_never_lands_on_a_settled_day(world):
    """The bound the design rests on (visitors/rollup.py): also across the change to summer
    time and with the job run just after midnight."""
    dokkum = world["locations"][0]
    for now in (
        datetime.datetime(2026, 3, 30, 0, 1, tzinfo=AMSTERDAM),  # after the clocks went forward
        datetime.datetime(2026, 6, 1, 23, 59, tzinfo=AMSTERDAM),
        datetime.datetime(2026, 10, 26, 0, 1, tzinfo=AMSTERDAM),  # after they went back
    ):
        with time_machine.travel(now, tick=False):
            rollup.settle()
            visit, _created = services.record_visit(
                location=dokkum,
                client_id=uuid.uuid4(),
                tapped_at=now - services.DEVICE_TIME_MAX_AGE,
            )
            assert visit.recorded_on > SettledDays.objects.get().through


def test_generate_history_leaves_the_rollup_filled_and_equal_to_the_visits(world, settings):
    settings.DEBUG = True
    with time_machine.travel(START, tick=False):
        call_command("generate_history", "--years", "1", stdout=io.StringIO())
        assert SettledDays.objects.get().through == datetime.date(2026, 2, 26)
        assert DailyCount.objects.exists()
        assert_rollup_equals_counting_the_visits()
        call_command("settle_visits", "--rebuild", stdout=io.StringIO())
        assert_rollup_equals_counting_the_visits()
        today = START.date()
        assert_report_same_without_rollup(
            world["locations"],
            today - datetime.timedelta(days=430),
            today,  # 2025 whole
        )


def _locations(n):
    """n locations (the four of the migrations, fewer or more), each with its hours, a closure
    and three visits in September 2025."""
    for slug in Location.objects.values_list("slug", flat=True)[n:]:
        Location.objects.filter(slug=slug).exclude(slug__in=["dokkum", "burgum"]).delete()
    for number in range(n - Location.objects.count()):
        location = LocationFactory(municipality=f"Gemeente {number % 3}")
        OpeningHours.objects.create(
            location=location,
            weekday=Weekday.WEDNESDAY,
            day_part=DayPart.MORNING,
            opens_at=datetime.time(9),
            closes_at=datetime.time(12),
        )
        Closure.objects.create(
            location=location,
            starts_on=datetime.date(2025, 12, 24),
            ends_on=datetime.date(2026, 1, 1),
            reason="Kerst",
        )
        for day in (3, 10, 17):
            when = datetime.datetime(2025, 9, day, 10, tzinfo=AMSTERDAM)
            Visit.objects.create(
                location=location, recorded_at=when, day_part="morning", client_id=uuid.uuid4()
            )


def test_report_queries_do_not_depend_on_the_number_of_locations(world, staff, client):
    """The report, per municipality, the year overview and the CSV: the same number of queries
    for 3 locations as for 12 (the roll-up filled, so both halves are asked)."""
    force_login(client, staff)
    year = {"periode": "anders", "van": "2025-01-01", "tot": "2025-12-31"}
    pages = [
        (reverse("visitors:report"), year),
        (reverse("visitors:report"), {**year, "indeling": "gemeente", "per": "week"}),
        (reverse("visitors:year-overview"), {"jaar": "2025"}),
        (reverse("visitors:report-csv"), year),
    ]
    counts = {}
    with time_machine.travel(START, tick=False):
        for n in (3, 12):
            _locations(n)
            assert Location.objects.count() == n
            rollup.rebuild()
            for url, params in pages:
                client.get(url, params)  # warm: sessions, content types
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url, params)
                assert response.status_code == 200
                counts.setdefault((url, str(params)), []).append(len(captured))
    assert all(few == many for few, many in counts.values()), counts


def test_settle_visits_check_fails_when_the_rollup_differs_from_the_visits(world):
    with time_machine.travel(START, tick=False):
        services.record_tally(
            location=world["locations"][0],
            date=datetime.date(2026, 2, 3),
            day_part="morning",
            visitors=3,
            first_visits=1,
            user=world["user"],
        )
        call_command("settle_visits", stdout=io.StringIO())
        call_command("settle_visits", "--check", stdout=io.StringIO())
        DailyCount.objects.update(visits=2)  # what a write past the services would leave
        # The day differs from its visits, and its month's and year's roll-ups (per slot and
        # in total) from the day.
        with pytest.raises(CommandError, match="differs from the visits in 5 rows"):
            call_command("settle_visits", "--check", stdout=io.StringIO())
        assert rollup.mismatches()[0][-2:] == ((2, 1), (3, 1))
        call_command("settle_visits", "--rebuild", stdout=io.StringIO())
        assert not rollup.mismatches()
        MonthlyCount.objects.filter(months=1).update(visits=4)
        with pytest.raises(CommandError, match="differs from the visits in 1 rows"):
            call_command("settle_visits", "--check", stdout=io.StringIO())
        call_command("settle_visits", "--rebuild", stdout=io.StringIO())
        assert not rollup.mismatches()
        MonthlyTotal.objects.filter(months=12).update(first_visits=0)
        with pytest.raises(CommandError, match="differs from the visits in 1 rows"):
            call_command("settle_visits", "--check", stdout=io.StringIO())
        call_command("settle_visits", "--rebuild", stdout=io.StringIO())
        assert not rollup.mismatches()
