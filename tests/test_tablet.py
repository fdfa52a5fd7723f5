"""The tablet check-in at the door: pairing, one tap per visitor, undo, and what a tablet may not.

Dokkum is "our" location, Burgum the other one. `paired_client` is a browser that a coordinator
of Dokkum turned into the Dokkum tablet through the real pairing flow: it carries the tablet
cookie and nothing else (no session). Times that matter are frozen with time_machine on a
Tuesday in Amsterdam.
"""

import datetime
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import reverse

from buurtkamer.models import AuditEvent
from locations.models import DayPart, OpeningHours, Weekday
from visitors import services
from visitors.models import AgeBand, CameVia, FirstVisit, Source, Tablet, Visit, hash_token

from .factories import LocationFactory
from .support import (
    OPENING_HOURS_URL,
    TABLET_NAME,
    TABLET_PAGE_QUERIES,
    TUESDAY_MORNING,
    all_at_once,
    checkin_api_url,
    checkin_form_url,
    hidden_client_id,
    opening_hours_post,
    pair_url,
    require_postgresql,
    tablet_url,
    tap,
    undo_api_url,
    undo_form_url,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_the_tablet_addresses_are_the_ones_on_the_posters():
    assert tablet_url() == "/tablet/dokkum/"
    assert pair_url() == "/tablet/dokkum/koppelen/"
    assert checkin_form_url() == "/tablet/dokkum/bezoek/"
    assert undo_form_url() == "/tablet/dokkum/ongedaan/"
    assert checkin_api_url() == "/tablet/dokkum/api/bezoek/"
    assert undo_api_url() == "/tablet/dokkum/api/ongedaan/"


# Helpers -------------------------------------------------------------------------------------


def csrf_field(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def undo(client, client_id, slug="dokkum"):
    return client.post(
        undo_api_url(slug), {"client_id": str(client_id)}, content_type="application/json"
    )


def day_part_counts(html):
    return {
        part: int(re.search(rf'<dd id="teller-{part}">(\d+)</dd>', html).group(1))
        for part in ("morning", "afternoon", "evening")
    }


def total_on_page(html):
    return int(re.search(r'<output id="teller"[^>]*>(\d+)</output>', html).group(1))


def assert_sent_to_login(response, login_url=None):
    assert response.status_code == 302
    assert response["Location"].startswith(login_url or reverse("account_login"))


@pytest.fixture
def first_time_via():
    return CameVia.objects.active().get(name="Via de huisarts")


# A visit holds nothing personal --------------------------------------------------------------

# Every field a visit may have. Adding one (a name, a note, a phone number, a visitor id that
# links two visits) must be a decision: it fails this test first.
VISIT_FIELDS = {
    "id",
    "location",
    "recorded_at",
    "recorded_on",
    "day_part",
    "first_visit",
    "age_band",
    "came_via",
    "source",
    "client_id",
    "time_from_server",
    "received_at",
    "recorded_by_tablet",
    "recorded_by",
    "tally",
    "voided_at",
    "voided_by",
    "voided_by_tablet",
    "occurrence",  # the activity the visitor came for (a tag on the tablet), nothing personal
}


def test_a_visit_has_exactly_the_allowed_fields_and_nothing_about_the_visitor():
    names = [field.name for field in Visit._meta.get_fields()]

    assert len(names) == len(set(names))
    assert set(names) == VISIT_FIELDS


def test_no_visit_field_can_hold_free_text():
    for field in Visit._meta.get_fields():
        assert not isinstance(field, models.TextField | models.JSONField), field.name
        if isinstance(field, models.CharField):
            assert field.choices, f"Visit.{field.name} is free text: give it choices"


# Pairing -------------------------------------------------------------------------------------


def test_a_coordinator_is_offered_to_pair_the_tablet(client, login, coordinator):
    login(coordinator)

    page = client.get(tablet_url())

    assert page.status_code == 200
    assert "Koppel deze tablet" in page.text
    assert "Bezoeker binnen" in page.text


def test_pairing_stores_only_a_hash_sets_a_strict_httponly_cookie_and_logs_the_coordinator_out(
    client, login, coordinator, dokkum
):
    login(coordinator)

    response = client.post(pair_url(), {"name": TABLET_NAME})

    assert response.status_code == 302
    assert response["Location"] == tablet_url()

    tablet = Tablet.objects.get()
    assert tablet.name == TABLET_NAME
    assert tablet.location == dokkum
    assert tablet.paired_by == coordinator
    assert tablet.is_paired
    assert tablet.last_seen_at is None
    assert re.fullmatch(r"[0-9a-f]{64}", tablet.token_hash)

    cookie = response.cookies[settings.TABLET_COOKIE_NAME]
    assert cookie.value != tablet.token_hash
    assert len(cookie.value) >= 40
    assert hash_token(cookie.value) == tablet.token_hash
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == settings.TABLET_COOKIE_MAX_AGE

    # The shared device does not keep the coordinator's login.
    assert "_auth_user_id" not in client.session
    assert_sent_to_login(client.get(reverse("dashboard")))

    event = AuditEvent.objects.get(action=AuditEvent.Action.TABLET_PAIRED)
    assert event.actor == coordinator
    assert event.location == dokkum
    assert event.subject == TABLET_NAME

    # What the coordinator sees next on this device: the tablet, not the pairing form.
    page = client.get(tablet_url())
    assert page.status_code == 200
    assert "Tablet Dokkum voordeur is gekoppeld aan Buurtkamer Dokkum." in page.text
    assert "Je bent op dit apparaat uitgelogd." in page.text
    assert "Bezoeker binnen" in page.text
    assert "Koppel deze tablet" not in page.text


@pytest.mark.parametrize("name", ["", "   "], ids=["empty", "spaces"])
def test_a_tablet_without_a_name_is_not_paired(client, login, coordinator, name):
    login(coordinator)

    response = client.post(pair_url(), {"name": name})

    assert response.status_code == 400
    assert "Dit veld is verplicht." in response.text
    assert "Koppel deze tablet" in response.text
    assert not Tablet.objects.exists()
    assert settings.TABLET_COOKIE_NAME not in client.cookies
    assert not AuditEvent.objects.exists()
    assert "_auth_user_id" in client.session  # still logged in: nothing happened


@pytest.mark.parametrize(("persona", "expected"), [("volunteer", 403), ("other_coordinator", 404)])
def test_only_coordinators_of_the_location_may_pair_a_tablet(
    client, login, personas, persona, expected
):
    login(personas[persona])

    response = client.post(pair_url(), {"name": TABLET_NAME})

    assert response.status_code == expected
    assert not Tablet.objects.exists()
    assert settings.TABLET_COOKIE_NAME not in response.cookies
    assert not AuditEvent.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_before_pairing(client, dokkum):
    response = client.post(pair_url(), {"name": TABLET_NAME})

    assert_sent_to_login(response)
    assert not Tablet.objects.exists()
    assert settings.TABLET_COOKIE_NAME not in response.cookies


def test_staff_may_pair_a_tablet_anywhere(client, login, staff, burgum):
    login(staff)

    response = client.post(pair_url("burgum"), {"name": "Tablet Burgum"})

    assert response.status_code == 302
    assert Tablet.objects.get().location == burgum


def test_pairing_only_answers_post(client, login, coordinator):
    login(coordinator)

    assert client.get(pair_url()).status_code == 405
    assert not Tablet.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"), [("volunteer", 403), ("other_coordinator", 404), ("staff", 200)]
)
def test_who_opens_the_tablet_page_while_logged_in(client, login, personas, persona, expected):
    login(personas[persona])
    assert client.get(tablet_url()).status_code == expected


def test_the_tablet_page_sends_an_unpaired_browser_to_log_in(client, dokkum):
    assert_sent_to_login(client.get(tablet_url()))


# What a paired tablet reaches ----------------------------------------------------------------


def test_a_paired_tablet_opens_its_own_page_and_is_seen(paired_client, tablet):
    assert tablet.last_seen_at is None

    page = paired_client.get(tablet_url())

    assert page.status_code == 200
    assert "Bezoeker binnen" in page.text
    assert "Koppel deze tablet" not in page.text
    assert "Cache-Control" in page.headers and "no-cache" in page["Cache-Control"]
    tablet.refresh_from_db()
    assert tablet.last_seen_at is not None


@pytest.mark.parametrize(
    "url",
    [
        tablet_url("burgum"),
        reverse("dashboard"),
        reverse("locations:list"),
        reverse("locations:detail", kwargs={"slug": "dokkum"}),
        reverse("locations:team", kwargs={"slug": "dokkum"}),
        reverse("visitors:tablets", kwargs={"slug": "dokkum"}),
        reverse("visitors:today", kwargs={"slug": "dokkum"}),
    ],
)
def test_a_paired_tablet_reaches_no_other_page(paired_client, url):
    assert_sent_to_login(paired_client.get(url))


def test_a_paired_tablet_does_not_reach_the_admin(paired_client):
    assert_sent_to_login(paired_client.get("/admin/"), login_url="/admin/login/")


def test_a_paired_tablet_can_neither_pair_nor_revoke_tablets(paired_client, tablet):
    revoke_url = reverse("visitors:revoke-tablet", kwargs={"slug": "dokkum", "pk": tablet.pk})

    assert_sent_to_login(paired_client.post(pair_url(), {"name": "Nog een tablet"}))
    assert_sent_to_login(paired_client.post(revoke_url))

    assert list(Tablet.objects.values_list("name", "revoked_at")) == [(TABLET_NAME, None)]


def test_a_dokkum_tablet_cannot_record_for_burgum(paired_client, burgum):
    response = tap(paired_client, slug="burgum")

    assert response.status_code == 401
    assert response.json()["status"] == "not_paired"
    assert_sent_to_login(
        paired_client.post(checkin_form_url("burgum"), {"client_id": str(uuid.uuid4())})
    )
    assert not Visit.objects.exists()


def test_a_dokkum_tablet_cannot_undo_a_burgum_visit_through_the_burgum_address(
    paired_client, burgum
):
    visit, _ = services.record_visit(location=burgum, client_id=uuid.uuid4())

    response = undo(paired_client, visit.client_id, slug="burgum")

    assert response.status_code == 401
    visit.refresh_from_db()
    assert visit.voided_at is None


def test_an_unknown_tablet_cookie_is_not_a_tablet(client, dokkum):
    client.cookies[settings.TABLET_COOKIE_NAME] = "made-up-token"

    assert_sent_to_login(client.get(tablet_url()))
    assert tap(client).status_code == 401
    assert not Visit.objects.exists()


def test_the_stored_hash_itself_does_not_open_the_tablet_page(client, tablet):
    client.cookies[settings.TABLET_COOKIE_NAME] = tablet.token_hash

    assert_sent_to_login(client.get(tablet_url()))
    assert tap(client).status_code == 401


# Without JavaScript: a plain form and a redirect ---------------------------------------------


def test_without_javascript_one_tap_counts_one_visitor_and_says_welcome(paired_client, tablet):
    page = paired_client.get(tablet_url())
    client_id = hidden_client_id(page.text)

    response = paired_client.post(checkin_form_url(), {"client_id": client_id})

    assert response.status_code == 302
    assert response["Location"] == tablet_url()
    visit = Visit.objects.get()
    assert str(visit.client_id) == client_id
    assert visit.location == tablet.location
    assert visit.source == Source.TABLET
    assert visit.recorded_by_tablet == tablet
    assert visit.recorded_by is None
    assert visit.first_visit == FirstVisit.UNKNOWN
    assert visit.age_band == ""
    assert visit.came_via is None
    assert visit.voided_at is None

    after = paired_client.get(tablet_url())
    assert "Welkom! Bezoeker geteld." in after.text
    assert total_on_page(after.text) == 1
    assert hidden_client_id(after.text) != client_id  # the next tap gets a new id


def test_without_javascript_sending_the_same_form_again_counts_once(paired_client, tablet):
    client_id = hidden_client_id(paired_client.get(tablet_url()).text)
    paired_client.post(checkin_form_url(), {"client_id": client_id})
    paired_client.get(tablet_url())  # the first message is shown and gone

    response = paired_client.post(checkin_form_url(), {"client_id": client_id}, follow=True)

    assert "Deze tik was al geteld." in response.text
    assert "Welkom! Bezoeker geteld." not in response.text
    assert Visit.objects.count() == 1
    assert total_on_page(response.text) == 1


def test_without_javascript_the_optional_facts_are_kept(paired_client, first_time_via):
    client_id = hidden_client_id(paired_client.get(tablet_url()).text)

    paired_client.post(
        checkin_form_url(),
        {
            "client_id": client_id,
            "first_visit": FirstVisit.YES,
            "age_band": AgeBand.SENIOR,
            "came_via": first_time_via.pk,
        },
    )

    visit = Visit.objects.get()
    assert visit.first_visit == FirstVisit.YES
    assert visit.age_band == AgeBand.SENIOR
    assert visit.came_via == first_time_via


def test_without_javascript_a_broken_form_records_nothing_and_says_so(paired_client):
    response = paired_client.post(checkin_form_url(), {"client_id": "geen-uuid"}, follow=True)

    assert "Dat ging niet goed. Tik nog een keer op de knop." in response.text
    assert not Visit.objects.exists()


def test_the_form_works_with_csrf_checks_on(tablet, paired_client):
    browser = Client(enforce_csrf_checks=True)
    browser.cookies[settings.TABLET_COOKIE_NAME] = paired_client.cookies[
        settings.TABLET_COOKIE_NAME
    ].value
    page = browser.get(tablet_url())
    assert settings.CSRF_COOKIE_NAME in browser.cookies
    client_id = hidden_client_id(page.text)

    refused = browser.post(checkin_form_url(), {"client_id": client_id})
    assert refused.status_code == 403
    assert not Visit.objects.exists()

    response = browser.post(
        checkin_form_url(),
        {"client_id": client_id, "csrfmiddlewaretoken": csrf_field(page.text)},
    )

    assert response.status_code == 302
    assert response["Location"] == tablet_url()
    assert Visit.objects.get().recorded_by_tablet == tablet


def test_without_javascript_undo_voids_the_visit_and_keeps_it(paired_client, tablet):
    client_id = hidden_client_id(paired_client.get(tablet_url()).text)
    paired_client.post(checkin_form_url(), {"client_id": client_id})
    page = paired_client.get(tablet_url())
    assert f'name="client_id" value="{client_id}"' in page.text  # its undo button
    assert total_on_page(page.text) == 1

    response = paired_client.post(undo_form_url(), {"client_id": client_id})

    assert response.status_code == 302
    assert response["Location"] == tablet_url()
    visit = Visit.objects.get()
    assert visit.voided_at is not None
    assert visit.voided_by_tablet == tablet
    assert visit.voided_by is None
    event = AuditEvent.objects.get(action=AuditEvent.Action.VISIT_VOIDED)
    assert event.subject == client_id
    assert event.details == {"tablet": TABLET_NAME}

    after = paired_client.get(tablet_url())
    assert "Ongedaan gemaakt: deze bezoeker telt niet mee." in after.text
    assert total_on_page(after.text) == 0
    assert f'name="client_id" value="{client_id}"' not in after.text


# With JavaScript: JSON taps, idempotent on client_id ----------------------------------------


def test_a_json_tap_records_a_visit_with_its_facts(paired_client, tablet, first_time_via):
    client_id = uuid.uuid4()
    tapped_at = TUESDAY_MORNING - datetime.timedelta(seconds=3)

    with time_machine.travel(TUESDAY_MORNING, tick=False):
        response = tap(
            paired_client,
            client_id=str(client_id),
            tapped_at=tapped_at.isoformat(),
            first_visit="yes",
            age_band="65_plus",
            came_via=first_time_via.pk,
        )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "ok"
    assert body["created"] is True
    assert body["client_id"] == str(client_id)
    assert body["voided"] is False
    assert body["today"]["total"] == 1
    visit = Visit.objects.get()
    assert visit.client_id == client_id
    assert visit.recorded_at == tapped_at
    assert visit.time_from_server is False
    assert visit.first_visit == FirstVisit.YES
    assert visit.age_band == AgeBand.SENIOR
    assert visit.came_via == first_time_via
    assert visit.source == Source.TABLET
    assert visit.recorded_by_tablet == tablet


def test_the_same_json_tap_again_returns_the_first_visit_and_records_no_second(paired_client):
    client_id = str(uuid.uuid4())
    first = tap(paired_client, client_id=client_id)

    again = tap(paired_client, client_id=client_id, first_visit="yes")

    assert first.status_code == 201
    assert again.status_code == 200
    body = again.json()
    assert body["status"] == "ok"
    assert body["created"] is False
    assert body["client_id"] == client_id
    assert body["recorded_at"] == first.json()["recorded_at"]
    assert body["today"]["total"] == 1
    visit = Visit.objects.get()
    assert visit.first_visit == FirstVisit.UNKNOWN  # the retry changes nothing


@pytest.mark.parametrize("first_visit", ["no", "unknown", None])
def test_how_they_came_is_only_kept_for_a_first_visit(paired_client, first_time_via, first_visit):
    response = tap(paired_client, first_visit=first_visit, came_via=first_time_via.pk)

    assert response.status_code == 201
    visit = Visit.objects.get()
    assert visit.came_via is None
    assert visit.first_visit == (first_visit or FirstVisit.UNKNOWN)


@pytest.mark.parametrize(
    "ago",
    [
        datetime.timedelta(hours=2),
        datetime.timedelta(hours=47, minutes=59),
        -datetime.timedelta(minutes=4),
    ],
    ids=["2-hours-ago", "47h59-ago", "4-minutes-ahead"],
)
def test_a_queued_tap_keeps_the_moment_it_was_tapped(paired_client, ago):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        tapped_at = TUESDAY_MORNING - ago

        response = tap(paired_client, tapped_at=tapped_at.isoformat())

    assert response.status_code == 201
    visit = Visit.objects.get()
    assert visit.recorded_at == tapped_at
    assert visit.time_from_server is False
    assert visit.received_at == TUESDAY_MORNING
    assert visit.recorded_on == tapped_at.date()


@pytest.mark.parametrize(
    "ago",
    [
        datetime.timedelta(days=3),
        datetime.timedelta(hours=48, seconds=1),
        -datetime.timedelta(minutes=10),
    ],
    ids=["3-days-ago", "just-over-48h-ago", "10-minutes-ahead"],
)
def test_an_implausible_device_time_is_replaced_by_the_servers_and_marked(paired_client, ago):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        response = tap(paired_client, tapped_at=(TUESDAY_MORNING - ago).isoformat())

    assert response.status_code == 201
    visit = Visit.objects.get()
    assert visit.recorded_at == TUESDAY_MORNING
    assert visit.time_from_server is True
    assert response.json()["today"]["total"] == 1


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}],
    ids=["origin", "sec-fetch-site"],
)
def test_a_tap_from_another_site_is_refused(paired_client, headers):
    response = paired_client.post(
        checkin_api_url(),
        {"client_id": str(uuid.uuid4())},
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 403
    assert response.json()["status"] == "forbidden"
    assert not Visit.objects.exists()


def test_an_undo_from_another_site_is_refused(paired_client):
    client_id = str(uuid.uuid4())
    tap(paired_client, client_id=client_id)

    response = paired_client.post(
        undo_api_url(),
        {"client_id": client_id},
        content_type="application/json",
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert Visit.objects.get().voided_at is None


def test_a_tap_from_this_sites_own_page_is_accepted(paired_client):
    response = paired_client.post(
        checkin_api_url(),
        {"client_id": str(uuid.uuid4())},
        content_type="application/json",
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 201
    assert Visit.objects.count() == 1


def test_a_tap_that_is_not_json_is_refused(paired_client):
    response = paired_client.post(checkin_api_url(), {"client_id": str(uuid.uuid4())})

    assert response.status_code == 415
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "body",
    ['{"client_id": ', "[1, 2]", '"just a string"', b"\xff\xfe"],
    ids=["cut-off", "a-list", "a-string", "not-utf8"],
)
def test_unreadable_json_is_refused(paired_client, body):
    response = paired_client.post(checkin_api_url(), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["status"] == "invalid"
    assert not Visit.objects.exists()


@pytest.mark.parametrize("client_id", ["not-a-uuid", "", 42], ids=["text", "empty", "number"])
def test_a_tap_with_an_invalid_client_id_is_refused(paired_client, client_id):
    response = paired_client.post(
        checkin_api_url(), {"client_id": client_id}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["status"] == "invalid"
    assert "client_id" in response.json()["errors"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "came_via", ["de bus", "²", "-1", "99999999999999999999", 1.5, [1]], ids=repr
)
def test_facts_that_no_longer_fit_are_left_out_and_the_visitor_still_counts(
    paired_client, came_via
):
    """Only the client id can make a tap invalid: a refused tap is dropped by the page's
    script (and a 500 is retried for ever, holding up the queue behind it), while the
    visitor walked in all the same."""
    paired_client.raise_request_exception = False  # a crash shows as the 500 the tablet gets

    response = tap(paired_client, first_visit="maybe", age_band="100_plus", came_via=came_via)

    assert response.status_code == 201, f"the tap was answered {response.status_code}"
    visit = Visit.objects.get()
    assert visit.first_visit == FirstVisit.UNKNOWN
    assert visit.age_band == ""
    assert visit.came_via is None


def test_a_garbled_device_time_is_replaced_by_the_servers_and_marked(paired_client):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        response = tap(paired_client, tapped_at="gisteren om een uur of drie")

    assert response.status_code == 201
    visit = Visit.objects.get()
    assert visit.recorded_at == TUESDAY_MORNING
    assert visit.time_from_server is True, (
        "the device sent a time the server could not use: the visit must be marked"
    )


@pytest.mark.parametrize("change", ["switched-off", "removed"])
def test_a_queued_tap_counts_even_when_its_came_via_option_changed_meanwhile(
    paired_client, first_time_via, change
):
    """A tap waits in the browser while the wifi is down (or the page came from the service
    worker's cache); meanwhile "Via de huisarts" is switched off or removed in the admin. The
    visitor did walk in, so the tap must count. The page's script drops a tap that the server
    answers with 400 (static/js/tablet.js, "can never succeed"), so refusing it loses it."""
    came_via_id = first_time_via.pk
    if change == "switched-off":
        CameVia.objects.filter(pk=came_via_id).update(active=False)
    else:
        first_time_via.delete()

    response = tap(paired_client, first_visit="yes", came_via=came_via_id)

    assert response.status_code == 201, (
        f"a queued tap was refused ({response.status_code}) and would be lost: "
        "an unknown or switched-off 'came via' must not cost the visit"
    )
    visit = Visit.objects.counted().get()
    if change == "switched-off":  # it was on the screen when it was chosen: kept
        assert visit.came_via_id == came_via_id
    else:  # gone: left out (the INSERT checks it), the visit still counted
        assert visit.came_via_id is None


def test_a_tap_without_a_client_id_is_refused(paired_client):
    response = paired_client.post(checkin_api_url(), {}, content_type="application/json")

    assert response.status_code == 400
    assert "client_id" in response.json()["errors"]
    assert not Visit.objects.exists()


def test_the_check_in_endpoint_only_answers_post(paired_client):
    assert paired_client.get(checkin_api_url()).status_code == 405


def test_a_tap_id_of_another_location_is_not_taken_over(paired_client, burgum):
    burgum_visit, _ = services.record_visit(location=burgum, client_id=uuid.uuid4())

    response = tap(paired_client, client_id=str(burgum_visit.client_id))

    assert response.status_code == 409
    assert response.json()["status"] == "other_location"
    assert Visit.objects.get() == burgum_visit
    assert not Visit.objects.filter(location__slug="dokkum").exists()


def test_a_logged_in_coordinator_may_record_at_the_door_too(client, login, coordinator, dokkum):
    login(coordinator)

    response = tap(client)

    assert response.status_code == 201
    visit = Visit.objects.get()
    assert visit.recorded_by == coordinator
    assert visit.recorded_by_tablet is None


def test_an_anonymous_tap_is_refused(client, dokkum):
    response = tap(client)

    assert response.status_code == 401
    assert not Visit.objects.exists()


# Undo ----------------------------------------------------------------------------------------


def test_a_tap_is_undone_within_ten_minutes_voided_and_kept(paired_client, tablet):
    client_id = str(uuid.uuid4())
    with time_machine.travel(TUESDAY_MORNING, tick=False) as traveller:
        tap(paired_client, client_id=client_id)
        traveller.shift(datetime.timedelta(minutes=9, seconds=59))

        response = undo(paired_client, client_id)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["today"]["total"] == 0
    visit = Visit.objects.get()
    assert visit.voided_at == TUESDAY_MORNING + datetime.timedelta(minutes=9, seconds=59)
    assert visit.voided_by_tablet == tablet
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_VOIDED).count() == 1


def test_a_tap_cannot_be_undone_after_ten_minutes(paired_client):
    client_id = str(uuid.uuid4())
    with time_machine.travel(TUESDAY_MORNING, tick=False) as traveller:
        tap(paired_client, client_id=client_id)
        traveller.shift(datetime.timedelta(minutes=10, seconds=1))

        response = undo(paired_client, client_id)
        page = paired_client.get(tablet_url())

    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "too_late"
    assert body["message"] == ("Ongedaan maken kan tot 10 minuten na de tik. Vraag je coördinator.")
    assert Visit.objects.get().voided_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_VOIDED).exists()
    # The page no longer offers to undo it, and it still counts.
    assert f'name="client_id" value="{client_id}"' not in page.text
    assert total_on_page(page.text) == 1


def test_undoing_twice_is_harmless(paired_client):
    client_id = str(uuid.uuid4())
    with time_machine.travel(TUESDAY_MORNING, tick=False) as traveller:
        tap(paired_client, client_id=client_id)
        traveller.shift(datetime.timedelta(minutes=1))
        first = undo(paired_client, client_id)
        voided_at = Visit.objects.get().voided_at
        traveller.shift(datetime.timedelta(minutes=1))

        again = undo(paired_client, client_id)

    assert first.status_code == again.status_code == 200
    assert again.json()["today"]["total"] == 0
    assert Visit.objects.get().voided_at == voided_at
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_VOIDED).count() == 1


def test_undoing_a_tap_of_another_location_finds_nothing_and_changes_nothing(paired_client, burgum):
    burgum_visit, _ = services.record_visit(location=burgum, client_id=uuid.uuid4())

    response = undo(paired_client, burgum_visit.client_id)

    assert response.status_code == 409
    assert response.json()["status"] == "unknown"
    assert response.json()["message"] == "Deze tik is niet gevonden."
    burgum_visit.refresh_from_db()
    assert burgum_visit.voided_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_VOIDED).exists()


