"""Issue 6: the staff dashboard's visitor panel, stories, send_monthly_report and
generate_history. The clock stands on Wednesday 25 November 2026 (ISO week 48)."""

import datetime
import io
import uuid
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from buurtkamer.models import AuditEvent
from locations.models import DayPart, OpeningHours, Weekday
from visitors import services
from visitors.models import ManualTally, Story, Visit

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=AMSTERDAM)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def now(db):
    with time_machine.travel(NOW, tick=False):
        yield NOW


def taps(location, date, n, hour=10):
    for _number in range(n):
        Visit(
            location=location,
            recorded_at=datetime.datetime.combine(date, datetime.time(hour), AMSTERDAM),
            day_part=DayPart.MORNING if hour < 12 else DayPart.AFTERNOON,
            client_id=uuid.uuid4(),
        ).save()


@pytest.fixture
def tuesdays_open(dokkum):
    OpeningHours.objects.create(
        location=dokkum,
        weekday=Weekday.TUESDAY,
        day_part=DayPart.MORNING,
        opens_at=datetime.time(9, 30),
        closes_at=datetime.time(12),
    )


def test_staff_panel_weeks_and_openings_without_a_count(
    tuesdays_open, dokkum, staff, coordinator, login
):
    taps(dokkum, datetime.date(2026, 11, 24), 7)  # this week (Tuesday)
    taps(dokkum, datetime.date(2026, 11, 19), 2)  # last week (a Thursday: not open)
    taps(dokkum, datetime.date(2025, 11, 25), 4)  # ISO week 48 of 2025 (Tuesday 25 Nov)
    # The last two weeks' opened day-parts: Tuesday 17 (no tablet, a tally) and Tuesday 24
    # (taps). No opening without a count, until the tally is voided.
    tally = services.record_tally(
        location=dokkum,
        date=datetime.date(2026, 11, 17),
        day_part=DayPart.MORNING,
        visitors=3,
        first_visits=0,
        user=coordinator,
    )
    response = login(staff).get(reverse("dashboard"))
    panel = next(p for p in response.context["panels"] if p["template"].startswith("visitors/"))
    row = next(r for r in panel["rows"] if r["location"] == dokkum)
    # Wednesday: this week up to today beside Monday to Wednesday of last week (the tally of
    # 3; Thursday's 2 come later) and of week 48 of 2025; last week in full is 5.
    assert (row["this"], row["last_to_date"], row["last_year"]) == (7, 3, 4)
    assert row["last"] == 5
    assert row["trend"][-1] == 5  # whole weeks only: this week is not over yet
    assert panel["openings"] == []
    services.void_tally(tally=ManualTally.objects.get(pk=tally.pk), user=coordinator)
    response = login(staff).get(reverse("dashboard"))
    panel = next(p for p in response.context["panels"] if p["template"].startswith("visitors/"))
    [opening] = panel["openings"]
    assert (opening["location"], opening["date"], opening["day_part"]) == (
        dokkum,
        datetime.date(2026, 11, 17),
        "morning",
    )
    assert opening["url"] == "/locaties/dokkum/turven/?date=2026-11-17&day_part=morning"
    assert "Open geweest, maar niets geteld" in response.content.decode()
    tallies = login(staff).get(opening["url"])
    assert tallies.context["form"].initial["date"] == datetime.date(2026, 11, 17)
    assert tallies.context["form"].initial["day_part"] == "morning"


