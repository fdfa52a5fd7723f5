"""A national install (issue 17): no page's query count depends on the number of locations.
Each page is rendered with 3 locations and with 12, each location with opening hours, a team,
visits, shifts and activities, staff seeing all and the coordinator and volunteer working in
all: the count is the same. And the location list pages and searches."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from locations.models import DayPart, Location, Membership, OpeningHours, Role, Weekday
from volunteers.models import Assignment, Task

from .factories import (
    ActivityFactory,
    LocationFactory,
    MembershipFactory,
    OccurrenceFactory,
    VisitFactory,
)
from .support import count_queries, make_persona, make_shift

LOCATION_LIST = reverse("locations:list")


def _furnish(location, people, today):
    """Opening hours, the people in it, a volunteer more, visits of this month and last year,
    a shift with someone on it, an activity with a date this week."""
    OpeningHours.objects.get_or_create(
        location=location,
        weekday=Weekday.TUESDAY,
        day_part=DayPart.MORNING,
        defaults={"opens_at": datetime.time(9, 30), "closes_at": datetime.time(12, 0)},
    )
    for role, person in (("coordinator", Role.COORDINATOR), ("volunteer", Role.VOLUNTEER)):
        if not Membership.objects.filter(location=location, user=people[role]).exists():
            MembershipFactory(location=location, user=people[role], role=person)
    MembershipFactory(location=location)
    now = timezone.now()
    for days_ago in (0, 3, 40, 370):
        VisitFactory(location=location, recorded_at=now - datetime.timedelta(days=days_ago))
    shift = make_shift(location, today + datetime.timedelta(days=2), Task.HOST, maximum=3)
    Assignment.objects.create(shift=shift, volunteer=people["volunteer"])
    activity = ActivityFactory(location=location)
    OccurrenceFactory(activity=activity, date=today + datetime.timedelta(days=1))


@pytest.fixture
def people(dokkum):
    return {
        "staff": make_persona("staff"),
        "coordinator": make_persona("coordinator"),
        "volunteer": make_persona("volunteer"),
    }


def _world(count, people):
    """`count` locations (the migrations' four, one fewer or more), each furnished."""
    if count < Location.objects.count():
        Location.objects.exclude(slug__in=["dokkum", "burgum", "kollum"]).delete()
    while Location.objects.count() < count:
        LocationFactory(municipality=f"Gemeente {Location.objects.count() % 5}")
    today = timezone.localdate()
    for location in Location.objects.filter(opening_hours__isnull=True):  # not yet furnished
        _furnish(location, people, today)
    assert Location.objects.count() == count


def _pages():
    last_year = timezone.localdate().year - 1
    return [
        ("staff", reverse("dashboard")),
        ("coordinator", reverse("dashboard")),
        ("volunteer", reverse("dashboard")),
        ("staff", LOCATION_LIST),
        ("coordinator", LOCATION_LIST),
        ("volunteer", LOCATION_LIST),
        ("staff", LOCATION_LIST + "?zoek=buurtkamer"),
        ("staff", reverse("visitors:report") + "?periode=vorig-jaar&per=maand"),
        ("coordinator", reverse("visitors:report") + "?periode=vorig-jaar&per=maand"),
        ("staff", reverse("visitors:report") + "?periode=deze-maand&indeling=gemeente"),
        ("staff", reverse("visitors:year-overview") + f"?jaar={last_year}"),
        (None, reverse("activities:programme-index")),
        (None, reverse("activities:programme", kwargs={"slug": "dokkum"})),
        ("coordinator", reverse("visitors:today", kwargs={"slug": "dokkum"})),
        ("coordinator", reverse("volunteers:roster", kwargs={"slug": "dokkum"})),
        ("coordinator", reverse("locations:team", kwargs={"slug": "dokkum"})),
        ("volunteer", reverse("volunteers:my-shifts")),
        ("volunteer", reverse("volunteers:open-places")),
    ]


def _counts(client, login, people):
    counts = {}
    for who, address in _pages():
        login(people[who] if who else None)
        counts[(who, address)] = count_queries(client, address)
    return counts


def test_no_page_takes_more_queries_with_twelve_locations_than_with_three(client, login, people):
    _world(3, people)
    few = _counts(client, login, people)

    _world(12, people)
    many = _counts(client, login, people)

    differ = {page: (few[page], many[page]) for page in few if few[page] != many[page]}
    assert differ == {}


# The location list --------------------------------------------------------------------------


def _names(response):
    return re.findall(r'<td><a href="/locaties/[^"]+/">([^<]+)</a>', response.text)


@pytest.fixture
def thirty(db):
    """The migrations' four and 26 more (30 in all): two pages of 25."""
    for number in range(26):
        LocationFactory(
            name=f"Buurtkamer Plaats {number:02d}",
            town="Heerenveen" if number < 3 else f"Plaats {number}",
            municipality="Opsterland" if number % 10 == 0 else "Testgemeente",
        )


def test_the_location_list_shows_25_at_a_time_in_name_order(client, login, staff, thirty):
    login(staff)

    first = client.get(LOCATION_LIST)
    second = client.get(LOCATION_LIST, {"pagina": "2"})

    names = sorted(Location.objects.values_list("name", flat=True))
    assert _names(first) == names[:25]
    assert _names(second) == names[25:]
    assert "Pagina 1 van 2" in first.text and "30 buurtkamers" in first.text
    assert 'href="?pagina=2"' in first.text
    assert "Die pagina bestaat niet" not in first.text + second.text


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("0", 1), ("-1", 1), ("abc", 1), ("1e3", 1), ("²", 1), ("3", 2), ("999999999999", 1)],
)
def test_a_page_that_does_not_exist_shows_the_nearest_one_and_says_so(
    client, login, staff, thirty, asked, shown
):
    login(staff)

    response = client.get(LOCATION_LIST, {"pagina": asked})

    assert response.status_code == 200
    assert f"Die pagina bestaat niet. Je ziet nu pagina {shown} van 2." in response.text
    assert len(_names(response)) == (25 if shown == 1 else 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dokkum", ["Buurtkamer Dokkum"]),  # the name
        ("HEERENVEEN", ["Buurtkamer Plaats 00", "Buurtkamer Plaats 01", "Buurtkamer Plaats 02"]),
        ("opsterland", ["Buurtkamer Plaats 00", "Buurtkamer Plaats 10", "Buurtkamer Plaats 20"]),
        ("noardeast", ["Buurtkamer Dokkum", "Buurtkamer Kollum"]),  # their municipality
    ],
)
def test_search_by_name_town_or_municipality(client, login, staff, thirty, text, expected):
    login(staff)

    response = client.get(LOCATION_LIST, {"zoek": text})

    assert _names(response) == expected
    assert f"gevonden voor “{text}”" in response.text