def test_undoing_an_unknown_tap_finds_nothing(paired_client):
    response = undo(paired_client, uuid.uuid4())

    assert response.status_code == 409
    assert response.json()["status"] == "unknown"


def test_undoing_a_manual_tally_visit_from_the_tablet_finds_nothing(
    paired_client, coordinator, dokkum
):
    tally = services.record_tally(
        location=dokkum,
        date=datetime.date.today(),
        day_part=DayPart.MORNING,
        visitors=1,
        first_visits=0,
        user=coordinator,
    )
    tallied = tally.visits.get()

    response = undo(paired_client, tallied.client_id)

    assert response.status_code == 409
    tallied.refresh_from_db()
    assert tallied.voided_at is None


def test_voided_visits_never_count(paired_client):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        ids = [str(uuid.uuid4()) for _ in range(3)]
        for client_id in ids:
            tap(paired_client, client_id=client_id)

        undone = undo(paired_client, ids[1])
        page = paired_client.get(tablet_url())
        next_tap = tap(paired_client)

    assert undone.json()["today"]["total"] == 2
    assert total_on_page(page.text) == 2
    assert day_part_counts(page.text) == {"morning": 2, "afternoon": 0, "evening": 0}
    assert next_tap.json()["today"]["total"] == 3
    assert Visit.objects.count() == 4
    assert Visit.objects.counted().count() == 3


