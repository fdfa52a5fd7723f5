"""The roster in a real Chromium: a volunteer takes a place and cancels it, the coordinator then
sees the gap in red; screenshots of the grid, my shifts and the wall roster; the wall roster
prints on exactly one A4 page."""

import datetime
import importlib
import itertools
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtkamer.dates import monday_of
from locations.models import DayPart, Role
from volunteers.models import Assignment, Shift, Task

from .factories import MembershipFactory
from .support import dokkum_with_four_weeks_of_shifts, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")
SHOTS = Path("/work/helpers/shots/roster")
SIZES = [(1024, 768), (768, 1024), (390, 844)]
T = datetime.time
NAMES = ["Sietske", "Wiebe", "Geertje", "Durk", "Froukje", "Jelle", "Baukje", "Hidde", "Tjitske"]


@pytest.fixture
def world():
    dokkum = dokkum_with_four_weeks_of_shifts((Task.SHIFT_LEAD, Task.HOST))
    monday = monday_of(timezone.localdate())
    people = [MembershipFactory(location=dokkum, user__first_name=name).user for name in NAMES]
    volunteer = MembershipFactory(location=dokkum, user__first_name="Anneke").user
    coordinator = MembershipFactory(
        location=dokkum, role=Role.COORDINATOR, user__first_name="Jan"
    ).user
    # Fill most places; leave some gaps (every fifth slot's kitchen, every seventh's lead).
    rotation = itertools.cycle(people)
    new = []
    shifts = Shift.objects.filter(location=dokkum).order_by("date", "starts_at", "task")
    for number, (_key, group) in enumerate(
        itertools.groupby(shifts, key=lambda shift: (shift.date, shift.day_part))
    ):
        for shift in group:
            wanted = shift.minimum
            if shift.task == Task.KITCHEN and number % 5 == 1:
                wanted = 0
            if shift.task == Task.SHIFT_LEAD and number % 7 == 3:
                wanted = 0
            for _ in range(wanted):
                new.append(Assignment(shift=shift, volunteer=next(rotation)))
    Assignment.objects.bulk_create(new)
    # The place the volunteer takes: next week's Wednesday afternoon kitchen, made empty.
    target = Shift.objects.get(
        location=dokkum,
        date=monday + datetime.timedelta(days=9),
        day_part=DayPart.AFTERNOON,
        task=Task.KITCHEN,
    )
    Assignment.objects.filter(shift=target).delete()
    return {"dokkum": dokkum, "volunteer": volunteer, "coordinator": coordinator, "target": target}


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SHOTS / f"{name}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})


def target_cell(page, target):
    link = reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": target.pk})
    return page.locator(f"li.roster-shift:has(a[href='{link}'])")


def test_take_cancel_and_the_coordinator_sees_the_gap_in_red(browser, live_server, world):
    target = world["target"]
    iso = target.date.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    roster_url = reverse("volunteers:roster", kwargs={"slug": "dokkum"}) + f"?week={week}"

    context, page = new_page(browser, live_server)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, world["volunteer"], reverse("volunteers:open-places"))
    take_url = reverse("volunteers:take", kwargs={"pk": target.pk})
    page.locator(f"form[action='{take_url}'] button").click()
    page.wait_for_url("**/rooster/mijn-diensten/")
    assert "Dank je wel" in page.content()
    assert Assignment.objects.active().filter(shift=target, volunteer=world["volunteer"]).exists()
    shoot(page, "my-shifts")

    coordinator_context, boss = new_page(browser, live_server)
    log_in(boss, world["coordinator"], roster_url)
    cell = target_cell(boss, target)
    assert "Anneke" in cell.inner_text()
    assert "roster-gap" not in cell.get_attribute("class")

    page.get_by_role("link", name=re.compile("^Afmelden")).first.click()
    page.get_by_label("Reden (mag je leeg laten)").fill("Ik moet naar de tandarts.")
    shoot(page, "cancel")
    page.get_by_role("button", name="Ja, meld mij af").click()
    page.wait_for_url("**/rooster/open-plekken/?afgemeld=1")
    assert "Kun je op een ander moment?" in page.content()
    shoot(page, "after-cancel")
    assignment = Assignment.objects.get(shift=target, volunteer=world["volunteer"])
    assert assignment.cancelled_at is not None and not assignment.cancelled_late

    boss.reload()
    cell = target_cell(boss, target)
    assert "roster-gap" in cell.get_attribute("class")
    assert "⚠ GAT" in cell.inner_text() and "Anneke" not in cell.inner_text()
    red, green, blue = (
        int(value)
        for value in re.findall(
            r"\d+", cell.evaluate("element => getComputedStyle(element).backgroundColor")
        )[:3]
    )
    assert red > 200 and red > green + 10 and red > blue + 10  # a red background
    word = cell.locator(".roster-gap-word")
    word_colour = [
        int(value)
        for value in re.findall(r"\d+", word.evaluate("e => getComputedStyle(e).color"))[:3]
    ]
    assert word_colour[0] > word_colour[1] + 60  # the word itself is red too
    shoot(boss, "grid")

    boss.goto(reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": target.pk}))
    assert "Ik moet naar de tandarts." in boss.content()
    shoot(boss, "shift")
    boss.goto(reverse("volunteers:shift-templates", kwargs={"slug": "dokkum"}))
    shoot(boss, "templates")
    assert errors == []
    coordinator_context.close()
    context.close()


def count_pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_the_wall_roster_prints_on_one_a4_page(browser, live_server, world):
    context, page = new_page(browser, live_server)
    log_in(page, world["coordinator"], reverse("volunteers:roster", kwargs={"slug": "dokkum"}))
    iso = world["target"].date.isocalendar()
    page.goto(
        reverse("volunteers:roster-print", kwargs={"slug": "dokkum"})
        + f"?week={iso.year}-W{iso.week:02d}"
    )
    assert "Rooster Buurtkamer Dokkum" in page.content()
    shoot(page, "print")
    pdf = page.pdf(format="A4")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "print.pdf").write_bytes(pdf)
    assert count_pdf_pages(pdf) == 1
    page.emulate_media(media="print")
    page.screenshot(path=SHOTS / "print-as-printed.png", full_page=True)
    context.close()
