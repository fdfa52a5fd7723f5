"""Issue 12, "one truth per rule": closures are authoritative, and the roster's rules have one
definition each, asked by every page, feed, e-mail and command.

The rules: is this date closed here (locations.models.ClosureQuerySet.on / closed_dates), is
this shift understaffed and how many places are left (volunteers.models.Shift.is_understaffed,
Shift.places_left), which day-parts lack a shift lead (volunteers.models.day_parts_without_lead:
only a day-part with a lead shift needs one), and the time of a regular shift (its location's
opening hours). Each rule test runs one set of data through every consumer - the roster grid,
the dashboards, the alert e-mail, the roster feed, the open places - and asserts they agree,
with and without a closure over one of the days.
"""

import datetime
import io

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from activities.models import Activity, Category, OccurrenceStatus, Recurrence
from locations import services as location_services
from locations.models import Closure, DayPart, Membership, OpeningHours
from volunteers import notifications
from volunteers import services as roster
from volunteers.models import (
    Assignment,
    MemberRecord,
    RosterFeedToken,
    Shift,
    ShiftTemplate,
    Status,
    Task,
)
from volunteers.profiles import get_profile

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db

T = datetime.time
BASE = "http://testserver"
M, A = DayPart.MORNING, DayPart.AFTERNOON
DASHBOARD = reverse("dashboard")


def day(offset):
    return timezone.localdate() + datetime.timedelta(days=offset)


def iso_week(date):
    year, week, _weekday = date.isocalendar()
    return f"{year}-W{week:02d}"


def regular(location, offset, part, task):
    return Shift.objects.get(
        location=location, date=day(offset), day_part=part, task=task, regular=True
    )


def put(shift, person):
    return Assignment.objects.create(shift=shift, volunteer=person)


@pytest.fixture
def world(dokkum, burgum, coordinator, other_coordinator, volunteer):
    """Dokkum: open every day 10:00-12:30 and 13:30-16:30; mornings need a shift lead (1) and
    a host (1-2), afternoons two hosts and no lead. Burgum: afternoons, one host, no lead
    template at all. Shifts for the next three days:

    - day 1, Dokkum: morning lead and host taken; afternoon host 1 of 2 (a gap).
    - day 2, Dokkum: Anneke on the morning host shift, nobody else; the activity Sjoelen
      10:00-11:30 with its support shift (1 volunteer, nobody yet).
    - day 3, Dokkum: morning host taken, lead empty; afternoon hosts full.
    - Burgum: day 2 taken, days 1 and 3 empty.
    """
    for weekday in range(1, 8):
        for location, part, opens, closes in [
            (dokkum, M, T(10, 0), T(12, 30)),
            (dokkum, A, T(13, 30), T(16, 30)),
            (burgum, A, T(13, 30), T(16, 30)),
        ]:
            OpeningHours.objects.create(
                location=location, weekday=weekday, day_part=part, opens_at=opens, closes_at=closes
            )
        for location, part, task, low, high in [
            (dokkum, M, Task.SHIFT_LEAD, 1, 1),
            (dokkum, M, Task.HOST, 1, 2),
            (dokkum, A, Task.HOST, 2, 2),
            (burgum, A, Task.HOST, 1, 1),
        ]:
            ShiftTemplate.objects.create(
                location=location,
                weekday=weekday,
                day_part=part,
                task=task,
                minimum=low,
                maximum=high,
            )
    for location in (dokkum, burgum):
        roster.generate_shifts(location, start=day(1), weeks=1)
    Shift.objects.filter(date__gt=day(3)).delete()
    froukje, bauke, wiebe = (
        MembershipFactory(location=dokkum, user__first_name=name).user
        for name in ("Froukje", "Bauke", "Wiebe")
    )
    gerrit = MembershipFactory(location=burgum, user__first_name="Gerrit").user
    put(regular(dokkum, 1, M, Task.SHIFT_LEAD), froukje)
    put(regular(dokkum, 1, M, Task.HOST), bauke)
    put(regular(dokkum, 1, A, Task.HOST), wiebe)
    put(regular(dokkum, 2, M, Task.HOST), volunteer)
    put(regular(dokkum, 3, M, Task.HOST), froukje)
    put(regular(dokkum, 3, A, Task.HOST), bauke)
    put(regular(dokkum, 3, A, Task.HOST), wiebe)
    put(regular(burgum, 2, A, Task.HOST), gerrit)
    sjoelen = Activity.objects.create(
        location=dokkum,
        title="Sjoelen",
        category=Category.objects.get(name="Koffie en inloop"),
        recurrence=Recurrence.ONCE,
        starts_on=day(2),
        starts_at=T(10, 0),
        ends_at=T(11, 30),
        volunteers_needed=1,
    )
    activity_services.generate_occurrences(sjoelen)
    occurrence = sjoelen.occurrences.get()
    # Someone new at Dokkum, on no shift: sees every open place.
    newcomer = MembershipFactory(location=dokkum, user__first_name="Nynke").user
    return {
        "dokkum": dokkum,
        "burgum": burgum,
        "occurrence": occurrence,
        "support": occurrence.support_shift,
        "newcomer": newcomer,
    }


