"""Helpers shared by the test modules: one copy each, imported from here (a test module never
imports another test module; tests/test_structure.py checks that). Shared fixtures live in
tests/conftest.py, factories in tests/factories.py."""

import contextlib
import datetime
import functools
import importlib
import os
import re
import threading
import time
import uuid
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection, connections
from django.db.models import FETCH_RAISE
from django.db.models import query as query_module
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buurtkamer.dates import monday_of
from locations.models import DayPart, Location, OpeningHours, Role
from visitors.models import Visit
from volunteers.models import Shift, Task

from .factories import PASSWORD, MembershipFactory, UserFactory, force_login, with_totp

# Personas ------------------------------------------------------------------------------------

# Who is who (tests/conftest.py has a fixture for each): role → (location, role there, first name).
PERSONAS = {
    "volunteer": ("dokkum", Role.VOLUNTEER, "Anneke"),  # a volunteer of Dokkum
    "other_volunteer": ("burgum", Role.VOLUNTEER, "Durk"),  # no business in Dokkum
    "coordinator": ("dokkum", Role.COORDINATOR, "Jan"),
    "other_coordinator": ("burgum", Role.COORDINATOR, "Hiltsje"),
}


def make_persona(role):
    """A new person of the kind `role` names: see PERSONAS; "staff" is AanZet staff (every
    location, with the authenticator app (TOTP) that staff must have)."""
    if role == "staff":
        return with_totp(UserFactory(is_aanzet_staff=True, first_name="Sietske"))
    slug, location_role, first_name = PERSONAS[role]
    return MembershipFactory(
        location=Location.objects.get(slug=slug),
        role=location_role,
        user__first_name=first_name,
    ).user


def totp_code(secret):
    """The code an authenticator app shows now (never one about to expire: no tolerance)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if 30 - time.time() % 30 < 3:
        time.sleep(3)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# Databases -----------------------------------------------------------------------------------


def on_ci_with_postgresql() -> bool:
    on_ci = os.environ.get("CI", "").strip().lower() == "true"
    return on_ci and os.environ.get("DATABASE_URL", "").startswith("postgres")


def require_postgresql(why="run with DATABASE_URL=postgres://..."):
    """Skip on SQLite, but never on CI's PostgreSQL run (there the test must run)."""
    if connection.vendor == "postgresql":
        return
    if on_ci_with_postgresql():
        pytest.fail(
            f"CI=true and DATABASE_URL points to PostgreSQL, yet the tests run on "
            f"{connection.vendor}: these tests must run there."
        )
    pytest.skip(f"Needs PostgreSQL: {why}")


