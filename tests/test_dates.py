"""One way to write a day: "dinsdag 3 december" on pages and in e-mails, "3 dec" in tight
tables and ranges, with the year only when it is not this year — in Dutch, Frysk and English,
through the named formats in buurtkamer/formats/<language>/formats.py and the catalogues' day
and month names (buurtkamer.dates.day_long / day_short, the filters in
buurtkamer/templatetags/dates.py).

The pages and e-mails are rendered through the test client and the management commands, with
today fixed; a structure test keeps raw date formats for people out of the templates and code.
"""

import datetime
import io
import re
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, translation

from buurtkamer import dates
from volunteers import services

from .support import choose_language, make_shift

ROOT = Path(__file__).resolve().parent.parent
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
DAY = datetime.date(2024, 12, 3)  # a Tuesday
THIS_YEAR = datetime.datetime(2024, 12, 2, 9, 0, tzinfo=AMSTERDAM)  # the Monday of that week
NEXT_YEAR = datetime.datetime(2025, 1, 15, 9, 0, tzinfo=AMSTERDAM)

# Per language: the long form this year, the long form in another year, the short form, and
# the week's range in the short form (Monday 2 to Sunday 8 December).
FORMS = {
    "nl": (
        "Dinsdag 3 december",
        "Dinsdag 3 december 2024",
        "2 dec – 8 dec",
        "2 dec 2024 – 8 dec 2024",
    ),
    "fy": (
        "Tiisdei 3 desimber",
        "Tiisdei 3 desimber 2024",
        "2 des – 8 des",
        "2 des 2024 – 8 des 2024",
    ),
    "en": (
        "Tuesday 3 December",
        "Tuesday 3 December 2024",
        "2 Dec – 8 Dec",
        "2 Dec 2024 – 8 Dec 2024",
    ),
}
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def roster_page(client, language):
    choose_language(client, language)
    url = reverse("volunteers:roster", kwargs={"slug": "dokkum"}) + "?week=2024-W49"
    response = client.get(url)
    assert response.status_code == 200
    return response.text


@pytest.fixture
def roster_of_december(dokkum, coordinator, login):
    make_shift(dokkum, DAY)
    return login(coordinator)


def test_every_language_has_every_named_format():
    """A missing name would be used as the format itself ("DAY_LONG_FORMAT" → garbage)."""
    names = [
        f"DAY_{length}{year}{time}_FORMAT"
        for length in ("LONG", "SHORT")
        for year in ("", "_YEAR")
        for time in ("", "_TIME")
    ] + ["MONTH_SHORT_FORMAT"]
    assert sorted(code for code, _name in settings.LANGUAGES) == ["en", "fy", "nl"]
    for language in LANGUAGES:
        for name in names:
            assert formats.get_format(name, lang=language) != name, (language, name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_roster_writes_days_long_and_weeks_short_without_this_years_year(
    roster_of_december, language
):
    long_form, _long_other_year, week, _week_other_year = FORMS[language]
    with time_machine.travel(THIS_YEAR, tick=False):
        page = roster_page(roster_of_december, language)
    assert f"{long_form}<" in page or f"{long_form} <" in page  # no year after it
    assert f"({week})" in page
    assert "2024" not in re.sub(r"\d{4}-W\d\d|week-\d{8}|\d{4}-\d\d-\d\d", "", page)
    assert "03-12" not in page and "3-12-2024" not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_roster_of_another_year_names_the_year(roster_of_december, language):
    _long, long_other_year, _week, week_other_year = FORMS[language]
    with time_machine.travel(NEXT_YEAR, tick=False):
        page = roster_page(roster_of_december, language)
    assert long_other_year in page
    assert f"({week_other_year})" in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["dinsdag 3 december", "dinsdag 3 december 2024", "3 dec", "3 dec 2024"]),
        ("fy", ["tiisdei 3 desimber", "tiisdei 3 desimber 2024", "3 des", "3 des 2024"]),
        ("en", ["Tuesday 3 December", "Tuesday 3 December 2024", "3 Dec", "3 Dec 2024"]),
    ],
)
def test_the_python_function_for_messages_and_emails_picks_the_year_by_today(language, expected):
    with time_machine.travel(THIS_YEAR, tick=False), translation.override(language):
        this_year = [dates.day_long(DAY), dates.day_short(DAY)]
    with time_machine.travel(NEXT_YEAR, tick=False), translation.override(language):
        other_year = [dates.day_long(DAY), dates.day_short(DAY)]
    assert [this_year[0], other_year[0], this_year[1], other_year[1]] == expected
    with time_machine.travel(THIS_YEAR, tick=False), translation.override(language):
        # In a file (read later), the year always.
        assert dates.day_short(DAY, with_year=True) == expected[3]