def close_day_2(world, coordinator):
    return location_services.add_closure(
        location=world["dokkum"],
        starts_on=day(2),
        ends_on=day(2),
        reason="Kerstvakantie",
        created_by=coordinator,
    )


@pytest.fixture(params=[False, True], ids=["open", "day-2-closed"])
def closed(request, world, coordinator):
    """Each rule test runs twice: all days open, and with Dokkum closed on day 2."""
    if request.param:
        close_day_2(world, coordinator)
    return request.param


# The consumers ------------------------------------------------------------------------------------


def grid_shifts_and_slots(client, location):
    url = reverse("volunteers:roster", kwargs={"slug": location.slug})
    weeks = client.get(url + f"?week={iso_week(timezone.localdate())}").context["weeks"]
    shifts, slots = [], []
    for week in weeks:
        for grid_day in week.days:
            for slot in grid_day.slots:
                slots.append(((location.pk, grid_day.date, slot.day_part), slot))
                shifts.extend(slot.shifts)
    return shifts, slots


def grid(client, *locations):
    understaffed, free, without_lead = set(), {}, set()
    for location in locations:
        shifts, slots = grid_shifts_and_slots(client, location)
        understaffed |= {shift.pk for shift in shifts if shift.gap}
        free |= {shift.pk: shift.free for shift in shifts if shift.free}
        without_lead |= {key for key, slot in slots if slot.lead_missing}
    return understaffed, free, without_lead


def panel_of(response):
    (panel,) = [p for p in response.context["panels"] if p["template"].startswith("volunteers/")]
    return panel


def alerts(monkeypatch):
    """Run the cron command, keeping what each e-mail lists: (below minimum, without lead)."""
    seen = []
    original = notifications._send

    def spy(template, context, user):
        seen.append(context)
        return original(template, context, user)

    monkeypatch.setattr(notifications, "_send", spy)
    call_command("send_roster_alerts", base_url=BASE, stdout=io.StringIO())
    below, without_lead = set(), set()
    for context in seen:
        for item in context["items"]:
            if item["below"]:
                below.add(item["shift"].pk)
            if item["no_lead"]:
                without_lead.add(item["shift"].slot_key)
    return below, without_lead


def feed_events(client, user, location):
    token = RosterFeedToken.objects.get_or_create(user=user, location=location)[0].token
    url = reverse(
        "volunteers:location-feed",
        kwargs={"roster_token": token, "location_slug": location.slug},
    )
    response = client.get(url)
    assert response.status_code == 200
    events = {}
    for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT"):
        pk = int(str(event["uid"]).split("@")[0].removeprefix("shift-"))
        events[pk] = (str(event["summary"]), str(event["status"]))
    return events


# Rule: is this shift understaffed -----------------------------------------------------------------