def run_at_once(jobs):
    """Run the callables in threads released together; returns [(result or None, error)]."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(number, job):
        try:
            barrier.wait(timeout=10)
            results[number] = (job(), None)
        except Exception as error:  # a RosterError or any other: the caller looks at it
            results[number] = (None, error)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [
        threading.Thread(target=worker, args=(number, job)) for number, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def all_at_once(count, work):
    """work(0) … work(count - 1) in threads released together (run_at_once): their results,
    none of them failing."""
    outcomes = run_at_once([functools.partial(work, index) for index in range(count)])
    assert [error for _result, error in outcomes if error is not None] == []
    return [result for result, _error in outcomes]


def count_queries(client, address, *, warm_up=True):
    """The number of queries of one GET (200), after a first GET that warms up the session,
    content types and translations (warm_up=False: the first GET itself)."""
    if warm_up:
        client.get(address)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


@contextlib.contextmanager
def fetch_mode_raise():
    """Every QuerySet made inside gets fetch_mode(FETCH_RAISE).

    Django 6.1 sets the mode per QuerySet (`.fetch_mode(...)`; no context manager or setting),
    and a new QuerySet starts from django.db.models.query.DEFAULT_FETCH_MODE: patching that
    default is the same as calling .fetch_mode(FETCH_RAISE) on every QuerySet of the request,
    including the ones that load request.user and the related objects. A lazily loaded
    foreign key or deferred field then raises FieldFetchBlocked.
    """
    with mock.patch.object(query_module, "DEFAULT_FETCH_MODE", FETCH_RAISE):
        yield


# Rosters -------------------------------------------------------------------------------------

TIMES = {DayPart.MORNING: ((9, 30), (12, 0))}
AFTERNOON_TIMES = ((13, 30), (16, 30))  # and the evening, for a shift made by part alone


def make_shift(
    location,
    date=None,
    task=Task.HOST,
    *,
    days=5,
    part=None,
    start=None,
    end=None,
    starts=None,
    ends=None,
    **extra,
):
    """A shift straight into the table. `date`, or `days` from today; times as `start`/`end`
    (datetime.time) or `starts`/`ends` ((hour, minute)), else by the day part (morning
    9:30-12:00, later 13:30-16:30). The day part: `part` or `day_part`, else the one `start`
    falls in, else the morning. One to two places unless `minimum`/`maximum` say otherwise."""
    if date is None:
        date = timezone.localdate() + datetime.timedelta(days=days)
    day_part = part or extra.pop("day_part", None)
    if day_part is None:
        day_part = DayPart.at(start) if start is not None else DayPart.MORNING
    default_start, default_end = TIMES.get(day_part, AFTERNOON_TIMES)
    start = start or datetime.time(*(starts or default_start))
    end = end or datetime.time(*(ends or default_end))
    extra.setdefault("minimum", 1)
    extra.setdefault("maximum", 2)
    return Shift.objects.create(
        location=location,
        date=date,
        day_part=day_part,
        task=task,
        starts_at=start,
        ends_at=end,
        **extra,
    )


# Opening hours -------------------------------------------------------------------------------

OPENING_HOURS_URL = reverse("locations:opening-hours", kwargs={"slug": "dokkum"})


def add_visits(location, day, n, part=DayPart.MORNING, *, voided=False):
    """n visits of the location on `day` at 10:00 (Amsterdam), all at once (bulk_create)."""
    moment = datetime.datetime.combine(day, datetime.time(10), ZoneInfo("Europe/Amsterdam"))
    Visit.objects.bulk_create(
        Visit(
            location=location,
            recorded_at=moment,
            recorded_on=day,
            day_part=part,
            client_id=uuid.uuid4(),
            voided_at=moment if voided else None,
        )
        for _ in range(n)
    )


def opening_hours_post(open_slots, typed=None):
    """The form as a browser sends it: 21 rows, default times, ticked rows for `open_slots`.

    open_slots: {(weekday, day_part): ("HH:MM", "HH:MM")}; `typed` sets times of rows that
    stay closed.
    """
    from locations.forms import BaseOpeningHoursFormSet

    data = {
        "form-TOTAL_FORMS": "21",
        "form-INITIAL_FORMS": "21",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "21",
    }
    defaults = {
        DayPart.MORNING: ("09:30", "12:00"),
        DayPart.AFTERNOON: ("13:30", "16:30"),
        DayPart.EVENING: ("19:00", "21:00"),
    }
    for index, (weekday, day_part) in enumerate(BaseOpeningHoursFormSet.SLOTS):
        opens_at, closes_at = (typed or {}).get((weekday, day_part), defaults[day_part])
        if (weekday, day_part) in open_slots:
            opens_at, closes_at = open_slots[(weekday, day_part)]
            data[f"form-{index}-is_open"] = "on"
        data[f"form-{index}-opens_at"] = opens_at
        data[f"form-{index}-closes_at"] = closes_at
    return data


# The tablet ----------------------------------------------------------------------------------

TABLET_NAME = "Tablet Dokkum voordeur"
# A Tuesday (ISO weekday 2) in winter time, in the middle of the morning.
TUESDAY_MORNING = datetime.datetime(2026, 3, 10, 10, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
# The tablet page's queries: the budget is explained in tests/test_tablet.py.
TABLET_PAGE_QUERIES = 8


def tablet_url(slug="dokkum"):
    return reverse("visitors:tablet", kwargs={"slug": slug})


def pair_url(slug="dokkum"):
    return reverse("visitors:pair", kwargs={"slug": slug})


def checkin_form_url(slug="dokkum"):
    return reverse("visitors:checkin", kwargs={"slug": slug})


def undo_form_url(slug="dokkum"):
    return reverse("visitors:undo", kwargs={"slug": slug})


def checkin_api_url(slug="dokkum"):
    return reverse("visitors:checkin-api", kwargs={"slug": slug})


def undo_api_url(slug="dokkum"):
    return reverse("visitors:undo-api", kwargs={"slug": slug})


def hidden_client_id(html):
    """The client_id the server put in the check-in form (the first form on the page)."""
    return re.search(r'name="client_id" value="([^"]+)"', html).group(1)


def tap(client, slug="dokkum", **fields):
    """One tap as the page's script sends it: JSON with a fresh client_id unless given."""
    payload = {"client_id": str(uuid.uuid4()), **fields}
    return client.post(checkin_api_url(slug), payload, content_type="application/json")


# Browsers ------------------------------------------------------------------------------------