def test_staff_panel_query_count_does_not_grow(
    tuesdays_open, dokkum, burgum, staff, login, django_assert_max_num_queries
):
    client = login(staff)
    client.get(reverse("dashboard"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    for day in range(1, 60):
        taps(dokkum, TODAY - datetime.timedelta(days=day), 3)
        taps(burgum, TODAY - datetime.timedelta(days=day), 2)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("dashboard"))


def test_coordinator_panel_shows_only_their_location(tuesdays_open, dokkum, coordinator, login):
    response = login(coordinator).get(reverse("dashboard"))
    panel = next(p for p in response.context["panels"] if p["template"].startswith("visitors/"))
    assert [row["location"].slug for row in panel["rows"]] == ["dokkum"]


def test_volunteer_gets_no_report_panel(volunteer, login):
    response = login(volunteer).get(reverse("dashboard"))
    assert not any(p["template"].startswith("visitors/reports") for p in response.context["panels"])


# Stories ---------------------------------------------------------------------------------------


def test_coordinator_adds_changes_and_deletes_a_story(dokkum, coordinator, login):
    client = login(coordinator)
    url = reverse("visitors:stories", kwargs={"slug": "dokkum"})
    page = client.get(url)
    assert "schrijf geen namen van bezoekers" in page.content.decode()
    bad = client.post(url, {"date": "2026-12-24", "kind": "story", "text": "Te vroeg"})
    assert bad.status_code == 400
    assert "Te vroeg" in bad.content.decode()  # what was typed is kept
    response = client.post(url, {"date": "2026-11-20", "kind": "quote", "text": "“Fijn hier.”"})
    assert response.status_code == 302
    story = Story.objects.get()
    assert (story.location, story.kind, story.created_by) == (dokkum, "quote", coordinator)
    edit = reverse("visitors:story-edit", kwargs={"slug": "dokkum", "pk": story.pk})
    client.post(edit, {"date": "2026-11-20", "kind": "story", "text": "Anders verteld."})
    story.refresh_from_db()
    assert story.text == "Anders verteld."
    delete = reverse("visitors:story-delete", kwargs={"slug": "dokkum", "pk": story.pk})
    assert client.post(delete).status_code == 302
    assert not Story.objects.exists()
    assert AuditEvent.objects.filter(action="story_deleted").count() == 1


def test_stories_of_another_location_are_not_found(burgum, coordinator, login):
    story = Story.objects.create(location=burgum, date=TODAY, text="Burgum")
    client = login(coordinator)
    edit = reverse("visitors:story-edit", kwargs={"slug": "burgum", "pk": story.pk})
    assert (
        client.post(edit, {"date": "2026-11-20", "kind": "story", "text": "x"}).status_code == 404
    )
    inside = reverse("visitors:story-edit", kwargs={"slug": "dokkum", "pk": story.pk})
    assert client.get(inside).status_code == 404
    story.refresh_from_db()
    assert story.text == "Burgum"


# send_monthly_report ---------------------------------------------------------------------------


def test_monthly_report_once_per_month_with_attachments(dokkum, staff):
    taps(dokkum, datetime.date(2026, 10, 6), 6)
    taps(dokkum, datetime.date(2026, 11, 3), 2)  # this month: not in it
    out = io.StringIO()
    call_command("send_monthly_report", stdout=out)
    [message] = mail.outbox
    assert message.to == [staff.email]
    assert message.subject == "Bezoekerscijfers oktober 2026"
    assert "Bezoeken: 6" in message.body
    names = [name for name, _content, _type in message.attachments]
    assert names == [
        "rapportage_2026-10-01_2026-10-31_alle-locaties_per-week.csv",
        "rapportage_2026-10-01_2026-10-31_alle-locaties_per-week.xlsx",
    ]
    workbook = load_workbook(io.BytesIO(message.attachments[1][1]))
    summary = next(s for s in workbook.worksheets if s["A1"].value == "Samenvatting")
    assert summary["B3"].value == 6
    call_command("send_monthly_report", stdout=out)
    assert len(mail.outbox) == 1  # idempotent: nothing sent twice
    assert "sent to 0" in out.getvalue()


# generate_history ------------------------------------------------------------------------------


def test_generate_history_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("generate_history", "--years", "1")


def test_generate_history_makes_plausible_history_and_nothing_twice(settings):
    settings.DEBUG = True
    call_command("generate_history", "--years", "1", stdout=io.StringIO())
    counted = Visit.objects.counted()
    total = counted.count()
    # 16 opened day-parts a week over the four locations, about 25 visitors each.
    assert 16 * 52 * 15 < total < 16 * 52 * 35
    first_share = counted.filter(first_visit="yes").count() / total
    assert 0.03 < first_share < 0.08
    assert Visit.objects.filter(voided_at__isnull=False).exists()
    assert ManualTally.objects.exists()
    assert Visit.objects.filter(tally__isnull=False).count() == sum(
        ManualTally.objects.values_list("visitors", flat=True)
    )
    # And two past loneliness rounds with anonymous answers (issue 18).
    from loneliness.models import Response, Round

    assert Round.objects.count() == 2 and Response.objects.exists()
    before = Visit.objects.count(), Response.objects.count()
    call_command("generate_history", "--years", "1", stdout=io.StringIO())
    assert (Visit.objects.count(), Response.objects.count()) == before


def test_the_week_so_far_against_the_same_days_of_last_week(tuesdays_open, dokkum, staff, login):
    """On Monday the week has only just begun: it is compared with last Monday, not with the
    whole of last week, and the trend holds whole weeks only (no dive to 0 every Monday)."""
    taps(dokkum, datetime.date(2026, 11, 16), 3)  # last Monday
    taps(dokkum, datetime.date(2026, 11, 17), 10)  # last Tuesday
    taps(dokkum, datetime.date(2025, 11, 24), 6)  # Monday of week 48 of 2025
    taps(dokkum, datetime.date(2025, 11, 25), 9)
    with time_machine.travel(datetime.datetime(2026, 11, 23, 15, 0, tzinfo=AMSTERDAM), tick=False):
        taps(dokkum, datetime.date(2026, 11, 23), 4)  # this Monday
        response = login(staff).get(reverse("dashboard"))
        panel = next(p for p in response.context["panels"] if p["template"].startswith("visitors/"))
        row = next(r for r in panel["rows"] if r["location"] == dokkum)
        assert (row["this"], row["last_to_date"], row["last_year"]) == (4, 3, 6)
        assert row["last"] == 13
        assert row["trend"][-1] == 13 and len(row["trend"]) == 8
        content = response.content.decode()
        assert "Tot en met vandaag (maandag)" in content
        # Bezoekers per week comes first on the staff dashboard, before the locations.
        assert content.index("Bezoekers per week") < content.index("Locaties</h2>")
    with time_machine.travel(datetime.datetime(2026, 11, 24, 15, 0, tzinfo=AMSTERDAM), tick=False):
        response = login(staff).get(reverse("dashboard"))
        panel = next(p for p in response.context["panels"] if p["template"].startswith("visitors/"))
        row = next(r for r in panel["rows"] if r["location"] == dokkum)
        assert (row["this"], row["last_to_date"], row["last_year"]) == (4, 13, 15)


def test_staff_panel_query_count_does_not_grow_with_locations(
    tuesdays_open, dokkum, staff, login, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import LocationFactory

    client = login(staff)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    for _number in range(3):
        location = LocationFactory()
        OpeningHours.objects.create(
            location=location,
            weekday=Weekday.MONDAY,
            day_part=DayPart.MORNING,
            opens_at=datetime.time(9),
            closes_at=datetime.time(12),
        )
        for day in range(1, 30):
            taps(location, TODAY - datetime.timedelta(days=day), 2)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("dashboard"))
    panel = next(p for p in response.context["panels"] if p["template"].startswith("visitors/"))
    assert len(panel["rows"]) >= 5
