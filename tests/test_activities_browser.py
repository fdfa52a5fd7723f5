"""Activities in a real Chromium: the coordinator's calendar, the public programme on a phone,
the tablet with today's "komt voor" tags, and the A4 poster as a one-page PDF.

Screenshots of each screen at 1024×768, 768×1024 and 390×844 go to /work/helpers/shots/activities/
(or tests/screenshots/activities/ when that folder is not there).
"""

import datetime
import importlib
import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

import activities.demo
from activities import services
from activities.models import Activity, Category, Occurrence
from buurtkamer.dates import day_long
from locations.models import DayPart, Location, OpeningHours, Role
from visitors.models import Visit
from volunteers.models import Assignment, Shift, Task

from .factories import MembershipFactory
from .support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")
CATEGORIES_MIGRATION = importlib.import_module("activities.migrations.0002_default_categories")
SHOTS = (
    Path("/work/helpers/shots/activities")
    if Path("/work/helpers/shots").is_dir()
    else Path(__file__).resolve().parent / "screenshots" / "activities"
)
SIZES = [(1024, 768), (768, 1024), (390, 844)]
T = datetime.time


@pytest.fixture
def demo_programme():
    """The four buurtkamers with opening hours and the demo programme of this week and the next;
    a transactional test before this one may have flushed the migrations' rows."""
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    CATEGORIES_MIGRATION.add_defaults(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    dokkum.address, dokkum.postal_code = "Harddraversweg 3", "9101 XA"
    if hasattr(dokkum, "house_rules"):
        dokkum.house_rules = (
            "Iedereen is welkom. We gaan vriendelijk met elkaar om.\n"
            "Geen alcohol en niet roken binnen.\nWil je meedoen met eten? Zeg het even."
        )
    dokkum.save()
    for weekday, part, opens, closes in [
        (2, DayPart.MORNING, T(9, 30), T(12, 0)),
        (2, DayPart.AFTERNOON, T(13, 30), T(16, 30)),
        (4, DayPart.MORNING, T(9, 30), T(12, 0)),
        (4, DayPart.EVENING, T(19, 0), T(21, 0)),
        (6, DayPart.MORNING, T(10, 0), T(12, 30)),
    ]:
        OpeningHours.objects.get_or_create(
            location=dokkum,
            weekday=weekday,
            day_part=part,
            defaults={"opens_at": opens, "closes_at": closes},
        )
    activities.demo.load(today=timezone.localdate(), stdout=io.StringIO())
    # Something on today as well, so the tablet has tags whatever day the tests run.
    today = timezone.localdate()
    for title, starts, ends in [
        ("Samen eten", T(12, 0), T(13, 30)),
        ("Spelletjes", T(14, 0), T(16, 0)),
    ]:
        activity, _ = Activity.objects.get_or_create(
            location=dokkum,
            title=f"{title} (vandaag)",
            defaults={
                "category": Category.objects.first(),
                "recurrence": "once",
                "starts_on": today,
                "starts_at": starts,
                "ends_at": ends,
            },
        )
        services.generate_occurrences(activity, today=today)
    # One cancelled date this week, for the poster's crossed-out line.
    services.cancel_occurrence(
        Occurrence.objects.get(activity__title="Spelletjes (vandaag)"), reason="Ziek", user=None
    )
    coordinator = MembershipFactory(
        location=dokkum, role=Role.COORDINATOR, user__first_name="Jan"
    ).user
    # Who is on duty today: first names on the tablet.
    host = Shift.objects.create(
        location=dokkum,
        date=today,
        day_part=DayPart.MORNING,
        task=Task.HOST,
        starts_at=T(9, 30),
        ends_at=T(12, 0),
        maximum=2,
    )
    for first_name in ("Tjitske", "Hendrik"):
        Assignment.objects.create(
            shift=host,
            volunteer=MembershipFactory(location=dokkum, user__first_name=first_name).user,
        )
    return dokkum, coordinator


@pytest.fixture
def context_factory(browser, live_server):
    contexts, foreign = [], []

    def new(width=1024, height=768):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
        )
        context.set_default_timeout(15_000)
        context.on(
            "request",
            lambda request: (
                foreign.append(request.url)
                if urlsplit(request.url).hostname not in {"127.0.0.1", "localhost"}
                and urlsplit(request.url).scheme in {"http", "https"}
                else None
            ),
        )
        contexts.append(context)
        return context

    yield new, foreign
    for context in contexts:
        context.close()


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        # Only this area's content: the shared navigation bar is another area's.
        wide = page.evaluate(
            "() => [...document.querySelectorAll('main *, .poster-sheet *, .prog-header *')]"
            ".filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth + 1)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + ': '"
            " + e.textContent.slice(0, 40))"
        )
        assert not wide, f"{name} at {width}px is wider than the screen: {wide}"
        page.screenshot(path=SHOTS / f"{name}-{width}x{height}.png", full_page=True)


