"""The paired tablet as a shared device (issue 11, and the tablet items of issue 12).

- Undo from a tablet: only its own taps, and only within bounds the server checks
  (visitors.services.undo_visit), whatever `undone_at` the request claims.
- An oversized body to the tablet's JSON endpoints: a JSON 413, not Django's HTML 400.
- The tablet writes in the logbook itself, as the device, without anyone logging in.
- A person who logs in on the paired tablet anyway is logged out after the action or after
  5 minutes without input, and the tablet stays paired (buurtkamer.middleware).
- "Net geteld" says what each tap was; a closure covering today is shown, taps still count.

`paired_client` is the Dokkum tablet paired through the real flow (tests/conftest.py).
"""

import datetime
import re
import uuid

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, Category
from buurtkamer.models import AuditEvent
from locations.models import Closure, LogEntry
from visitors import services
from visitors.models import AgeBand, CameVia, FirstVisit, Visit

from .factories import PASSWORD
from .support import TABLET_NAME, TUESDAY_MORNING, fetch_mode_raise, tablet_url, tap, undo_api_url

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


def undo_at(client, client_id, moment, slug="dokkum"):
    """An undo as the tablet's queue sends it, with the moment it claims it was tapped."""
    return client.post(
        undo_api_url(slug),
        {"client_id": str(client_id), "undone_at": moment.isoformat()},
        content_type="application/json",
    )


def tap_at(client, moment):
    """A tap made at `moment` (by the device's clock, sent right then); returns its id."""
    client_id = uuid.uuid4()
    with time_machine.travel(moment, tick=False):
        response = tap(client, client_id=str(client_id), tapped_at=moment.isoformat())
    assert response.status_code == 201
    return client_id


def assert_not_voided(client_id):
    assert Visit.objects.get(client_id=client_id).voided_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_VOIDED).exists()


# Undo: only within bounds ------------------------------------------------------------------


def test_an_undo_claiming_a_minute_after_a_tap_of_47_hours_ago_is_refused(paired_client):
    now = TUESDAY_MORNING
    old_tap = tap_at(paired_client, now - 47 * HOUR)

    with time_machine.travel(now, tick=False):
        response = undo_at(paired_client, old_tap, now - 47 * HOUR + MINUTE)

    assert response.status_code == 409
    assert response.json()["status"] == "too_late"
    assert_not_voided(old_tap)


def test_an_undo_claiming_47_hours_after_the_tap_is_refused(paired_client):
    now = TUESDAY_MORNING
    old_tap = tap_at(paired_client, now - 47 * HOUR - 5 * MINUTE)

    with time_machine.travel(now, tick=False):
        response = undo_at(paired_client, old_tap, now - 5 * MINUTE)

    assert response.status_code == 409
    assert response.json()["status"] == "too_late"
    assert_not_voided(old_tap)


def test_an_undo_claiming_47_hours_before_the_tap_is_refused(paired_client):
    now = TUESDAY_MORNING
    recent_tap = tap_at(paired_client, now - 2 * MINUTE)

    with time_machine.travel(now, tick=False):
        response = undo_at(paired_client, recent_tap, now - 2 * MINUTE - 47 * HOUR)

    assert response.status_code == 409
    assert response.json()["status"] == "bad_time"
    assert "klok" in response.json()["message"]
    assert_not_voided(recent_tap)


@pytest.mark.parametrize("ahead", [6 * MINUTE, 3 * HOUR], ids=["6-minutes", "3-hours"])
def test_an_undo_from_the_future_is_refused(paired_client, ahead):
    now = TUESDAY_MORNING
    recent_tap = tap_at(paired_client, now - MINUTE)

    with time_machine.travel(now, tick=False):
        response = undo_at(paired_client, recent_tap, now + ahead)

    assert response.status_code == 409
    assert response.json()["status"] == "bad_time"
    assert_not_voided(recent_tap)


def test_an_undo_that_waited_more_than_an_hour_in_the_queue_is_refused(paired_client):
    now = TUESDAY_MORNING
    earlier_tap = tap_at(paired_client, now - 70 * MINUTE)

    with time_machine.travel(now, tick=False):
        response = undo_at(paired_client, earlier_tap, now - 62 * MINUTE)

    assert response.status_code == 409
    assert response.json()["status"] == "too_late"
    assert_not_voided(earlier_tap)