# A revoked tablet ----------------------------------------------------------------------------


def test_a_revoked_tablet_stops_at_once_and_says_it_must_be_paired_again(
    paired_client, tablet, coordinator
):
    assert tap(paired_client).status_code == 201
    services.revoke_tablet(tablet=tablet, revoked_by=coordinator)

    page = paired_client.get(tablet_url())
    response = tap(paired_client)
    form = paired_client.post(checkin_form_url(), {"client_id": str(uuid.uuid4())})

    assert page.status_code == 403
    assert "opnieuw" in page.text
    assert "Deze tablet is ontkoppeld en telt niet meer mee." in page.text
    assert "Bezoeker binnen" not in page.text
    assert response.status_code == 403
    assert response.json()["status"] == "revoked"
    assert "opnieuw" in response.json()["message"]
    assert form.status_code == 403
    assert Visit.objects.count() == 1  # only the tap from before
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TABLET_REVOKED).count() == 1


def test_a_revoked_tablet_cannot_undo_either(paired_client, tablet, coordinator):
    client_id = str(uuid.uuid4())
    tap(paired_client, client_id=client_id)
    services.revoke_tablet(tablet=tablet, revoked_by=coordinator)

    response = undo(paired_client, client_id)

    assert response.status_code == 403
    assert Visit.objects.get().voided_at is None