def test_the_coordinators_calendar_week_and_month(context_factory, demo_programme):
    new, foreign = context_factory
    dokkum, coordinator = demo_programme
    page = new().new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, coordinator.email, "/locaties/dokkum/agenda/")

    assert page.get_by_role("heading", name="Agenda Buurtkamer Dokkum").is_visible()
    assert page.locator(".cal-item").count() > 5
    # The demo's Breiclub shares the Grote zaal with the Spelletjesmiddag every other week.
    shoot(page, "calendar-week")

    page.get_by_role("link", name="Maandoverzicht").click()
    page.wait_for_url("**weergave=maand**")
    assert page.locator(".cal-month .cal-day").count() >= 28
    shoot(page, "calendar-month")

    # The coordinator's own screens: the form, and one date.
    page.goto("/locaties/dokkum/activiteiten/nieuw/")
    shoot(page, "activity-form")
    occurrence = Occurrence.objects.filter(activity__location=dokkum).order_by("-date").first()
    page.goto(f"/locaties/dokkum/keer/{occurrence.pk}/")
    shoot(page, "occurrence")
    assert errors == []
    assert foreign == []


def test_the_public_programme_on_a_phone(context_factory, demo_programme):
    new, foreign = context_factory
    page = new(390, 844).new_page()

    response = page.goto("/programma/dokkum/")

    assert response.status == 200
    assert "max-age=300" in response.headers["cache-control"]
    assert page.get_by_role("heading", name="Deze week").is_visible()
    assert page.locator("del.prog-title").count() >= 1  # the cancelled walk
    assert page.get_by_text("gaat niet door").first.is_visible()
    decoration = page.locator("del.prog-title").first.evaluate(
        "el => getComputedStyle(el).textDecorationLine"
    )
    assert "line-through" in decoration
    shoot(page, "programme")
    assert foreign == []


def test_the_poster_is_one_a4_page(context_factory, demo_programme):
    new, foreign = context_factory
    page = new().new_page()
    page.goto("/programma/dokkum/poster/")
    shoot(page, "poster")

    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)

    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "poster.pdf").write_bytes(pdf)
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)
    assert len(pages) == 1, f"the poster is {len(pages)} pages"
    # What the printed page holds: A4 less the 12 mm margins, at 96 dpi (703 × 1032 px).
    page.set_viewport_size({"width": 703, "height": 1032})
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.screenshot(path=SHOTS / "poster-print.png", full_page=True)
    assert height <= 1032, f"the printed poster is {height}px high, more than one A4"
    assert foreign == []


def test_the_tablet_shows_todays_tags_and_a_tag_is_one_tap(context_factory, demo_programme):
    new, foreign = context_factory
    _dokkum, coordinator = demo_programme
    page = new().new_page()
    log_in(page, coordinator.email, "/tablet/dokkum/")
    page.get_by_label("Naam van deze tablet").fill("Tablet Dokkum voordeur")
    page.get_by_role("button", name="Koppel deze tablet").click()
    page.wait_for_url("**/tablet/dokkum/")

    tag = page.get_by_role("button", name=re.compile("komt voor: Samen eten \\(vandaag\\)"))
    assert tag.is_visible()
    shoot(page, "tablet-tags")
    page.set_viewport_size({"width": 1024, "height": 768})

    tag.click()
    page.wait_for_function("() => document.getElementById('wachtrij').hidden === true")
    page.wait_for_timeout(600)  # the next visitor: not a double tap within half a second
    page.get_by_role("button", name="Bezoeker binnen").click()
    page.wait_for_function("() => document.getElementById('wachtrij').hidden === true")

    assert page.locator("#teller").inner_text() == "2"
    visits = list(Visit.objects.order_by("recorded_at"))
    assert [visit.occurrence and visit.occurrence.activity.title for visit in visits] == [
        "Samen eten (vandaag)",
        None,
    ]
    assert foreign == []