@pytest.mark.parametrize(
    ("tapped", "undone"),
    [
        (-9 * MINUTE, -1 * MINUTE),  # tapped 9 minutes ago, undone 8 minutes after it
        (-40 * MINUTE, -35 * MINUTE),  # waited 35 minutes in the queue
        (-2 * MINUTE, -2 * MINUTE),  # at the very moment of the tap
        (-MINUTE, 4 * MINUTE),  # the device's clock a few minutes ahead of the server's
    ],
    ids=["within-10-minutes", "queued", "same-moment", "clock-slightly-ahead"],
)
def test_an_undo_within_the_bounds_is_accepted(paired_client, tablet, tapped, undone):
    now = TUESDAY_MORNING
    client_id = tap_at(paired_client, now + tapped)

    with time_machine.travel(now, tick=False):
        response = undo_at(paired_client, client_id, now + undone)

    assert response.status_code == 200, response.json()
    visit = Visit.objects.get(client_id=client_id)
    assert visit.voided_at == now  # voided by the server's clock
    assert visit.voided_by_tablet == tablet


def test_an_unreadable_undone_at_counts_from_the_servers_clock(paired_client):
    now = TUESDAY_MORNING
    fresh, old = tap_at(paired_client, now - 2 * MINUTE), tap_at(paired_client, now - 20 * MINUTE)

    with time_machine.travel(now, tick=False):
        for client_id in (fresh, old):
            paired_client.post(
                undo_api_url(),
                {"client_id": str(client_id), "undone_at": "2026-03-10T10:29:00"},  # no zone
                content_type="application/json",
            )

    assert Visit.objects.get(client_id=fresh).voided_at == now
    assert Visit.objects.get(client_id=old).voided_at is None


def test_a_tablet_cannot_undo_a_tap_of_another_tablet(paired_client, coordinator, dokkum):
    other, _token = services.pair_tablet(location=dokkum, name="Achterdeur", paired_by=coordinator)
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        theirs, _ = services.record_visit(location=dokkum, client_id=uuid.uuid4(), tablet=other)
        at_the_door, _ = services.record_visit(
            location=dokkum, client_id=uuid.uuid4(), user=coordinator
        )

        answers = [
            undo_at(paired_client, visit.client_id, TUESDAY_MORNING)
            for visit in (theirs, at_the_door)
        ]

    for answer in answers:
        assert answer.status_code == 409
        assert answer.json()["status"] == "not_yours"
    assert Visit.objects.counted().count() == 2
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_VOIDED).exists()


def test_the_tablet_lists_only_its_own_taps_to_undo(paired_client, coordinator, dokkum):
    other, _token = services.pair_tablet(location=dokkum, name="Achterdeur", paired_by=coordinator)
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        ours = tap_at(paired_client, TUESDAY_MORNING)
        theirs, _ = services.record_visit(location=dokkum, client_id=uuid.uuid4(), tablet=other)

        page = paired_client.get(tablet_url())

    assert f'data-client-id="{ours}"' in page.text
    assert f'data-client-id="{theirs.client_id}"' not in page.text


def test_a_coordinator_at_the_door_may_still_undo_any_recent_tap(
    client, login, coordinator, paired_client, dokkum
):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        tablets_tap = tap_at(paired_client, TUESDAY_MORNING)
        login(coordinator)
        response = undo_at(client, tablets_tap, TUESDAY_MORNING + MINUTE)

    assert response.status_code == 200
    assert Visit.objects.get(client_id=tablets_tap).voided_at is not None


