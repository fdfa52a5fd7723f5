"""Activities on the tablet: today's programme, the "komt voor: ..." tags that name the activity
a visitor came for, and who is on duty today (first names only)."""

import datetime
import re

import pytest
import time_machine

from activities import services
from activities.models import Activity, Category, Room
from locations.models import DayPart
from visitors.models import Visit
from volunteers.models import Assignment, Shift, Task

from .factories import MembershipFactory, UserFactory
from .support import checkin_form_url, hidden_client_id, tablet_url, tap

# paired_client (tests/conftest.py): the Dokkum tablet, paired through the real flow

D = datetime.date
T = datetime.time
TODAY = D(2027, 3, 2)  # a Tuesday


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(
        datetime.datetime(2027, 3, 2, 10, 15, tzinfo=datetime.UTC), tick=False
    ):
        yield


@pytest.fixture
def programme(dokkum, burgum):
    category = Category.objects.get(name="Samen koken en eten")
    meal = Activity.objects.create(
        location=dokkum,
        title="Samen eten",
        category=category,
        room=Room.objects.create(location=dokkum, name="Keuken"),
        starts_on=TODAY,
        starts_at=T(12, 0),
        ends_at=T(13, 30),
    )
    games = Activity.objects.create(
        location=dokkum,
        title="Spelletjesmiddag",
        category=category,
        starts_on=TODAY,
        starts_at=T(14, 0),
        ends_at=T(16, 0),
    )
    tomorrow = Activity.objects.create(
        location=dokkum,
        title="Wandelen",
        category=category,
        starts_on=TODAY + datetime.timedelta(1),
        starts_at=T(10, 0),
        ends_at=T(11, 0),
    )
    elsewhere = Activity.objects.create(
        location=burgum,
        title="Burgumer soos",
        category=category,
        starts_on=TODAY,
        starts_at=T(10, 0),
        ends_at=T(11, 0),
    )
    for activity in (meal, games, tomorrow, elsewhere):
        services.generate_occurrences(activity, today=TODAY)
    return {
        name: activity.occurrences.order_by("date").first()
        for name, activity in {
            "meal": meal,
            "games": games,
            "tomorrow": tomorrow,
            "elsewhere": elsewhere,
        }.items()
    }


def test_todays_programme_and_its_tags_are_on_the_tablet(paired_client, programme):
    page = paired_client.get(tablet_url())

    assert page.status_code == 200
    assert "komt voor: Samen eten" in page.text
    assert "komt voor: Spelletjesmiddag" in page.text
    assert "12:00–13:30</span> Samen eten" in page.text
    assert "Wandelen" not in page.text and "Burgumer soos" not in page.text
    assert f'name="occurrence" value="{programme["meal"].pk}"' in page.text
    # The plain tap is still one button without any choice made.
    assert page.text.count('id="tik-knop"') == 1


def test_a_cancelled_occurrence_is_not_offered(paired_client, programme, coordinator):
    services.cancel_occurrence(programme["games"], reason="Geen begeleiding", user=coordinator)
    page = paired_client.get(tablet_url())
    assert "Spelletjesmiddag" not in page.text


def test_a_json_tap_with_a_tag_records_the_occurrence(paired_client, programme):
    response = tap(paired_client, occurrence=programme["meal"].pk)

    assert response.status_code == 201
    assert Visit.objects.get().occurrence == programme["meal"]


def test_a_form_tap_without_javascript_records_the_occurrence(paired_client, programme):
    client_id = hidden_client_id(paired_client.get(tablet_url()).text)
    response = paired_client.post(
        checkin_form_url(), {"client_id": client_id, "occurrence": str(programme["games"].pk)}
    )
    assert response.status_code == 302
    assert Visit.objects.get().occurrence == programme["games"]


@pytest.mark.parametrize(
    "wrong", ["tomorrow", "elsewhere", "unknown", "text", "huge", "negative", "list"]
)
def test_a_wrong_occurrence_is_ignored_and_the_visitor_still_counted(
    paired_client, programme, wrong
):
    value = {
        "tomorrow": programme["tomorrow"].pk,
        "elsewhere": programme["elsewhere"].pk,
        "unknown": 999_999,
        "text": "samen eten",
        "huge": "9" * 40,
        "negative": -1,
        "list": [1, 2],
    }.get(wrong)

    response = tap(paired_client, occurrence=value)

    assert response.status_code == 201
    visit = Visit.objects.get()
    assert visit.occurrence is None and visit.voided_at is None