# Forms that look finished, and the poster of this week or the next ------------------------------

BRAND = "rgb(27, 94, 99)"  # static/css/buurtkamer.css: the house teal (#1b5e63)
BOOTSTRAP_BLUE = "rgb(13, 110, 253)"


def line_count(page, selector):
    """{text: number of lines} of the elements matched: one rect per line box of its text."""
    return page.evaluate(
        """(selector) => Object.fromEntries([...document.querySelectorAll(selector)].map(el => {
            const range = document.createRange();
            range.selectNodeContents(el);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return [el.textContent.trim(), tops.size];
        }))""",
        selector,
    )


def test_the_activity_form_has_narrow_times_and_checks_in_the_house_colour(
    context_factory, demo_programme
):
    new, foreign = context_factory
    dokkum, coordinator = demo_programme
    page = new(1366, 900).new_page()
    activity = Activity.objects.filter(location=dokkum).order_by("pk").first()
    log_in(page, coordinator.email, f"/locaties/dokkum/activiteiten/{activity.pk}/bewerken/")

    widths = {
        name: page.locator(f"#id_{name}").bounding_box()["width"]
        for name in ("starts_at", "ends_at", "starts_on", "price", "capacity", "description")
    }
    assert widths["starts_at"] < 200 and widths["ends_at"] < 200, widths
    assert widths["starts_on"] < 250 and widths["price"] < 200 and widths["capacity"] < 200
    assert widths["description"] > 600  # a text area: the full width
    # Begins and ends side by side, in headed parts.
    assert (
        page.locator("#id_starts_at").bounding_box()["y"]
        == (page.locator("#id_ends_at").bounding_box()["y"])
    )
    legends = page.locator("fieldset.form-fieldset > legend").all_inner_texts()
    assert legends == [
        "Wat is het?",
        "Wanneer?",
        "Waar en voor hoeveel mensen?",
        "Wie helpen er mee?",
    ]

    checkbox = page.locator("input[name=organisers]").first
    checkbox.check()
    style = checkbox.evaluate(
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).accentColor]"
    )
    assert style == [BRAND, BRAND], style
    radio = page.locator("input[name=recurrence]:checked")
    assert radio.evaluate("el => getComputedStyle(el).backgroundColor") == BRAND != BOOTSTRAP_BLUE
    box = checkbox.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    # The whole line is the click target: clicking the label's far end ticks the box.
    label = page.locator("label[for=id_organisers_1]")
    assert page.locator(".form-check").first.bounding_box()["height"] >= 44
    label.click(position={"x": label.bounding_box()["width"] - 3, "y": 5})
    assert page.locator("#id_organisers_1").is_checked()
    shoot(page, "activity-form-finished")
    assert foreign == []


def test_the_occurrence_page_offers_the_participants_field_only_when_it_can_be_filled(
    context_factory, demo_programme
):
    new, foreign = context_factory
    dokkum, coordinator = demo_programme
    today = timezone.localdate()
    later = (
        Occurrence.objects.filter(activity__location=dokkum, date__gt=today)
        .order_by("date")
        .first()
    )
    past = Occurrence.objects.create(
        activity=later.activity,
        date=today - datetime.timedelta(days=7),
        starts_at=later.starts_at,
        ends_at=later.ends_at,
    )
    page = new().new_page()
    log_in(page, coordinator.email, past.get_absolute_url())

    assert page.get_by_label("Hoeveel deelnemers waren er?").is_visible()
    shoot(page, "occurrence-past")

    page.goto(later.get_absolute_url())
    assert page.locator("input[name=attendance]").count() == 0
    assert page.get_by_text("Deze keer is nog niet geweest.").is_visible()
    assert line_count(page, ".lead .time-range") == {
        f"{later.starts_at:%H:%M}–{later.ends_at:%H:%M}": 1
    }
    shoot(page, "occurrence-future")
    assert foreign == []


