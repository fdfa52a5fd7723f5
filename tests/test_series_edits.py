"""Series edits keep data (issue 12): a date that is today or past, or that holds attendance,
notes or check-ins, is never deleted by editing the series or by an earlier end date. Today's
date stays as it was; a coming one is cancelled instead of deleted."""

import datetime
import uuid
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from activities import services
from activities.models import Activity, Category, Occurrence, OccurrenceStatus, Recurrence
from visitors.models import Visit

D = datetime.date
T = datetime.time
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
TODAY = D(2027, 3, 2)  # a Tuesday


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2027, 3, 2, 14, 0, tzinfo=AMSTERDAM), tick=False):
        yield


@pytest.fixture
def koffie(dokkum):
    """Every Tuesday 10:00–11:30 since February; its dates planned 12 weeks ahead."""
    activity = Activity.objects.create(
        location=dokkum,
        title="Koffieochtend",
        category=Category.objects.get(name="Koffie en inloop"),
        recurrence=Recurrence.WEEKLY,
        starts_on=D(2027, 2, 2),
        starts_at=T(10, 0),
        ends_at=T(11, 30),
    )
    services.generate_occurrences(activity, today=TODAY)
    return activity


def check_in(occurrence, n=1):
    when = datetime.datetime.combine(occurrence.date, T(10, 15), tzinfo=AMSTERDAM)
    visits = []
    for _number in range(n):
        visit = Visit(
            location=occurrence.activity.location,
            recorded_at=when,
            day_part=occurrence.activity.location.day_part_at(when),
            occurrence=occurrence,
            client_id=uuid.uuid4(),
        )
        visit.save()
        visits.append(visit)
    return visits


def edit_series(client, activity, **changes):
    data = {
        "title": activity.title,
        "category": activity.category_id,
        "room": "",
        "recurrence": activity.recurrence,
        "starts_on": activity.starts_on.isoformat(),
        "ends_on": activity.ends_on.isoformat() if activity.ends_on else "",
        "starts_at": "10:00",
        "ends_at": "11:30",
        "volunteers_needed": "0",
        **changes,
    }
    return client.post(
        reverse("activities:activity-edit", kwargs={"slug": "dokkum", "pk": activity.pk}), data
    )


def test_moving_the_weekday_from_tomorrow_keeps_todays_date_its_figures_and_check_ins(
    client, login, coordinator, koffie
):
    today = koffie.occurrences.get(date=TODAY)
    login(coordinator)
    response = client.post(
        reverse("activities:occurrence-attendance", kwargs={"slug": "dokkum", "pk": today.pk}),
        {"attendance": "12", "notes": "Gezellig, veel nieuwe mensen"},
    )
    assert response.status_code == 302
    visits = check_in(today, 3)

    # From tomorrow on Thursdays instead of Tuesdays.
    response = edit_series(client, koffie, starts_on="2027-03-04")

    assert response.status_code == 302
    today.refresh_from_db()  # still there, as it was
    assert (today.date, today.status) == (TODAY, OccurrenceStatus.PLANNED)
    assert today.attendance == 12 and today.notes == "Gezellig, veel nieuwe mensen"
    assert today.changed_by_hand  # recording attendance counts as a change by hand
    assert {
        visit.occurrence_id for visit in Visit.objects.filter(pk__in=[v.pk for v in visits])
    } == {today.pk}
    coming = list(
        koffie.occurrences.filter(date__gt=TODAY).order_by("date").values_list("date", flat=True)
    )
    assert coming[0] == D(2027, 3, 4) and all(day.isoweekday() == 4 for day in coming)
    # The per-activity report still counts today's check-ins.
    assert Visit.objects.filter(occurrence__activity=koffie).count() == 3


def test_todays_date_without_figures_also_stays_when_it_no_longer_fits(
    client, login, coordinator, koffie
):
    login(coordinator)
    edit_series(client, koffie, starts_on="2027-03-04")
    assert koffie.occurrences.get(date=TODAY).status == OccurrenceStatus.PLANNED


def test_a_coming_date_with_check_ins_or_notes_is_cancelled_not_deleted(
    client, login, coordinator, koffie
):
    with_visit = koffie.occurrences.get(date=D(2027, 3, 9))
    with_notes = koffie.occurrences.get(date=D(2027, 3, 16))
    empty = koffie.occurrences.get(date=D(2027, 3, 23))
    (visit,) = check_in(with_visit)
    Occurrence.objects.filter(pk=with_notes.pk).update(notes="Taart meenemen")
    login(coordinator)

    edit_series(client, koffie, starts_on="2027-03-04")

    with_visit.refresh_from_db()
    with_notes.refresh_from_db()
    assert with_visit.status == OccurrenceStatus.CANCELLED
    assert with_notes.status == OccurrenceStatus.CANCELLED and with_notes.notes == "Taart meenemen"
    assert not Occurrence.objects.filter(pk=empty.pk).exists()
    visit.refresh_from_db()
    assert visit.occurrence_id == with_visit.pk


def test_an_earlier_end_date_keeps_today_and_the_past(client, login, coordinator, koffie):
    past = Occurrence.objects.create(
        activity=koffie, date=D(2027, 2, 23), starts_at=T(10, 0), ends_at=T(11, 30), attendance=8
    )
    login(coordinator)

    response = edit_series(client, koffie, ends_on="2027-03-01")

    assert response.status_code == 302
    assert set(koffie.occurrences.values_list("date", flat=True)) == {D(2027, 2, 23), TODAY}
    past.refresh_from_db()
    assert past.attendance == 8


def test_recording_attendance_marks_the_date_as_changed_by_hand(coordinator, koffie):
    occurrence = koffie.occurrences.get(date=TODAY)
    assert not occurrence.changed_by_hand
    services.record_attendance(occurrence, attendance=5, notes="", user=coordinator)
    occurrence.refresh_from_db()
    assert occurrence.changed_by_hand and occurrence.attendance == 5
