"""Issue 17: the dashboard of a national install. With more than twelve locations the staff
dashboard summarises (totals, the movers against a year before, per municipality, a search)
instead of a row per location, and no dashboard's query count depends on the number of
locations. The clock stands on Wednesday 25 November 2026 (ISO week 48): the movers compare
26 October - 22 November 2026 with 27 October - 23 November 2025."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from locations.models import Location, Role

from .factories import LocationFactory, MembershipFactory
from .support import add_visits, count_queries, make_persona

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=AMSTERDAM)
DASHBOARD = reverse("dashboard")


@pytest.fixture(autouse=True)
def now(db):
    with time_machine.travel(NOW, tick=False):
        yield NOW


def more_locations(count, **fields):
    return [LocationFactory(**fields) for _ in range(count)]


def panel_of(response, prefix):
    return next(p for p in response.context["panels"] if p["template"].startswith(prefix))


# The query count --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "staff"])
def test_the_query_count_is_the_same_with_4_and_with_34_locations(client, login, role):
    """Staff see every location (the four of the migrations, then thirty more: a row per
    location, then a summary); a volunteer or coordinator is on the team of each new one."""
    person = make_persona(role)
    login(person)
    few = count_queries(client, DASHBOARD)
    for location in more_locations(30, municipality="Ergens"):
        add_visits(location, datetime.date(2026, 11, 2), 3)
        if role != "staff":
            MembershipFactory(
                location=location,
                user=person,
                role=Role.COORDINATOR if role == "coordinator" else Role.VOLUNTEER,
            )
    many = count_queries(client, DASHBOARD)
    assert few == many


# Small installs keep their rows ---------------------------------------------------------------


def test_up_to_twelve_locations_the_staff_dashboard_has_a_row_per_location(client, login):
    more_locations(12 - Location.objects.count())
    response = login(make_persona("staff")).get(DASHBOARD)

    visitors = panel_of(response, "visitors/")
    assert visitors["summary"] is None
    assert len(visitors["rows"]) == 12
    assert "search" not in response.context
    for location in Location.objects.all():
        assert location.get_absolute_url() in response.content.decode()


# The movers and the municipalities ------------------------------------------------------------


@pytest.fixture
def national(db):
    """Eighteen locations: five with visits in two municipalities, thirteen without."""
    made = {
        name: LocationFactory(name=name, municipality=municipality, town=town)
        for name, municipality, town in [
            ("Aan de Brink", "Noord", "Noorddorp"),
            ("Bij de Haven", "Noord", "Noordhaven"),
            ("Centrum", "Zuid", "Zuiddorp"),
            ("De Dijk", "Zuid", "Zuiddorp"),
            ("Eikenhof", "Zuid", "Zuidwoud"),
        ]
    }
    more_locations(13)
    this_period, last_year = datetime.date(2026, 11, 2), datetime.date(2025, 11, 3)
    for name, now, before in [
        ("Aan de Brink", 10, 2),
        ("Bij de Haven", 3, 9),
        ("Centrum", 5, 0),
        ("De Dijk", 0, 4),
        ("Eikenhof", 6, 6),
    ]:
        add_visits(made[name], this_period, now)
        add_visits(made[name], last_year, before)
    # Not counted: voided, before either period, or this week (but today's count).
    add_visits(made["De Dijk"], this_period, 7, voided=True)
    add_visits(made["Centrum"], datetime.date(2025, 10, 26), 20)  # the day before last year's weeks
    add_visits(made["Eikenhof"], datetime.date(2026, 10, 25), 20)  # the day before this period's
    add_visits(made["Aan de Brink"], NOW.date(), 2)
    return made


def test_the_movers_compare_the_last_four_weeks_with_a_year_before(client, login, national):
    response = login(make_persona("staff")).get(DASHBOARD)

    summary = panel_of(response, "visitors/")["summary"]
    assert [(r["location"].name, r["now"], r["before"], r["difference"], r["change"])
            for r in summary["risers"]] == [
        ("Aan de Brink", 10, 2, 8, 400),
        ("Centrum", 5, 0, 5, None),  # nothing a year before: no percentage
    ]  # fmt: skip
    assert [(r["location"].name, r["difference"], r["change"]) for r in summary["fallers"]] == [
        ("Bij de Haven", -6, -67),
        ("De Dijk", -4, -100),
    ]
    assert summary["totals"]["this"] == 2  # this week up to today: today's two
    content = response.content.decode()
    assert "Meer bezoekers dan vorig jaar" in content
    assert "Minder bezoekers dan vorig jaar" in content
    assert "Alle 22 locaties" in content  # the four of the migrations and the eighteen


def test_the_municipalities_add_up_their_locations(client, login, national):
    response = login(make_persona("staff")).get(DASHBOARD)

    rows = {
        r["municipality"]: r for r in panel_of(response, "visitors/")["summary"]["municipalities"]
    }
    assert {
        key: rows["Noord"][key] for key in ("locations", "today", "now", "before", "change")
    } == {
        "locations": 2,
        "today": 2,
        "now": 13,
        "before": 11,
        "change": 18,
    }
    assert {
        key: rows["Zuid"][key] for key in ("locations", "today", "now", "before", "change")
    } == {
        "locations": 3,
        "today": 0,
        "now": 11,
        "before": 10,
        "change": 10,
    }
    assert rows["Testgemeente"]["locations"] == 13
    assert rows["Testgemeente"]["change"] is None
    names = list(rows)
    assert names == sorted(names, key=str.casefold)


def test_a_coordinator_of_a_few_locations_keeps_the_rows(client, login, national):
    coordinator = make_persona("coordinator")
    MembershipFactory(location=national["Centrum"], user=coordinator, role=Role.COORDINATOR)
    response = login(coordinator).get(DASHBOARD)

    visitors = panel_of(response, "visitors/")
    assert visitors["summary"] is None
    assert [row["location"].name for row in visitors["rows"]] == ["Buurtkamer Dokkum", "Centrum"]


# The search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("bij de", ["Bij de Haven"]),  # the name, any case
        ("ZUIDDORP", ["Centrum", "De Dijk"]),  # the town
        ("  zuid ", ["Centrum", "De Dijk", "Eikenhof"]),  # the municipality; spaces trimmed
    ],
)
def test_the_search_finds_locations_by_name_town_or_municipality(
    client, login, national, typed, found
):
    response = login(make_persona("staff")).get(DASHBOARD, {"zoek": typed})

    search = response.context["search"]
    assert [location.name for location in search["found"]] == found
    content = response.content.decode()
    for name in found:
        assert name in content
    assert search["problem"] == ""


def test_the_search_shows_ten_and_counts_the_rest(client, login, national):
    response = login(make_persona("staff")).get(DASHBOARD, {"zoek": "buurtkamer test"})

    search = response.context["search"]
    assert len(search["found"]) == 10
    assert search["more"] == 3
    assert "En nog 3 locaties" in response.content.decode()


def test_the_search_says_when_nothing_is_found(client, login, national):
    response = login(make_persona("staff")).get(DASHBOARD, {"zoek": "Groningen"})

    assert response.context["search"]["found"] == []
    assert "Geen locatie gevonden voor ‘Groningen’" in response.content.decode()


def test_a_search_too_long_is_refused_with_a_message(client, login, national):
    response = login(make_persona("staff")).get(DASHBOARD, {"zoek": "zuid" * 26})

    assert response.status_code == 200
    search = response.context["search"]
    assert search["found"] == []
    assert search["query"] == ""
    assert "Zoek met hoogstens 100 tekens." in response.content.decode()


def test_a_search_of_exactly_a_hundred_characters_is_used(client, login, national):
    response = login(make_persona("staff")).get(DASHBOARD, {"zoek": "x" * 100})

    assert response.context["search"]["problem"] == ""
    assert response.context["search"]["query"] == "x" * 100