def test_a_revoked_tablet_reaches_no_other_page_either(paired_client, tablet, coordinator):
    services.revoke_tablet(tablet=tablet, revoked_by=coordinator)

    assert_sent_to_login(paired_client.get(tablet_url("burgum")))
    assert_sent_to_login(paired_client.get(reverse("dashboard")))


# Concurrency: the database decides, on PostgreSQL --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_tap_from_ten_threads_at_once_is_one_visit():
    require_postgresql()
    location = LocationFactory()
    client_id = uuid.uuid4()

    results = all_at_once(
        10, lambda _: services.record_visit(location=location, client_id=client_id)
    )

    assert len(results) == 10
    assert sum(created for _, created in results) == 1
    assert {visit.pk for visit, _ in results} == {Visit.objects.get(client_id=client_id).pk}
    assert Visit.objects.filter(location=location).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_different_taps_from_ten_threads_at_once_are_ten_visits():
    require_postgresql()
    location = LocationFactory()
    ids = [uuid.uuid4() for _ in range(10)]

    results = all_at_once(
        10, lambda index: services.record_visit(location=location, client_id=ids[index])
    )

    assert all(created for _, created in results)
    assert set(Visit.objects.filter(location=location).values_list("client_id", flat=True)) == (
        set(ids)
    )