def test_understaffed_is_one_rule_for_grid_dashboard_alert_and_feed(
    client, login, world, closed, coordinator, other_coordinator, staff, monkeypatch
):
    dokkum, burgum = world["dokkum"], world["burgum"]
    expected = {
        regular(dokkum, 1, A, Task.HOST).pk,  # 1 of 2
        regular(dokkum, 3, M, Task.SHIFT_LEAD).pk,
        regular(burgum, 1, A, Task.HOST).pk,
        regular(burgum, 3, A, Task.HOST).pk,
    }
    if not closed:
        expected |= {
            regular(dokkum, 2, M, Task.SHIFT_LEAD).pk,
            regular(dokkum, 2, A, Task.HOST).pk,
            world["support"].pk,
        }
    else:  # the closure took the support shift away (nobody was on it)
        assert not Shift.objects.filter(pk=world["support"].pk).exists()

    login(staff)
    grid_understaffed, _free, _leads = grid(client, dokkum, burgum)
    staff_rows = {row["location"].slug: row for row in panel_of(client.get(DASHBOARD))["rows"]}
    login(coordinator)
    dashboard = {shift.pk for shift in panel_of(client.get(DASHBOARD))["below_minimum"]}
    feed = {pk for pk, (summary, _s) in feed_events(client, coordinator, dokkum).items()}
    tekort = {
        pk
        for pk, (summary, _s) in feed_events(client, coordinator, dokkum).items()
        if summary.startswith("Tekort")
    }
    login(other_coordinator)
    dashboard |= {shift.pk for shift in panel_of(client.get(DASHBOARD))["below_minimum"]}
    tekort |= {
        pk
        for pk, (summary, _s) in feed_events(client, other_coordinator, burgum).items()
        if summary.startswith("Tekort")
    }
    alerted, _without_lead = alerts(monkeypatch)

    assert grid_understaffed == expected
    assert dashboard == expected
    assert alerted == expected
    assert tekort == expected
    assert feed  # the feed does list the other shifts
    places_short = {
        slug: sum(
            shift.minimum - shift.taken
            for shift in Shift.objects.with_taken().filter(pk__in=expected, location__slug=slug)
        )
        for slug in ("dokkum", "burgum")
    }
    assert staff_rows["dokkum"]["places_short"] == places_short["dokkum"]
    assert staff_rows["burgum"]["places_short"] == places_short["burgum"]


# Rule: places left --------------------------------------------------------------------------------


def test_places_left_is_one_rule_for_grid_open_places_dashboard_and_take_page(
    client, login, world, closed, coordinator
):
    dokkum = world["dokkum"]
    expected = {
        regular(dokkum, 1, M, Task.HOST).pk: 1,
        regular(dokkum, 1, A, Task.HOST).pk: 1,
        regular(dokkum, 3, M, Task.SHIFT_LEAD).pk: 1,
        regular(dokkum, 3, M, Task.HOST).pk: 1,
    }
    if not closed:
        expected |= {
            regular(dokkum, 2, M, Task.SHIFT_LEAD).pk: 1,
            regular(dokkum, 2, M, Task.HOST).pk: 1,
            regular(dokkum, 2, A, Task.HOST).pk: 2,
            world["support"].pk: 1,
        }

    login(coordinator)
    _understaffed, grid_free, _leads = grid(client, dokkum)
    login(world["newcomer"])
    page = client.get(reverse("volunteers:open-places"))
    open_places = {shift.pk: shift.places_left for shift in page.context["shifts"]}
    panel = panel_of(client.get(DASHBOARD))

    assert grid_free == expected
    assert open_places == expected
    assert panel["open_places"] == sum(expected.values())
    for pk, free in expected.items():
        take = client.get(reverse("volunteers:take", kwargs={"pk": pk}))
        assert take.context["free"] == free
    closed_host = regular(dokkum, 2, M, Task.HOST)
    take = client.get(reverse("volunteers:take", kwargs={"pk": closed_host.pk}))
    if closed:
        assert take.context["free"] == 0
        assert "De buurtkamer is deze dag dicht: Kerstvakantie" in take.text
        assert "Ja, ik kom" not in take.text
        assert "Sjoelen" not in page.text
    else:
        assert "Ja, ik kom" in take.text