# Oversized bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["visitors:checkin-api", "visitors:undo-api"])
def test_a_body_over_the_upload_limit_gets_a_json_413(paired_client, name):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = '{"client_id": "' + str(uuid.uuid4()) + '", "x": "' + "a" * limit + '"}'

    response = paired_client.post(
        reverse(name, kwargs={"slug": "dokkum"}), body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    answer = response.json()
    assert answer["status"] == "too_large"
    assert answer["error"] == "Dit verzoek is te groot en wordt niet verwerkt."
    assert not Visit.objects.exists()


def test_a_body_just_under_the_limit_is_read(paired_client):
    client_id = str(uuid.uuid4())
    body = '{"client_id": "' + client_id + '", "x": "'
    body += "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(body) - 2) + '"}'

    response = paired_client.post(
        reverse("visitors:checkin-api", kwargs={"slug": "dokkum"}),
        body,
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Visit.objects.filter(client_id=client_id).exists()


# The logbook, written on the tablet ---------------------------------------------------------


def tablet_logbook_url(slug="dokkum"):
    return reverse("visitors:tablet-logbook", kwargs={"slug": slug})


def entry_data(**overrides):
    return {
        "author_name": "Anneke",
        "date": TUESDAY_MORNING.date().isoformat(),
        "day_part": "morning",
        "kind": LogEntry.Kind.MAINTENANCE,
        "text": "De koffieautomaat lekt.",
        "needs_follow_up": "on",
        **overrides,
    }


def csrf_of(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def strict_tablet(paired_client):
    """The same tablet in a browser that checks CSRF tokens the way a real one is checked."""
    strict = Client(enforce_csrf_checks=True)
    strict.cookies[settings.TABLET_COOKIE_NAME] = paired_client.cookies[
        settings.TABLET_COOKIE_NAME
    ].value
    return strict


def test_the_tablet_writes_in_the_logbook_without_anyone_logging_in(
    strict_tablet, tablet, dokkum, client, login, coordinator
):
    tablet_client = strict_tablet
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        form = tablet_client.get(tablet_logbook_url())
        assert form.status_code == 200
        assert "Schrijf nooit de naam van een bezoeker op." in form.text
        assert 'name="author_name"' in form.text
        # What the browser sends: the form's own one-time key with it; a second tap on
        # "opslaan" (the same key again) writes nothing more.
        key = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', form.text).group(1)
        body = {**entry_data(), "csrfmiddlewaretoken": csrf_of(form), "submission_key": key}
        response = tablet_client.post(tablet_logbook_url(), body)
        again = tablet_client.post(tablet_logbook_url(), body)

    assert response.status_code == 302
    assert response["Location"] == tablet_url()
    assert (again.status_code, again["Location"]) == (302, tablet_url())
    entry = LogEntry.objects.get()
    assert (entry.location, entry.tablet, entry.author_name, entry.author) == (
        dokkum,
        tablet,
        "Anneke",
        None,
    )
    assert entry.kind == LogEntry.Kind.MAINTENANCE and entry.is_open
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOG_ENTRY_WRITTEN)
    assert (event.actor, event.location) == (None, dokkum)
    assert event.details["tablet"] == TABLET_NAME and event.details["author_name"] == "Anneke"
    assert "sessionid" not in tablet_client.cookies  # nobody logged in for it

    # The coordinator sees where it came from.
    login(coordinator)
    logbook = client.get(reverse("locations:logbook", kwargs={"slug": "dokkum"}))
    assert f"Geschreven via tablet {TABLET_NAME} (Anneke) om 10:30" in logbook.text


def test_a_tablet_entry_without_a_name_says_only_the_tablet(paired_client, dokkum, login, client):
    page = paired_client.get(tablet_logbook_url())
    paired_client.post(tablet_logbook_url(), entry_data(author_name="  "))
    assert page.status_code == 200

    entry = LogEntry.objects.get()
    assert entry.author_name == ""
    assert entry.via_tablet == f"via tablet {TABLET_NAME}"


def test_the_tablet_page_links_to_its_own_logbook_form(paired_client):
    page = paired_client.get(tablet_url())

    assert f'href="{tablet_logbook_url()}"' in page.text
    assert reverse("locations:logbook-new", kwargs={"slug": "dokkum"}) not in page.text


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (
            "2026-03-11",
            "Deze datum ligt te ver vooruit. Kies een datum tot en met dinsdag 10 maart.",
        ),
        ("2025-03-09", "Deze datum ligt te ver terug. Kies een datum vanaf maandag 10 maart 2025."),
        ("10-03-2026x", "Vul een geldige datum in."),
        ("99999-01-01", "Vul een geldige datum in."),
    ],
    ids=["tomorrow", "over-a-year-back", "garbled", "huge-year"],
)
def test_the_tablet_entry_date_is_bounded(paired_client, date, message):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        response = paired_client.post(tablet_logbook_url(), entry_data(date=date))

    assert response.status_code == 400
    assert message in response.text
    assert "De koffieautomaat lekt." in response.text  # what was typed stays
    assert not LogEntry.objects.exists()