# Day-parts follow the opening hours ----------------------------------------------------------

TUESDAY_12_15 = datetime.datetime(2026, 3, 10, 12, 15, tzinfo=AMSTERDAM)


def test_a_tap_in_a_morning_opening_that_runs_past_noon_counts_as_morning(paired_client, dokkum):
    assert TUESDAY_12_15.isoweekday() == Weekday.TUESDAY
    OpeningHours.objects.create(
        location=dokkum,
        weekday=Weekday.TUESDAY,
        day_part=DayPart.MORNING,
        opens_at=datetime.time(10, 0),
        closes_at=datetime.time(12, 30),
    )
    with time_machine.travel(TUESDAY_12_15, tick=False):
        response = tap(paired_client)
        page = paired_client.get(tablet_url())

    assert response.json()["today"]["morning"] == 1
    assert Visit.objects.get().day_part == DayPart.MORNING
    assert day_part_counts(page.text) == {"morning": 1, "afternoon": 0, "evening": 0}


def test_a_tap_at_a_quarter_past_twelve_without_an_opening_slot_counts_as_afternoon(
    paired_client, dokkum
):
    OpeningHours.objects.create(  # another day's slot does not apply on Tuesday
        location=dokkum,
        weekday=Weekday.WEDNESDAY,
        day_part=DayPart.MORNING,
        opens_at=datetime.time(10, 0),
        closes_at=datetime.time(12, 30),
    )
    with time_machine.travel(TUESDAY_12_15, tick=False):
        response = tap(paired_client)
        page = paired_client.get(tablet_url())

    assert response.json()["today"]["afternoon"] == 1
    assert Visit.objects.get().day_part == DayPart.AFTERNOON
    assert day_part_counts(page.text) == {"morning": 0, "afternoon": 1, "evening": 0}


