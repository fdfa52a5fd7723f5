"""The loneliness questionnaire on the tablet in a real Chromium: one statement per screen,
"Vorige", "Stoppen" halfway (nothing sent), offline answers sent once when the network is back,
no sideways scrolling at tablet and phone sizes, and axe-core clean.

Screenshots go to $LONELINESS_SHOTS when it is set (not into the repository)."""

import datetime
import importlib
import os
import uuid
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from locations.models import Location, Role
from loneliness.models import Response, Round
from visitors import services as visit_services

from .factories import MembershipFactory, UserFactory
from .support import axe_violations, dutch_context, logged_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")
SIZES = [(1024, 768), (768, 1024), (390, 844)]
SHOTS = os.environ.get("LONELINESS_SHOTS")


@pytest.fixture
def dokkum_in_a_round():
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    coordinator = MembershipFactory(location=dokkum, role=Role.COORDINATOR).user
    _tablet, token = visit_services.pair_tablet(
        location=dokkum, name="Tablet voordeur", paired_by=coordinator
    )
    today = timezone.localdate()
    round_ = Round.objects.create(
        name="Najaar",
        starts_on=today - datetime.timedelta(days=2),
        ends_on=today + datetime.timedelta(days=10),
    )
    round_.locations.set([dokkum])
    return {"dokkum": dokkum, "round": round_, "token": token, "coordinator": coordinator}