def test_the_programme_says_what_each_activity_is_and_times_stay_on_one_line(
    context_factory, demo_programme
):
    new, foreign = context_factory
    page = new(390, 844).new_page()
    page.goto("/programma/dokkum/")

    assert page.locator(".prog-description").count() >= 3
    lines = line_count(page, ".time-range")
    assert lines and set(lines.values()) == {1}, lines
    shoot(page, "programme-descriptions")
    assert foreign == []


BUSY_DAY = ["Taalcafé", "Koersbal", "Samen koken", "Digicafé: hulp met je telefoon"]


def busy_week(location, monday):
    """Four more activities every day of the week, beside the demo's: a very busy week."""
    category = Category.objects.first()
    for offset in range(7):
        for number, title in enumerate(BUSY_DAY):
            activity = Activity.objects.create(
                location=location,
                title=title,
                category=category,
                recurrence="once",
                starts_on=monday + datetime.timedelta(days=offset),
                starts_at=T(9 + 2 * number, 30),
                ends_at=T(10 + 2 * number, 45),
                price="2.50",
            )
            services.generate_occurrences(activity, today=monday)


@pytest.mark.parametrize("week", ["", "?week=volgende"])
def test_a_busy_weeks_poster_is_one_a4_page_with_times_on_one_line(
    context_factory, demo_programme, week
):
    new, foreign = context_factory
    dokkum, _ = demo_programme
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    if week:
        monday += datetime.timedelta(weeks=1)
    busy_week(dokkum, monday)
    page = new().new_page()
    page.goto(f"/programma/dokkum/poster/{week}")

    sunday = monday + datetime.timedelta(days=6)
    heading = page.locator(".poster-week").inner_text()
    # "Programma van maandag 30 november tot en met zondag 6 december" (a year only if not this one)
    assert day_long(monday) in heading and day_long(sunday) in heading
    assert page.locator(".poster-sheet.poster-busy, .poster-sheet.poster-crowded").count() == 1

    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 1032})  # the A4 less its margins
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"poster-busy{'-next' if week else ''}.png", full_page=True)
    lines = line_count(page, ".poster-sheet .time-range")
    assert lines and set(lines.values()) == {1}, lines
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert foreign == []


def test_a_quiet_weeks_poster_fills_the_a4_in_large_type(context_factory, demo_programme):
    new, foreign = context_factory
    page = new().new_page()
    page.goto("/programma/dokkum/poster/?week=volgende")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 1032})

    sheet = page.locator(".poster-sheet").bounding_box()
    assert sheet["height"] > 0.9 * 1032  # the page, not half of it
    size = page.locator(".poster .prog-item").first.evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert size >= 19  # px: at least 14.5 pt
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert foreign == []


@pytest.mark.parametrize(
    ("density", "days", "per_day"),
    [("quiet", 3, 3), ("normal", 4, 4), ("busy", 6, 4), ("crowded", 7, 5)],
)
def test_each_type_size_of_the_poster_fits_one_a4_at_its_fullest(
    context_factory, demo_programme, density, days, per_day
):
    """The fullest week of each type size (poster_density), with long titles and prices."""
    new, foreign = context_factory
    dokkum, _ = demo_programme
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    monday += datetime.timedelta(weeks=1)
    Occurrence.objects.filter(
        date__gte=monday, date__lte=monday + datetime.timedelta(days=6)
    ).delete()
    category = Category.objects.first()
    for offset in range(days):
        for number in range(per_day):
            activity = Activity.objects.create(
                location=dokkum,
                title=BUSY_DAY[3] if number % 2 else "Samen eten met de buurt",
                category=category,
                recurrence="once",
                starts_on=monday + datetime.timedelta(days=offset),
                starts_at=T(9 + 2 * number, 30),
                ends_at=T(10 + 2 * number, 45),
                price="12.50",
            )
            services.generate_occurrences(activity, today=monday)
    page = new().new_page()
    page.goto("/programma/dokkum/poster/?week=volgende")

    assert page.locator(f".poster-sheet.poster-{density}").count() == 1
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 1032})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"poster-fullest-{density}.png", full_page=True)
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert foreign == []
