"""The calendar feeds: a volunteer's shifts and a location's roster as iCalendar (.ics).

The secret token in the URL is the credential (a phone's calendar app never logs in). The times
must be right on both sides of the daylight-saving changes: 09:30 in Dokkum is 08:30 UTC in
winter and 07:30 UTC in summer.
"""

import datetime
import importlib
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from locations.models import Location, Role
from volunteers.models import Assignment, Task
from volunteers.profiles import get_profile

from .factories import PASSWORD, MembershipFactory
from .support import make_shift

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC


def token_of(user):
    """The person's calendar token as the database has it now (not a cached profile)."""
    return get_profile(type(user).objects.get(pk=user.pk)).calendar_token


def feed_url(user):
    return reverse("volunteers:my-feed", kwargs={"calendar_token": token_of(user)})


def roster_token_of(user, location):
    """The person's own secret of the location's roster feed (not their personal token)."""
    from volunteers.models import RosterFeedToken

    return RosterFeedToken.objects.get_or_create(user=user, location=location)[0].token


def location_feed_url(user, location):
    return reverse(
        "volunteers:location-feed",
        kwargs={"roster_token": roster_token_of(user, location), "location_slug": location.slug},
    )


def events_of(response):
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


@pytest.fixture
def new_year_2027():
    with time_machine.travel(datetime.datetime(2027, 1, 1, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield


# The times, winter and summer ---------------------------------------------------------------------

# (date, expected start in UTC) for a shift from 09:30 to 12:00 local time.
DST_CASES = [
    (datetime.date(2027, 1, 12), datetime.datetime(2027, 1, 12, 8, 30, tzinfo=UTC)),  # winter
    (datetime.date(2027, 3, 27), datetime.datetime(2027, 3, 27, 8, 30, tzinfo=UTC)),  # CET still
    (
        datetime.date(2027, 3, 28),
        datetime.datetime(2027, 3, 28, 7, 30, tzinfo=UTC),
    ),  # CEST since 02:00
    (datetime.date(2027, 7, 13), datetime.datetime(2027, 7, 13, 7, 30, tzinfo=UTC)),  # summer
    (datetime.date(2027, 10, 30), datetime.datetime(2027, 10, 30, 7, 30, tzinfo=UTC)),  # CEST still
    (datetime.date(2027, 10, 31), datetime.datetime(2027, 10, 31, 8, 30, tzinfo=UTC)),  # CET again
]


def test_the_feed_parses_back_with_the_right_times_across_daylight_saving(
    client, dokkum, volunteer, new_year_2027
):
    dokkum.address, dokkum.postal_code = "Grote Breedstraat 1", "9101 KA"
    dokkum.save()
    for date, _utc in DST_CASES:
        Assignment.objects.create(shift=make_shift(dokkum, date), volunteer=volunteer)

    response = client.get(feed_url(volunteer))

    calendar, events = events_of(response)
    starts = sorted(event.decoded("dtstart").astimezone(UTC) for event in events)
    ends = sorted(event.decoded("dtend").astimezone(UTC) for event in events)
    assert starts == [utc for _date, utc in DST_CASES]
    assert ends == [utc + datetime.timedelta(hours=2, minutes=30) for _date, utc in DST_CASES]
    # Local wall-clock times with their zone, and the zone described in the file itself.
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert b"DTSTART;TZID=Europe/Amsterdam:20270112T093000" in response.content
    assert b"DTSTART;TZID=Europe/Amsterdam:20270713T093000" in response.content
    assert b"DTSTART;TZID=Europe/Amsterdam:20270328T093000" in response.content
    for event in events:
        assert event["summary"] == "Gastvrouw/gastheer – Buurtkamer Dokkum"
        assert "Grote Breedstraat 1" in event["location"]
        assert "9101 KA" in event["location"]


def test_the_feed_has_sensible_headers(client, volunteer, new_year_2027):
    response = client.get(feed_url(volunteer))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith('inline; filename="')
    assert response["Content-Disposition"].endswith('.ics"')
    assert response["Cache-Control"] == "private, max-age=300"
    assert "sessionid" not in response.cookies  # no login, no session
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["version"] == "2.0"
    assert list(calendar.walk("VEVENT")) == []


def test_the_feed_shows_only_the_persons_standing_shifts_with_a_stable_uid(
    client, dokkum, volunteer, coordinator, new_year_2027
):
    colleague = MembershipFactory(
        location=dokkum, user__first_name="Sjoerd", user__last_name="Zwartsenberg"
    ).user
    kept = make_shift(dokkum, datetime.date(2027, 1, 12))
    mine = Assignment.objects.create(shift=kept, volunteer=volunteer)
    Assignment.objects.create(shift=kept, volunteer=colleague)
    dropped = make_shift(dokkum, datetime.date(2027, 1, 13), task=Task.KITCHEN)
    Assignment.objects.create(
        shift=dropped, volunteer=volunteer, cancelled_at=timezone.now(), cancelled_by=volunteer
    )
    not_mine = make_shift(dokkum, datetime.date(2027, 1, 14))
    Assignment.objects.create(shift=not_mine, volunteer=coordinator)
    too_old = make_shift(dokkum, datetime.date(2026, 6, 1))
    Assignment.objects.create(shift=too_old, volunteer=volunteer)

    first = client.get(feed_url(volunteer))
    second = client.get(feed_url(volunteer))

    _calendar, events = events_of(first)
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == datetime.datetime(2027, 1, 12, 9, 30, tzinfo=AMSTERDAM)
    assert str(event["uid"]) == f"assignment-{mine.pk}@testserver"
    assert [str(e["uid"]) for e in events_of(second)[1]] == [str(event["uid"])]
    assert "Sjoerd" in str(event["description"])  # who else is there: first names
    assert colleague.last_name not in str(event["description"])


def test_an_unknown_token_is_not_found(client, db):
    url = reverse("volunteers:my-feed", kwargs={"calendar_token": "x" * 43})
    assert client.get(url).status_code == 404


def test_a_token_of_a_deactivated_person_no_longer_works(client, volunteer):
    url = feed_url(volunteer)
    volunteer.is_active = False
    volunteer.save()
    assert client.get(url).status_code == 404


def test_the_feed_is_read_only(client, volunteer):
    assert client.post(feed_url(volunteer)).status_code == 405


def test_the_feed_queries_do_not_grow_with_the_shifts(
    client, dokkum, volunteer, new_year_2027, django_assert_max_num_queries
):
    url = feed_url(volunteer)
    colleague = MembershipFactory(location=dokkum).user
    shift = make_shift(dokkum, datetime.date(2027, 1, 12))
    Assignment.objects.create(shift=shift, volunteer=volunteer)
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code == 200
    for day in range(30):
        shift = make_shift(dokkum, datetime.date(2027, 2, 1) + datetime.timedelta(days=day))
        Assignment.objects.create(shift=shift, volunteer=volunteer)
        Assignment.objects.create(shift=shift, volunteer=colleague)
    with django_assert_max_num_queries(3):
        response = client.get(url)
    assert len(events_of(response)[1]) == 31


# A new link -------------------------------------------------------------------------------------


def test_a_new_link_makes_the_old_one_stop_working(login, volunteer):
    client = login(volunteer)
    old = feed_url(volunteer)
    assert client.get(old).status_code == 200

    response = client.post(reverse("volunteers:regenerate-feed"))

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "nieuwe agenda-link" in page.text
    new = feed_url(volunteer)
    assert new != old
    assert new in page.text
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_new_link_needs_a_logged_in_post(client, volunteer):
    old = feed_url(volunteer)
    response = client.post(reverse("volunteers:regenerate-feed"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get(reverse("volunteers:regenerate-feed")).status_code == 405
    assert feed_url(volunteer) == old


WRITES = ("INSERT", "UPDATE", "DELETE")


def test_showing_my_shifts_writes_nothing(login, coordinator):
    """A coordinator without a volunteer profile or any link: the page only reads, and offers
    to make the link."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from volunteers.models import RosterFeedToken, VolunteerProfile

    client = login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("volunteers:my-shifts"))
    assert page.status_code == 200
    writes = [query["sql"] for query in queries if query["sql"].lstrip().startswith(WRITES)]
    assert writes == []
    assert not VolunteerProfile.objects.filter(user=coordinator).exists()
    assert not RosterFeedToken.objects.filter(user=coordinator).exists()
    assert "Agenda-link maken" in page.text
    assert ".ics" not in page.text and "Nieuwe link maken" not in page.text


def test_the_links_are_made_by_a_post_once(login, coordinator):
    """The button makes the personal link (and the profile that holds it) and the roster link
    of the coordinator's location, audited; a second click makes nothing new."""
    from buurtkamer.models import AuditEvent
    from volunteers.models import RosterFeedToken, VolunteerProfile

    client = login(coordinator)
    assert client.get(reverse("volunteers:make-feed")).status_code == 405
    response = client.post(reverse("volunteers:make-feed"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    profile = VolunteerProfile.objects.get(user=coordinator)
    assert f"/agenda/{profile.calendar_token}.ics" in page.text
    assert f"webcal://testserver/agenda/{profile.calendar_token}.ics" in page.text
    assert "Nieuwe link maken" in page.text and "Agenda-link maken" not in page.text
    assert "iPhone" in page.text and "Android" in page.text
    # A coordinator also gets the roster feed of their location, with a secret of its own.
    roster_token = RosterFeedToken.objects.get(user=coordinator).token
    assert roster_token != profile.calendar_token
    assert f"webcal://testserver/agenda/rooster/{roster_token}/dokkum.ics" in page.text
    assert "/burgum.ics" not in page.text

    client.post(reverse("volunteers:make-feed"))  # a second click
    assert VolunteerProfile.objects.get(user=coordinator).calendar_token == profile.calendar_token
    assert RosterFeedToken.objects.get(user=coordinator).token == roster_token
    made = AuditEvent.objects.filter(action=AuditEvent.Action.CALENDAR_LINKS_MADE)
    assert made.count() == 1 and made.get().actor == coordinator


def test_a_volunteer_gets_no_location_roster_feed_link(login, volunteer):
    token = get_profile(volunteer).calendar_token
    page = login(volunteer).get(reverse("volunteers:my-shifts"))
    assert f"/agenda/{token}.ics" in page.text
    assert "/dokkum.ics" not in page.text


# The coordinator's feed of a location -------------------------------------------------------------


@pytest.fixture
def roster(dokkum, burgum, volunteer, new_year_2027):
    anneke_on_host = make_shift(dokkum, datetime.date(2027, 1, 12), minimum=2, maximum=2)
    Assignment.objects.create(shift=anneke_on_host, volunteer=volunteer)
    lead = make_shift(dokkum, datetime.date(2027, 1, 12), task=Task.SHIFT_LEAD, maximum=1)
    make_shift(burgum, datetime.date(2027, 1, 12))
    return anneke_on_host, lead


def test_a_coordinator_gets_the_roster_of_their_location(client, coordinator, dokkum, roster):
    host, lead = roster
    response = client.get(location_feed_url(coordinator, dokkum))

    _calendar, events = events_of(response)
    by_uid = {str(event["uid"]): event for event in events}
    assert set(by_uid) == {f"shift-{host.pk}@testserver", f"shift-{lead.pk}@testserver"}
    assert str(by_uid[f"shift-{host.pk}@testserver"]["summary"]) == (
        "Tekort – Gastvrouw/gastheer 1/2: Anneke"
    )
    assert str(by_uid[f"shift-{lead.pk}@testserver"]["summary"]) == (
        "Tekort – Dagverantwoordelijke 0/1"
    )
    assert by_uid[f"shift-{host.pk}@testserver"].decoded("dtstart").astimezone(UTC) == (
        datetime.datetime(2027, 1, 12, 8, 30, tzinfo=UTC)
    )
    assert response["Cache-Control"] == "private, max-age=300"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 200),
        ("staff", 200),
        ("volunteer", 404),
        ("other_volunteer", 404),
        ("other_coordinator", 404),
    ],
)
def test_only_its_coordinators_and_staff_get_a_locations_feed(
    client, personas, dokkum, roster, who, status
):
    assert client.get(location_feed_url(personas[who], dokkum)).status_code == status


def test_a_former_coordinator_loses_the_locations_feed(client, coordinator, dokkum, roster):
    url = location_feed_url(coordinator, dokkum)
    assert client.get(url).status_code == 200
    coordinator.memberships.update(ended_at=timezone.now())
    assert client.get(url).status_code == 404


def test_a_locations_feed_of_an_unknown_location_or_token_is_not_found(client, staff, dokkum, db):
    token = roster_token_of(staff, dokkum)
    unknown_location = reverse(
        "volunteers:location-feed",
        kwargs={"roster_token": token, "location_slug": "bestaat-niet"},
    )
    unknown_token = reverse(
        "volunteers:location-feed",
        kwargs={"roster_token": "y" * 43, "location_slug": dokkum.slug},
    )
    assert client.get(unknown_location).status_code == 404
    assert client.get(unknown_token).status_code == 404


def test_the_locations_feed_queries_do_not_grow(
    client, coordinator, dokkum, roster, django_assert_max_num_queries
):
    url = location_feed_url(coordinator, dokkum)
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200
    for day in range(20):
        shift = make_shift(dokkum, datetime.date(2027, 2, 1) + datetime.timedelta(days=day))
        for _ in range(2):
            Assignment.objects.create(
                shift=shift, volunteer=MembershipFactory(location=dokkum).user
            )
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert len(events_of(response)[1]) == 22


# In the browser: the feed box on "my shifts" ------------------------------------------------------

SHOTS = Path("/work/helpers/shots/feeds")
SIZES = [(1024, 768), (768, 1024), (390, 844)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_feed_box_on_my_shifts_in_the_browser(browser, live_server):
    # A transactional test before this one may have flushed the migration's locations.
    importlib.import_module("locations.migrations.0002_the_four_buurtkamers").create_locations(
        django_apps, None
    )
    dokkum = Location.objects.get(slug="dokkum")
    volunteer = MembershipFactory(location=dokkum, user__first_name="Anneke").user
    shift = make_shift(dokkum, timezone.localdate() + datetime.timedelta(days=3))
    Assignment.objects.create(shift=shift, volunteer=volunteer)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1024, "height": 768},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/?next=" + reverse("volunteers:my-shifts"))
    page.locator("#id_login").fill(volunteer.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**" + reverse("volunteers:my-shifts"))

    box = page.locator("section[aria-labelledby=agenda-link]")
    box.get_by_role("button", name="Agenda-link maken").click()
    page.wait_for_url("**" + reverse("volunteers:my-shifts"))
    old = box.locator("#agenda-url").input_value()
    assert old.endswith(".ics") and "/agenda/" in old
    assert (
        box.get_by_role("link", name="Zet in mijn agenda")
        .get_attribute("href")
        .startswith("webcal://")
    )
    box.get_by_text("Uitleg voor de iPhone of iPad").click()
    box.get_by_text("Uitleg voor Android (Google Agenda)").click()
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert not overflow, f"sideways scrolling at {width}px"
        box.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"my-shifts-{width}x{height}.png", full_page=True)
        box.screenshot(path=SHOTS / f"feed-box-{width}x{height}.png")

    # The feed itself answers, with no login (a fresh context: no session cookie).
    anonymous = browser.new_context()
    answer = anonymous.request.get(old)
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert b"BEGIN:VEVENT" in answer.body()

    box.get_by_role("button", name="Nieuwe link maken").click()
    page.wait_for_url("**" + reverse("volunteers:my-shifts"))
    assert "nieuwe agenda-link" in page.locator("main").inner_text()
    new = page.locator("#agenda-url").input_value()
    assert new != old
    assert anonymous.request.get(old).status == 404
    assert anonymous.request.get(new).status == 200
    anonymous.close()
    context.close()

    # A coordinator's box also holds the roster feed of their location.
    coordinator = MembershipFactory(location=dokkum, role=Role.COORDINATOR).user
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.goto("/accounts/login/?next=" + reverse("volunteers:my-shifts"))
    page.locator("#id_login").fill(coordinator.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**" + reverse("volunteers:my-shifts"))
    box = page.locator("section[aria-labelledby=agenda-link]")
    box.get_by_role("button", name="Agenda-link maken").click()
    page.wait_for_url("**" + reverse("volunteers:my-shifts"))
    assert box.get_by_role("link", name="Rooster Buurtkamer Dokkum in mijn agenda").count() == 1
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        box.screenshot(path=SHOTS / f"feed-box-coordinator-{width}x{height}.png")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_make_the_links_once():
    """On PostgreSQL with real threads: the person's row is locked, so the second click waits
    and finds the link made (one roster secret, one audit event)."""
    from buurtkamer.models import AuditEvent
    from volunteers import feeds
    from volunteers.models import RosterFeedToken, VolunteerProfile

    from .factories import LocationFactory
    from .support import require_postgresql, run_at_once

    require_postgresql()
    location = LocationFactory()
    coordinator = MembershipFactory(location=location, role=Role.COORDINATOR).user
    # With a profile already there, only the lock keeps two clicks from both making (and
    # logging) the roster secret.
    VolunteerProfile.objects.create(user=coordinator)
    results = run_at_once([lambda: feeds.make_links(coordinator) for _ in range(4)])
    assert [error for _made, error in results if error is not None] == []
    assert sorted(made for made, _error in results) == [False, False, False, True]
    assert VolunteerProfile.objects.filter(user=coordinator).count() == 1
    assert RosterFeedToken.objects.filter(user=coordinator).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CALENDAR_LINKS_MADE).count() == 1
