"""A location's workspace: the tabs per role, the "Vandaag" page, the settings page, the top menu
and the dashboard's way in; the volunteer's dashboard order; new recovery codes only with a tick."""

import datetime
import re
import uuid

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from activities.models import Activity, Category, Room
from locations.models import DayPart, LogEntry, Role
from visitors import services as visit_services
from volunteers.models import Assignment, Shift, Task

from .factories import PASSWORD, MembershipFactory, force_login

TABS = ["Vandaag", "Rooster", "Agenda", "Vrijwilligers", "Logboek", "Cijfers", "Instellingen"]
VOLUNTEER_TABS = ["Vandaag", "Rooster", "Agenda", "Logboek"]

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

TAB_LINK = re.compile(
    r'<ul class="nav nav-tabs workspace-tabs">(.*?)</ul>', re.S
)  # the first row of the workspace menu


def tabs_of(response):
    """[(label, marked)] of the workspace menu's tabs."""
    html = TAB_LINK.search(response.content.decode()).group(1)
    return [
        (label.strip(), "aria-current" in attributes)
        for attributes, label in re.findall(r"<a ([^>]*)>([^<]*)</a>", html)
    ]


def url(name, location, **kwargs):
    return reverse(name, kwargs={"slug": location.slug, **kwargs})


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "tab"), WORKSPACE_PAGES)
def test_every_workspace_page_shows_the_menu_with_its_tab_marked(
    client, coordinator, dokkum, name, tab
):
    force_login(client, coordinator)
    response = client.get(url(name, dokkum))
    assert response.status_code == 200
    tabs = tabs_of(response)
    assert [label for label, _marked in tabs] == TABS
    assert [label for label, marked in tabs if marked] == [tab]
    # The breadcrumbs come from the workspace: Locaties, then the location.
    assert 'aria-label="Kruimelpad"' in response.content.decode()


@pytest.mark.django_db
def test_a_volunteer_sees_only_the_tabs_they_may_open(client, volunteer, dokkum):
    force_login(client, volunteer)
    for name in ["locations:detail", "volunteers:roster", "activities:calendar"]:
        response = client.get(url(name, dokkum))
        assert [label for label, _marked in tabs_of(response)] == VOLUNTEER_TABS
    # And those they do not see, they may not open.
    for name in ["volunteers:list", "visitors:today", "locations:settings"]:
        assert client.get(url(name, dokkum)).status_code == 403


@pytest.mark.django_db
def test_staff_see_every_tab_at_any_location(client, staff, burgum):
    force_login(client, staff)
    response = client.get(url("locations:detail", burgum))
    assert [label for label, _marked in tabs_of(response)] == TABS