# Rule: which day-parts lack a shift lead ----------------------------------------------------------


def test_day_parts_without_a_lead_are_one_rule_even_without_a_lead_template(
    client, login, world, closed, coordinator, other_coordinator, staff, monkeypatch
):
    """Burgum has no lead template: no lead requirement, on no page and in no e-mail. Dokkum's
    afternoons have no lead template either; its mornings do."""
    dokkum, burgum = world["dokkum"], world["burgum"]
    expected = {(dokkum.pk, day(3), M)}
    if not closed:
        expected.add((dokkum.pk, day(2), M))

    login(staff)
    _understaffed, _free, grid_without_lead = grid(client, dokkum, burgum)
    staff_rows = {row["location"].slug: row for row in panel_of(client.get(DASHBOARD))["rows"]}
    login(coordinator)
    coordinator_panel = panel_of(client.get(DASHBOARD))
    dashboard = {shift.slot_key for shift in coordinator_panel["without_lead"]}
    login(other_coordinator)
    burgum_panel = panel_of(client.get(DASHBOARD))
    _below, alerted = alerts(monkeypatch)

    assert grid_without_lead == expected
    assert dashboard == expected
    assert alerted == expected
    assert coordinator_panel["without_lead_count"] == len(expected)
    assert staff_rows["dokkum"]["without_lead"] == len(expected)
    assert staff_rows["burgum"]["without_lead"] == 0
    assert burgum_panel["without_lead_count"] == 0
    burgum_mail = [m for m in mail.outbox if other_coordinator.email in m.to]
    assert burgum_mail and all("geen dagverantwoordelijke" not in m.body for m in burgum_mail)


# Rule: the time of a shift ------------------------------------------------------------------------


def test_a_morning_with_an_activity_shift_shows_the_opening_hours(client, login, world, volunteer):
    """The day-part's time is the location's opening slot (10:00-12:30), not the activity's
    (10:00-11:30), which the activity shift shows on its own line."""
    url = reverse("volunteers:roster", kwargs={"slug": "dokkum"})
    login(volunteer)
    page = client.get(url + f"?week={iso_week(day(2))}")
    _shifts, slots = grid_shifts_and_slots(client, world["dokkum"])
    morning = dict(slots)[(world["dokkum"].pk, day(2), M)]
    assert (morning.starts_at, morning.ends_at) == (T(10, 0), T(12, 30))
    assert world["support"] in morning.shifts
    text = page.text
    assert "10:00–12:30" in text
    assert 'roster-shift-time">10:00–11:30' in text
    assert 'Ochtend <span class="text-body-secondary">10:00–11:30' not in text
    printed = client.get(
        reverse("volunteers:roster-print", kwargs={"slug": "dokkum"}) + f"?week={iso_week(day(2))}"
    ).text
    assert "10:00–12:30" in printed
    assert "Sjoelen 10:00–11:30" in printed
    assert all(
        (shift.starts_at, shift.ends_at) == (T(10, 0), T(12, 30))
        for shift in morning.shifts
        if shift.regular
    )


def test_changed_opening_hours_move_the_coming_regular_shifts(world, coordinator):
    dokkum = world["dokkum"]
    slots = [
        {"weekday": weekday, "day_part": part, "opens_at": opens, "closes_at": closes}
        for weekday in range(1, 8)
        for part, opens, closes in [(M, T(9, 30), T(12, 0)), (A, T(13, 30), T(16, 30))]
    ]
    location_services.set_opening_hours(location=dokkum, slots=slots, changed_by=coordinator)

    lead = regular(dokkum, 3, M, Task.SHIFT_LEAD)
    assert (lead.starts_at, lead.ends_at) == (T(9, 30), T(12, 0))
    world["support"].refresh_from_db()  # an activity shift keeps its activity's times
    assert (world["support"].starts_at, world["support"].ends_at) == (T(10, 0), T(11, 30))


