"""Issue 17 in the browser: the staff dashboard of a national install (250 locations in 40
municipalities) on a tablet and a phone: nothing wider than the screen, no console error (the
CSP), screenshots at three sizes, and the search through its form (axe-core: no serious
violation)."""

import datetime
import importlib
import uuid
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from locations.models import DayPart, Location
from visitors.models import Visit

from .factories import UserFactory
from .support import axe_violations, dutch_context, logged_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/helpers/shots/dashboards")
SIZES = [(1024, 768), (768, 1024), (390, 844)]
BUURTKAMERS = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")


@pytest.fixture
def staff(db):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    BUURTKAMERS.create_locations(django_apps, None)  # a transactional test may have flushed
    locations = Location.objects.bulk_create(
        Location(
            name=f"Huiskamer {number:03}",
            slug=f"huiskamer-{number}",
            town=f"Dorp {number % 90}",
            municipality=f"Gemeente {number % 40:02}",
        )
        for number in range(246)
    )
    today = timezone.localdate()
    weeks_ago, year_ago = today - datetime.timedelta(weeks=2), today - datetime.timedelta(weeks=54)
    rows = []
    for number, location in enumerate(Location.objects.filter(pk__in=[x.pk for x in locations])):
        for day, n in (
            (weeks_ago, number % 17),
            (year_ago, (number * 7) % 13),
            (today, number % 5),
        ):
            moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
            rows += [
                Visit(
                    location=location,
                    recorded_at=moment,
                    recorded_on=day,
                    day_part=DayPart.MORNING,
                    client_id=uuid.uuid4(),
                )
                for _ in range(n)
            ]
    Visit.objects.bulk_create(rows)
    user = UserFactory(is_aanzet_staff=True, first_name="Sietske")
    TOTP.activate(user, generate_totp_secret())
    return user


def open_dashboard(browser, live_server, user, size, query=""):
    context = logged_in_as(dutch_context(browser, live_server, *size), live_server, user)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/" + (f"?zoek={query}" if query else ""))
    return context, page, errors


def test_the_national_staff_dashboard_fits_a_tablet_and_a_phone(browser, live_server, staff):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        context, page, errors = open_dashboard(browser, live_server, staff, (width, height))
        page.get_by_role("heading", name="Meer bezoekers dan vorig jaar").wait_for()
        page.get_by_role("heading", name="Per gemeente").wait_for()
        page.screenshot(path=SHOTS / f"staff-250-{width}x{height}.png", full_page=True)
        for number in range(4):  # the first screens as they are seen, to look at closely
            page.screenshot(
                path=SHOTS / f"staff-250-{width}x{height}-screen{number + 1}.png",
                clip={"x": 0, "y": number * height, "width": width, "height": height},
                full_page=True,
            )
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        # Not a card per location: the page stays a few screens long.
        assert page.locator("article.card").count() == 0
        assert errors == []
        context.close()


def test_the_search_form_finds_a_municipality(browser, live_server, staff):
    context, page, errors = open_dashboard(browser, live_server, staff, (390, 844))
    page.get_by_label("Zoek een locatie op naam, plaats of gemeente").fill("Gemeente 07")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**zoek=Gemeente+07**")
    page.get_by_text("6 locaties gevonden voor ‘Gemeente 07’.").wait_for()
    assert page.locator("article.card").count() == 6  # 7, 47, 87, 127, 167 and 207
    page.screenshot(path=SHOTS / "staff-250-search-390x844.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()


def test_the_national_dashboard_has_no_serious_accessibility_violations(
    browser, live_server, staff, axe_script
):
    """bypass_csp: axe-core is injected as an inline script (see test_accessibility.py)."""
    for size, query in (((1024, 768), ""), ((390, 844), "Gemeente 07")):
        context = logged_in_as(
            dutch_context(browser, live_server, *size, bypass_csp=True), live_server, staff
        )
        page = context.new_page()
        page.goto("/" + (f"?zoek={query}" if query else ""))
        assert axe_violations(page, axe_script) == [], size
        context.close()
