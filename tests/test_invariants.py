"""Issue 12, "one truth per rule": a stateful test over the service functions.

Hypothesis runs random sequences of the real services - taking a place, cancelling it, a
coordinator assigning someone, a status change at one location, adding and removing a closure,
editing an activity series (weekday, end date, volunteers needed), recording attendance, a
manual tally (recorded, corrected, voided), a tablet tap (also retried, and one that names
today's activity) and undoing it, and the clock moving on - and after every step checks the
rules that must hold whatever came before:

- no shift has more standing assignments than its maximum;
- nobody stands on a coming shift they were put on after being paused or stopped at that
  location (take_place refuses them);
- on a closed date: no shift with an open place (Shift.places_left, with_open_places,
  open_places), nobody to remind (send_shift_reminders), no planned activity date;
- an activity date with attendance, notes or check-ins is never deleted;
- the counted visits of a day (the reports' figure, build_report, and the tablet's, counts_on)
  are the taps not undone plus the tallies not voided.

Refusals the services are meant to give (RosterError, ProfileError, LocationError,
OccurrenceError, VisitError) are fine; anything else fails the test. Every example builds its
world in a savepoint that its teardown rolls back, with the clock frozen on a fixed Tuesday.

What it found is pinned by a plain test at the end of this file.
"""

import collections
import contextlib
import datetime
import uuid
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from activities import services as activity_services
from activities.models import Activity, Category, Occurrence, OccurrenceStatus, Recurrence
from locations import services as location_services
from locations.models import Closure, DayPart, Location, Membership, OpeningHours, Role
from visitors import reports
from visitors import services as visit_services
from visitors.models import ManualTally
from volunteers import notifications
from volunteers import services as roster
from volunteers.models import Assignment, MemberRecord, Shift, ShiftTemplate, Status, Task
from volunteers.profiles import ProfileError, change_status

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
TODAY = datetime.date(2027, 3, 2)  # a Tuesday
START = datetime.datetime(2027, 3, 2, 8, 0, tzinfo=AMSTERDAM)
LATEST = datetime.datetime(2027, 3, 2, 22, 0, tzinfo=AMSTERDAM)  # the clock stays on TODAY
WEEKS = 1  # regular shifts for today and the next 6 days
BUSY_DAYS = 4  # people take places on the first four (so shifts fill up and overlap)
T = datetime.time
M, A = DayPart.MORNING, DayPart.AFTERNOON