# Closures cancel and restore ----------------------------------------------------------------------


@pytest.fixture
def weekly(world):
    """Sjoelen's big brother: weekly from day 2, so days 2, 9 and 16 lie in a closure of
    day 2 to day 16. Day 9 was cancelled by hand before."""
    activity = Activity.objects.create(
        location=world["dokkum"],
        title="Koersbal",
        category=Category.objects.get(name="Koffie en inloop"),
        recurrence=Recurrence.WEEKLY,
        starts_on=day(2),
        starts_at=T(14, 0),
        ends_at=T(15, 30),
        volunteers_needed=1,
    )
    activity_services.generate_occurrences(activity)
    by_hand = activity.occurrences.get(date=day(9))
    activity_services.cancel_occurrence(by_hand, reason="Zaal bezet", user=None)
    return activity


def test_a_closure_cancels_its_dates_everywhere_and_removing_it_restores_them(
    client, login, world, weekly, coordinator
):
    login(coordinator)
    response = client.post(
        reverse("locations:closures", kwargs={"slug": "dokkum"}),
        {"starts_on": day(2).isoformat(), "ends_on": day(16).isoformat(), "reason": "Verbouwing"},
    )
    assert response.status_code == 302
    closure = Closure.objects.get()
    occurrences = {o.date: o for o in weekly.occurrences.all()}
    for date in (day(2), day(16)):
        cancelled = occurrences[date]
        assert cancelled.status == OccurrenceStatus.CANCELLED
        assert cancelled.cancel_reason == "Gesloten: Verbouwing"
        assert cancelled.cancelled_by_closure == closure
        assert cancelled.support_shift is None  # nobody was on it: gone
    assert occurrences[day(9)].cancel_reason == "Zaal bezet"
    assert occurrences[day(9)].cancelled_by_closure is None
    world["occurrence"].refresh_from_db()
    assert world["occurrence"].is_cancelled

    # The public programme, the poster and the .ics say it does not go ahead.
    client.logout()
    programme = client.get(reverse("activities:programme", kwargs={"slug": "dokkum"})).text
    assert '<del class="prog-title">Sjoelen</del>' in programme
    assert '<del class="prog-title">Koersbal</del>' in programme
    ics = client.get(reverse("activities:programme-ics", kwargs={"slug": "dokkum"}))
    events = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    statuses = {
        (str(event["summary"]).split(" (")[0], event.decoded("dtstart").date()): str(
            event["status"]
        )
        for event in events
    }
    assert statuses[("Sjoelen", day(2))] == "CANCELLED"
    assert statuses[("Koersbal", day(2))] == "CANCELLED"
    assert "CONFIRMED" not in {
        status for (_title, date), status in statuses.items() if day(2) <= date <= day(16)
    }

    # Removing the closure plans again what it cancelled, and only that.
    login(coordinator)
    client.post(reverse("locations:closure-delete", kwargs={"slug": "dokkum", "pk": closure.pk}))
    occurrences = {o.date: o for o in weekly.occurrences.select_related("support_shift")}
    for date in (day(2), day(16)):
        assert occurrences[date].status == OccurrenceStatus.PLANNED
        assert occurrences[date].cancel_reason == ""
        assert occurrences[date].support_shift is not None
    assert occurrences[day(9)].status == OccurrenceStatus.CANCELLED
    assert occurrences[day(9)].cancel_reason == "Zaal bezet"
    ics = client.get(reverse("activities:programme-ics", kwargs={"slug": "dokkum"}))
    sjoelen = [
        e
        for e in icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
        if "Sjoelen" in e["summary"]
    ]
    assert [str(e["status"]) for e in sjoelen] == ["CONFIRMED"]


