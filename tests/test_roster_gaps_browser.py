"""Filling a gap in a real Chromium: from the coordinator's dashboard, one click on a gap shows
who fits in place (htmx), one click on a person puts them on the shift (and e-mails them). The
roster grid and the wall roster fit the screen at every width, the wall roster prints on one A4
page with the coordinator's phone, and the changed pages pass axe-core."""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from locations.models import Role
from volunteers.models import (
    Assignment,
    MemberRecord,
    Shift,
    Status,
    Task,
    VolunteerProfile,
)

from .factories import MembershipFactory
from .support import (
    axe_violations,
    dokkum_with_four_weeks_of_shifts,
    dutch_context,
    logged_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")
SHOTS = Path("/work/wt/_shots/gaps/tests")
T = datetime.time
NAMES = ["Sietske", "Wiebe", "Geertje", "Durk", "Froukje", "Jelle", "Baukje", "Hidde"]


@pytest.fixture
def world():
    """Dokkum open five afternoons and two mornings, four weeks of shifts with most places
    taken and some gaps, eight active volunteers and a coordinator with a phone number."""
    dokkum = dokkum_with_four_weeks_of_shifts()
    people = []
    for number, name in enumerate(NAMES):
        membership = MembershipFactory(location=dokkum, user__first_name=name)
        MemberRecord.objects.create(membership=membership, status=Status.ACTIVE)
        VolunteerProfile.objects.create(
            user=membership.user, preferred_weekdays=[1 + number % 5], preferred_tasks=["host"]
        )
        people.append(membership.user)
    coordinator = MembershipFactory(
        location=dokkum, role=Role.COORDINATOR, user__first_name="Jan"
    ).user
    VolunteerProfile.objects.create(user=coordinator, phone="06 1122 3344")
    # Every host shift one person short; the rest filled, round the team.
    new = []
    turn = 0
    for shift in Shift.objects.filter(location=dokkum).order_by("date", "starts_at", "task"):
        wanted = shift.minimum - 1 if shift.task == Task.HOST else shift.minimum
        for _ in range(wanted):
            new.append(Assignment(shift=shift, volunteer=people[turn % len(people)]))
            turn += 1
    Assignment.objects.bulk_create(new, ignore_conflicts=True)
    return {"dokkum": dokkum, "coordinator": coordinator}


def coming_gap():
    """The first gap from tomorrow on (today's afternoon may have started already)."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return Shift.objects.understaffed().filter(date__gte=tomorrow).order_by("date", "pk").first()


def new_context(browser, live_server, width=1366, height=900, **options):
    return dutch_context(browser, live_server, width, height, **options)


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=SHOTS / f"{name}-{size['width']}x{size['height']}.png", full_page=True)


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_two_clicks_from_the_dashboard_fill_a_gap(browser, live_server, world, width, height):
    mail.outbox.clear()
    context = logged_in_as(
        new_context(browser, live_server, width, height), live_server, world["coordinator"]
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append((m.text, m.location)) if m.type == "error" else None)
    page.goto(reverse("dashboard"))
    shift = coming_gap()
    gap_url = reverse("volunteers:gap", kwargs={"slug": "dokkum", "pk": shift.pk})
    item = page.locator("li.gap-item", has=page.locator(f"a.gap-link[href='{gap_url}']"))
    gap, panel = item.locator("a.gap-link"), item.locator(".gap-panel")

    gap.click()  # click one: who fits, in place
    panel.locator(".gap-suggestion").first.wait_for()
    assert page.url == live_server.url + reverse("dashboard")  # still the dashboard
    shoot(page, "dashboard-gap-open")
    first = panel.locator(".gap-suggestion").first
    name = first.locator(".gap-name").inner_text()
    first.get_by_role("button", name=re.compile("^Indelen")).click()  # click two: assigned
    panel.get_by_text(f"{name} is ingedeeld").wait_for()
    # The count beside the gap follows along (host: one of two needed was there already).
    assert item.locator(".badge").inner_text() == f"{shift.minimum}/{shift.minimum}"
    shoot(page, "dashboard-gap-filled")

    assignment = Assignment.objects.active().get(shift=shift, assigned_by=world["coordinator"])
    assert assignment.volunteer.get_full_name() == name
    assert [message.to for message in mail.outbox] == [[assignment.volunteer.email]]
    assert errors == []
    context.close()


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_grid_the_gap_page_and_the_wall_roster_fit_every_screen(browser, live_server, world):
    shift = coming_gap()
    pages = {
        "grid": reverse("volunteers:roster", kwargs={"slug": "dokkum"}),
        "gap": reverse("volunteers:gap", kwargs={"slug": "dokkum", "pk": shift.pk}),
        "print": reverse("volunteers:roster-print", kwargs={"slug": "dokkum"}),
    }
    for width, height in [(1024, 768), (768, 1024), (390, 844)]:
        context = logged_in_as(
            new_context(browser, live_server, width, height), live_server, world["coordinator"]
        )
        page = context.new_page()
        for name, url in pages.items():
            page.goto(url)
            assert fits_the_screen(page), f"{name} is wider than {width} px"
            shoot(page, name)
        context.close()


def count_pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_the_wall_roster_prints_on_one_a4_page_with_the_coordinators_phone(
    browser, live_server, world
):
    context = logged_in_as(new_context(browser, live_server), live_server, world["coordinator"])
    page = context.new_page()
    page.goto(reverse("volunteers:roster-print", kwargs={"slug": "dokkum"}))

    assert "06 1122 3344" in page.locator(".roster-print-contact").inner_text()
    pdf = page.pdf(format="A4")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "wall-roster.pdf").write_bytes(pdf)
    assert count_pdf_pages(pdf) == 1
    context.close()


def test_the_changed_pages_have_no_serious_accessibility_violations(
    browser,
    live_server,
    world,
    axe_script,
):
    context = logged_in_as(
        new_context(browser, live_server, 1024, 768, bypass_csp=True),
        live_server,
        world["coordinator"],
    )
    shift = coming_gap()
    page = context.new_page()
    for url in (
        reverse("volunteers:roster", kwargs={"slug": "dokkum"}),
        reverse("volunteers:gap", kwargs={"slug": "dokkum", "pk": shift.pk}),
        reverse("volunteers:roster-print", kwargs={"slug": "dokkum"}),
    ):
        assert page.goto(url).status == 200
        found = axe_violations(page, axe_script)
        assert not found, f"axe-core on {url}:\n" + "\n".join(found)
    # The dashboard with a gap's suggestions open in place.
    page.goto(reverse("dashboard"))
    gap_url = reverse("volunteers:gap", kwargs={"slug": "dokkum", "pk": shift.pk})
    page.locator(f"a.gap-link[href='{gap_url}']").click()
    page.locator(".gap-suggestion").first.wait_for()
    found = axe_violations(page, axe_script)
    assert not found, "axe-core on the dashboard with a gap open:\n" + "\n".join(found)
    context.close()


def test_copy_text_puts_the_same_text_as_the_whatsapp_link_on_the_clipboard(
    browser, live_server, world
):
    from urllib.parse import unquote

    context = logged_in_as(
        new_context(
            browser, live_server, 1024, 768, permissions=["clipboard-read", "clipboard-write"]
        ),
        live_server,
        world["coordinator"],
    )
    page = context.new_page()
    page.goto(reverse("volunteers:roster", kwargs={"slug": "dokkum"}))
    field = page.locator("#deel-tekst-rooster")
    link = page.get_by_role("link", name="Deel in WhatsApp").get_attribute("href")

    page.get_by_role("button", name="Kopieer tekst").click()
    page.get_by_text("Gekopieerd.").wait_for()

    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == field.input_value()
    assert unquote(link.removeprefix("https://wa.me/?text=")) == copied
    assert "nog 1 nodig" in copied
    context.close()
