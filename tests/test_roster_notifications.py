"""E-mails of the roster: an open place announced to the free colleagues, the coordinators told
of a late cancellation and of understaffed shifts, and the reminder the day before.

Each of them goes out once: running again (or a second call) sends nothing new.
"""

import datetime
import html as html_module
import io
import logging
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils.html import strip_tags

from locations.models import DayPart, Membership, Role
from volunteers import notifications, services
from volunteers.models import Assignment, MemberRecord, Shift, Status, Task, VolunteerProfile

from .factories import LocationFactory, MembershipFactory, UserFactory
from .support import make_shift, require_postgresql

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BASE = "http://testserver"
# A Tuesday morning in winter; "today" of most tests.
NOW = datetime.datetime(2027, 1, 5, 10, 0, tzinfo=AMSTERDAM)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def tuesday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def day(offset):
    return TODAY + datetime.timedelta(days=offset)


def member(location, first_name, *, status=Status.ACTIVE, role=Role.VOLUNTEER):
    """A member with this status at the location (its own record of the membership)."""
    membership = MembershipFactory(location=location, role=role, user__first_name=first_name)
    if status is not None:
        VolunteerProfile.objects.create(user=membership.user)
        MemberRecord.objects.create(membership=membership, status=status)
    return membership.user


def activate(user):
    """Active at each of the person's locations."""
    for membership in Membership.objects.current().filter(user=user):
        MemberRecord.objects.update_or_create(
            membership=membership, defaults={"status": Status.ACTIVE}
        )
    return user


def recipients(messages=None):
    return sorted(address for message in (messages or mail.outbox) for address in message.to)


def cancel(assignment, by, capture, reason=""):
    with capture(execute=True):
        return services.cancel_assignment(assignment, by=by, reason=reason, base_url=BASE)


def assert_dutch_text_and_html(message, *phrases):
    assert message.alternatives, "no HTML part"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="nl">' in html
    shown = html_module.unescape(strip_tags(html))
    for phrase in phrases:
        assert phrase in message.body, phrase
        assert phrase in shown or phrase in html, phrase


# An open place --------------------------------------------------------------------------------


@pytest.fixture
def team(dokkum, burgum, volunteer):
    """Dokkum's people, each a reason to be (not) told of an open place on Friday morning."""
    activate(volunteer)
    people = {
        "canceller": volunteer,
        "free": member(dokkum, "Froukje"),
        "busy": member(dokkum, "Bauke"),
        "paused": member(dokkum, "Pieter", status=Status.PAUSED),
        "stopped": member(dokkum, "Sytske", status=Status.STOPPED),
        "aspirant": member(dokkum, "Atze", status=Status.ASPIRANT),
        "no_profile": member(dokkum, "Nynke", status=None),
        "burgum": member(burgum, "Gerrit"),
        "former": member(dokkum, "Foppe"),
        "inactive": member(dokkum, "Ids"),
        "already_on_it": member(dokkum, "Lieuwe"),
        "busy_elsewhere": member(dokkum, "Marten"),
    }
    people["former"].memberships.update(ended_at=NOW)
    people["inactive"].is_active = False
    people["inactive"].save()
    # Marten is also a Burgum volunteer, on a Burgum shift at an overlapping time.
    MembershipFactory(location=burgum, user=people["busy_elsewhere"])
    people["burgum_location"] = burgum
    return people


def friday_shift(dokkum, team):
    """Friday morning, host, two places: Lieuwe and the canceller. Bauke is in the kitchen at
    an overlapping time, Marten on a Burgum shift at an overlapping time."""
    shift = make_shift(dokkum, day(3), maximum=2)
    kitchen = make_shift(dokkum, day(3), task=Task.KITCHEN, starts=(11, 0), ends=(13, 0))
    services.take_place(kitchen, team["busy"])
    services.take_place(shift, team["already_on_it"])
    elsewhere = make_shift(team["burgum_location"], day(3), starts=(10, 0), ends=(11, 0))
    services.take_place(elsewhere, team["busy_elsewhere"])
    return shift, services.take_place(shift, team["canceller"])


def test_an_open_place_is_told_to_the_free_active_colleagues_only(
    dokkum, team, coordinator, django_capture_on_commit_callbacks
):
    shift, assignment = friday_shift(dokkum, team)

    cancel(assignment, team["canceller"], django_capture_on_commit_callbacks, "Ziek")

    assert recipients() == [team["free"].email]
    message = mail.outbox[0]
    assert message.subject.startswith("Open plek: gastvrouw/gastheer op vrijdag 8 januari")
    take = BASE + reverse("volunteers:take", kwargs={"pk": shift.pk})
    assert take in message.body
    assert f'href="{take}"' in message.alternatives[0][0]
    assert_dutch_text_and_html(message, "Beste Froukje", "Er is een plek vrijgekomen", "09:30")
    assert "Ziek" not in message.body  # the reason is for the coordinator, not the colleagues
    assignment.refresh_from_db()
    assert assignment.gap_announced_at is not None