def test_a_queued_tap_gets_the_day_part_of_the_moment_it_was_tapped(paired_client):
    evening_before = datetime.datetime(2026, 3, 9, 19, 30, tzinfo=AMSTERDAM)
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        response = tap(paired_client, tapped_at=evening_before.isoformat())

    visit = Visit.objects.get()
    assert visit.day_part == DayPart.EVENING
    assert visit.recorded_on == datetime.date(2026, 3, 9)
    # Yesterday's tap does not count today.
    assert response.json()["today"]["total"] == 0


# A fixed number of queries -------------------------------------------------------------------
# Measured with CaptureQueriesContext; the same on SQLite and PostgreSQL. The tablet carries no
# session, so there is no session or user query.
# - The tablet page (8): the tablet with its location, today's counts (one aggregate), the taps
#   that can still be undone, the "came via" list, today's programme (occurrences with their
#   activity and room), who is on duty (first names of today's assignments), a closure
#   covering today, a loneliness round running here today (loneliness/).
# - A new JSON tap (2): the tablet with its location (and its opening-hours version), and the
#   INSERT that skips a known client_id and returns the new id (ON CONFLICT DO NOTHING
#   RETURNING). The day-part comes from the opening hours this process holds for that version.
#   Today's counts add one aggregate, unless the tap says "counts": false (tablet.js, while
#   its counts are fresh).
# - A retry of a stored tap (3): the same, and reading the first visit back.
# - A form tap (2): as a new JSON tap (it redirects, without counts).
# The first tap of a process, or the first after the opening hours changed, reads them (one
# SELECT); writing "last seen" adds one UPDATE at most once a minute; a chosen "came via" and a
# named activity one SELECT each.