INVARIANT_SETTINGS = settings(
    max_examples=20,
    stateful_step_count=35,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PICK = st.integers(min_value=0, max_value=10_000)  # an index into a list, modulo its length


def pick(items, index):
    return items[index % len(items)] if items else None


OUTCOMES = collections.Counter()  # what the steps came to, printed by the test (pytest -s)


def outcome(text):
    OUTCOMES[text] += 1


@contextlib.contextmanager
def refusable(step, *errors):
    """Run a service that may refuse (only with these errors), and count what came of it."""
    try:
        yield
    except errors as error:
        outcome(f"{step}: refused ({getattr(error, 'code', '') or type(error).__name__})")
    else:
        outcome(f"{step}: done")


class Buurtkamer(RuleBasedStateMachine):
    """One location (Dokkum) with a week of roster (places are taken on its first days), five
    volunteers and a coordinator (one also at Burgum, one only at Burgum), an evening activity
    every Tuesday for three more weeks with a support shift for two, and a tablet."""

    def __init__(self):
        super().__init__()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        try:
            self.build_world()
        except BaseException:
            self.teardown()
            raise

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        self.traveller.stop()
        mail.outbox = []

    def build_world(self):
        self.location = Location.objects.get(slug="dokkum")
        self.other = Location.objects.get(slug="burgum")
        for weekday in range(1, 8):
            for part, opens, closes in [(M, T(10, 0), T(12, 30)), (A, T(13, 30), T(16, 30))]:
                OpeningHours.objects.create(
                    location=self.location,
                    weekday=weekday,
                    day_part=part,
                    opens_at=opens,
                    closes_at=closes,
                )
            for part, task, low, high in [
                (M, Task.SHIFT_LEAD, 1, 1),
                (M, Task.HOST, 1, 2),
                (A, Task.HOST, 1, 2),
            ]:
                ShiftTemplate.objects.create(
                    location=self.location,
                    weekday=weekday,
                    day_part=part,
                    task=task,
                    minimum=low,
                    maximum=high,
                )
        roster.generate_shifts(self.location, start=TODAY, weeks=WEEKS)
        joined = START - datetime.timedelta(days=90)
        self.coordinator = MembershipFactory(
            location=self.location,
            role=Role.COORDINATOR,
            started_at=joined,
            user__first_name="Jan",
        ).user
        names = ["Anneke", "Bauke", "Froukje", "Wiebe", "Nynke"]
        self.volunteers = [
            MembershipFactory(location=self.location, started_at=joined, user__first_name=name).user
            for name in names
        ]
        # Froukje is also at Burgum; Durk only at Burgum (not a member here: refused).
        MembershipFactory(location=self.other, started_at=joined, user=self.volunteers[2])
        self.volunteers.append(
            MembershipFactory(location=self.other, started_at=joined, user__first_name="Durk").user
        )
        self.people = [self.coordinator, *self.volunteers]
        for membership in Membership.objects.filter(user__in=self.people):
            change_status(
                membership=membership,
                status=Status.ACTIVE,
                since=TODAY - datetime.timedelta(days=60),
                changed_by=self.coordinator,
            )
        self.first_day = TODAY - datetime.timedelta(weeks=4)  # a Tuesday
        self.activity = Activity.objects.create(
            location=self.location,
            title="Koffieochtend",
            category=Category.objects.get(name="Koffie en inloop"),
            recurrence=Recurrence.WEEKLY,
            starts_on=self.first_day,
            ends_on=TODAY + datetime.timedelta(weeks=2),  # three coming dates: easy to crowd
            starts_at=T(17, 30),  # after opening hours: its shift overlaps no other
            ends_at=T(19, 30),
            volunteers_needed=2,
        )
        activity_services.generate_occurrences(self.activity)
        self.tablet, _token = visit_services.pair_tablet(
            location=self.location, name="Tablet bij de deur", paired_by=self.coordinator
        )
        # The machine's own bookkeeping, checked against the database.
        self.kept = set()  # occurrences with attendance, notes or check-ins
        self.taps = {}  # client_id -> [day, undone]
        self.tallies = {}  # tally pk -> [day, visitors, voided]
        self.tally_slots = {}  # tally pk -> (day, day part)
        self.status_set_at = {}  # (user pk, location pk) -> when the last status was recorded

    # Helpers ---------------------------------------------------------------------------------

    def tick(self):
        """A second passes before every step, so "made after" is never a tie."""
        self.clock.shift(datetime.timedelta(seconds=1))

    def now(self):
        return datetime.datetime.now(tz=AMSTERDAM)

    def shifts(self, support=False):
        """The shifts of the busy days; with `support`: the activity's support shifts."""
        last = TODAY + datetime.timedelta(days=BUSY_DAYS - 1)
        shifts = Shift.objects.filter(location=self.location, date__lte=last)
        if support:
            shifts = Shift.objects.filter(location=self.location, task=Task.ACTIVITY)
        return list(shifts.order_by("date", "pk"))

    def standing(self):
        return list(
            Assignment.objects.active().filter(shift__location=self.location).order_by("pk")
        )

    def occurrences(self):
        return list(Occurrence.objects.filter(activity=self.activity).order_by("date"))

    # Rules: the roster -----------------------------------------------------------------------

    @rule(shift=PICK, person=PICK, support=st.booleans())
    def take_a_place(self, shift, person, support):
        self.tick()
        chosen = pick(self.shifts(support), shift)
        if chosen is None:
            return
        with refusable("take a place", roster.RosterError):
            roster.take_place(chosen, pick(self.volunteers, person))

    @rule(shift=PICK, person=PICK, support=st.booleans())
    def coordinator_assigns(self, shift, person, support):
        self.tick()
        chosen = pick(self.shifts(support), shift)
        if chosen is None:
            return
        with refusable("assign", roster.RosterError):
            roster.take_place(
                chosen,
                pick(self.people, person),
                assigned_by=self.coordinator,
            )

    @rule(assignment=PICK, by_coordinator=st.booleans())
    def cancel_an_assignment(self, assignment, by_coordinator):
        self.tick()
        chosen = pick(self.standing(), assignment)
        if chosen is None:
            return
        by = self.coordinator if by_coordinator else chosen.volunteer
        with refusable("cancel", roster.RosterError):
            roster.cancel_assignment(chosen, by=by, reason="Ziek")

    @rule(
        membership=PICK,
        status=st.sampled_from(Status.values),
        days_ago=st.integers(min_value=0, max_value=70),
    )
    def change_a_status(self, membership, status, days_ago):
        self.tick()
        memberships = list(Membership.objects.filter(user__in=self.people).order_by("pk"))
        chosen = pick(memberships, membership)
        change = None
        with refusable("change a status", ProfileError):
            change = change_status(
                membership=chosen,
                status=status,
                since=TODAY - datetime.timedelta(days=days_ago),
                changed_by=self.coordinator,
            )
        if change is not None:
            self.status_set_at[(chosen.user_id, chosen.location_id)] = change.changed_at

    # Rules: closures -------------------------------------------------------------------------

    @rule(
        offset=st.integers(min_value=0, max_value=7 * WEEKS),
        length=st.integers(min_value=0, max_value=2),
    )
    def add_a_closure(self, offset, length):
        self.tick()
        starts_on = TODAY + datetime.timedelta(days=offset)
        with refusable("add a closure", location_services.LocationError):
            location_services.add_closure(
                location=self.location,
                starts_on=starts_on,
                ends_on=starts_on + datetime.timedelta(days=length),
                reason="Kerstvakantie",
                created_by=self.coordinator,
            )

    @rule(closure=PICK)
    def remove_a_closure(self, closure):
        self.tick()
        chosen = pick(list(Closure.objects.filter(location=self.location).order_by("pk")), closure)
        if chosen is None:
            return
        with refusable("remove a closure", location_services.LocationError):
            location_services.delete_closure(closure=chosen, deleted_by=self.coordinator)

    # Rules: activities -----------------------------------------------------------------------

    @rule(
        weekday_shift=st.integers(min_value=0, max_value=6),
        ends_after=st.one_of(st.none(), st.integers(min_value=0, max_value=21)),
        needed=st.integers(min_value=0, max_value=3),
    )
    def edit_the_series(self, weekday_shift, ends_after, needed):
        """What the activity form does: save the series, then bring its dates in line."""
        self.tick()
        self.activity.starts_on = self.first_day + datetime.timedelta(days=weekday_shift)
        self.activity.ends_on = (
            None if ends_after is None else TODAY + datetime.timedelta(days=ends_after)
        )
        self.activity.volunteers_needed = needed
        self.activity.save()
        result = activity_services.generate_occurrences(self.activity)
        outcome(
            f"edit the series: {'removed dates' if result.removed else 'no date removed'}, "
            f"{'shifts kept' if result.kept_shifts else 'no shift kept'}"
        )

    @rule(
        occurrence=PICK,
        attendance=st.integers(min_value=0, max_value=30),
        notes=st.sampled_from(["", "Gezellig, veel nieuwe mensen."]),
    )
    def record_attendance(self, occurrence, attendance, notes):
        self.tick()
        chosen = pick(self.occurrences(), occurrence)
        if chosen is None:
            return
        with refusable("record attendance", activity_services.OccurrenceError):
            activity_services.record_attendance(
                chosen, attendance=attendance, notes=notes, user=self.coordinator
            )
            self.kept.add(chosen.pk)

    # Rules: visits ---------------------------------------------------------------------------

    @rule(
        days_ago=st.integers(min_value=0, max_value=3),
        day_part=st.sampled_from(DayPart.values),
        visitors=st.integers(min_value=0, max_value=6),
        first=st.integers(min_value=0, max_value=6),
    )
    def record_a_tally(self, days_ago, day_part, visitors, first):
        self.tick()
        day = TODAY - datetime.timedelta(days=days_ago)
        try:
            tally = visit_services.record_tally(
                location=self.location,
                date=day,
                day_part=day_part,
                visitors=visitors,
                first_visits=min(first, visitors),
                user=self.coordinator,
            )
        except visit_services.VisitError as error:
            # At most one active tally per day-part: a second is refused (to be corrected).
            assert error.code == "already_tallied", error.code
            assert (day, day_part) in self.active_tally_slots(), "refused without a tally"
            return
        self.tallies[tally.pk] = [day, visitors, False]
        self.tally_slots[tally.pk] = (day, day_part)

    def active_tally_slots(self):
        return {slot for pk, slot in self.tally_slots.items() if not self.tallies[pk][2]}

    @precondition(lambda self: self.tallies)
    @rule(tally=PICK, visitors=st.integers(min_value=0, max_value=6))
    def correct_a_tally(self, tally, visitors):
        self.tick()
        pk = pick(sorted(self.tallies), tally)
        try:
            visit_services.correct_tally(
                tally=ManualTally.objects.get(pk=pk),
                visitors=visitors,
                first_visits=0,
                user=self.coordinator,
            )
        except visit_services.VisitError:
            assert self.tallies[pk][2], "only a voided tally may refuse a correction"
            return
        self.tallies[pk][1] = visitors

    @precondition(lambda self: self.tallies)
    @rule(tally=PICK)
    def void_a_tally(self, tally):
        self.tick()
        pk = pick(sorted(self.tallies), tally)
        visit_services.void_tally(tally=ManualTally.objects.get(pk=pk), user=self.coordinator)
        self.tallies[pk][2] = True

    @rule(for_the_activity=st.booleans(), minutes_earlier=st.integers(min_value=0, max_value=5))
    def tablet_tap(self, for_the_activity, minutes_earlier):
        """A tap as the tablet sends it: its own client id, the device's moment, and maybe
        today's activity ("komt voor")."""
        self.tick()
        client_id = uuid.uuid4()
        today = activity_services.todays_occurrences(self.location)
        occurrence = today[0].pk if for_the_activity and today else None
        visit, created = visit_services.record_visit(
            location=self.location,
            client_id=client_id,
            tapped_at=self.now() - datetime.timedelta(minutes=minutes_earlier),
            device_sent_time=True,
            tablet=self.tablet,
            occurrence=occurrence,
        )
        assert created
        self.taps[client_id] = [visit.recorded_on, False]
        if visit.occurrence_id is not None:
            self.kept.add(visit.occurrence_id)
        outcome(f"tap: {'checked in' if visit.occurrence_id else 'no activity'}")

    @precondition(lambda self: self.taps)
    @rule(tap=PICK)
    def tablet_retries_a_tap(self, tap):
        """The wifi dropped after the tap was stored: the tablet sends it again."""
        self.tick()
        client_id = pick(list(self.taps), tap)
        _visit, created = visit_services.record_visit(
            location=self.location, client_id=client_id, tablet=self.tablet
        )
        assert not created

    @precondition(lambda self: self.taps)
    @rule(tap=PICK)
    def tablet_undoes_a_tap(self, tap):
        self.tick()
        client_id = pick(list(self.taps), tap)
        with refusable("undo a tap", visit_services.VisitError):
            visit_services.undo_visit(
                location=self.location, client_id=client_id, tablet=self.tablet
            )
            self.taps[client_id][1] = True

    # Rules: the clock ------------------------------------------------------------------------

    @precondition(lambda self: self.now() < LATEST)
    @rule(minutes=st.integers(min_value=1, max_value=180))
    def time_passes(self, minutes):
        """Shifts start (no more taking or cancelling them), undo windows close."""
        self.clock.move_to(min(self.now() + datetime.timedelta(minutes=minutes), LATEST))

    # Invariants ------------------------------------------------------------------------------

    @invariant()
    def no_shift_over_its_maximum(self):
        over = Shift.objects.with_taken().filter(taken__gt=F("maximum"))
        assert not over.exists(), list(over.values("pk", "date", "task", "taken", "maximum"))

    @invariant()
    def nobody_put_on_the_roster_after_pausing_or_stopping(self):
        now = self.now()
        records = {
            (record.membership.user_id, record.membership.location_id): record.status
            for record in MemberRecord.objects.select_related("membership").filter(
                membership__user__in=self.people
            )
        }
        for assignment in Assignment.objects.active().select_related("shift"):
            if assignment.shift.start_datetime() <= now:
                continue
            key = (assignment.volunteer_id, assignment.shift.location_id)
            if records.get(key) not in (Status.PAUSED, Status.STOPPED):
                continue
            assert assignment.created_at < self.status_set_at[key], (
                f"{assignment} was put on the roster while {records[key]}"
            )

    def closed_dates(self):
        end = TODAY + datetime.timedelta(weeks=13)
        return {day for _pk, day in Closure.objects.closed_dates([self.location.pk], TODAY, end)}

    @invariant()
    def nothing_open_on_a_closed_date(self):
        closed = self.closed_dates()
        if not closed:
            return
        open_ones = Shift.objects.with_open_places().filter(location=self.location, date__in=closed)
        assert not open_ones.exists()
        for shift in Shift.objects.with_state().filter(location=self.location, date__in=closed):
            assert shift.places_left == 0 and not shift.is_understaffed
        listed = roster.open_places([self.location], TODAY, max(closed))
        assert not [shift for shift in listed if shift.date in closed]
        planned = Occurrence.objects.planned().filter(activity=self.activity, date__in=closed)
        assert not planned.exists(), list(planned.values_list("date", flat=True))

    @invariant()
    def nobody_reminded_of_a_closed_date(self):
        """The reminder run of the day before each closed date, undone afterwards."""
        last_shift = TODAY + datetime.timedelta(weeks=WEEKS)
        for day in sorted(self.closed_dates()):
            if day <= TODAY or day > last_shift:
                continue
            with transaction.atomic():
                sent = notifications.send_shift_reminders(
                    base_url="http://testserver", today=day - datetime.timedelta(days=1)
                )
                claimed = Assignment.objects.filter(
                    shift__date=day, reminded_at__isnull=False
                ).count()
                transaction.set_rollback(True)
            mail.outbox = []
            assert (sent, claimed) == (0, 0), day

    @invariant()
    def planned_dates_follow_the_series(self):
        """A coming date not changed by hand is planned only when the series has it."""
        today = datetime.date.today()
        wanted = set(self.activity.dates_between(today, today + activity_services.HORIZON))
        planned = Occurrence.objects.planned().filter(
            activity=self.activity, date__gt=today, changed_by_hand=False
        )
        stray = [o.date for o in planned if o.date not in wanted]
        assert not stray, stray

    @invariant()
    def dates_with_data_are_never_deleted(self):
        still_there = set(Occurrence.objects.filter(pk__in=self.kept).values_list("pk", flat=True))
        assert still_there == self.kept, self.kept - still_there

    @invariant()
    def counted_visits_are_taps_plus_tallies(self):
        days = {day for day, _undone in self.taps.values()}
        days |= {day for day, _n, _voided in self.tallies.values()}
        for day in days:
            expected = sum(
                1 for tap_day, undone in self.taps.values() if tap_day == day and not undone
            )
            expected += sum(
                n
                for tally_day, n, voided in self.tallies.values()
                if tally_day == day and not voided
            )
            filters = reports.Filters(start=day, end=day, locations=[self.location], grouping="dag")
            report = reports.build_report(filters, with_stories=False)
            assert report.per_unit[self.location.slug]["visits"] == expected, day
            assert visit_services.counts_on(self.location, day)["total"] == expected, day


def test_the_rules_hold_whatever_happens():
    OUTCOMES.clear()
    run_state_machine_as_test(Buurtkamer, settings=INVARIANT_SETTINGS)
    for text, count in sorted(OUTCOMES.items()):
        print(f"{count:5}  {text}")


# Found by the machine ------------------------------------------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False):
        yield


def test_needing_fewer_volunteers_never_puts_a_support_shift_over_its_maximum(frozen):
    """Lowering an activity's "volunteers needed" below the people already on a support shift
    set its maximum below them (2 on a shift of at most 1). Now nobody is taken off and the
    maximum stays at the people on it, no place opens; once one cancels, the next run of the
    series brings the maximum down to what is needed."""
    dokkum = Location.objects.get(slug="dokkum")
    activity = Activity.objects.create(
        location=dokkum,
        title="Samen eten",
        category=Category.objects.get(name="Koffie en inloop"),
        recurrence=Recurrence.ONCE,
        starts_on=TODAY + datetime.timedelta(days=3),
        starts_at=T(17, 30),
        ends_at=T(19, 30),
        volunteers_needed=2,
    )
    activity_services.generate_occurrences(activity)
    support = activity.occurrences.get().support_shift
    anneke, bauke = (MembershipFactory(location=dokkum).user for _ in range(2))
    roster.take_place(support, anneke)
    taken = roster.take_place(support, bauke)

    activity.volunteers_needed = 1
    activity.save()
    activity_services.generate_occurrences(activity)

    shift = Shift.objects.with_state().get(pk=support.pk)
    assert (shift.minimum, shift.maximum, shift.taken, shift.places_left) == (1, 2, 2, 0)
    assert not Shift.objects.with_open_places().filter(pk=support.pk).exists()

    roster.cancel_assignment(taken, by=bauke)
    activity_services.generate_occurrences(activity)

    shift = Shift.objects.with_state().get(pk=support.pk)
    assert (shift.minimum, shift.maximum, shift.taken, shift.places_left) == (1, 1, 1, 0)


def test_a_date_the_series_dropped_stays_cancelled_when_its_closure_is_removed(frozen):
    """A Tuesday closed (its activity date cancelled by the closure, kept for the volunteer on
    its support shift), then the series moved to Wednesdays: removing the closure planned that
    Tuesday again, a date the series no longer has. Now the series, not the closure, cancels
    it, and it stays cancelled."""
    dokkum = Location.objects.get(slug="dokkum")
    coordinator = MembershipFactory(location=dokkum, role=Role.COORDINATOR).user
    activity = Activity.objects.create(
        location=dokkum,
        title="Sjoelen",
        category=Category.objects.get(name="Koffie en inloop"),
        recurrence=Recurrence.WEEKLY,
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(weeks=3),
        starts_at=T(17, 30),
        ends_at=T(19, 30),
        volunteers_needed=1,
    )
    activity_services.generate_occurrences(activity)
    tuesday = TODAY + datetime.timedelta(weeks=1)
    dropped = activity.occurrences.get(date=tuesday)
    roster.take_place(dropped.support_shift, MembershipFactory(location=dokkum).user)
    closure = location_services.add_closure(
        location=dokkum, starts_on=tuesday, ends_on=tuesday, reason="Dicht", created_by=coordinator
    )
    activity.starts_on = TODAY + datetime.timedelta(days=1)  # Wednesdays from now on
    activity.save()
    activity_services.generate_occurrences(activity)

    location_services.delete_closure(closure=closure, deleted_by=coordinator)

    dropped.refresh_from_db()
    assert dropped.status == OccurrenceStatus.CANCELLED
    assert not Occurrence.objects.planned().filter(activity=activity, date=tuesday).exists()