def test_a_moment_is_written_in_local_time_and_its_local_day():
    # 23:30 UTC on 3 December is 00:30 on Wednesday 4 December in Friesland.
    late = datetime.datetime(2024, 12, 3, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(THIS_YEAR, tick=False), translation.override("nl"):
        assert dates.day_time_long(late) == "woensdag 4 december, 00:30"
        assert dates.day_time_short(late) == "4 dec, 00:30"
        assert dates.day_long(late) == "woensdag 4 december"
        assert dates.day_long(None) == dates.day_short("") == ""


def test_the_reminder_email_writes_the_day_long_with_the_year_only_across_new_year(
    dokkum, volunteer
):
    with time_machine.travel(datetime.datetime(2024, 12, 31, 18, 0, tzinfo=AMSTERDAM), tick=False):
        shift = make_shift(dokkum, datetime.date(2025, 1, 1), starts=(11, 0), ends=(14, 0))
        services.take_place(shift, volunteer)
        call_command(
            "send_shift_reminders", base_url="https://buurtkamer.test", stdout=io.StringIO()
        )
    (message,) = mail.outbox
    assert "Woensdag 1 januari 2025, 11:00–14:00" in message.body
    assert "Woensdag 1 januari 2025, 11:00–14:00" in message.alternatives[0][0]

    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2025, 1, 7, 18, 0, tzinfo=AMSTERDAM), tick=False):
        shift = make_shift(dokkum, datetime.date(2025, 1, 8), starts=(11, 0), ends=(14, 0))
        services.take_place(shift, volunteer)
        call_command(
            "send_shift_reminders", base_url="https://buurtkamer.test", stdout=io.StringIO()
        )
    (message,) = mail.outbox
    assert "Woensdag 8 januari, 11:00–14:00" in message.body


# Structure: no raw date format for people -----------------------------------------------------

# Machine formats (ISO in links, inputs and data attributes, an id, a year or week number) and
# the named formats of buurtkamer/formats. Everything else a person reads goes through the filters.
MACHINE_FORMATS = {"c", "Y-m-d", "Ymd", "Y", "W"}
TIMES = {"H:i"}  # a time alone (times are written "14:00" everywhere)
# A part of a date on its own, where the layout needs it (a calendar cell, a month, a weekday).
PARTS_ALLOWED = {
    ("activities/calendar.html", "D"),  # the calendar cell's head: "di 3 december", in parts
    ("activities/calendar.html", "j"),
    ("activities/calendar.html", "F"),
    ("volunteers/roster/_gap.html", "F"),  # "3 diensten in december": a month, not a day
    ("volunteers/roster/print.html", "l"),  # the printed roster: weekday above "3 dec"
}
DATE_FILTER = re.compile(r"""\|date:(["'])([^"']*)\1""")


def test_no_template_writes_a_day_with_a_raw_date_format():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if not path.is_file() or path.suffix not in {".html", ".txt", ".ics", ".svg", ".xml"}:
            continue
        name = path.relative_to(ROOT / "templates").as_posix()
        for match in DATE_FILTER.finditer(path.read_text(encoding="utf-8")):
            fmt = match.group(2)
            if fmt in MACHINE_FORMATS | TIMES or re.fullmatch(r"[A-Z_]+_FORMAT", fmt):
                continue
            if (name, fmt) in PARTS_ALLOWED:
                continue
            offenders.append(f"{name}: {match.group(0)}")
    assert offenders == [], "use |day_long / |day_short ({% load dates %}):\n" + "\n".join(
        offenders
    )


# Python: a date written by hand ("%d-%m-%Y", date_format with a literal format) in code that
# makes text for people. Kept as they are, with their reason: machine formats and stored records.
PYTHON_ALLOWED = {
    # Model names in the admin and in audit subjects: stored records, not pages.
    "locations/models.py": 4,
    "activities/models.py": 1,
    "locations/services.py": 1,  # the audit subject of a logbook entry (stored)
    # The export of a volunteer's data (a file, one format for every reader).
    "volunteers/profiles.py": 2,
}
BY_HAND = re.compile(
    r"""strftime\(["'][^"']*%[dbBjaAe]|:%d|date_format\([^)]*,\s*["'](?![A-Z_]+["'])"""
)


def test_no_python_code_writes_a_day_by_hand():
    found = {}
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(("tests/", ".venv/", "bench/")) or "/migrations/" in relative:
            continue
        count = len(BY_HAND.findall(path.read_text(encoding="utf-8")))
        if count:
            found[relative] = count
    assert found == PYTHON_ALLOWED, "use buurtkamer.dates.day_long / day_short"