def test_a_date_generated_later_inside_a_closure_is_cancelled_by_it(world, coordinator):
    closure = location_services.add_closure(
        location=world["dokkum"],
        starts_on=day(20),
        ends_on=day(30),
        reason="Zomerstop",
        created_by=coordinator,
    )
    activity = Activity.objects.create(
        location=world["dokkum"],
        title="Breien",
        category=Category.objects.get(name="Koffie en inloop"),
        recurrence=Recurrence.WEEKLY,
        starts_on=day(18),
        starts_at=T(14, 0),
        ends_at=T(15, 0),
        volunteers_needed=1,
    )
    activity_services.generate_occurrences(activity)
    inside = activity.occurrences.get(date=day(25))
    assert (inside.status, inside.cancelled_by_closure) == (OccurrenceStatus.CANCELLED, closure)
    assert inside.support_shift is None
    assert activity.occurrences.get(date=day(18)).status == OccurrenceStatus.PLANNED
    assert roster.generate_shifts(world["dokkum"], start=day(20), weeks=1) == 0
    # A restore by hand on a closed day is refused.
    with pytest.raises(activity_services.OccurrenceError) as refused:
        activity_services.restore_occurrence(inside, user=coordinator)
    assert refused.value.code == "closed"


def test_nobody_is_put_on_the_roster_on_a_closed_day(client, login, world, coordinator, volunteer):
    close_day_2(world, coordinator)
    host = regular(world["dokkum"], 2, A, Task.HOST)

    login(world["newcomer"])
    response = client.post(reverse("volunteers:take", kwargs={"pk": host.pk}), follow=True)
    assert "dicht op" in response.text and "Kerstvakantie" in response.text
    with pytest.raises(roster.RosterError) as refused:
        roster.take_place(host, world["newcomer"])
    assert refused.value.code == "closed"

    login(coordinator)
    shift_url = reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": host.pk})
    page = client.get(shift_url).text
    assert "De buurtkamer is deze dag dicht: Kerstvakantie" in page and "Indelen" not in page
    response = client.post(
        reverse("volunteers:assign", kwargs={"slug": "dokkum", "pk": host.pk}),
        {"volunteer": world["newcomer"].pk},
        follow=True,
    )
    assert "Kerstvakantie" in response.text
    assert not Assignment.objects.filter(shift=host).exists()