def test_a_year_back_to_the_day_is_still_allowed(paired_client):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        response = paired_client.post(tablet_logbook_url(), entry_data(date="2025-03-10"))

    assert response.status_code == 302
    assert LogEntry.objects.get().date == datetime.date(2025, 3, 10)


def test_a_tablet_entry_without_text_is_refused_in_dutch(paired_client):
    response = paired_client.post(tablet_logbook_url(), entry_data(text=""))

    assert response.status_code == 400
    assert "Schrijf op wat er gebeurde." in response.text
    assert not LogEntry.objects.exists()


def test_without_the_tablet_cookie_the_tablet_logbook_does_not_exist(
    client, login, volunteer, coordinator, dokkum
):
    for person in (None, volunteer, coordinator):
        login(person)
        assert client.get(tablet_logbook_url()).status_code == 404
        assert client.post(tablet_logbook_url(), entry_data()).status_code == 404
    assert not LogEntry.objects.exists()


def test_another_locations_tablet_does_not_find_this_logbook(paired_client, burgum):
    assert paired_client.get(tablet_logbook_url("burgum")).status_code == 404
    response = paired_client.post(tablet_logbook_url("burgum"), entry_data())

    assert response.status_code == 404
    assert not LogEntry.objects.exists()


def test_a_revoked_tablet_writes_nothing(paired_client, tablet, coordinator):
    services.revoke_tablet(tablet=tablet, revoked_by=coordinator)

    assert paired_client.get(tablet_logbook_url()).status_code == 403
    response = paired_client.post(tablet_logbook_url(), entry_data())

    assert response.status_code == 403
    assert "ontkoppeld" in response.text
    assert not LogEntry.objects.exists()


def test_the_tablet_logbook_form_needs_its_csrf_token(strict_tablet):
    response = strict_tablet.post(tablet_logbook_url(), entry_data())

    assert response.status_code == 403
    assert not LogEntry.objects.exists()


def test_the_logbook_with_tablet_entries_loads_them_in_one_go(
    client, login, coordinator, paired_client, django_assert_max_num_queries
):
    login(coordinator)
    logbook = reverse("locations:logbook", kwargs={"slug": "dokkum"})
    paired_client.post(tablet_logbook_url(), entry_data())
    client.get(logbook)  # warm up: session, translations
    with CaptureQueriesContext(connection) as queries:
        client.get(logbook)
    few = len(queries)
    for number in range(10):
        paired_client.post(tablet_logbook_url(), entry_data(text=f"Lamp {number} kapot."))

    with django_assert_max_num_queries(few), fetch_mode_raise():
        response = client.get(logbook)

    assert response.text.count("Geschreven via tablet") == 11


# A person who logs in on the paired tablet ---------------------------------------------------

MY_PROFILE = reverse("volunteers:my-profile")
LOGIN_URL = reverse("account_login")


