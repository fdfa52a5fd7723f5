"""Activities: recurrence rules, generating dates ahead, series edits vs dates changed by hand,
room conflicts and opening hours, activity-support shifts, and the team's pages."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from activities import services
from activities.models import (
    Activity,
    Category,
    Occurrence,
    OccurrenceStatus,
    Partner,
    PartnerKind,
    Recurrence,
    Room,
    WeekOfMonth,
)
from buurtkamer.models import AuditEvent
from locations.models import Closure, DayPart, OpeningHours
from volunteers.models import Assignment, Shift, Task

D = datetime.date
T = datetime.time
TODAY = D(2027, 3, 1)  # a Monday


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def category(db):
    return Category.objects.get(name="Koffie en inloop")


@pytest.fixture
def hall(dokkum):
    return Room.objects.create(location=dokkum, name="Grote zaal")


@pytest.fixture
def kitchen(dokkum):
    return Room.objects.create(location=dokkum, name="Keuken")


@pytest.fixture
def make_activity(dokkum, category, hall):
    def _make(**fields):
        values = {
            "location": dokkum,
            "title": "Koffieochtend",
            "category": category,
            "room": hall,
            "recurrence": Recurrence.WEEKLY,
            "starts_on": D(2027, 3, 2),  # Tuesday
            "starts_at": T(10, 0),
            "ends_at": T(11, 30),
        }
        values.update(fields)
        activity = Activity.objects.create(**values)
        services.generate_occurrences(activity, today=TODAY)
        return activity

    return _make


def dates(activity):
    return list(activity.occurrences.order_by("date").values_list("date", flat=True))


# Recurrence rules ------------------------------------------------------------------------------


def test_the_seven_default_categories_are_there(db):
    assert Category.objects.count() == 7
    assert {"Koffie en inloop", "Spelletjes", "Samen koken en eten", "Uitstapje"} <= set(
        Category.objects.values_list("name", flat=True)
    )


def test_weekly_fortnightly_and_once(make_activity):
    weekly = make_activity(starts_on=D(2027, 3, 2), ends_on=D(2027, 3, 30))
    fortnightly = make_activity(
        title="Breien", recurrence=Recurrence.FORTNIGHTLY, starts_on=D(2027, 3, 4), room=None
    )
    once = make_activity(title="Uitje", recurrence=Recurrence.ONCE, starts_on=D(2027, 4, 9))

    assert dates(weekly) == [
        D(2027, 3, 2),
        D(2027, 3, 9),
        D(2027, 3, 16),
        D(2027, 3, 23),
        D(2027, 3, 30),
    ]
    assert dates(fortnightly)[:4] == [D(2027, 3, 4), D(2027, 3, 18), D(2027, 4, 1), D(2027, 4, 15)]
    assert dates(once) == [D(2027, 4, 9)]
    assert weekly.recurrence_text == "elke dinsdag"
    assert fortnightly.recurrence_text == "om de week op donderdag"
    assert once.recurrence_text == "eenmalig, op vrijdag 9 april"


def test_fortnightly_keeps_its_rhythm_when_generated_later(make_activity):
    activity = make_activity(recurrence=Recurrence.FORTNIGHTLY, starts_on=D(2027, 1, 5))
    # 5 Jan + 8 weeks = 2 March: the rhythm counts from the first date, not from today.
    assert dates(activity)[:2] == [D(2027, 3, 2), D(2027, 3, 16)]


def test_first_tuesday_and_last_friday_of_the_month(make_activity):
    first_tuesday = make_activity(
        title="Energie-informatie",
        recurrence=Recurrence.MONTHLY,
        week_of_month=WeekOfMonth.FIRST,
        starts_on=D(2027, 3, 2),
    )
    last_friday = make_activity(
        title="Uitstapje",
        recurrence=Recurrence.MONTHLY,
        week_of_month=WeekOfMonth.LAST,
        starts_on=D(2027, 3, 5),
        room=None,
    )

    assert dates(first_tuesday) == [D(2027, 3, 2), D(2027, 4, 6), D(2027, 5, 4)]
    assert dates(last_friday) == [D(2027, 3, 26), D(2027, 4, 30)]  # 12 weeks ahead: to 24 May
    assert first_tuesday.recurrence_text == "elke eerste dinsdag van de maand"
    assert last_friday.recurrence_text == "elke laatste vrijdag van de maand"


def test_fourth_weekday_skips_no_month_and_the_fifth_is_never_chosen(make_activity):
    activity = make_activity(
        recurrence=Recurrence.MONTHLY, week_of_month=WeekOfMonth.FOURTH, starts_on=D(2027, 3, 1)
    )
    # Fourth Mondays: 22 March, 26 April, 24 May.
    assert dates(activity) == [D(2027, 3, 22), D(2027, 4, 26), D(2027, 5, 24)]


@pytest.mark.parametrize(
    ("first", "change"),
    [(D(2027, 3, 23), D(2027, 3, 28)), (D(2027, 10, 26), D(2027, 10, 31))],
    ids=["summer-time", "winter-time"],
)
def test_ten_oclock_stays_ten_oclock_across_the_daylight_saving_change(
    make_activity, first, change
):
    activity = make_activity(starts_on=first)
    services.generate_occurrences(activity, today=first)
    around = list(activity.occurrences.filter(date__lte=first + datetime.timedelta(weeks=2)))
    assert [o.date for o in around] == [
        first,
        first + datetime.timedelta(7),
        first + datetime.timedelta(14),
    ]
    assert all(o.starts_at == T(10, 0) and o.ends_at == T(11, 30) for o in around)
    # The same wall-clock time is a different UTC time on either side of the change.
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Amsterdam")
    utc_hours = {
        datetime.datetime.combine(o.date, o.starts_at, zone).astimezone(datetime.UTC).hour
        for o in around
    }
    assert utc_hours == {8, 9}
    assert around[0].date < change < around[1].date


# Generation ------------------------------------------------------------------------------------


def test_generation_is_idempotent_and_looks_twelve_weeks_ahead(make_activity):
    activity = make_activity()
    first = dates(activity)

    again = services.generate_occurrences(activity, today=TODAY)
    call_command("generate_occurrences")

    assert again.created == 0 and again.updated == 0 and again.removed == 0
    assert dates(activity) == first
    assert len(first) == 12
    assert max(first) <= TODAY + datetime.timedelta(weeks=12)


def test_the_command_plans_further_as_time_goes_by(make_activity, capsys):
    activity = make_activity()
    with time_machine.travel(datetime.datetime(2027, 3, 15, 9, 0, tzinfo=datetime.UTC)):
        call_command("generate_occurrences")
    assert "nieuwe keren gepland" in capsys.readouterr().out
    assert len(dates(activity)) == 14
    assert Occurrence.objects.filter(
        activity=activity, date=D(2027, 3, 2)
    ).exists()  # the past stays


def test_editing_the_series_changes_coming_dates_but_not_the_ones_changed_by_hand(
    client, login, coordinator, make_activity, kitchen
):
    activity = make_activity()
    moved = activity.occurrences.get(date=D(2027, 3, 16))
    cancelled = activity.occurrences.get(date=D(2027, 3, 23))
    login(coordinator)
    client.post(
        reverse("activities:occurrence-edit", kwargs={"slug": "dokkum", "pk": moved.pk}),
        {"starts_at": "13:00", "ends_at": "14:00", "room": "", "notes": "Later vanwege de markt"},
    )
    client.post(
        reverse("activities:occurrence-cancel", kwargs={"slug": "dokkum", "pk": cancelled.pk}),
        {"reason": "Zaal verhuurd"},
    )

    response = client.post(
        reverse("activities:activity-edit", kwargs={"slug": "dokkum", "pk": activity.pk}),
        {
            "title": "Koffieochtend",
            "category": activity.category_id,
            "room": kitchen.pk,
            "recurrence": "weekly",
            "starts_on": "2027-03-02",
            "starts_at": "09:30",
            "ends_at": "11:00",
            "volunteers_needed": "0",
        },
    )

    assert response.status_code == 302
    planned = {o.date: o for o in activity.occurrences.all()}
    assert (planned[D(2027, 3, 9)].starts_at, planned[D(2027, 3, 9)].room) == (T(9, 30), kitchen)
    assert planned[D(2027, 3, 16)].starts_at == T(13, 0)  # changed by hand: left alone
    assert planned[D(2027, 3, 16)].room is None
    assert planned[D(2027, 3, 23)].status == OccurrenceStatus.CANCELLED
    assert planned[D(2027, 3, 23)].cancel_reason == "Zaal verhuurd"
    assert planned[D(2027, 3, 30)].status == OccurrenceStatus.PLANNED  # the series goes on


def test_saving_a_date_unchanged_keeps_it_following_the_series(
    client, login, coordinator, make_activity, hall
):
    activity = make_activity()
    occurrence = activity.occurrences.get(date=D(2027, 3, 16))
    url = reverse("activities:occurrence-edit", kwargs={"slug": "dokkum", "pk": occurrence.pk})
    login(coordinator)

    response = client.post(
        url, {"starts_at": "10:00", "ends_at": "11:30", "room": hall.pk, "notes": ""}, follow=True
    )

    occurrence.refresh_from_db()
    assert response.status_code == 200
    assert not occurrence.changed_by_hand
    assert "Er was niets veranderd" in response.content.decode()
    assert not AuditEvent.objects.filter(action="activity_changed").exists()

    client.post(url, {"starts_at": "10:00", "ends_at": "11:30", "room": hall.pk, "notes": "Taart"})
    occurrence.refresh_from_db()
    assert occurrence.changed_by_hand and occurrence.notes == "Taart"


def test_moving_the_weekday_replaces_future_dates_but_keeps_the_past(make_activity):
    activity = make_activity(starts_on=D(2027, 2, 2))
    Occurrence.objects.create(
        activity=activity, date=D(2027, 2, 23), starts_at=T(10, 0), ends_at=T(11, 30)
    )
    activity.starts_on = D(2027, 3, 4)  # now Thursdays
    activity.save()

    services.generate_occurrences(activity, today=TODAY)

    assert D(2027, 2, 23) in dates(activity)
    future = [d for d in dates(activity) if d >= TODAY]
    assert future and all(d.isoweekday() == 4 for d in future)


def test_cancelling_one_date_leaves_the_series_and_is_logged(
    client, login, coordinator, make_activity
):
    activity = make_activity()
    occurrence = activity.occurrences.get(date=D(2027, 3, 9))
    login(coordinator)

    empty = client.post(
        reverse("activities:occurrence-cancel", kwargs={"slug": "dokkum", "pk": occurrence.pk}),
        {"reason": ""},
    )
    assert empty.status_code == 400
    assert "Schrijf kort op waarom" in empty.text

    response = client.post(
        reverse("activities:occurrence-cancel", kwargs={"slug": "dokkum", "pk": occurrence.pk}),
        {"reason": "Griep in het team"},
    )

    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.is_cancelled and occurrence.changed_by_hand
    assert activity.occurrences.planned().count() == 11
    assert AuditEvent.objects.filter(action="activity_cancelled").exists()
    services.generate_occurrences(activity, today=TODAY)
    occurrence.refresh_from_db()
    assert occurrence.is_cancelled  # generation does not bring it back

    client.post(
        reverse("activities:occurrence-restore", kwargs={"slug": "dokkum", "pk": occurrence.pk})
    )
    occurrence.refresh_from_db()
    assert not occurrence.is_cancelled


# Conflicts and opening hours -------------------------------------------------------------------


def test_overlapping_dates_in_the_same_room_conflict(make_activity, kitchen):
    coffee = make_activity()
    make_activity(title="Breiclub", starts_at=T(11, 0), ends_at=T(12, 0))  # overlaps 11:00-11:30
    make_activity(
        title="Na de koffie", starts_at=T(11, 30), ends_at=T(12, 0), starts_on=D(2027, 3, 3)
    )
    make_activity(title="Koken", room=kitchen, starts_at=T(10, 0), ends_at=T(11, 0))

    problems = services.conflicts_of_activity(coffee)
    first = problems[0]

    assert first.date == D(2027, 3, 2)
    assert [o.activity.title for o in first.conflicts] == ["Breiclub"]


def test_the_activity_form_warns_about_a_conflict_after_saving(
    client, login, coordinator, make_activity, hall, category
):
    make_activity()
    login(coordinator)
    response = client.post(
        reverse("activities:activity-new", kwargs={"slug": "dokkum"}),
        {
            "title": "Breiclub",
            "category": category.pk,
            "room": hall.pk,
            "recurrence": "weekly",
            "starts_on": "2027-03-02",
            "starts_at": "11:00",
            "ends_at": "12:00",
            "volunteers_needed": "0",
        },
        follow=True,
    )
    assert (
        "Let op: Grote zaal is ook bezet door Koffieochtend op dinsdag 2 maart, dinsdag 9 maart, "
        "dinsdag 16 maart "
        "en nog 9 keer." in response.text
    )
    assert "buiten de openingstijden" in response.text  # Dokkum has no opening hours here


def test_an_occurrence_outside_the_opening_hours_is_flagged_in_the_calendar(
    client, login, volunteer, dokkum, make_activity
):
    OpeningHours.objects.create(
        location=dokkum, weekday=2, day_part=DayPart.MORNING, opens_at=T(9, 30), closes_at=T(12, 0)
    )
    make_activity()  # 10:00-11:30 on Tuesday: inside
    make_activity(title="Avondwandeling", room=None, starts_at=T(19, 0), ends_at=T(20, 0))
    login(volunteer)

    page = client.get(
        reverse("activities:calendar", kwargs={"slug": "dokkum"}) + "?datum=2027-03-02"
    )

    assert page.text.count("buiten openingstijden") == 1
    assert "Avondwandeling" in page.text


def test_a_closure_is_shown_in_the_calendar(client, login, coordinator, dokkum, make_activity):
    make_activity()
    Closure.objects.create(
        location=dokkum, starts_on=D(2027, 3, 9), ends_on=D(2027, 3, 9), reason="Verbouwing"
    )
    login(coordinator)
    page = client.get(
        reverse("activities:calendar", kwargs={"slug": "dokkum"}) + "?datum=2027-03-09"
    )
    assert "gesloten: Verbouwing" in page.text


# Activity-support shifts ------------------------------------------------------------------------


def test_an_activity_that_needs_volunteers_gets_a_support_shift_on_every_coming_date(
    make_activity,
):
    activity = make_activity(
        title="Samen eten", volunteers_needed=2, starts_at=T(17, 30), ends_at=T(19, 30)
    )
    shifts = Shift.objects.filter(task=Task.ACTIVITY)

    assert shifts.count() == 12
    shift = activity.occurrences.get(date=D(2027, 3, 2)).support_shift
    assert (shift.title, shift.minimum, shift.maximum, shift.regular) == ("Samen eten", 2, 2, False)
    assert (shift.date, shift.starts_at, shift.ends_at) == (D(2027, 3, 2), T(17, 30), T(19, 30))
    assert shift.day_part == DayPart.AFTERNOON and shift.location == activity.location

    services.generate_occurrences(activity, today=TODAY)
    assert shifts.count() == 12  # idempotent


def test_cancelling_removes_an_empty_support_shift_and_keeps_one_with_people_on_it(
    client, login, coordinator, volunteer, make_activity
):
    activity = make_activity(volunteers_needed=1)
    empty = activity.occurrences.get(date=D(2027, 3, 9))
    taken = activity.occurrences.get(date=D(2027, 3, 16))
    Assignment.objects.create(shift=taken.support_shift, volunteer=volunteer)
    login(coordinator)

    client.post(
        reverse("activities:occurrence-cancel", kwargs={"slug": "dokkum", "pk": empty.pk}),
        {"reason": "Geen zaal"},
    )
    response = client.post(
        reverse("activities:occurrence-cancel", kwargs={"slug": "dokkum", "pk": taken.pk}),
        {"reason": "Geen zaal"},
        follow=True,
    )

    empty.refresh_from_db()
    taken.refresh_from_db()
    assert empty.support_shift is None
    assert taken.support_shift is not None
    assert "Er staan vrijwilligers op de begeleidingsdienst" in response.text
    assert Shift.objects.filter(task=Task.ACTIVITY).count() == 11


def test_no_longer_needing_volunteers_removes_the_empty_shifts(make_activity):
    activity = make_activity(volunteers_needed=1)
    activity.volunteers_needed = 0
    activity.save()
    services.generate_occurrences(activity, today=TODAY)
    assert not Shift.objects.filter(task=Task.ACTIVITY).exists()


# The team's pages --------------------------------------------------------------------------------


def test_a_coordinator_creates_an_activity_with_a_price_and_monthly_rule(
    client, login, coordinator, category, hall
):
    login(coordinator)
    form_page = client.get(reverse("activities:activity-new", kwargs={"slug": "dokkum"}))
    assert form_page.status_code == 200

    response = client.post(
        reverse("activities:activity-new", kwargs={"slug": "dokkum"}),
        {
            "title": "Informatie over je energierekening",
            "category": category.pk,
            "room": hall.pk,
            "recurrence": "monthly",
            "week_of_month": "1",
            "starts_on": "2027-03-02",
            "starts_at": "10:30",
            "ends_at": "11:30",
            "price": "2,50",
            "volunteers_needed": "0",
        },
        follow=True,
    )

    activity = Activity.objects.get()
    assert activity.price == Decimal("2.50")
    assert "Elke eerste dinsdag van de maand" in response.text
    assert "€ 2,50" in response.text
    assert dates(activity)[0] == D(2027, 3, 2)


def test_a_wrong_activity_form_comes_back_with_dutch_messages_and_what_was_typed(
    client, login, coordinator, category
):
    login(coordinator)
    response = client.post(
        reverse("activities:activity-new", kwargs={"slug": "dokkum"}),
        {
            "title": "Spelletjesmiddag",
            "category": category.pk,
            "recurrence": "monthly",
            "starts_on": "2027-03-02",
            "starts_at": "16:00",
            "ends_at": "14:00",
            "volunteers_needed": "0",
        },
    )
    assert response.status_code == 400
    assert "De eindtijd moet na de begintijd liggen." in response.text
    assert "Kies welke week van de maand." in response.text
    assert 'value="Spelletjesmiddag"' in response.text
    assert not Activity.objects.exists()


def test_attendance_is_recorded_and_the_check_ins_that_named_it_are_shown(
    client, login, coordinator, dokkum, make_activity
):
    from visitors import services as visit_services

    activity = make_activity(starts_on=TODAY, title="Maandagkoffie")
    occurrence = activity.occurrences.get(date=TODAY)
    for _ in range(3):
        visit_services.record_visit(
            location=dokkum, client_id=__import__("uuid").uuid4(), occurrence=occurrence.pk
        )
    login(coordinator)
    url = reverse("activities:occurrence", kwargs={"slug": "dokkum", "pk": occurrence.pk})
    page = client.get(url)
    assert "Geteld op de tablet bij deze activiteit" in page.text
    assert 'value="3"' in page.text  # proposed from the check-ins

    bad = client.post(
        reverse("activities:occurrence-attendance", kwargs={"slug": "dokkum", "pk": occurrence.pk}),
        {"attendance": "-1"},
    )
    assert bad.status_code == 400
    client.post(
        reverse("activities:occurrence-attendance", kwargs={"slug": "dokkum", "pk": occurrence.pk}),
        {"attendance": "14", "notes": "Gezellig"},
    )
    occurrence.refresh_from_db()
    assert occurrence.attendance == 14


def test_a_volunteer_sees_the_calendar_read_only(client, login, volunteer, make_activity):
    activity = make_activity()
    occurrence = activity.occurrences.first()
    login(volunteer)
    calendar = client.get(
        reverse("activities:calendar", kwargs={"slug": "dokkum"}) + "?datum=2027-03-02"
    )
    detail = client.get(
        reverse("activities:occurrence", kwargs={"slug": "dokkum", "pk": occurrence.pk})
    )

    assert calendar.status_code == detail.status_code == 200
    assert "Koffieochtend" in calendar.text
    assert "Nieuwe activiteit" not in calendar.text
    assert "Afzeggen" not in detail.text
    assert (
        client.get(reverse("activities:activity-new", kwargs={"slug": "dokkum"})).status_code == 403
    )


def test_rooms_categories_and_partners_are_managed(client, login, coordinator, dokkum, burgum):
    login(coordinator)
    client.post(
        reverse("activities:rooms", kwargs={"slug": "dokkum"}),
        {"name": "Tuinkamer", "active": "on"},
    )
    twice = client.post(
        reverse("activities:rooms", kwargs={"slug": "dokkum"}), {"name": "tuinkamer"}
    )
    client.post(
        reverse("activities:categories"), {"name_nl": "Muziek", "position": "8", "active": "on"}
    )
    client.post(
        reverse("activities:partner-new"),
        {"name": "Bakkerij De Tsjerne", "kind": "entrepreneur", "locations": [dokkum.pk]},
    )
    other = Partner.objects.create(name="Alleen Burgum", kind=PartnerKind.ASSOCIATION)
    other.locations.add(burgum)

    assert Room.objects.filter(location=dokkum, name="Tuinkamer").count() == 1
    assert twice.status_code == 400
    assert Category.objects.filter(name="Muziek").exists()
    partner = Partner.objects.get(name="Bakkerij De Tsjerne")
    assert list(partner.locations.all()) == [dokkum]
    listing = client.get(reverse("activities:partners"))
    assert "Bakkerij De Tsjerne" in listing.text and "Alleen Burgum" not in listing.text
    assert (
        client.get(reverse("activities:partner-edit", kwargs={"partner_id": other.pk})).status_code
        == 404
    )


def test_a_coordinator_keeps_a_partners_link_to_another_location(
    client, login, coordinator, dokkum, burgum
):
    partner = Partner.objects.create(name="Bibliotheek", kind=PartnerKind.ASSOCIATION)
    partner.locations.add(dokkum, burgum)
    login(coordinator)
    client.post(
        reverse("activities:partner-edit", kwargs={"partner_id": partner.pk}),
        {"name": "Bibliotheek Noord", "kind": "association", "locations": [dokkum.pk]},
    )
    partner.refresh_from_db()
    assert partner.name == "Bibliotheek Noord"
    assert set(partner.locations.all()) == {dokkum, burgum}


def test_staff_see_every_location_in_one_calendar(
    client, login, staff, make_activity, burgum, category
):
    make_activity()
    Activity.objects.create(
        location=burgum,
        title="Burgumer soos",
        category=category,
        starts_on=D(2027, 3, 3),
        starts_at=T(14, 0),
        ends_at=T(16, 0),
    )
    services.generate_all(today=TODAY)
    login(staff)
    page = client.get(reverse("activities:calendar-all") + "?datum=2027-03-02")
    assert "Koffieochtend" in page.text and "Burgumer soos" in page.text
    month = client.get(reverse("activities:calendar-all") + "?weergave=maand&datum=2027-03-02")
    assert month.status_code == 200


# Query counts ------------------------------------------------------------------------------------


def _many_activities(location, category, room, count, prefix):
    for number in range(count):
        activity = Activity.objects.create(
            location=location,
            title=f"{prefix} {number}",
            category=category,
            room=room,
            starts_on=D(2027, 3, 1 + number % 7),
            starts_at=T(10 + number % 5, 0),
            ends_at=T(11 + number % 5, 0),
            volunteers_needed=number % 2,
        )
        activity.partners.add(
            Partner.objects.create(name=f"Partner {prefix} {number}", kind=PartnerKind.WELFARE)
        )
        services.generate_occurrences(activity, today=TODAY)


@pytest.mark.parametrize(
    "url",
    [
        "activities:calendar",
        "activities:calendar-month",
        "activities:activity-list",
        "activities:calendar-all",
        "activities:partners",
    ],
)
def test_the_team_pages_run_a_fixed_number_of_queries(
    client, login, coordinator, staff, dokkum, category, hall, url, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if url == "activities:calendar-month":
        path = reverse("activities:calendar", kwargs={"slug": "dokkum"}) + "?weergave=maand"
    elif url in ("activities:calendar-all", "activities:partners"):
        path = reverse(url)
    else:
        path = reverse(url, kwargs={"slug": "dokkum"})
    login(staff if url == "activities:calendar-all" else coordinator)
    _many_activities(dokkum, category, hall, 2, "a")
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    _many_activities(dokkum, category, hall, 12, "b")
    with django_assert_max_num_queries(len(few)):
        response = client.get(path)
    assert response.status_code == 200


def test_the_dashboard_shows_todays_programme_and_the_way_to_the_calendar(
    client, login, volunteer, make_activity
):
    make_activity(starts_on=TODAY, title="Maandagkoffie")
    page = login(volunteer).get(reverse("dashboard")).text

    assert "Maandagkoffie" in page
    assert reverse("activities:calendar", kwargs={"slug": "dokkum"}) in page


def test_attendance_is_asked_only_once_the_date_has_come(client, login, coordinator, make_activity):
    activity = make_activity()
    later = activity.occurrences.get(date=D(2027, 3, 30))
    page = login(coordinator).get(
        reverse("activities:occurrence", kwargs={"slug": "dokkum", "pk": later.pk})
    )
    assert "Deze keer is nog niet geweest." in page.text
    assert "kun je hier invullen hoeveel deelnemers er waren" in page.text
    assert "vul je in op de dag zelf of daarna" in page.text
    assert 'name="attendance"' not in page.text
    assert "Aantal opslaan" not in page.text


def test_attendance_field_is_there_on_the_day_and_after_and_the_page_promises_nothing_else(
    client, login, coordinator, make_activity
):
    activity = make_activity()
    today = activity.occurrences.get(date=D(2027, 3, 2))
    login(coordinator)
    with time_machine.travel(datetime.datetime(2027, 3, 9, 9, 0, tzinfo=datetime.UTC), tick=False):
        page = client.get(today.get_absolute_url()).text

    assert 'name="attendance"' in page
    assert "Aantal opslaan" in page
    assert "nog niet ingevuld" in page
    assert "Deze keer is nog niet geweest." not in page


def test_attendance_for_a_date_still_to_come_is_refused_with_a_clear_message(
    client, login, coordinator, make_activity
):
    activity = make_activity()
    later = activity.occurrences.get(date=D(2027, 3, 30))
    login(coordinator)
    response = client.post(
        reverse("activities:occurrence-attendance", kwargs={"slug": "dokkum", "pk": later.pk}),
        {"attendance": 12, "notes": ""},
        follow=True,
    )

    later.refresh_from_db()
    assert later.attendance is None
    assert "op de dag zelf of daarna, niet vooraf" in response.text


def test_the_pages_load_nothing_lazily(
    client, login, coordinator, staff, dokkum, category, hall, make_activity
):
    """Under Django's fetch mode RAISE a related object loaded per row fails the page."""
    from .support import fetch_mode_raise

    _many_activities(dokkum, category, hall, 3, "a")
    activity = make_activity(volunteers_needed=1)
    activity.partners.add(Partner.objects.create(name="Bieb", kind=PartnerKind.ASSOCIATION))
    Closure.objects.create(
        location=dokkum, starts_on=D(2027, 3, 9), ends_on=D(2027, 3, 9), reason="Dicht"
    )
    occurrence = activity.occurrences.first()
    slug = {"slug": "dokkum"}
    pages = {
        coordinator: [
            reverse("activities:calendar", kwargs=slug),
            reverse("activities:calendar", kwargs=slug) + "?weergave=maand&datum=2027-03-09",
            reverse("activities:activity-list", kwargs=slug),
            reverse("activities:activity-detail", kwargs={**slug, "pk": activity.pk}),
            reverse("activities:activity-edit", kwargs={**slug, "pk": activity.pk}),
            reverse("activities:occurrence", kwargs={**slug, "pk": occurrence.pk}),
            reverse("activities:rooms", kwargs=slug),
            reverse("activities:categories"),
            reverse("activities:partners"),
            reverse("activities:programme", kwargs=slug),
            reverse("activities:poster", kwargs=slug),
            reverse("activities:programme-ics", kwargs=slug),
            reverse("dashboard"),
        ],
        staff: [
            reverse("activities:calendar-all"),
            reverse("activities:calendar-all") + "?weergave=maand",
            reverse("dashboard"),
        ],
    }
    for person, paths in pages.items():
        login(person)
        for path in paths:
            with fetch_mode_raise():
                response = client.get(path)
            assert response.status_code == 200, path