@pytest.mark.django_db
def test_a_section_shows_its_own_pages_with_the_current_one_marked(client, coordinator, dokkum):
    force_login(client, coordinator)
    page = client.get(url("visitors:tallies", dokkum)).content.decode()
    links = re.search(r'<ul class="nav nav-pills workspace-links[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    found = re.findall(r"<a ([^>]*)>([^<]*)</a>", links.group(1))
    assert [label for _attributes, label in found] == [
        "Bezoekers vandaag",
        "Turven achteraf",
        "Verhalen",
        "Rapportage",
    ]
    # The report of every location, opened for this one.
    assert f'href="{reverse("visitors:report")}?locatie=dokkum"' in page
    assert [label for attributes, label in found if 'aria-current="page"' in attributes] == [
        "Turven achteraf"
    ]


@pytest.mark.django_db
def test_the_settings_page_lists_what_sets_a_location_up(client, coordinator, dokkum):
    force_login(client, coordinator)
    page = client.get(url("locations:settings", dokkum)).content.decode()
    for name in [
        "locations:opening-hours",
        "locations:closures",
        "locations:house-rules",
        "activities:rooms",
        "visitors:tablets",
        "locations:team",
    ]:
        assert f'href="{url(name, dokkum)}"' in page, name


@pytest.mark.django_db
def test_a_page_of_another_location_is_not_found_and_shows_no_menu(client, coordinator, burgum):
    force_login(client, coordinator)
    assert client.get(url("locations:settings", burgum)).status_code == 404


def _busy_day_at(location, today, coordinator, volunteers=3):
    """Shifts today and this week, visits, an activity and an open logbook entry."""
    for index in range(volunteers):
        person = MembershipFactory(location=location, role=Role.VOLUNTEER).user
        shift, _new = Shift.objects.get_or_create(
            location=location,
            date=today + datetime.timedelta(days=index % 3),
            day_part=DayPart.MORNING,
            task=[Task.HOST, Task.KITCHEN][index // 3 % 2],
            defaults={
                "starts_at": datetime.time(9, 30),
                "ends_at": datetime.time(12, 0),
                "minimum": 2,
                "maximum": 3,
            },
        )
        Assignment.objects.create(shift=shift, volunteer=person)
        visit_services.record_visit(location=location, client_id=uuid.uuid4(), user=coordinator)
        LogEntry.objects.create(
            location=location,
            date=today,
            kind=LogEntry._meta.get_field("kind").choices[0][0],
            day_part="",
            text="Lamp in de keuken is stuk",
            needs_follow_up=True,
            author=coordinator,
        )
    activity = Activity.objects.create(
        location=location,
        title=f"Koffie {uuid.uuid4().hex[:4]}",
        category=Category.objects.first(),
        room=Room.objects.create(location=location, name=f"Zaal {uuid.uuid4().hex[:4]}"),
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(11, 0),
        starts_on=today,
    )
    activity_services.generate_occurrences(activity, today=today)


@pytest.mark.django_db
def test_vandaag_shows_what_matters_today(client, coordinator, dokkum):
    today = timezone.localdate()
    _busy_day_at(dokkum, today, coordinator)
    force_login(client, coordinator)
    page = client.get(url("locations:detail", dokkum)).content.decode()
    for text in ["Bezoekers", "Wie zijn er vandaag", "Programma vandaag", "Rooster", "Logboek"]:
        assert text in page
    assert "nog 1 nodig" in page  # a shift below its minimum, from Shift.is_understaffed
    assert "meldingen staan open" in page
    assert f'href="{url("visitors:tablet", dokkum)}"' in page  # Tablet koppelen


@pytest.mark.django_db
def test_vandaag_for_a_volunteer_has_no_figures_and_no_tablet(client, volunteer, dokkum):
    force_login(client, volunteer)
    page = client.get(url("locations:detail", dokkum)).content.decode()
    assert "Wie zijn er vandaag" in page
    assert "Bezoekers vandaag" not in page
    assert url("visitors:tablet", dokkum) not in page


VANDAAG_QUERIES = 14  # 12 for a coordinator today: session, user, roles, the figures


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "volunteer", "staff"])
def test_vandaag_takes_a_fixed_number_of_queries(
    client, request, who, coordinator, dokkum, django_assert_max_num_queries
):
    today = timezone.localdate()
    force_login(client, request.getfixturevalue(who))
    _busy_day_at(dokkum, today, coordinator, volunteers=1)
    with django_assert_max_num_queries(VANDAAG_QUERIES) as few:
        client.get(url("locations:detail", dokkum))
    _busy_day_at(dokkum, today, coordinator, volunteers=8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url("locations:detail", dokkum)).status_code == 200


@pytest.mark.django_db
def test_the_dashboard_card_leads_into_the_workspace(client, coordinator, volunteer, dokkum):
    force_login(client, coordinator)
    page = client.get(reverse("dashboard")).content.decode()
    for name in ["locations:detail", "volunteers:roster", "locations:settings", "visitors:tablet"]:
        assert f'href="{url(name, dokkum)}"' in page, name
    assert "Tablet koppelen" in page

    force_login(client, volunteer)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{url("volunteers:roster", dokkum)}"' in page
    assert url("locations:settings", dokkum) not in page
    assert "Tablet koppelen" not in page


