"""The roster: shifts made from templates and opening hours, taking and cancelling a place,
attendance, the grid, the wall roster and the templates page."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from locations.models import Closure, DayPart, OpeningHours
from volunteers import services
from volunteers.models import Assignment, Attendance, Shift, ShiftTemplate, Task

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db

T = datetime.time


def next_monday(weeks_ahead=1):
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks_ahead)


def open_hours(location, rows):
    for weekday, part, opens, closes in rows:
        OpeningHours.objects.create(
            location=location, weekday=weekday, day_part=part, opens_at=opens, closes_at=closes
        )


def template(location, weekday, part, task, minimum=1, maximum=1):
    return ShiftTemplate.objects.create(
        location=location,
        weekday=weekday,
        day_part=part,
        task=task,
        minimum=minimum,
        maximum=maximum,
    )


def make_shift(location, *, days=5, task=Task.HOST, start=None, end=None, **kwargs):
    start = start or T(13, 30)
    end = end or T(16, 30)
    kwargs.setdefault("minimum", 1)
    kwargs.setdefault("maximum", 2)
    kwargs.setdefault("regular", False)
    return Shift.objects.create(
        location=location,
        date=timezone.localdate() + datetime.timedelta(days=days),
        day_part=DayPart.at(start),
        task=task,
        starts_at=start,
        ends_at=end,
        **kwargs,
    )


# Generating shifts --------------------------------------------------------------------------------


@pytest.fixture
def dokkum_week(dokkum):
    """Open Monday morning and afternoon and Wednesday afternoon; templates for Monday morning
    (lead + 2 hosts), Monday afternoon (host), Tuesday morning (not open) and Wednesday."""
    open_hours(
        dokkum,
        [
            (1, DayPart.MORNING, T(9, 30), T(12, 0)),
            (1, DayPart.AFTERNOON, T(13, 30), T(16, 30)),
            (3, DayPart.AFTERNOON, T(14, 0), T(17, 0)),
        ],
    )
    template(dokkum, 1, DayPart.MORNING, Task.SHIFT_LEAD)
    template(dokkum, 1, DayPart.MORNING, Task.HOST, 1, 2)
    template(dokkum, 1, DayPart.AFTERNOON, Task.HOST, 2, 3)
    template(dokkum, 2, DayPart.MORNING, Task.HOST)  # Tuesday is closed: makes nothing
    template(dokkum, 3, DayPart.AFTERNOON, Task.KITCHEN)
    return dokkum


def test_generation_follows_templates_and_opening_hours(dokkum_week):
    monday = next_monday()
    made = services.generate_shifts(dokkum_week, start=monday, weeks=2)
    assert made == 8  # (3 on Monday + 1 on Wednesday) × 2 weeks
    shifts = Shift.objects.filter(location=dokkum_week).order_by("date", "starts_at", "task")
    assert {shift.date.isoweekday() for shift in shifts} == {1, 3}
    wednesday = shifts.get(date=monday + datetime.timedelta(days=2))
    assert (wednesday.task, wednesday.starts_at, wednesday.ends_at) == (
        Task.KITCHEN,
        T(14, 0),
        T(17, 0),
    )
    hosts = shifts.get(date=monday, day_part=DayPart.AFTERNOON)
    assert (hosts.minimum, hosts.maximum, hosts.regular) == (2, 3, True)


def test_generation_is_idempotent(dokkum_week):
    monday = next_monday()
    assert services.generate_shifts(dokkum_week, start=monday, weeks=2) == 8
    assert services.generate_shifts(dokkum_week, start=monday, weeks=2) == 0
    # Overlapping ranges add only the new week.
    assert services.generate_shifts(dokkum_week, start=monday, weeks=3) == 4
    assert Shift.objects.filter(location=dokkum_week).count() == 12


def test_generation_leaves_extra_shifts_alone_and_makes_the_regular_beside_them(dokkum_week):
    monday = next_monday()
    Shift.objects.create(
        location=dokkum_week,
        date=monday,
        day_part=DayPart.MORNING,
        task=Task.HOST,
        starts_at=T(10, 0),
        ends_at=T(11, 0),
        regular=False,
        title="Koersbal",
    )
    assert services.generate_shifts(dokkum_week, start=monday, weeks=1) == 4
    assert Shift.objects.filter(date=monday, task=Task.HOST).count() == 3


def test_generation_skips_closed_dates(dokkum_week, coordinator):
    monday = next_monday()
    Closure.objects.create(
        location=dokkum_week,
        starts_on=monday,
        ends_on=monday + datetime.timedelta(days=2),
        reason="Koningsdag",
        created_by=coordinator,
    )
    assert services.generate_shifts(dokkum_week, start=monday, weeks=2) == 4
    assert not Shift.objects.filter(date__lte=monday + datetime.timedelta(days=2)).exists()


def test_generate_for_all_and_the_command(dokkum_week, burgum):
    open_hours(burgum, [(5, DayPart.MORNING, T(10, 0), T(12, 0))])
    template(burgum, 5, DayPart.MORNING, Task.HOST)
    call_command("generate_shifts", "--weeks", "2", stdout=(out := __import__("io").StringIO()))
    assert "Totaal" in out.getvalue()
    first = Shift.objects.count()
    assert Shift.objects.filter(location=burgum).count() >= 1
    assert services.generate_shifts_for_all(timezone.localdate(), 2) == 0
    assert Shift.objects.count() == first


def test_the_generate_button_reports_how_many(login, coordinator, dokkum_week):
    client = login(coordinator)
    response = client.post(
        reverse("volunteers:generate-shifts", kwargs={"slug": "dokkum"}), {"weeks": 2}, follow=True
    )
    made = Shift.objects.filter(location=dokkum_week).count()
    assert made >= 6
    assert f"{made} diensten aangemaakt" in response.text
    response = client.post(
        reverse("volunteers:generate-shifts", kwargs={"slug": "dokkum"}), {"weeks": 2}, follow=True
    )
    assert "Alle diensten bestonden al; er is niets bijgekomen." in response.text
    assert "0 diensten aangemaakt" not in response.text


def test_the_templates_page_saves_and_refuses_a_minimum_above_the_maximum(
    login, coordinator, dokkum_week
):
    client = login(coordinator)
    url = reverse("volunteers:shift-templates", kwargs={"slug": "dokkum"})
    page = client.get(url)
    assert page.status_code == 200
    assert "dicht: deze sjablonen maken niets aan" in page.text  # Tuesday's template
    data = {
        f"{bound}_{w}_{p}_{t}": ""
        for w, p in [(1, "morning"), (1, "afternoon"), (2, "morning"), (3, "afternoon")]
        for t in Task.values
        for bound in ("min", "max")
    }
    data |= {"min_1_morning_lead": "1", "max_1_morning_lead": "1"}
    data |= {"min_3_afternoon_kitchen": "3", "max_3_afternoon_kitchen": "2"}
    bad = client.post(url, data)
    assert bad.status_code == 400
    assert "niet hoger zijn dan het maximum" in bad.text
    assert ShiftTemplate.objects.filter(location=dokkum_week).count() == 5  # unchanged
    data["min_3_afternoon_kitchen"] = "1"
    assert client.post(url, data).status_code == 302
    assert set(
        ShiftTemplate.objects.filter(location=dokkum_week).values_list(
            "weekday", "task", "minimum", "maximum"
        )
    ) == {(1, Task.SHIFT_LEAD, 1, 1), (3, Task.KITCHEN, 1, 2)}


# Taking a place -----------------------------------------------------------------------------------


def test_taking_a_place_and_the_rules(volunteer, other_volunteer, coordinator, dokkum, burgum):
    shift = make_shift(dokkum, maximum=2)
    assignment = services.take_place(shift, volunteer)
    assert assignment.is_active and assignment.assigned_by is None

    with pytest.raises(services.RosterError) as refused:
        services.take_place(shift, volunteer)  # twice the same shift
    assert refused.value.code == "overlap"
    with pytest.raises(services.RosterError) as refused:
        services.take_place(shift, other_volunteer)  # not a member of Dokkum
    assert refused.value.code == "not_member"
    with pytest.raises(services.RosterError) as refused:
        services.take_place(shift, other_volunteer, assigned_by=coordinator)
    assert refused.value.code == "not_member"

    services.take_place(shift, coordinator)
    third = MembershipFactory(location=dokkum).user
    with pytest.raises(services.RosterError) as refused:
        services.take_place(shift, third)
    assert refused.value.code == "full"

    past = make_shift(dokkum, days=-1)
    with pytest.raises(services.RosterError) as refused:
        services.take_place(past, third)
    assert refused.value.code == "past"


def test_no_double_booking_at_overlapping_times_even_at_another_location(volunteer, dokkum, burgum):
    MembershipFactory(location=burgum, user=volunteer)
    services.take_place(make_shift(dokkum, start=T(13, 30), end=T(16, 30)), volunteer)
    with pytest.raises(services.RosterError) as refused:
        services.take_place(make_shift(burgum, start=T(16, 0), end=T(17, 0)), volunteer)
    assert refused.value.code == "overlap"
    # Right after it is fine; the day after too.
    services.take_place(make_shift(burgum, start=T(16, 30), end=T(18, 0)), volunteer)
    services.take_place(make_shift(dokkum, days=6), volunteer)
    assert Assignment.objects.active().filter(volunteer=volunteer).count() == 3


def test_a_cancelled_place_can_be_taken_again(volunteer, dokkum):
    shift = make_shift(dokkum, maximum=1)
    first = services.take_place(shift, volunteer)
    services.cancel_assignment(first, by=volunteer)
    again = services.take_place(shift, volunteer)
    assert again.pk != first.pk


def test_the_take_page_and_button(login, volunteer, dokkum):
    shift = make_shift(dokkum, maximum=1)
    client = login(volunteer)
    url = reverse("volunteers:take", kwargs={"pk": shift.pk})
    page = client.get(url)
    assert page.status_code == 200 and "Ja, ik kom" in page.text
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("volunteers:my-shifts")
    assert "Dank je wel" in response.text
    assert Assignment.objects.active().filter(shift=shift, volunteer=volunteer).exists()
    other = login(MembershipFactory(location=dokkum).user)
    assert "al vol" in other.get(url).text
    refused = other.post(url, follow=True)
    assert "net door iemand anders genomen" in refused.text
    assert Assignment.objects.active().filter(shift=shift).count() == 1


def test_the_open_places_page(login, volunteer, dokkum, burgum, django_assert_max_num_queries):
    full = make_shift(dokkum, days=3, maximum=1)
    services.take_place(full, MembershipFactory(location=dokkum).user)
    open_one = make_shift(dokkum, days=4, task=Task.KITCHEN)
    make_shift(burgum, days=4, task=Task.SHIFT_LEAD)  # not my location
    make_shift(dokkum, days=-2)  # past
    client = login(volunteer)
    with django_assert_max_num_queries(8) as few:
        page = client.get(reverse("volunteers:open-places"))
    assert page.status_code == 200
    assert page.text.count("Ik kom") == 1
    assert reverse("volunteers:take", kwargs={"pk": open_one.pk}) in page.text
    for days in range(6, 30):
        make_shift(dokkum, days=days, task=Task.HOST)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("volunteers:open-places"))
    assert page.text.count("Ik kom") > 20


def test_the_start_page_counts_the_places_the_open_places_page_offers(login, volunteer, dokkum):
    """Found in the browser: the start page counted 39 places in four weeks while "Open
    plekken" offered six weeks, with places at times the volunteer already works. One window,
    one count: the places they can take."""
    services.take_place(make_shift(dokkum, days=3, task=Task.KITCHEN), volunteer)
    make_shift(dokkum, days=3, task=Task.HOST, maximum=3)  # at a time they already work
    offered = make_shift(dokkum, days=10, task=Task.HOST, maximum=2)  # 2 places
    make_shift(dokkum, days=7 * services.OPEN_PLACES_WEEKS + 2, task=Task.HOST)  # too far ahead
    client = login(volunteer)

    start = client.get(reverse("dashboard"))
    listing = client.get(reverse("volunteers:open-places"))

    assert "Er zijn 2 open plekken in de komende vier weken." in start.text
    assert listing.text.count("Ik kom") == 1
    assert reverse("volunteers:take", kwargs={"pk": offered.pk}) in listing.text


# Cancelling ---------------------------------------------------------------------------------------


@pytest.fixture
def capture_on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_cancelling_in_time_and_late(volunteer, dokkum, settings, capture_on_commit):
    settings.ROSTER_LATE_CANCEL_HOURS = 48
    soon = make_shift(dokkum, days=1, start=T(23, 0), end=T(23, 30))
    later = make_shift(dokkum, days=10)
    with mock.patch("volunteers.notifications.after_cancellation") as after:
        with capture_on_commit(execute=True):
            late = services.cancel_assignment(
                services.take_place(soon, volunteer), by=volunteer, reason="Ziek"
            )
        with capture_on_commit(execute=True):
            in_time = services.cancel_assignment(
                services.take_place(later, volunteer), by=volunteer
            )
    assert late.cancelled_late and late.cancel_reason == "Ziek"
    assert late.cancelled_by == volunteer and late.cancelled_at is not None
    assert not in_time.cancelled_late
    assert after.call_count == 2
    settings.ROSTER_LATE_CANCEL_HOURS = 24 * 11
    with capture_on_commit(execute=False):
        again = services.cancel_assignment(services.take_place(later, volunteer), by=volunteer)
    assert again.cancelled_late
    with pytest.raises(services.RosterError) as refused:
        services.cancel_assignment(again, by=volunteer)
    assert refused.value.code == "cancelled"


def test_a_started_shift_cannot_be_cancelled(volunteer, dokkum):
    shift = make_shift(dokkum, days=2)
    assignment = services.take_place(shift, volunteer)
    Shift.objects.filter(pk=shift.pk).update(date=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(services.RosterError) as refused:
        services.cancel_assignment(assignment, by=volunteer)
    assert refused.value.code == "past"


def test_the_cancel_page_asks_a_reason_then_offers_other_places(
    login, volunteer, coordinator, dokkum, capture_on_commit
):
    mine = make_shift(dokkum, days=1, start=T(23, 0), end=T(23, 30))
    other = make_shift(dokkum, days=8, task=Task.KITCHEN)
    assignment = services.take_place(mine, volunteer)
    client = login(volunteer)
    overview = client.get(reverse("volunteers:my-shifts"))
    assert reverse("volunteers:cancel", kwargs={"pk": assignment.pk}) in overview.text
    page = client.get(reverse("volunteers:cancel", kwargs={"pk": assignment.pk}))
    assert "laat afgemeld" in page.text
    with capture_on_commit(execute=True):
        response = client.post(
            reverse("volunteers:cancel", kwargs={"pk": assignment.pk}),
            {"reason": "Mijn kleinzoon is ziek"},
            follow=True,
        )
    assert "Je bent afgemeld" in response.text
    assert "Kun je op een ander moment?" in response.text
    assert reverse("volunteers:take", kwargs={"pk": other.pk}) in response.text
    assignment.refresh_from_db()
    assert assignment.cancelled_late and assignment.cancel_reason == "Mijn kleinzoon is ziek"
    # The coordinator hears of the late cancellation (the feeds part's e-mail).
    assert any(coordinator.email in message.to for message in mail.outbox)
    # Someone else's assignment: 404.
    theirs = services.take_place(other, coordinator)
    assert client.get(reverse("volunteers:cancel", kwargs={"pk": theirs.pk})).status_code == 404


def test_the_coordinator_assigns_and_unassigns(
    login, volunteer, coordinator, dokkum, capture_on_commit
):
    shift = make_shift(dokkum, days=4)
    client = login(coordinator)
    page = client.get(reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": shift.pk}))
    assert page.status_code == 200 and "Anneke" in page.text
    response = client.post(
        reverse("volunteers:assign", kwargs={"slug": "dokkum", "pk": shift.pk}),
        {"volunteer": volunteer.pk},
        follow=True,
    )
    assert "is ingedeeld" in response.text
    assignment = Assignment.objects.get(shift=shift, volunteer=volunteer)
    assert assignment.assigned_by == coordinator
    stranger = MembershipFactory().user
    refused = client.post(
        reverse("volunteers:assign", kwargs={"slug": "dokkum", "pk": shift.pk}),
        {"volunteer": stranger.pk},
    )
    assert refused.status_code == 400
    with capture_on_commit(execute=True):
        client.post(
            reverse("volunteers:unassign", kwargs={"slug": "dokkum", "pk": assignment.pk}),
            follow=True,
        )
    assignment.refresh_from_db()
    assert assignment.cancelled_by == coordinator
    # The coordinator sees it, marked as cancelled; a volunteer does not see cancellations.
    page = client.get(reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": shift.pk}))
    assert "Afgemeld" in page.text
    volunteer_view = login(volunteer).get(
        reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": shift.pk})
    )
    assert "Afgemeld" not in volunteer_view.text and "laat afgemeld" not in volunteer_view.text


def test_the_shift_page_offers_no_place_at_a_time_you_already_stand_on(
    login, volunteer, dokkum, burgum, django_assert_max_num_queries
):
    MembershipFactory(location=burgum, user=volunteer)
    services.take_place(make_shift(burgum, start=T(13, 30), end=T(16, 30)), volunteer)
    clash = make_shift(dokkum, start=T(16, 0), end=T(17, 0))
    after = make_shift(dokkum, start=T(16, 30), end=T(18, 0))
    client = login(volunteer)
    url = reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": clash.pk})

    with django_assert_max_num_queries(30) as few:
        page = client.get(url)
    baseline = len(few)

    assert "Je staat op dat moment al ingeroosterd." in page.text
    assert reverse("volunteers:take", kwargs={"pk": clash.pk}) not in page.text
    free = client.get(reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": after.pk}))
    assert reverse("volunteers:take", kwargs={"pk": after.pk}) in free.text
    assert "al ingeroosterd" not in free.text
    for days in range(6, 20):
        services.take_place(make_shift(burgum, days=days), volunteer)
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_the_assign_list_leaves_out_who_stands_elsewhere_at_that_time(
    login, volunteer, coordinator, dokkum, burgum, django_assert_max_num_queries
):
    MembershipFactory(location=burgum, user=volunteer)
    services.take_place(make_shift(burgum, start=T(13, 0), end=T(14, 0)), volunteer)
    free_one = MembershipFactory(location=dokkum, user__first_name="Sjoukje").user
    on_it = MembershipFactory(location=dokkum, user__first_name="Geartsje").user
    shift = make_shift(dokkum, start=T(13, 30), end=T(16, 30))
    services.take_place(shift, on_it)
    client = login(coordinator)
    url = reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": shift.pk})

    with django_assert_max_num_queries(30) as few:
        page = client.get(url)
    baseline = len(few)

    choices = {
        value.value
        for value, _label in page.context["assign_form"].fields["volunteer"].choices
        if value
    }
    assert free_one.pk in choices
    assert volunteer.pk not in choices and on_it.pk not in choices
    for _ in range(10):
        other = MembershipFactory(location=dokkum).user
        services.take_place(make_shift(dokkum, start=T(14, 0), end=T(15, 0)), other)
    with django_assert_max_num_queries(baseline):
        client.get(url)


# Attendance ---------------------------------------------------------------------------------------


def test_attendance_only_after_the_start(login, volunteer, coordinator, dokkum):
    shift = make_shift(dokkum, days=3)
    assignment = services.take_place(shift, volunteer)
    with pytest.raises(services.RosterError) as refused:
        services.mark_attendance(assignment, Attendance.ATTENDED, by=coordinator)
    assert refused.value.code == "future"
    Shift.objects.filter(pk=shift.pk).update(date=timezone.localdate() - datetime.timedelta(days=1))
    client = login(coordinator)
    url = reverse("volunteers:shift-attendance", kwargs={"slug": "dokkum", "pk": assignment.pk})
    response = client.post(url, {"attendance": "no_show"}, follow=True)
    assert "De aanwezigheid is opgeslagen" in response.text
    assignment.refresh_from_db()
    assert assignment.attendance == Attendance.NO_SHOW
    assert (
        "Niet gekomen"
        in client.get(reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": shift.pk})).text
    )
    # A volunteer cannot mark it.
    assert login(volunteer).post(url, {"attendance": "attended"}).status_code == 403


# The grid -----------------------------------------------------------------------------------------


TASKS = [Task.SHIFT_LEAD, Task.HOST, Task.KITCHEN, Task.ACTIVITY]


def four_weeks_of_shifts(location):
    """4 weeks × 7 days × 3 day-parts × 4 tasks, made by the generator."""
    open_hours(
        location,
        [
            (weekday, part, opens, closes)
            for weekday in range(1, 8)
            for part, opens, closes in [
                (DayPart.MORNING, T(9, 30), T(12, 0)),
                (DayPart.AFTERNOON, T(13, 30), T(16, 30)),
                (DayPart.EVENING, T(19, 0), T(21, 0)),
            ]
        ],
    )
    for weekday in range(1, 8):
        for part in DayPart:
            for task in TASKS:
                template(location, weekday, part, task, 1, 3)
    made = services.generate_shifts(location, start=next_monday(0), weeks=4)
    assert made == 4 * 7 * 3 * 4
    return list(
        Shift.objects.filter(location=location, date__gt=timezone.localdate()).order_by("pk")
    )


def fill(shifts, people):
    new, number = [], 0
    for shift in shifts:
        for _ in range(2):
            new.append(Assignment(shift=shift, volunteer=people[number % len(people)]))
            number += 1
    # Straight in (the same person twice at the same time does not matter to the grid).
    by_key = {(a.shift_id, a.volunteer_id): a for a in new}
    Assignment.objects.bulk_create(by_key.values())


def test_the_grid_costs_the_same_queries_with_5_or_60_volunteers(
    login, coordinator, dokkum, django_assert_num_queries
):
    shifts = four_weeks_of_shifts(dokkum)
    few = [MembershipFactory(location=dokkum).user for _ in range(5)]
    fill(shifts[: len(shifts) // 2], few)
    client = login(coordinator)
    url = reverse("volunteers:roster", kwargs={"slug": "dokkum"})
    with CaptureQueriesContext(connection) as with_five:
        page = client.get(url)
    assert page.status_code == 200
    count = len(with_five.captured_queries)
    many = [MembershipFactory(location=dokkum).user for _ in range(55)]
    fill(shifts[len(shifts) // 2 :], many + few)
    with django_assert_num_queries(count):
        page = client.get(url)
    assert page.status_code == 200
    print(f"roster grid: {count} queries")
    assert count <= 10


def test_the_grid_shows_gaps_missing_leads_closures_and_first_names(
    login, coordinator, volunteer, dokkum
):
    open_hours(dokkum, [(wd, DayPart.AFTERNOON, T(13, 30), T(16, 30)) for wd in range(1, 6)])
    template(dokkum, 1, DayPart.AFTERNOON, Task.SHIFT_LEAD)
    template(dokkum, 1, DayPart.AFTERNOON, Task.HOST, 2, 3)
    template(dokkum, 2, DayPart.AFTERNOON, Task.HOST)
    monday = next_monday()
    Closure.objects.create(
        location=dokkum,
        starts_on=monday + datetime.timedelta(days=1),
        ends_on=monday + datetime.timedelta(days=1),
        reason="Koningsdag",
        created_by=coordinator,
    )
    services.generate_shifts(dokkum, start=monday, weeks=1)
    hosts = Shift.objects.get(date=monday, task=Task.HOST)
    services.take_place(hosts, volunteer)
    (week,) = services.roster_grid(dokkum, monday, 1)
    day = week.days[0]
    assert day.slots[0].lead_missing and day.has_gap
    assert [s.gap for s in day.slots[0].shifts] == [True, True]  # lead 0/1, hosts 1/2
    assert week.days[1].closed == "Koningsdag" and week.days[1].slots == []
    page = login(coordinator).get(
        reverse("volunteers:roster", kwargs={"slug": "dokkum"})
        + f"?week={monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
    )
    text = page.text
    assert "⚠ Geen dagverantwoordelijke" in text and "⚠ GAT" in text
    assert "Dicht: Koningsdag" in text
    assert "Anneke" in text and volunteer.last_name not in text
    # The volunteer reads the same roster, without the buttons of a coordinator.
    mine = login(volunteer).get(reverse("volunteers:roster", kwargs={"slug": "dokkum"}))
    assert mine.status_code == 200 and "Diensten aanmaken" not in mine.text


def test_the_wall_roster_page(login, volunteer, dokkum):
    open_hours(dokkum, [(1, DayPart.MORNING, T(9, 30), T(12, 0))])
    template(dokkum, 1, DayPart.MORNING, Task.HOST, 1, 2)
    monday = next_monday()
    services.generate_shifts(dokkum, start=monday, weeks=1)
    services.take_place(Shift.objects.get(date=monday), volunteer)
    iso = monday.isocalendar()
    page = login(volunteer).get(
        reverse("volunteers:roster-print", kwargs={"slug": "dokkum"})
        + f"?week={iso.year}-W{iso.week:02d}"
    )
    assert page.status_code == 200
    assert f"Week {iso.week}" in page.text and "Anneke" in page.text
    assert "roster-print.css" in page.text
    # A date works as well as a week; nonsense falls back to this week.
    for value in (monday.isoformat(), "onzin"):
        assert (
            login(volunteer)
            .get(reverse("volunteers:roster-print", kwargs={"slug": "dokkum"}) + f"?week={value}")
            .status_code
            == 200
        )


def test_my_shifts_shows_coming_and_past(login, volunteer, dokkum, django_assert_max_num_queries):
    coming = make_shift(dokkum, days=3)
    past = make_shift(dokkum, days=-3, task=Task.KITCHEN)
    services.take_place(coming, volunteer)
    Assignment.objects.create(shift=past, volunteer=volunteer, attendance=Attendance.ATTENDED)
    client = login(volunteer)
    client.get(reverse("volunteers:my-shifts"))  # the calendar key is made on the first visit
    with django_assert_max_num_queries(12) as few:
        page = client.get(reverse("volunteers:my-shifts"))
    assert "Komende diensten" in page.text and "Geweest" in page.text
    assert page.text.count("Afmelden") == 1
    for days in range(6, 26):
        services.take_place(make_shift(dokkum, days=days), volunteer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("volunteers:my-shifts"))
    assert page.text.count(">Afmelden<") == 21


def test_the_location_page_links_the_roster(login, volunteer, coordinator, dokkum):
    text = login(volunteer).get(dokkum.get_absolute_url()).text
    assert reverse("volunteers:roster", kwargs={"slug": "dokkum"}) in text
    text = login(coordinator).get(reverse("volunteers:roster", kwargs={"slug": "dokkum"})).text
    assert reverse("volunteers:shift-templates", kwargs={"slug": "dokkum"}) in text


def test_shift_datetimes_are_amsterdam_time_across_dst():
    shift = Shift(date=datetime.date(2026, 7, 1), starts_at=T(9, 30), ends_at=T(12, 0))
    assert shift.start_datetime().utcoffset() == datetime.timedelta(hours=2)
    shift.date = datetime.date(2026, 12, 1)
    assert shift.start_datetime().utcoffset() == datetime.timedelta(hours=1)
    assert shift.end_datetime().hour == 12


def test_an_outsider_does_not_find_the_roster(login, other_volunteer, dokkum):
    client = login(other_volunteer)
    assert client.get(reverse("volunteers:roster", kwargs={"slug": "dokkum"})).status_code == 404