def test_a_queued_tag_counts_for_the_day_it_was_tapped(paired_client, programme):
    tapped = datetime.datetime(2027, 3, 2, 12, 30, tzinfo=datetime.UTC)
    with time_machine.travel(datetime.datetime(2027, 3, 3, 8, 0, tzinfo=datetime.UTC), tick=False):
        response = tap(paired_client, occurrence=programme["meal"].pk, tapped_at=tapped.isoformat())
    assert response.status_code == 201
    assert Visit.objects.get().occurrence == programme["meal"]


def test_who_is_on_duty_shows_first_names_only_grouped_by_day_part_and_task(
    paired_client, dokkum, burgum
):
    morning = Shift.objects.create(
        location=dokkum,
        date=TODAY,
        day_part=DayPart.MORNING,
        task=Task.HOST,
        starts_at=T(9, 30),
        ends_at=T(12, 0),
        maximum=2,
    )
    kitchen = Shift.objects.create(
        location=dokkum,
        date=TODAY,
        day_part=DayPart.AFTERNOON,
        task=Task.KITCHEN,
        starts_at=T(12, 0),
        ends_at=T(14, 0),
    )
    elsewhere = Shift.objects.create(
        location=burgum,
        date=TODAY,
        day_part=DayPart.MORNING,
        task=Task.HOST,
        starts_at=T(9, 30),
        ends_at=T(12, 0),
    )
    tomorrow = Shift.objects.create(
        location=dokkum,
        date=TODAY + datetime.timedelta(1),
        day_part=DayPart.MORNING,
        task=Task.HOST,
        starts_at=T(9, 30),
        ends_at=T(12, 0),
    )

    def person(first, last, location=dokkum):
        return MembershipFactory(
            location=location, user=UserFactory(first_name=first, last_name=last)
        ).user

    Assignment.objects.create(shift=morning, volunteer=person("Tjitske", "Kuipersma"))
    Assignment.objects.create(shift=morning, volunteer=person("Hendrik", "Vissersma"))
    Assignment.objects.create(shift=kitchen, volunteer=person("Aukje", "Koksma"))
    Assignment.objects.create(
        shift=kitchen,
        volunteer=person("Gerrit", "Afgemeldsma"),
        cancelled_at=datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC),
    )
    Assignment.objects.create(shift=elsewhere, volunteer=person("Wopke", "Burgumer", burgum))
    Assignment.objects.create(shift=tomorrow, volunteer=person("Morgen", "Morgensma"))

    text = paired_client.get(tablet_url()).text
    card = re.search(
        r"Wie zijn er vandaag</h2>(.*?)</div>\s*</div>|Wie zijn er vandaag</h2>(.*?)</dl>",
        text,
        re.S,
    )
    duty = card.group(0)

    assert "Ochtend · gastvrouw/gastheer" in duty and "Hendrik, Tjitske" in duty
    assert "Middag · keuken" in duty and "Aukje" in duty
    for absent in ("Gerrit", "Wopke", "Morgen", "Kuipersma", "Vissersma", "Koksma", "@example"):
        assert absent not in text


def test_the_tablet_page_queries_do_not_grow_with_the_programme(
    paired_client, dokkum, programme, django_assert_max_num_queries
):
    from .support import TABLET_PAGE_QUERIES

    paired_client.get(tablet_url())  # "last seen" written once
    category = Category.objects.first()
    for number in range(10):
        activity = Activity.objects.create(
            location=dokkum,
            title=f"Activiteit {number}",
            category=category,
            starts_on=TODAY,
            starts_at=T(9 + number, 0),
            ends_at=T(10 + number, 0),
            room=Room.objects.create(location=dokkum, name=f"Ruimte {number}"),
        )
        services.generate_occurrences(activity, today=TODAY)
    with django_assert_max_num_queries(TABLET_PAGE_QUERIES):
        page = paired_client.get(tablet_url())
    assert page.text.count("komt voor:") == 12