def test_the_edit_page_shows_the_price_as_people_write_it_and_an_edit_keeps_it(
    client, login, coordinator, dokkum
):
    """Found in the browser: a number box cannot show "0,50", so the price looked empty and
    every later edit made a paid activity free."""
    category = Category.objects.get_or_create(name="Prijssoort")[0]
    activity = Activity.objects.create(
        location=dokkum,
        title="Koffieochtend",
        category=category,
        recurrence="once",
        starts_on=datetime.date(2030, 3, 5),
        starts_at=datetime.time(10),
        ends_at=datetime.time(11, 30),
        price=Decimal("0.50"),
    )
    url = reverse("activities:activity-edit", kwargs={"slug": "dokkum", "pk": activity.pk})
    login(coordinator)

    page = client.get(url)
    price_input = re.search(r'<input[^>]*name="price"[^>]*>', page.text).group(0)
    assert 'type="text"' in price_input and 'value="0,50"' in price_input

    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    saved = client.post(
        url,
        {
            "title": "Koffieochtend met koek",
            "category": category.pk,
            "recurrence": "once",
            "starts_on": "2030-03-05",
            "starts_at": "10:00",
            "ends_at": "11:30",
            "volunteers_needed": "0",
            "price": "0,50",  # what the browser sends back from the box
            "version": version,
        },
    )
    assert saved.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.price) == ("Koffieochtend met koek", Decimal("0.50"))