def test_an_open_place_is_told_once(dokkum, team, django_capture_on_commit_callbacks):
    _shift, assignment = friday_shift(dokkum, team)
    cancel(assignment, team["canceller"], django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    notifications.after_cancellation(assignment, base_url=BASE)
    assert notifications.announce_open_place(assignment, base_url=BASE) == 0

    assert len(mail.outbox) == 1


def test_an_open_place_further_than_two_weeks_ahead_is_not_told(
    dokkum, team, django_capture_on_commit_callbacks
):
    far = make_shift(dokkum, day(15))
    assignment = services.take_place(far, team["canceller"])

    cancel(assignment, team["canceller"], django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assignment.refresh_from_db()
    assert assignment.gap_announced_at is None


def test_an_open_place_just_within_two_weeks_is_told(
    dokkum, team, django_capture_on_commit_callbacks
):
    near = make_shift(dokkum, day(13))
    assignment = services.take_place(near, team["canceller"])
    cancel(assignment, team["canceller"], django_capture_on_commit_callbacks)
    free_then = ("free", "already_on_it", "busy", "busy_elsewhere")
    assert recipients() == sorted(team[name].email for name in free_then)


def test_a_shift_that_has_started_is_not_announced(
    dokkum, team, django_capture_on_commit_callbacks
):
    shift = make_shift(dokkum, day(1))
    assignment = services.take_place(shift, team["canceller"])
    with django_capture_on_commit_callbacks(execute=False):  # the e-mail is not sent (yet)
        services.cancel_assignment(assignment, by=team["canceller"], base_url=BASE)
    with time_machine.travel(datetime.datetime(2027, 1, 6, 9, 45, tzinfo=AMSTERDAM), tick=False):
        notifications.after_cancellation(assignment, base_url=BASE)
    assert mail.outbox == []
    assignment.refresh_from_db()
    assert assignment.gap_announced_at is None


def test_a_full_shift_is_not_announced(
    dokkum, team, coordinator, django_capture_on_commit_callbacks
):
    """Someone took the place before the e-mail went out: nothing to tell."""
    shift = make_shift(dokkum, day(3), maximum=1)
    assignment = services.take_place(shift, team["canceller"])
    with django_capture_on_commit_callbacks(execute=False):
        services.cancel_assignment(assignment, by=team["canceller"], base_url=BASE)
    services.take_place(shift, team["free"])
    notifications.after_cancellation(assignment, base_url=BASE)
    assert mail.outbox == []


def test_a_late_cancellation_is_told_to_the_locations_coordinators(
    dokkum, team, coordinator, other_coordinator, django_capture_on_commit_callbacks
):
    second = member(dokkum, "Wiebe", status=None, role=Role.COORDINATOR)
    shift = make_shift(dokkum, day(1))  # tomorrow morning: within 48 hours
    assignment = services.take_place(shift, team["canceller"])

    cancel(assignment, team["canceller"], django_capture_on_commit_callbacks, "Mijn moeder is ziek")

    assignment.refresh_from_db()
    assert assignment.cancelled_late
    late = [m for m in mail.outbox if m.subject.startswith("Late afmelding")]
    assert recipients(late) == sorted([coordinator.email, second.email])
    assert_dutch_text_and_html(
        late[0], "heeft zich laat afgemeld", "Mijn moeder is ziek", "Woensdag 6 januari"
    )
    assert team["canceller"].get_full_name() in late[0].subject
    assert BASE + reverse("volunteers:roster", kwargs={"slug": "dokkum"}) in late[0].body
    # The colleagues hear of the open place, without the reason.
    open_place = [m for m in mail.outbox if m.subject.startswith("Open plek")]
    assert team["free"].email in recipients(open_place)
    assert all("moeder" not in m.body for m in open_place)


def test_a_timely_cancellation_is_not_told_to_the_coordinators(
    dokkum, team, coordinator, django_capture_on_commit_callbacks
):
    _shift, assignment = friday_shift(dokkum, team)
    cancel(assignment, team["canceller"], django_capture_on_commit_callbacks)
    assert coordinator.email not in recipients()


def test_a_failed_send_does_not_bother_the_person_who_cancels(
    dokkum, team, coordinator, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(notifications, "send_templated_email", broken)
    shift = make_shift(dokkum, day(1))
    assignment = services.take_place(shift, team["canceller"])

    with caplog.at_level(logging.ERROR, logger="volunteers.notifications"):
        cancel(assignment, team["canceller"], django_capture_on_commit_callbacks)

    assignment.refresh_from_db()
    assert assignment.cancelled_at is not None
    assert "Could not send" in caplog.text
    assert mail.outbox == []


def test_cancelling_through_the_page_announces_the_place(
    login, dokkum, team, django_capture_on_commit_callbacks
):
    _shift, assignment = friday_shift(dokkum, team)
    client = login(team["canceller"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("volunteers:cancel", kwargs={"pk": assignment.pk}), {"reason": ""}
        )
    assert response.status_code == 302
    assert recipients() == [team["free"].email]
    assert "http://testserver/rooster/" in mail.outbox[0].body


# Understaffed shifts, three days ahead ----------------------------------------------------------


@pytest.fixture
def thin_roster(dokkum, burgum, volunteer, coordinator, other_coordinator):
    """Thursday (in two days) at Dokkum: host 1 of 2, no shift lead in the morning; the
    afternoon is fine. Burgum has an empty host shift; next week is thin too, but far off."""
    host = make_shift(dokkum, day(2), minimum=2, maximum=3)
    services.take_place(host, volunteer)
    lead = make_shift(dokkum, day(2), task=Task.SHIFT_LEAD)
    afternoon_host = make_shift(
        dokkum, day(2), day_part=DayPart.AFTERNOON, starts=(13, 30), ends=(16, 30)
    )
    afternoon_lead = make_shift(
        dokkum,
        day(2),
        task=Task.SHIFT_LEAD,
        day_part=DayPart.AFTERNOON,
        starts=(13, 30),
        ends=(16, 30),
    )
    services.take_place(afternoon_host, member(dokkum, "Hylke"))
    services.take_place(afternoon_lead, member(dokkum, "Jildou"))
    burgum_host = make_shift(burgum, day(3))
    make_shift(dokkum, day(7), minimum=2)
    return {"host": host, "lead": lead, "burgum_host": burgum_host}


def test_coordinators_hear_once_of_shifts_below_minimum_or_without_a_lead(
    thin_roster, coordinator, other_coordinator
):
    call_command("send_roster_alerts", base_url=BASE, stdout=io.StringIO())

    assert recipients() == sorted([coordinator.email, other_coordinator.email])
    dokkum_mail = next(m for m in mail.outbox if coordinator.email in m.to)
    assert dokkum_mail.subject == "Rooster Buurtkamer Dokkum: 2 diensten nog niet rond"
    assert_dutch_text_and_html(
        dokkum_mail,
        "Donderdag 7 januari, 09:30–12:00, gastvrouw/gastheer: 1 van de minimaal 2",
        "dagverantwoordelijke: 0 van de minimaal 1; geen dagverantwoordelijke",
    )
    assert "13:30" not in dokkum_mail.body  # the afternoon is fine
    assert "14 januari" not in dokkum_mail.body  # next week: later
    burgum_mail = next(m for m in mail.outbox if other_coordinator.email in m.to)
    assert "Buurtkamer Burgum" in burgum_mail.subject
    assert Shift.objects.filter(understaffed_alert_sent_at__isnull=False).count() == 3

    mail.outbox.clear()
    call_command("send_roster_alerts", base_url=BASE, stdout=io.StringIO())
    assert mail.outbox == []


def test_a_day_part_without_any_lead_shift_has_no_lead_requirement(dokkum, coordinator, volunteer):
    # Rule changed (issue 12): a day-part without a lead shift (a location without a lead
    # template) needs no shift lead, in the alert as in the grid and on the dashboard.
    shift = make_shift(dokkum, day(1), minimum=1)
    services.take_place(shift, volunteer)

    assert notifications.send_roster_alerts(base_url=BASE) == 0
    assert mail.outbox == []


def test_a_well_staffed_roster_sends_no_alert(dokkum, coordinator, volunteer):
    lead = make_shift(dokkum, day(1), task=Task.SHIFT_LEAD)
    services.take_place(lead, volunteer)
    assert notifications.send_roster_alerts(base_url=BASE) == 0
    assert mail.outbox == []


# Reminders the day before -----------------------------------------------------------------------


@pytest.fixture
def tomorrow(dokkum, volunteer):
    dokkum.address, dokkum.postal_code = "Grote Breedstraat 1", "9101 KA"
    dokkum.save()
    shift = make_shift(dokkum, day(1), task=Task.KITCHEN, starts=(11, 0), ends=(14, 0))
    colleague = member(dokkum, "Trijntje")
    gone = member(dokkum, "Klaas")
    services.take_place(shift, volunteer)
    services.take_place(shift, colleague)
    Assignment.objects.create(
        shift=shift, volunteer=gone, cancelled_at=NOW, cancelled_by=gone, cancelled_late=True
    )
    later = make_shift(dokkum, day(2))
    services.take_place(later, volunteer)
    today = make_shift(dokkum, day(0), starts=(14, 0), ends=(16, 0))
    services.take_place(today, colleague)
    return {"shift": shift, "colleague": colleague, "gone": gone}


def test_everyone_on_tomorrows_shifts_gets_one_reminder(volunteer, tomorrow):
    call_command("send_shift_reminders", base_url=BASE, stdout=io.StringIO())

    assert recipients() == sorted([volunteer.email, tomorrow["colleague"].email])
    anneke = next(m for m in mail.outbox if volunteer.email in m.to)
    assert anneke.subject == "Morgen: keuken in Buurtkamer Dokkum om 11:00"
    assert_dutch_text_and_html(
        anneke,
        "Beste Anneke",
        "Woensdag 6 januari, 11:00–14:00",
        "Grote Breedstraat 1",
        "Keuken",
        "Samen met: Trijntje.",
        BASE + reverse("volunteers:my-shifts"),
    )
    assert "Klaas" not in anneke.body  # cancelled
    assert tomorrow["colleague"].last_name not in anneke.body  # first names only
    assert Assignment.objects.filter(reminded_at__isnull=False).count() == 2


def test_running_the_reminders_twice_sends_nothing_new(volunteer, tomorrow):
    call_command("send_shift_reminders", base_url=BASE, stdout=io.StringIO())
    assert len(mail.outbox) == 2

    call_command("send_shift_reminders", base_url=BASE, stdout=io.StringIO())

    assert len(mail.outbox) == 2


def test_a_reminder_claimed_by_another_run_is_not_sent_again(volunteer, tomorrow):
    """An overlapping run already stamped Anneke's row: this run leaves it alone."""
    Assignment.objects.filter(volunteer=volunteer, shift=tomorrow["shift"]).update(reminded_at=NOW)
    assert notifications.send_shift_reminders(base_url=BASE) == 1
    assert recipients() == [tomorrow["colleague"].email]


def test_a_failed_reminder_is_tried_again_next_run(volunteer, tomorrow, monkeypatch):
    real = notifications.send_templated_email

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(notifications, "send_templated_email", broken)
    assert notifications.send_shift_reminders(base_url=BASE) == 0
    assert not Assignment.objects.filter(reminded_at__isnull=False).exists()

    monkeypatch.setattr(notifications, "send_templated_email", real)
    assert notifications.send_shift_reminders(base_url=BASE) == 2


def test_tomorrow_is_the_local_date(dokkum, volunteer):
    """At 00:30 in Dokkum on 28 March it is still 27 March in UTC: tomorrow is the 29th."""
    on_28th = make_shift(dokkum, datetime.date(2027, 3, 28))
    on_29th = make_shift(dokkum, datetime.date(2027, 3, 29))
    with time_machine.travel(datetime.datetime(2027, 3, 20, 12, 0, tzinfo=AMSTERDAM), tick=False):
        services.take_place(on_28th, volunteer)
        services.take_place(on_29th, volunteer)
    with time_machine.travel(
        datetime.datetime(2027, 3, 27, 23, 30, tzinfo=datetime.UTC), tick=False
    ):
        assert notifications.send_shift_reminders(base_url=BASE) == 1
    assert "maandag 29 maart" in mail.outbox[0].body.lower()


def test_a_reminder_with_nobody_else_on_the_shift_says_so(dokkum, volunteer):
    services.take_place(make_shift(dokkum, day(1)), volunteer)
    notifications.send_shift_reminders(base_url=BASE)
    assert "Er staat nog niemand anders op deze dienst." in mail.outbox[0].body


# Overlapping runs, for real (PostgreSQL) --------------------------------------------------------


def three_runs_at_once(count):
    """Three reminder runs released together on `count` assignments of tomorrow; the number
    of reminders sent in all."""
    location = LocationFactory()
    shift = make_shift(location, day(1), maximum=count + 1)
    for number in range(count):
        user = UserFactory(first_name=f"Vrijwilliger{number}")
        MembershipFactory(location=location, user=user)
        Assignment.objects.create(shift=shift, volunteer=user)
    barrier = threading.Barrier(3)
    sent, errors = [], []

    def run():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            sent.append(notifications.send_shift_reminders(base_url=BASE))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(mail.outbox) == sum(sent)
    return sum(sent)


@pytest.mark.django_db(transaction=True)
def test_three_reminder_runs_at_once_send_each_reminder_once():
    require_postgresql()
    assert three_runs_at_once(30) == 30
    assert len(set(recipients())) == 30
    assert not Assignment.objects.filter(reminded_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_control_without_the_claim_the_runs_do_send_twice(monkeypatch):
    """The same three runs without the claim: reminders go out more than once. So the test
    above can see a double send, and its 30 is the claim's doing."""
    require_postgresql()
    monkeypatch.setattr(notifications, "CLAIM_REMINDERS", False)
    assert three_runs_at_once(30) > 30