# TABLET_PAGE_QUERIES (8): in tests/support.py, as tests/test_activities_tablet.py checks it too.
NEW_TAP_QUERIES = 2
COUNTS_QUERIES = 1
RETRY_QUERIES = 3
FORM_CHECKIN_QUERIES = 2


@pytest.fixture
def seen_tablet(paired_client):
    """The paired tablet at a frozen moment, after one page view and one tap: "last seen" is
    fresh, so no request below writes it again (it is written at most once a minute), and this
    process holds Dokkum's opening hours."""
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        assert paired_client.get(tablet_url()).status_code == 200
        assert tap(paired_client).status_code == 201
        yield paired_client


def test_the_tablet_page_runs_a_fixed_number_of_queries(seen_tablet, django_assert_num_queries):
    with django_assert_num_queries(TABLET_PAGE_QUERIES):
        response = seen_tablet.get(tablet_url())
    assert response.status_code == 200


def test_a_new_json_tap_is_two_queries_the_tablet_and_the_insert(
    seen_tablet, django_assert_num_queries
):
    client_id = str(uuid.uuid4())
    with django_assert_num_queries(NEW_TAP_QUERIES):
        response = tap(seen_tablet, client_id=client_id, counts=False)

    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True
    assert "today" not in body
    assert body["recorded_on"] == "2026-03-10"
    assert body["day_part"] == DayPart.MORNING
    visit = Visit.objects.get(client_id=client_id)
    assert body["recorded_at"] == visit.recorded_at.astimezone(AMSTERDAM).isoformat()
    assert visit.recorded_by_tablet.name == TABLET_NAME


def test_a_json_tap_with_todays_counts_adds_one_query(seen_tablet, django_assert_num_queries):
    with django_assert_num_queries(NEW_TAP_QUERIES + COUNTS_QUERIES):
        response = tap(seen_tablet)

    assert response.status_code == 201
    assert response.json()["today"] == {
        "date": "2026-03-10",
        "total": 2,  # the fixture's tap and this one
        "morning": 2,
        "afternoon": 0,
        "evening": 0,
    }


def test_a_retried_json_tap_reads_the_first_visit_back(seen_tablet, django_assert_num_queries):
    client_id = str(uuid.uuid4())
    first = tap(seen_tablet, client_id=client_id, counts=False)

    with django_assert_num_queries(RETRY_QUERIES):
        again = tap(seen_tablet, client_id=client_id, counts=False)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["created"] is False
    assert again.json()["recorded_at"] == first.json()["recorded_at"]
    assert Visit.objects.filter(client_id=client_id).count() == 1