def test_the_pages_of_a_search_keep_the_search(client, login, staff, thirty):
    login(staff)

    response = client.get(LOCATION_LIST, {"zoek": "plaats"})

    assert "26 buurtkamers gevonden" in response.text
    assert 'href="?zoek=plaats&amp;pagina=2"' in response.text
    assert len(_names(client.get(LOCATION_LIST, {"zoek": "plaats", "pagina": "2"}))) == 1


def test_a_search_that_finds_nothing_says_so(client, login, staff, thirty):
    login(staff)

    response = client.get(LOCATION_LIST, {"zoek": "Amsterdam"})

    assert _names(response) == []
    assert "Geen buurtkamer gevonden voor “Amsterdam”" in response.text


def test_a_search_too_long_is_refused_with_a_message_and_shows_everything(
    client, login, staff, thirty
):
    login(staff)

    response = client.get(LOCATION_LIST, {"zoek": "x" * 101})

    assert response.status_code == 200
    assert "Zoek met hoogstens 100 tekens" in response.text
    assert len(_names(response)) == 25


def test_a_coordinator_searches_only_their_own_locations(client, login, coordinator, thirty):
    login(coordinator)

    response = client.get(LOCATION_LIST, {"zoek": "buurtkamer"})

    assert _names(response) == ["Buurtkamer Dokkum"]
    assert _names(client.get(LOCATION_LIST, {"zoek": "burgum"})) == []


# The public programme index -----------------------------------------------------------------

PROGRAMME_INDEX = reverse("activities:programme-index")


def _programmes(text):
    return len(re.findall(r'href="/programma/[a-z0-9-]+/(?:\?taal=[a-z]+)?"', text))


def test_the_programme_index_of_many_locations_is_grouped_per_municipality(client, thirty):
    response = client.get(PROGRAMME_INDEX)

    text = response.text
    assert response.status_code == 200
    headings = re.findall(r'<h2 class="h5 mt-4">([^<]+)</h2>', text)
    assert headings == sorted(set(Location.objects.values_list("municipality", flat=True)))
    assert text.index("Buurtkamer Plaats 10") < text.index("Testgemeente</h2>")  # Opsterland
    assert _programmes(text) == 30
    assert 'name="zoek"' in text


def test_the_programme_index_of_a_few_locations_is_one_list_without_a_search(client, dokkum):
    text = client.get(PROGRAMME_INDEX).text

    assert '<h2 class="h5' not in text and 'name="zoek"' not in text
    assert _programmes(text) == 4


def test_the_programme_index_searches(client, thirty):
    found = client.get(PROGRAMME_INDEX, {"zoek": "heerenveen"}).text
    nothing = client.get(PROGRAMME_INDEX, {"zoek": "Amsterdam"}).text

    assert _programmes(found) == 3
    assert "Geen buurtkamer gevonden voor “Amsterdam”" in nothing
    assert _programmes(nothing) == 0