@pytest.mark.django_db
def test_the_top_menu_keeps_the_account_links_in_one_menu(client, coordinator):
    force_login(client, coordinator)
    page = client.get(reverse("dashboard")).content.decode()
    menu = page[page.index('id="hoofdmenu"') : page.index("</nav>")]
    assert 'data-bs-toggle="dropdown"' in menu
    for link in [reverse("volunteers:my-profile"), reverse("account_change_password")]:
        assert f'href="{link}"' in menu
    assert "Uitloggen" in menu


# The volunteer's dashboard ------------------------------------------------------------------


def _shift(location, date, *, minimum, maximum, task=Task.HOST):
    return Shift.objects.create(
        location=location,
        date=date,
        day_part=DayPart.MORNING,
        task=task,
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 0),
        minimum=minimum,
        maximum=maximum,
    )


@pytest.mark.django_db
def test_a_volunteer_sees_their_next_shifts_before_the_location(client, volunteer, dokkum):
    force_login(client, volunteer)
    page = client.get(reverse("dashboard")).content.decode()
    assert page.index("Mijn volgende diensten") < page.index(dokkum.get_absolute_url() + '"')


@pytest.mark.django_db
def test_open_places_that_are_needed_come_before_extra_places(client, volunteer, dokkum):
    today = timezone.localdate()
    # An extra place tomorrow (minimum reached), a needed place in a week.
    extra = _shift(dokkum, today + datetime.timedelta(days=1), minimum=1, maximum=3)
    other = MembershipFactory(location=dokkum).user
    Assignment.objects.create(shift=extra, volunteer=other)
    needed = _shift(
        dokkum, today + datetime.timedelta(days=7), minimum=2, maximum=2, task=Task.KITCHEN
    )
    Assignment.objects.create(shift=needed, volunteer=MembershipFactory(location=dokkum).user)

    force_login(client, volunteer)
    response = client.get(reverse("dashboard"))
    panel = next(p for p in response.context["panels"] if p["template"].startswith("volunteers/"))
    assert [shift.pk for shift in panel["open_shifts"]] == [needed.pk, extra.pk]
    page = response.content.decode()
    assert page.index("nog 1 nodig") < page.index("extra hulp welkom")


# Recovery codes ------------------------------------------------------------------------------


@pytest.fixture
def with_codes(staff):
    RecoveryCodes.activate(staff)
    return staff


def _logged_in_again(client, user):
    """Logged in, and the password given once more: allauth asks it before these pages."""
    force_login(client, user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    return client


def _codes(user):
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


@pytest.mark.django_db
def test_the_recovery_codes_page_goes_on_to_the_start_page(client, with_codes):
    _logged_in_again(client, with_codes)
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(rf'<a class="btn btn-primary" href="{reverse("dashboard")}">Verder</a>', page)
    # New codes: a secondary action, on a page of its own.
    assert (
        f'class="btn btn-outline-secondary" href="{reverse("mfa_generate_recovery_codes")}"' in page
    )


@pytest.mark.django_db
def test_new_recovery_codes_only_with_the_tick(client, with_codes):
    _logged_in_again(client, with_codes)
    before = _codes(with_codes)
    page = client.get(reverse("mfa_generate_recovery_codes")).content.decode()
    assert "Ik begrijp dat mijn oude codes dan niet meer werken" in page

    response = client.post(reverse("mfa_generate_recovery_codes"), {})
    assert response.status_code == 200
    assert "Vink eerst aan dat je dit begrijpt." in response.content.decode()
    assert _codes(with_codes) == before

    response = client.post(reverse("mfa_generate_recovery_codes"), {"understood": "on"})
    assert response.status_code == 302
    assert _codes(with_codes) != before