def test_one_form_check_in_runs_a_fixed_number_of_queries(seen_tablet, django_assert_num_queries):
    client_id = hidden_client_id(seen_tablet.get(tablet_url()).text)
    with django_assert_num_queries(FORM_CHECKIN_QUERIES):
        response = seen_tablet.post(checkin_form_url(), {"client_id": client_id})
    assert response.status_code == 302
    assert Visit.objects.count() == 2


def test_changed_opening_hours_are_seen_by_the_next_tap(
    seen_tablet, login, coordinator, django_assert_num_queries
):
    """The day-part comes from opening hours this process keeps; a save on the opening-hours
    page (which bumps the location's opening-hours version, and writes in bulk: no model save
    tells this process) is seen by the very next tap."""
    coordinator_client = login(coordinator)
    tuesday_morning = (Weekday.TUESDAY, DayPart.MORNING)
    with time_machine.travel(TUESDAY_12_15, tick=False):
        before = tap(seen_tablet, counts=False)
        opened = coordinator_client.post(
            OPENING_HOURS_URL, opening_hours_post({tuesday_morning: ("10:00", "12:30")})
        )
        with django_assert_num_queries(NEW_TAP_QUERIES + 1):  # reads the new hours once
            longer_morning = tap(seen_tablet, counts=False)
        with django_assert_num_queries(NEW_TAP_QUERIES):
            still_morning = tap(seen_tablet, counts=False)
        shortened = coordinator_client.post(
            OPENING_HOURS_URL, opening_hours_post({tuesday_morning: ("10:00", "12:00")})
        )
        after = tap(seen_tablet, counts=False)

    assert (opened.status_code, shortened.status_code) == (302, 302)
    assert [answer.json()["day_part"] for answer in (before, longer_morning, still_morning)] == [
        DayPart.AFTERNOON,  # no opening slot: the clock's day-part
        DayPart.MORNING,
        DayPart.MORNING,
    ]
    assert after.json()["day_part"] == DayPart.AFTERNOON
    assert list(
        Visit.objects.filter(recorded_on=TUESDAY_12_15.date())
        .values_list("day_part", flat=True)
        .order_by("recorded_at", "pk")
    )[-4:] == ["afternoon", "morning", "morning", "afternoon"]


def test_a_tablet_revoked_between_two_taps_is_refused_at_the_next(seen_tablet, login, coordinator):
    """The tablet is looked up in the database on every tap: nothing about it is kept."""
    tablet = Tablet.objects.get()
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        assert tap(seen_tablet, counts=False).status_code == 201
        revoked = login(coordinator).post(
            reverse("visitors:revoke-tablet", kwargs={"slug": "dokkum", "pk": tablet.pk})
        )
        refused = tap(seen_tablet, counts=False)

    assert revoked.status_code == 302
    assert refused.status_code == 403
    assert refused.json()["status"] == "revoked"
    assert Visit.objects.count() == 2  # the fixture's tap and the one before the revoke


def test_the_tablet_page_runs_no_more_queries_after_a_hundred_visits(
    seen_tablet, dokkum, first_time_via, django_assert_max_num_queries
):
    tablet = Tablet.objects.get(location=dokkum)
    for number in range(100):
        visit, _ = services.record_visit(
            location=dokkum,
            client_id=uuid.uuid4(),
            facts=services.VisitFacts(first_visit=FirstVisit.YES, came_via=first_time_via),
            tablet=tablet,  # its own taps: those it may undo
        )
        if number % 10 == 0:
            services.undo_visit(location=dokkum, client_id=visit.client_id)

    with django_assert_max_num_queries(TABLET_PAGE_QUERIES):
        response = seen_tablet.get(tablet_url())

    assert total_on_page(response.text) == 91  # and the fixture's tap
    assert response.text.count("undo-button") == 5  # the five latest taps can be undone


def test_a_name_that_is_too_long_is_shown_again_to_be_shortened(client, login, coordinator):
    login(coordinator)
    long_name = "Tablet bij de voordeur van de buurtkamer in Dokkum, naast de kapstok " * 2

    response = client.post(pair_url(), {"name": long_name})

    assert response.status_code == 400
    assert f'value="{long_name}"' in response.text
    assert "niet meer dan 80 tekens" in response.text
    assert not Tablet.objects.exists()


def test_an_undo_that_waited_in_the_queue_counts_from_when_it_was_tapped(paired_client, dokkum):
    start = datetime.datetime.now(tz=datetime.UTC)
    client_id = uuid.uuid4()
    with time_machine.travel(start, tick=False):
        tap(paired_client, client_id=str(client_id))
    undone_at = (start + datetime.timedelta(minutes=2)).isoformat()
    with time_machine.travel(start + datetime.timedelta(minutes=15), tick=False):
        response = paired_client.post(
            undo_api_url(),
            {"client_id": str(client_id), "undone_at": undone_at},
            content_type="application/json",
        )
        late = paired_client.post(
            undo_api_url(), {"client_id": str(uuid.uuid4())}, content_type="application/json"
        )

    assert response.status_code == 200
    assert Visit.objects.get(client_id=client_id).voided_at is not None
    assert late.status_code == 409  # an unknown tap stays unknown


def test_the_tablet_page_renews_the_tablet_cookie(paired_client):
    response = paired_client.get(tablet_url())

    cookie = response.cookies[settings.TABLET_COOKIE_NAME]
    assert cookie.value == paired_client.cookies[settings.TABLET_COOKIE_NAME].value
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