def test_no_reminder_alert_or_open_place_mail_on_a_closed_day(
    world, coordinator, volunteer, django_capture_on_commit_callbacks
):
    """Anneke stands on day 2; close day 1 and day 2 with people on both."""
    people = {volunteer.pk, *Assignment.objects.active().values_list("volunteer", flat=True)}
    for membership in Membership.objects.current().filter(user__in=people):
        MemberRecord.objects.update_or_create(
            membership=membership, defaults={"status": Status.ACTIVE}
        )
    location_services.add_closure(
        location=world["dokkum"],
        starts_on=day(1),
        ends_on=day(2),
        reason="Kerstvakantie",
        created_by=coordinator,
    )

    # Reminders go out for tomorrow (day 1): Dokkum is closed, Burgum has nobody on day 1.
    assert notifications.send_shift_reminders(base_url=BASE) == 0
    # For day 2: Gerrit in Burgum, not Anneke in closed Dokkum.
    mail.outbox.clear()
    assert notifications.send_shift_reminders(base_url=BASE, today=day(1)) == 1
    assert mail.outbox[0].to != [volunteer.email]
    # Alerts: only Burgum's and Dokkum's day 3.
    notifications.send_roster_alerts(base_url=BASE)
    alerted = Shift.objects.filter(understaffed_alert_sent_at__isnull=False)
    assert not alerted.filter(location=world["dokkum"], date__lte=day(2)).exists()
    assert alerted.filter(location=world["dokkum"], date=day(3)).exists()
    # Cancelling a place on a closed day announces nothing.
    mail.outbox.clear()
    assignment = Assignment.objects.get(volunteer=volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        roster.cancel_assignment(assignment, by=volunteer, base_url=BASE)
    assert [m for m in mail.outbox if m.subject.startswith("Open plek")] == []


def test_reminders_still_go_out_on_an_open_day(world, volunteer):
    # The control for the test above: without a closure, the three on Dokkum's day 1 and
    # Anneke and Gerrit on day 2 are reminded the day before.
    assert notifications.send_shift_reminders(base_url=BASE) == 3
    assert notifications.send_shift_reminders(base_url=BASE, today=day(1)) == 2


def test_the_closures_page_lists_who_still_stands_on_closed_days(
    client, login, world, coordinator, volunteer, django_assert_max_num_queries
):
    login(coordinator)
    url = reverse("locations:closures", kwargs={"slug": "dokkum"})
    response = client.post(
        url,
        {"starts_on": day(2).isoformat(), "ends_on": day(3).isoformat(), "reason": "Verbouwing"},
        follow=True,
    )
    text = response.text
    assert "Op deze dagen staan nog mensen ingeroosterd:" in text
    assert volunteer.get_full_name() in text  # day 2
    assert text.count("<li><a href=") >= 3  # Anneke on day 2; Froukje, Bauke, Wiebe on day 3
    # The roster shows the closed day with the people still on it, and no gap.
    (week, *_rest) = roster.roster_grid(world["dokkum"], day(2), 1)
    closed_days = [d for d in week.days if d.date in (day(2), day(3)) and d.closed]
    assert closed_days and not any(d.has_gap for d in closed_days)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    # Anneke reads it on her own page too.
    login(volunteer)
    mine = client.get(reverse("volunteers:my-shifts")).text
    assert mine.count("je hoeft niet te komen") == 1


def test_the_roster_feeds_say_a_shift_on_a_closed_day_does_not_go_ahead(
    client, world, coordinator, volunteer
):
    close_day_2(world, coordinator)
    host = regular(world["dokkum"], 2, M, Task.HOST)
    events = feed_events(client, coordinator, world["dokkum"])
    assert events[host.pk][1] == "CANCELLED"
    assert events[regular(world["dokkum"], 3, M, Task.HOST).pk][1] == "CONFIRMED"
    mine = client.get(
        reverse(
            "volunteers:my-feed", kwargs={"calendar_token": get_profile(volunteer).calendar_token}
        )
    )
    (event,) = icalendar.Calendar.from_ical(mine.content).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"


# Two identical closures at once ------------------------------------------------------------------


def closure_race(location, people):
    from .support import run_at_once

    return run_at_once(
        [
            lambda person=person: location_services.add_closure(
                location=location,
                starts_on=day(10),
                ends_on=day(12),
                reason="Verbouwing",
                created_by=person,
            )
            for person in people
        ]
    )


@pytest.fixture
def race_location():
    from .factories import LocationFactory
    from .support import require_postgresql

    require_postgresql()
    location = LocationFactory()
    people = [MembershipFactory(location=location, role="coordinator").user for _ in range(4)]
    return location, people


@pytest.mark.django_db(transaction=True)
def test_two_identical_closures_posted_at_once_make_one(race_location):
    location, people = race_location
    results = closure_race(location, people)
    made = [result for result, error in results if result is not None]
    errors = [error for result, error in results if error is not None]
    assert len(made) == 1, results
    assert all(isinstance(error, location_services.LocationError) for error in errors), errors
    assert all(error.code == "overlap" for error in errors)
    assert Closure.objects.filter(location=location).count() == 1


@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_the_harness_does_see_two_closures(race_location, monkeypatch):
    import time

    location, people = race_location
    monkeypatch.setattr(location_services, "CLOSURE_LOCK", False)
    create = Closure.objects.create

    def slow_create(**fields):
        time.sleep(0.3)  # between the overlap check and the insert
        return create(**fields)

    monkeypatch.setattr(Closure.objects, "create", slow_create)
    closure_race(location, people)
    assert Closure.objects.filter(location=location).count() > 1
