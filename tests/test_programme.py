"""The public programme: /programma/<slug>/, the A4 poster and the .ics feed. No login, no
personal data, cancelled dates crossed out, closures shown, cacheable."""

import datetime
import re
from decimal import Decimal

import icalendar
import pytest
import time_machine
from django.urls import reverse

from activities import services
from activities.models import Activity, Category, Partner, PartnerKind, Recurrence, Room
from locations.models import Closure, DayPart, OpeningHours
from volunteers.models import Assignment

from .factories import UserFactory

D = datetime.date
T = datetime.time


@pytest.fixture(autouse=True)
def frozen_today():
    # Wednesday 24 March 2027, in the week before summer time starts (28 March).
    with time_machine.travel(datetime.datetime(2027, 3, 24, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def programme(dokkum, coordinator, volunteer):
    dokkum.address = "Harddraversweg 3"
    dokkum.postal_code = "9101 XA"
    if hasattr(dokkum, "house_rules"):
        dokkum.house_rules = "Wij zijn zuinig op elkaar. Geen alcohol."
    dokkum.save()
    OpeningHours.objects.create(
        location=dokkum, weekday=2, day_part=DayPart.MORNING, opens_at=T(9, 30), closes_at=T(12, 0)
    )
    OpeningHours.objects.create(
        location=dokkum, weekday=4, day_part=DayPart.EVENING, opens_at=T(17, 0), closes_at=T(21, 0)
    )
    hall = Room.objects.create(location=dokkum, name="Grote zaal")
    organiser = UserFactory(first_name="Geertje", last_name="Zwartsenberg")
    bakery = Partner.objects.create(
        name="Bakkerij De Tsjerne",
        kind=PartnerKind.ENTREPRENEUR,
        contact_person="Baukje Bakkersma",
        phone="0519 999 999",
    )
    coffee = Activity.objects.create(
        location=dokkum,
        title="Koffieochtend",
        category=Category.objects.get(name="Koffie en inloop"),
        room=hall,
        starts_on=D(2027, 3, 23),
        starts_at=T(10, 0),
        ends_at=T(11, 30),
        price=Decimal("0.50"),
    )
    meal = Activity.objects.create(
        location=dokkum,
        title="Samen eten",
        description="Een warme maaltijd met elkaar.",
        category=Category.objects.get(name="Samen koken en eten"),
        starts_on=D(2027, 3, 25),
        starts_at=T(18, 0),
        ends_at=T(19, 30),
        price=Decimal("3.50"),
        volunteers_needed=1,
        recurrence=Recurrence.WEEKLY,
    )
    meal.partners.add(bakery)
    meal.organisers.add(organiser)
    for activity in (coffee, meal):
        services.generate_occurrences(activity, today=D(2027, 3, 22))
    next_meal = meal.occurrences.get(date=D(2027, 4, 1))
    services.cancel_occurrence(next_meal, reason="Kok Sietse Dijkstra is ziek", user=coordinator)
    this_meal = meal.occurrences.get(date=D(2027, 3, 25))
    volunteer.first_name, volunteer.last_name = "Wiebren", "Hoekstrasma"
    volunteer.save()
    Assignment.objects.create(shift=this_meal.support_shift, volunteer=volunteer)
    return {"coffee": coffee, "meal": meal, "organiser": organiser, "coordinator": coordinator}


PERSONAL = [
    "Geertje",
    "Zwartsenberg",
    "Wiebren",
    "Hoekstrasma",
    "Baukje",
    "0519 999 999",
    "Sietse",
    "ziek",
    "@example.org",
]


def public_url(name, slug="dokkum"):
    return reverse(name, kwargs={"slug": slug})


def test_the_programme_shows_this_week_and_next_with_address_hours_and_house_rules(
    client, programme
):
    page = client.get(public_url("activities:programme"))

    assert page.status_code == 200
    text = page.text
    assert "Deze week" in text and "Volgende week" in text
    assert "Harddraversweg 3" in text and "9101 XA" in text
    assert "Dinsdag" in text and "09:30–12:00" in text
    if hasattr(programme["coffee"].location, "house_rules"):
        assert "Wij zijn zuinig op elkaar." in text
    assert text.count("Koffieochtend") == 2  # 23 and 30 March
    assert "€ 3,50" in text and "€ 0,50" in text
    assert "met Bakkerij De Tsjerne" in text  # partners' names are public
    assert reverse("activities:programme-ics", kwargs={"slug": "dokkum"}) in text
    assert reverse("activities:poster", kwargs={"slug": "dokkum"}) in text


def test_a_cancelled_date_is_crossed_out_and_says_it_does_not_go_ahead(client, programme):
    text = client.get(public_url("activities:programme")).text

    assert (
        '<del class="prog-title">Samen eten</del> <strong class="prog-off">gaat niet door' in text
    )
    assert text.count("gaat niet door") == 1


@pytest.mark.parametrize(
    "name", ["activities:programme", "activities:poster", "activities:programme-ics"]
)
def test_no_personal_data_on_the_public_pages(client, programme, name):
    text = client.get(public_url(name)).content.decode()

    for word in PERSONAL:
        assert word not in text, f"{word!r} on {name}"


@pytest.mark.parametrize(
    "name", ["activities:programme", "activities:poster", "activities:programme-ics"]
)
def test_public_pages_need_no_login_and_may_be_cached_for_five_minutes(client, programme, name):
    response = client.get(public_url(name))

    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]


@pytest.mark.parametrize(
    "name", ["activities:programme", "activities:poster", "activities:programme-ics"]
)
def test_an_unknown_or_inactive_location_is_not_found(client, programme, dokkum, name):
    assert client.get(public_url(name, "bestaat-niet")).status_code == 404
    dokkum.active = False
    dokkum.save()
    assert client.get(public_url(name)).status_code == 404


def test_a_closure_is_shown_and_its_dates_do_not_go_ahead(client, programme, dokkum):
    Closure.objects.create(
        location=dokkum, starts_on=D(2027, 3, 30), ends_on=D(2027, 3, 30), reason="Verbouwing"
    )
    text = client.get(public_url("activities:programme")).text

    assert "Gesloten: Verbouwing" in text
    assert '<del class="prog-title">Koffieochtend</del>' in text


def test_the_ics_feed_parses_back_with_local_times_across_summer_time(client, programme):
    response = client.get(public_url("activities:programme-ics"))
    assert response["Content-Type"].startswith("text/calendar")

    calendar = icalendar.Calendar.from_ical(response.content)
    events = {
        (str(event["SUMMARY"]), event.decoded("DTSTART").date()): event
        for event in calendar.walk("VEVENT")
    }

    before = events[("Koffieochtend", D(2027, 3, 23))].decoded("DTSTART")
    after = events[("Koffieochtend", D(2027, 3, 30))].decoded("DTSTART")
    assert before.hour == after.hour == 10  # local time, on both sides of 28 March
    assert before.utcoffset() == datetime.timedelta(hours=1)
    assert after.utcoffset() == datetime.timedelta(hours=2)
    cancelled = events[("Samen eten (gaat niet door)", D(2027, 4, 1))]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert "Harddraversweg 3" in str(events[("Samen eten", D(2027, 3, 25))]["LOCATION"])
    assert calendar.walk("VTIMEZONE")


def test_the_poster_is_the_week_in_large_type_with_address_and_hours(client, programme):
    text = client.get(public_url("activities:poster")).text

    assert "poster.css" in text
    assert "Harddraversweg 3" in text and "09:30–12:00" in text
    assert "Programma van maandag 22 maart tot en met zondag 28 maart" in text
    assert "Koffieochtend" in text and "Samen eten" in text


def test_the_programme_index_lists_the_active_locations(client, programme, burgum):
    burgum.active = False
    burgum.save()
    text = client.get(reverse("activities:programme-index")).text
    assert "Buurtkamer Dokkum" in text or "Dokkum" in text
    assert reverse("activities:programme", kwargs={"slug": "dokkum"}) in text
    assert reverse("activities:programme", kwargs={"slug": "burgum"}) not in text


@pytest.mark.parametrize(
    "name", ["activities:programme", "activities:poster", "activities:programme-ics"]
)
def test_the_public_pages_run_a_fixed_number_of_queries(
    client, programme, dokkum, name, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(public_url(name))
    category = Category.objects.first()
    for number in range(15):
        activity = Activity.objects.create(
            location=dokkum,
            title=f"Activiteit {number}",
            category=category,
            room=Room.objects.create(location=dokkum, name=f"Ruimte {number}"),
            starts_on=D(2027, 3, 22 + number % 7),
            starts_at=T(9 + number % 8, 0),
            ends_at=T(10 + number % 8, 0),
        )
        activity.partners.add(
            Partner.objects.create(name=f"Partner {number}", kind=PartnerKind.ASSOCIATION)
        )
        services.generate_occurrences(activity, today=D(2027, 3, 22))
    with django_assert_max_num_queries(len(few)):
        response = client.get(public_url(name))
    assert response.status_code == 200


# The poster's week: this week or the next, nothing else ------------------------------------------


def test_the_poster_of_next_week_shows_next_weeks_dates(client, programme):
    text = client.get(public_url("activities:poster"), {"week": "volgende"}).text

    assert "Programma van maandag 29 maart tot en met zondag 4 april" in text
    assert "Samen eten" in text  # the meal of 1 April, crossed out
    assert 'href="?week=volgende&amp;taal=nl" aria-current="page"' in text


@pytest.mark.parametrize("asked", ["deze", "2027-03-22", "2027-03-28"])
def test_the_poster_of_this_week_by_name_or_by_a_date_in_it(client, programme, asked):
    text = client.get(public_url("activities:poster"), {"week": asked}).text

    assert "Programma van maandag 22 maart tot en met zondag 28 maart" in text
    assert "alleen voor deze week of volgende week" not in text


def test_a_date_in_next_week_chooses_next_week(client, programme):
    text = client.get(public_url("activities:poster"), {"week": "2027-04-04"}).text

    assert "Programma van maandag 29 maart tot en met zondag 4 april" in text


@pytest.mark.parametrize(
    "asked", ["2027-04-05", "2027-03-21", "1900-01-01", "9999-12-31", "overmorgen", "2027-02-30"]
)
def test_a_week_out_of_reach_gives_this_weeks_poster_and_says_so(client, programme, asked):
    response = client.get(public_url("activities:poster"), {"week": asked})

    assert response.status_code == 200
    assert "Een poster kan alleen voor deze week of volgende week." in response.text
    assert "Programma van maandag 22 maart tot en met zondag 28 maart" in response.text


def test_the_programme_links_to_the_posters_of_this_week_and_the_next(client, programme):
    text = client.get(public_url("activities:programme")).text

    assert f"{public_url('activities:poster')}?week=volgende" in text
    assert "Poster van volgende week" in text


def test_the_programme_says_what_an_activity_is(client, programme):
    text = client.get(public_url("activities:programme")).text

    assert text.count("Een warme maaltijd met elkaar.") == 1  # this week; next week's is off
    assert 'class="prog-description"' in text


def test_a_long_description_is_cut_short_on_the_programme(client, programme):
    meal = programme["meal"]
    meal.description = "Lekker eten. " * 60
    meal.save()

    text = client.get(public_url("activities:programme")).text

    shown = re.search(r'class="prog-description">([^<]*)<', text).group(1)
    assert len(shown) <= 300 and shown.endswith("…")
