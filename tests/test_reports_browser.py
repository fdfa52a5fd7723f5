"""Issue 6 in the browser: the report page and the staff dashboard under the real CSP (no
violation, charts drawn), screenshots at three sizes, axe-core on the report page, and the year
overview printed to PDF: A4 landscape, a page per location and a page of totals."""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from locations.models import Location, Role
from visitors.history import generate
from visitors.models import Story

from .factories import MembershipFactory, UserFactory
from .support import axe_violations, dutch_context, logged_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/helpers/shots/reports")
SIZES = [(1024, 768), (768, 1024), (390, 844)]
BUURTKAMERS = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")


@pytest.fixture
def people(db):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    BUURTKAMERS.create_locations(django_apps, None)  # a transactional test may have flushed
    today = timezone.localdate()
    generate(
        start=today.replace(year=today.year - 1, month=1, day=1),
        end=today - datetime.timedelta(days=1),
        per_day_part=4,  # the charts and tables need every month filled, not many visits
    )
    dokkum = Location.objects.get(slug="dokkum")
    Story.objects.create(
        location=dokkum,
        date=today.replace(year=today.year - 1, month=3, day=12),
        kind="quote",
        text="“Sinds ik hier kom, heb ik weer iets om naar uit te kijken.”",
    )
    staff = UserFactory(is_aanzet_staff=True, first_name="Sietske")
    TOTP.activate(staff, generate_totp_secret())
    coordinator = MembershipFactory(
        location=dokkum, role=Role.COORDINATOR, user__first_name="Jan"
    ).user
    return {"staff": staff, "coordinator": coordinator, "year": today.year - 1}


def new_context(browser, live_server, user, size=(1024, 768), **options):
    return logged_in_as(dutch_context(browser, live_server, *size, **options), live_server, user)


def open_page(context, url):
    """The page, failing on any console error (a CSP violation is one)."""
    page = context.new_page()
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    response = page.goto(url)
    assert response.status == 200
    return page, errors


def test_report_and_dashboard_at_three_sizes(browser, live_server, people):
    SHOTS.mkdir(parents=True, exist_ok=True)
    report = reverse("visitors:report") + "?periode=vorig-jaar&per=maand"
    for width, height in SIZES:
        context = new_context(browser, live_server, people["staff"], (width, height))
        page, errors = open_page(context, report)
        assert page.locator("svg.report-chart").count() >= 3
        assert page.locator("#tabel-verloop tbody tr").count() == 12
        page.screenshot(path=SHOTS / f"report-{width}x{height}.png", full_page=True)
        if width < 500:  # the phone: two parts at full size, to read
            for number, top in enumerate((900, 2300)):
                clip = {"x": 0, "y": top, "width": width, "height": 1400}
                page.screenshot(
                    path=SHOTS / f"report-{width}x{height}-part{number + 1}.png",
                    full_page=True,
                    clip=clip,
                )
        page, more = open_page(context, reverse("dashboard"))
        assert page.get_by_role("heading", name="Bezoekers per week").is_visible()
        page.screenshot(path=SHOTS / f"dashboard-staff-{width}x{height}.png", full_page=True)
        assert not errors + more, errors + more
        context.close()
    context = new_context(browser, live_server, people["coordinator"], (390, 844))
    page, errors = open_page(context, reverse("visitors:stories", kwargs={"slug": "dokkum"}))
    page.screenshot(path=SHOTS / "stories-390x844.png", full_page=True)
    assert not errors
    context.close()


SIDEWAYS = """() => [...document.querySelectorAll(arguments_selector)]
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => (box.querySelector("table") || box).id || box.className)"""


def sideways(page, selector):
    """The scroll boxes matching selector whose content is wider than they are."""
    return page.evaluate(SIDEWAYS.replace("arguments_selector", repr(selector)))


def test_nothing_is_wider_than_the_screen(browser, live_server, people):
    """Issue 14: the report's tables are full width under their charts and fit at 1024 px
    without scrolling sideways; the staff dashboard's week table fits from 768 px. On a phone
    a wide table scrolls inside its own box, never the page."""
    report = reverse("visitors:report")
    for width, height in SIZES:
        context = new_context(browser, live_server, people["staff"], (width, height))
        for url in (f"{report}?periode=vorig-jaar&per=maand", f"{report}?periode=vorige-maand"):
            page, errors = open_page(context, url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (url, width)
            if width >= 1024:
                assert sideways(page, ".report-table-box") == [], (url, width)
            assert not errors
        page, errors = open_page(context, reverse("dashboard"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        if width >= 768:
            assert sideways(page, ".table-responsive:has(.dashboard-weeks)") == [], width
        assert not errors
        context.close()


def test_report_page_has_no_serious_accessibility_violations(
    browser,
    live_server,
    people,
    axe_script,
):
    context = new_context(browser, live_server, people["staff"], bypass_csp=True)
    for url in (
        reverse("visitors:report") + "?periode=vorig-jaar&per=maand",
        reverse("visitors:year-overview") + f"?jaar={people['year']}",
        reverse("visitors:stories", kwargs={"slug": "dokkum"}),
        reverse("dashboard"),
    ):
        page = context.new_page()
        assert page.goto(url).status == 200
        found = axe_violations(page, axe_script)
        assert not found, f"axe-core on {url}:\n" + "\n".join(found)
    context.close()


def test_year_overview_prints_a_page_per_location_and_one_of_totals(browser, live_server, people):
    context = new_context(browser, live_server, people["staff"])
    page, errors = open_page(context, reverse("visitors:year-overview") + f"?jaar={people['year']}")
    page.emulate_media(media="print")
    pdf = page.pdf(landscape=True, format="A4", print_background=True)
    (SHOTS / f"jaaroverzicht-{people['year']}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == Location.objects.count() + 1
    # A4 landscape: 842 × 595 points.
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", pdf)
    assert abs(float(box.group(1)) - 842) < 2 and abs(float(box.group(2)) - 595) < 2
    page.screenshot(path=SHOTS / "jaaroverzicht-print-1024x768.png", full_page=True)
    assert not errors
    context.close()