def log_in_on(client, person):
    """The real login form, as on the tablet's screen."""
    response = client.post(LOGIN_URL, {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return response


def logged_in(client):
    return "_auth_user_id" in client.session


def assert_back_on_the_counting_screen(client, response):
    assert response.status_code == 302
    assert response["Location"] == tablet_url()
    assert not logged_in(client)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Bezoeker binnen" in page.text  # the counting screen, as the tablet
    assert "op de tablet blijft niemand ingelogd" in page.text or "5 minuten" in page.text
    assert "Mijn gegevens" not in page.text
    assert_sent_to_login(client.get(MY_PROFILE))


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def assert_still_paired(client, tablet):
    tablet.refresh_from_db()
    assert tablet.is_paired
    assert client.cookies[settings.TABLET_COOKIE_NAME].value  # the device keeps its credential


def test_logging_in_on_the_tablet_gives_a_short_session(paired_client, volunteer):
    response = log_in_on(paired_client, volunteer)

    assert int(response.cookies["sessionid"]["max-age"]) <= 6 * 60
    page = paired_client.get(MY_PROFILE)
    assert page.status_code == 200
    # Told so on every page, with a way out that leads back to counting.
    assert "Je bent ingelogd op de tablet van Buurtkamer Dokkum" in page.text
    assert f'name="next" value="{tablet_url()}"' in page.text
    assert "js/shared-device.js" in page.text


def test_after_writing_the_person_is_logged_out_and_the_tablet_counts_again(
    paired_client, tablet, volunteer, dokkum
):
    log_in_on(paired_client, volunteer)
    assert paired_client.get(MY_PROFILE).status_code == 200

    response = paired_client.post(
        reverse("locations:logbook-new", kwargs={"slug": "dokkum"}),
        {"date": datetime.date.today().isoformat(), "kind": "general", "text": "Deur klemt."},
    )

    assert LogEntry.objects.get().author == volunteer  # the write itself went through
    assert paired_client.cookies["sessionid"].value == ""  # the session cookie is deleted
    assert_back_on_the_counting_screen(paired_client, response)
    assert_still_paired(paired_client, tablet)


def test_a_refused_form_keeps_the_person_logged_in_to_correct_it(paired_client, volunteer):
    log_in_on(paired_client, volunteer)

    response = paired_client.post(
        reverse("locations:logbook-new", kwargs={"slug": "dokkum"}), {"kind": "general"}
    )

    assert response.status_code == 400
    assert logged_in(paired_client)


def test_after_five_minutes_without_input_the_session_ends(paired_client, tablet, volunteer):
    with time_machine.travel(TUESDAY_MORNING, tick=False) as traveller:
        log_in_on(paired_client, volunteer)
        traveller.shift(4 * MINUTE + datetime.timedelta(seconds=59))
        assert paired_client.get(MY_PROFILE).status_code == 200  # each request renews it
        traveller.shift(4 * MINUTE + datetime.timedelta(seconds=59))
        assert paired_client.get(MY_PROFILE).status_code == 200
        traveller.shift(5 * MINUTE)

        response = paired_client.get(MY_PROFILE)

        assert "Mijn gegevens" not in response.content.decode()
        assert_back_on_the_counting_screen(paired_client, response)
    assert_still_paired(paired_client, tablet)


def test_after_five_idle_minutes_the_session_store_has_forgotten_it_too(paired_client, volunteer):
    """The backstop: even without this middleware's check, the session itself has expired."""
    with time_machine.travel(TUESDAY_MORNING, tick=False) as traveller:
        log_in_on(paired_client, volunteer)
        key = paired_client.cookies["sessionid"].value
        traveller.shift(6 * MINUTE + datetime.timedelta(seconds=1))

        expired = Session.objects.get(session_key=key).expire_date
        assert expired <= TUESDAY_MORNING + 6 * MINUTE


def test_the_ping_while_typing_keeps_the_session(paired_client, volunteer):
    with time_machine.travel(TUESDAY_MORNING, tick=False) as traveller:
        log_in_on(paired_client, volunteer)
        for _ in range(4):
            traveller.shift(2 * MINUTE)
            assert paired_client.get(reverse("healthz")).status_code == 200
        traveller.shift(4 * MINUTE)

        assert paired_client.get(MY_PROFILE).status_code == 200


def test_logging_out_on_the_tablet_goes_back_to_counting(paired_client, tablet, volunteer):
    log_in_on(paired_client, volunteer)

    response = paired_client.post(reverse("account_logout"), {"next": tablet_url()})

    assert response.status_code == 302 and response["Location"] == tablet_url()
    assert not logged_in(paired_client)
    assert_still_paired(paired_client, tablet)


def test_a_tap_by_the_tablets_script_ends_a_session_and_still_answers_json(
    paired_client, tablet, volunteer
):
    log_in_on(paired_client, volunteer)

    response = tap(paired_client)

    assert response.status_code == 201 and response.json()["status"] == "ok"
    assert Visit.objects.get().recorded_by_tablet == tablet  # the tablet counts, not the person
    assert not logged_in(paired_client)


def test_switching_the_language_is_not_the_end(paired_client, volunteer):
    log_in_on(paired_client, volunteer)

    paired_client.post(reverse("set_language"), {"language": "nl", "next": MY_PROFILE})

    assert logged_in(paired_client)


def test_a_coordinator_who_pairs_the_device_again_gets_the_new_tablet(
    paired_client, tablet, coordinator
):
    log_in_on(paired_client, coordinator)

    response = paired_client.post(
        reverse("visitors:pair", kwargs={"slug": "dokkum"}), {"name": "Nieuwe tablet"}
    )

    assert response.status_code == 302 and response["Location"] == tablet_url()
    new_token = response.cookies[settings.TABLET_COOKIE_NAME].value
    assert services.tablet_for_token(new_token).name == "Nieuwe tablet"
    assert not logged_in(paired_client)


def test_without_a_tablet_cookie_nothing_changes(client, volunteer, dokkum):
    log_in_on(client, volunteer)

    response = client.post(
        reverse("locations:logbook-new", kwargs={"slug": "dokkum"}),
        {"date": datetime.date.today().isoformat(), "kind": "general", "text": "Deur klemt."},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("locations:logbook", kwargs={"slug": "dokkum"})
    assert logged_in(client)
    page = client.get(MY_PROFILE)
    assert page.status_code == 200
    assert "Je bent ingelogd op de tablet" not in page.text


def test_a_revoked_tablets_device_is_still_a_shared_device(
    paired_client, tablet, volunteer, coordinator
):
    services.revoke_tablet(tablet=tablet, revoked_by=coordinator)
    log_in_on(paired_client, volunteer)

    response = paired_client.post(
        reverse("locations:logbook-new", kwargs={"slug": "dokkum"}),
        {"date": datetime.date.today().isoformat(), "kind": "general", "text": "Deur klemt."},
    )

    assert response.status_code == 302 and response["Location"] == tablet_url()
    assert not logged_in(paired_client)


# What each recent tap was; a closed day ------------------------------------------------------


@pytest.fixture
def meal(dokkum):
    from activities import services as activity_services

    activity = Activity.objects.create(
        location=dokkum,
        title="Samen eten",
        category=Category.objects.get(name="Samen koken en eten"),
        starts_on=TUESDAY_MORNING.date(),
        starts_at=datetime.time(12, 0),
        ends_at=datetime.time(13, 30),
    )
    activity_services.generate_occurrences(activity, today=TUESDAY_MORNING.date())
    return activity.occurrences.order_by("date").first()


def test_each_recent_tap_says_what_it_was(paired_client, meal):
    first_time_via = CameVia.objects.active().get(name="Via de huisarts")
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        tap(
            paired_client,
            first_visit=FirstVisit.YES,
            came_via=str(first_time_via.pk),
            age_band=AgeBand.SENIOR,
            occurrence=meal.pk,
        )
        tap(paired_client, first_visit=FirstVisit.NO)
        tap(paired_client)

        page = paired_client.get(tablet_url())

    labels = re.findall(r'<span class="recent-label">([^<]*)</span>', page.text)
    assert sorted(labels) == sorted(
        [
            "eerste bezoek · Via de huisarts · 65 en ouder · komt voor Samen eten",
            "niet voor het eerst",
            "bezoeker",
        ]
    )
    # The script describes a new tap with the same words, from the buttons' data-label.
    assert 'data-label="eerste bezoek"' in page.text
    assert 'data-label="65 en ouder"' in page.text
    assert 'data-label="Via de huisarts"' in page.text
    assert 'data-label="komt voor Samen eten"' in page.text


def test_a_closed_day_is_shown_and_every_tap_still_counts(paired_client, dokkum, coordinator):
    today = TUESDAY_MORNING.date()
    Closure.objects.create(
        location=dokkum,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today,
        reason="Verbouwing",
        created_by=coordinator,
    )
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = paired_client.get(tablet_url())
        responses = [tap(paired_client) for _ in range(2)]
        tomorrow = paired_client.get(tablet_url())

    assert "Vandaag gesloten (Verbouwing)" in page.text
    assert [response.status_code for response in responses] == [201, 201]
    assert responses[-1].json()["today"]["total"] == 2
    assert Visit.objects.counted().count() == 2
    assert "Vandaag gesloten" in tomorrow.text  # still today


def test_no_closure_no_notice(paired_client, dokkum):
    today = TUESDAY_MORNING.date()
    Closure.objects.create(
        location=dokkum,
        starts_on=today + datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=3),
        reason="Zomerstop",
    )
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = paired_client.get(tablet_url())

    assert "Vandaag gesloten" not in page.text
    assert "Zomerstop" not in page.text
