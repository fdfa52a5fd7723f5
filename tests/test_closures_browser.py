"""Closures are authoritative, in a real Chromium: the coordinator closes a day that has an
activity with a support shift and a regular roster. The public programme then shows the
activity as not going ahead, the roster shows no gap on that day, and "Open plekken" offers
none of its places."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from activities.models import Activity, Category, Recurrence
from locations.models import DayPart, Location, OpeningHours, Role
from volunteers import services
from volunteers.models import Assignment, Shift, ShiftTemplate, Task

from .factories import MembershipFactory
from .support import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")
T = datetime.time


@pytest.fixture
def world():
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    closed_day = timezone.localdate() + datetime.timedelta(days=3)
    for weekday in range(1, 8):
        OpeningHours.objects.create(
            location=dokkum,
            weekday=weekday,
            day_part=DayPart.MORNING,
            opens_at=T(10, 0),
            closes_at=T(12, 30),
        )
        for task in (Task.SHIFT_LEAD, Task.HOST):
            ShiftTemplate.objects.create(
                location=dokkum, weekday=weekday, day_part=DayPart.MORNING, task=task
            )
    services.generate_shifts(dokkum, start=closed_day, weeks=1)
    category, _new = Category.objects.get_or_create(name="Spel en ontspanning")
    activity = Activity.objects.create(
        location=dokkum,
        title="Sjoelmiddag",
        category=category,
        recurrence=Recurrence.ONCE,
        starts_on=closed_day,
        starts_at=T(10, 0),
        ends_at=T(11, 30),
        volunteers_needed=2,
    )
    activity_services.generate_occurrences(activity)
    volunteer = MembershipFactory(location=dokkum, user__first_name="Anneke").user
    coordinator = MembershipFactory(
        location=dokkum, role=Role.COORDINATOR, user__first_name="Jan"
    ).user
    host = Shift.objects.get(location=dokkum, date=closed_day, task=Task.HOST)
    Assignment.objects.create(shift=host, volunteer=coordinator)  # to be told
    return {
        "dokkum": dokkum,
        "day": closed_day,
        "volunteer": volunteer,
        "coordinator": coordinator,
        "support": activity.occurrences.get().support_shift,
    }


def test_a_closed_day_is_cancelled_in_public_has_no_gap_and_offers_no_place(
    browser, live_server, world
):
    closed_day = world["day"]
    support_take = reverse("volunteers:take", kwargs={"pk": world["support"].pk})

    # Before: the volunteer is offered the activity's support shift.
    context, page = new_page(browser, live_server)
    log_in(page, world["volunteer"], reverse("volunteers:open-places"))
    assert page.locator(f"form[action='{support_take}']").count() == 1

    # The coordinator closes that day.
    boss_context, boss = new_page(browser, live_server)
    closures_url = reverse("locations:closures", kwargs={"slug": "dokkum"})
    log_in(boss, world["coordinator"], closures_url)
    boss.locator("#id_starts_on").fill(closed_day.isoformat())
    boss.locator("#id_ends_on").fill(closed_day.isoformat())
    boss.locator("#id_reason").fill("Kerstvakantie")
    boss.get_by_role("button", name="Sluiting opslaan").click()
    boss.wait_for_load_state()
    assert "De sluiting is opgeslagen" in boss.content()
    warning = boss.locator("section[aria-labelledby='nog-ingeroosterd']")
    assert "Op deze dagen staan nog mensen ingeroosterd" in warning.inner_text()

    # The roster: the day says closed, and shows no gap.
    year, week, _weekday = closed_day.isocalendar()
    boss.goto(reverse("volunteers:roster", kwargs={"slug": "dokkum"}) + f"?week={year}-W{week:02d}")
    card = boss.locator("article.roster-day").filter(has_text="Dicht: Kerstvakantie")
    assert card.count() == 1
    assert "roster-day-gap" not in card.get_attribute("class")
    assert "⚠" not in card.inner_text()
    assert "Sjoelmiddag" not in card.inner_text()  # its support shift went: nobody was on it

    # The public programme: crossed out, "gaat niet door".
    public_context, public = new_page(browser, live_server)
    public.goto(reverse("activities:programme", kwargs={"slug": "dokkum"}))
    item = public.locator("li.prog-item").filter(has_text="Sjoelmiddag")
    assert item.count() == 1
    assert "is-cancelled" in item.get_attribute("class")
    assert "gaat niet door" in item.inner_text()
    assert item.locator("del").count() == 1

    # Open places: nothing on the closed day.
    page.reload()
    assert page.locator(f"form[action='{support_take}']").count() == 0
    for shift in Shift.objects.filter(location=world["dokkum"], date=closed_day):
        take = reverse("volunteers:take", kwargs={"pk": shift.pk})
        assert page.locator(f"form[action='{take}']").count() == 0
    # A day later the places are offered again.
    later = Shift.objects.filter(location=world["dokkum"], date__gt=closed_day).first()
    later_take = reverse("volunteers:take", kwargs={"pk": later.pk})
    assert page.locator(f"form[action='{later_take}']").count() == 1

    for opened in (context, boss_context, public_context):
        opened.close()