def dutch_context(browser, live_server, width=1024, height=768, **options):
    """A browser context on the live server as a person here has it: Dutch, Amsterdam time."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        **options,
    )
    context.set_default_timeout(15_000)
    return context


def new_page(browser, live_server):
    """A Dutch 1024x768 context on the live server, and a page in it."""
    context = dutch_context(browser, live_server)
    return context, context.new_page()


def log_in(page, who, next_url=None):
    """Log in through the login form with the test password; `who` is a person or an e-mail
    address. With next_url: wait until it is reached; without: until the login page is left."""
    email = getattr(who, "email", who)
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if next_url:
        page.wait_for_url(f"**{next_url}")
    else:
        page.wait_for_url(lambda address: "/accounts/login/" not in address)


def logged_in_as(context, live_server, user):
    """Give the browser the session of a person logged in (as the test client does it)."""
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
    return context


BLOCKING_IMPACTS = {"serious", "critical"}


def axe_violations(page, axe_script):
    """axe-core's violations of impact serious or critical, one readable line per element
    (axe_script: the fixture of tests/conftest.py)."""
    page.add_script_tag(path=str(axe_script))
    violations = page.evaluate(
        """async () => {
            const results = await axe.run(document, {
                resultTypes: ['violations'],
                rules: {'color-contrast-enhanced': {enabled: true}},
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(' '),
                                            summary: n.failureSummary}))}));
        }"""
    )
    return [
        f"[{violation['impact']}] {violation['id']}: {violation['help']}\n"
        f"    at {node['target']}\n    {node['summary'].replace(chr(10), chr(10) + '    ')}"
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
        for node in violation["nodes"]
    ]


# A roster to look at in the browser -----------------------------------------------------------


def dokkum_with_four_weeks_of_shifts(morning_tasks=(Task.HOST,)):
    """Dokkum open five afternoons (a shift lead, 2-3 hosts and the kitchen each) and Tuesday and
    Thursday mornings (morning_tasks), with four weeks of shifts made from those templates."""
    from volunteers import services as roster_services
    from volunteers.models import ShiftTemplate

    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    afternoon_tasks = [(Task.SHIFT_LEAD, 1, 1), (Task.HOST, 2, 3), (Task.KITCHEN, 1, 1)]
    for weekday in range(1, 6):
        OpeningHours.objects.create(
            location=dokkum,
            weekday=weekday,
            day_part=DayPart.AFTERNOON,
            opens_at=datetime.time(13, 30),
            closes_at=datetime.time(16, 30),
        )
        for task, low, high in afternoon_tasks:
            ShiftTemplate.objects.create(
                location=dokkum,
                weekday=weekday,
                day_part=DayPart.AFTERNOON,
                task=task,
                minimum=low,
                maximum=high,
            )
    for weekday in (2, 4):
        OpeningHours.objects.create(
            location=dokkum,
            weekday=weekday,
            day_part=DayPart.MORNING,
            opens_at=datetime.time(9, 30),
            closes_at=datetime.time(12, 0),
        )
        for task in morning_tasks:
            ShiftTemplate.objects.create(
                location=dokkum, weekday=weekday, day_part=DayPart.MORNING, task=task
            )
    roster_services.generate_shifts(dokkum, start=monday_of(timezone.localdate()), weeks=4)
    return dokkum


# Pages and catalogues ------------------------------------------------------------------------

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")


def as_tablet(context, live_server, token):
    context.add_cookies(
        [{"name": settings.TABLET_COOKIE_NAME, "value": token, "url": live_server.url}]
    )
    return context


def check(context, url, axe_script, heading=None):
    page = context.new_page()
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status} ({page.url})"
    if heading is not None:
        assert page.get_by_role("heading", level=1).first.inner_text().startswith(heading)
    found = axe_violations(page, axe_script)
    assert not found, f"axe-core on {url}:\n" + "\n".join(found)
    return page


def entries(po_path):
    """(msgid, msgstr values) of every entry but the header, read without extra packages."""
    text = po_path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "\nmsgid " not in "\n" + block:
            continue
        msgid = "".join(re.findall(r'^msgid "(.*)"$', block, re.M))
        msgid += "".join(re.findall(r'^"(.*)"$', block.split("msgstr")[0].split("msgid")[-1], re.M))
        if not msgid:
            continue  # the header
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.M)
        yield (
            msgid,
            ["".join([first, *re.findall(r'"(.*)"', rest)]) for first, rest in msgstrs],
            block,
        )


# Every page of a location that takes only its slug, and the tab marked on it.
WORKSPACE_PAGES = [
    ("locations:detail", "Vandaag"),
    ("volunteers:roster", "Rooster"),
    ("volunteers:shift-templates", "Rooster"),
    ("activities:calendar", "Agenda"),
    ("activities:activity-list", "Agenda"),
    ("activities:activity-new", "Agenda"),
    ("volunteers:list", "Vrijwilligers"),
    ("locations:logbook", "Logboek"),
    ("locations:logbook-new", "Logboek"),
    ("visitors:today", "Cijfers"),
    ("visitors:tallies", "Cijfers"),
    ("visitors:stories", "Cijfers"),
    ("locations:settings", "Instellingen"),
    ("locations:opening-hours", "Instellingen"),
    ("locations:closures", "Instellingen"),
    ("locations:house-rules", "Instellingen"),
    ("locations:team", "Instellingen"),
    ("activities:rooms", "Instellingen"),
    ("visitors:tablets", "Instellingen"),
]


def choose_language(client, language):
    """The footer's language switch, as a person uses it; for a logged-in person the choice is
    stored on their account (it then wins over the cookie)."""
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302, response
    return client
