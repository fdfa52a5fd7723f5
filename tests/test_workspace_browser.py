"""The workspace of a location, the top menu and the tablet in a real Chromium.

Every page of a location fits the screen (nothing wider) at 1024, 768 and 390 px; the top menu
is one line at 1024 px for a coordinator and for staff; choosing "Ja" on the tablet moves
nothing; "Programma vandaag" and "Wie zijn er vandaag" are in view on a landscape tablet.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from locations.models import Location, Role
from visitors import services as visit_services

from .factories import MembershipFactory, UserFactory, force_login, with_totp
from .test_workspace import WORKSPACE_PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")
WIDTHS = [1024, 768, 390]


@pytest.fixture
def dokkum():
    # A transactional test before this one may have flushed the migration's locations.
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    return Location.objects.get(slug="dokkum")


@pytest.fixture
def coordinator(dokkum):
    return MembershipFactory(location=dokkum, role=Role.COORDINATOR, user__first_name="Jan").user


@pytest.fixture
def staff(dokkum):
    return with_totp(UserFactory(is_aanzet_staff=True, first_name="Sietske"))


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1024, "height": 768},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def logged_in(context, live_server, user):
    client = Client()
    force_login(client, user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def too_wide(page):
    """How many pixels the page is wider than the window (0 or less: it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_every_workspace_page_fits_the_screen(context, live_server, coordinator, dokkum):
    page = logged_in(context, live_server, coordinator)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, _tab in WORKSPACE_PAGES:
            response = page.goto(reverse(name, kwargs={"slug": dokkum.slug}))
            assert response.status == 200, name
            assert page.locator(".workspace-tabs [aria-current]").count() == 1, name
            if (extra := too_wide(page)) > 0:
                problems.append(f"{name} at {width} px: {extra} px too wide")
    assert problems == []


@pytest.mark.parametrize("who", ["coordinator", "staff"])
def test_the_top_menu_is_one_line_at_1024(context, live_server, request, who):
    page = logged_in(context, live_server, request.getfixturevalue(who))
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(reverse("dashboard"))
    tops = page.evaluate(
        """() => [...document.querySelectorAll('#hoofdmenu > ul > li > .nav-link')]
              .filter((el) => el.offsetParent !== null)
              .map((el) => Math.round(el.getBoundingClientRect().top))"""
    )
    assert len(tops) >= 4
    assert max(tops) - min(tops) <= 2, f"the menu's items are on more than one line: {tops}"
    height = page.locator("nav.navbar").bounding_box()["height"]
    assert height < 80, f"the menu is {height} px high"
    # The account menu opens with Bootstrap's own script and holds "Uitloggen".
    page.locator("#account-menu-knop").click()
    assert page.get_by_role("button", name="Uitloggen").is_visible()


@pytest.fixture
def tablet_page(context, live_server, coordinator, dokkum):
    _tablet, token = visit_services.pair_tablet(
        location=dokkum, name="Tablet voordeur", paired_by=coordinator
    )
    context.add_cookies(
        [{"name": settings.TABLET_COOKIE_NAME, "value": token, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(reverse("visitors:tablet", kwargs={"slug": dokkum.slug}))
    return page


BOXES = """() => Object.fromEntries(
    ['.tablet-today', '.tablet-info', '.tablet-recent', '.tablet-note', '#tik-knop',
     'input[name=age_band] + label']
      .map((selector) => {
          const box = document.querySelector(selector).getBoundingClientRect();
          return [selector, [box.left, box.top, box.width, box.height].map(Math.round)];
      }))"""


def test_choosing_ja_on_the_tablet_moves_nothing(tablet_page):
    before = tablet_page.evaluate(BOXES)
    assert not tablet_page.locator("#via").is_visible()
    tablet_page.locator("label[for=eerste-yes]").click()
    tablet_page.locator("#via").wait_for(state="visible")
    after = tablet_page.evaluate(BOXES)
    assert after == before


def test_the_programme_and_who_is_there_are_in_view_on_a_landscape_tablet(tablet_page):
    for heading in ["Programma vandaag", "Wie zijn er vandaag"]:
        box = tablet_page.get_by_role("heading", name=heading).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 768, f"{heading!r} at {box}"
    cards = tablet_page.locator(".tablet-info").bounding_box()
    assert cards["y"] + cards["height"] <= 768, f"the cards end at {cards}"
    assert too_wide(tablet_page) <= 0


def test_a_coordinator_finds_the_pairing_form_first(context, live_server, coordinator, dokkum):
    page = logged_in(context, live_server, coordinator)
    page.goto(reverse("visitors:tablet", kwargs={"slug": dokkum.slug}))
    pair = page.get_by_role("button", name="Koppel deze tablet").bounding_box()
    tap = page.locator("#tik-knop").bounding_box()
    assert pair["y"] < tap["y"]
    assert pair["y"] + pair["height"] <= 768