def new_context(browser, live_server, token=None, size=(1024, 768), bypass_csp=False):
    context = dutch_context(browser, live_server, *size, bypass_csp=bypass_csp)
    if token:
        context.add_cookies(
            [{"name": settings.TABLET_COOKIE_NAME, "value": token, "url": live_server.url}]
        )
    return context


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def overflows(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def wait_for_rows(page, count):
    for _ in range(100):
        if Response.objects.count() == count:
            return
        page.wait_for_timeout(100)
    assert Response.objects.count() == count


def statement(page):
    return page.locator(".screen.current .statement")


def answer(page, label):
    """Tap an answer and wait for the next screen."""
    current = page.locator(".screen.current")
    before = current.get_attribute("data-screen")
    current.locator("label", has_text=label).click()
    expect(page.locator(".screen.current")).not_to_have_attribute("data-screen", before)


def test_the_tablet_questionnaire_flow(browser, live_server, dokkum_in_a_round):
    context = new_context(browser, live_server, dokkum_in_a_round["token"])
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/tablet/dokkum/")
    shot(page, "tablet-with-button-1024x768")
    page.get_by_role("link", name="Vragenlijst (anoniem, 1 minuut)").click()
    page.wait_for_url("**/tablet/dokkum/vragenlijst/")
    assert statement(page).inner_text() == "Deze vragen zijn anoniem. Je hoeft niet mee te doen."
    assert page.get_by_role("link", name="Stoppen").is_visible()
    page.get_by_role("button", name="Beginnen").click()
    expect(statement(page)).to_contain_text("Ik ervaar een leegte om me heen.")
    shot(page, "question-1024x768")
    answer(page, "Ja")
    expect(statement(page)).to_contain_text("Ik mis gewoon mensen om me heen.")
    page.get_by_role("button", name="Vorige").click()
    expect(statement(page)).to_contain_text("Ik ervaar een leegte om me heen.")
    answer(page, "Min of meer")  # changed my mind
    answer(page, "Ja")  # 2
    page.get_by_role("button", name="Sla deze vraag over").click()  # 3 left empty
    for _ in range(3):  # 4, 5, 6
        answer(page, "Nee")
    expect(statement(page)).to_contain_text("Hoe vaak kom je hier?")
    answer(page, "Elke week")
    page.get_by_text("Dank je wel voor het invullen!").wait_for()
    assert page.get_by_text("088 0767 000").is_visible()
    shot(page, "thanks-1024x768")
    wait_for_rows(page, 1)
    stored = Response.objects.get()
    assert stored.answers == ("min_of_meer", "ja", None, "nee", "nee", "nee")
    assert stored.frequency == "elke_week"

    # Stopping halfway sends nothing and goes back to the counting.
    page.goto("/tablet/dokkum/vragenlijst/")
    page.get_by_role("button", name="Beginnen").click()
    answer(page, "Ja")
    page.get_by_role("link", name="Stoppen").click()
    page.wait_for_url("**/tablet/dokkum/")
    page.wait_for_timeout(500)
    assert Response.objects.count() == 1

    # Offline: kept in the browser, sent once the network is back (from the counting screen).
    page.goto("/tablet/dokkum/vragenlijst/")
    context.set_offline(True)
    page.get_by_role("button", name="Beginnen").click()
    for _ in range(6):
        answer(page, "Min of meer")
    page.get_by_role("button", name="Sla deze vraag over").click()
    page.get_by_text("Dank je wel voor het invullen!").wait_for()
    page.wait_for_timeout(500)
    assert Response.objects.count() == 1
    context.set_offline(False)
    page.get_by_role("link", name="Terug naar tellen").click()
    page.wait_for_url("**/tablet/dokkum/")
    wait_for_rows(page, 2)
    page.wait_for_function(
        "() => !Object.keys(localStorage).some((k) => k.startsWith('buurtkamer.loneliness.'))"
    )
    page.reload()
    page.wait_for_timeout(500)
    assert Response.objects.count() == 2  # sent once
    assert Response.objects.filter(answer_1="min_of_meer", frequency=None).count() == 1
    # Only the send that was tried while offline failed (and was kept for later).
    assert [error for error in errors if "ERR_INTERNET_DISCONNECTED" not in error] == []
    context.close()


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_sideways_scrolling_on_the_questionnaire(browser, live_server, dokkum_in_a_round, size):
    context = new_context(browser, live_server, dokkum_in_a_round["token"], size=size)
    page = context.new_page()
    page.goto("/tablet/dokkum/vragenlijst/")
    assert not overflows(page)
    page.get_by_role("button", name="Beginnen").click()
    for number in range(4):  # up to the longest statement
        assert not overflows(page), f"statement {number + 1} at {size}"
        nav = page.locator(".questionnaire-nav").bounding_box()
        assert nav["y"] + nav["height"] <= size[1] + 1  # "Vorige" and "Stoppen" in view
        answer(page, "Ja")
    shot(page, f"question-4-{size[0]}x{size[1]}")
    context.close()


def test_the_questionnaire_and_the_figures_are_axe_clean(
    browser, live_server, dokkum_in_a_round, axe_script
):
    context = new_context(browser, live_server, dokkum_in_a_round["token"], bypass_csp=True)
    page = context.new_page()
    page.goto("/tablet/dokkum/vragenlijst/")
    found = axe_violations(page, axe_script)
    page.get_by_role("button", name="Beginnen").click()
    found += axe_violations(page, axe_script)
    assert not found, "\n".join(found)
    context.close()

    round_ = dokkum_in_a_round["round"]
    for number in range(14):  # enough for figures; "eerste keer" stays below 10
        Response.objects.create(
            round=round_,
            location=dokkum_in_a_round["dokkum"],
            answer_1="ja" if number % 3 else "nee",
            answer_2="min_of_meer",
            answer_3="nee",
            answer_4="ja" if number % 2 else "nee",
            answer_5="ja",
            answer_6="min_of_meer" if number % 4 else "ja",
            frequency="eerste_keer" if number < 3 else "elke_week",
            source="tablet",
            client_id=uuid.uuid4(),
        )
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    staff = UserFactory(is_aanzet_staff=True)
    TOTP.activate(staff, generate_totp_secret())  # staff without it only get the setup page
    context = logged_in_as(
        new_context(browser, live_server, size=(1366, 900), bypass_csp=True), live_server, staff
    )
    page = context.new_page()
    for path in (
        f"/eenzaamheid/{round_.pk}/cijfers/",
        "/eenzaamheid/",
        f"/eenzaamheid/{round_.pk}/",
        f"/locaties/dokkum/eenzaamheid/{round_.pk}/invoeren/",
        f"/locaties/dokkum/eenzaamheid/{round_.pk}/papier/",
    ):
        assert page.goto(path).status == 200, path
        assert page.url.endswith(path), page.url
        found = axe_violations(page, axe_script)
        assert not found, f"{path}:\n" + "\n".join(found)
        shot(page, "staff" + path.replace("/", "-").rstrip("-") + "-1366x900")
    for size in ((1024, 768), (390, 844)):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.goto(f"/eenzaamheid/{round_.pk}/cijfers/")
        assert not overflows(page), size
        shot(page, f"figures-{size[0]}x{size[1]}")
    context.close()
