"""Attendance reports (issue 6): every figure against numbers worked out by hand.

The fixed dataset (November 2026; the clock stands on Tuesday 1 December 2026):

Opening hours: Dokkum Tuesday morning 9:30–12:00 and Thursday evening 19:00–21:00; Burgum
Monday morning 9:30–12:00. Dokkum is closed on 10 November (a Tuesday).
  Dokkum opened: Tuesdays 3, 17, 24 (3 × 2.5 h) + Thursdays 5, 12, 19, 26 (4 × 2 h) = 7 times,
  15.5 hours. Burgum: Mondays 2, 9, 16, 23, 30 = 5 times, 12.5 hours.
Visits in November:
  Dokkum Tue 3 Nov morning: 4 taps, 1 undone (3 count), 1 of them a first visit "Via de huisarts".
  Dokkum Thu 5 Nov evening: a tally of 5, 2 first visits (how they came: not known).
  Dokkum Thu 12 Nov evening: a tally of 3, voided (0 count).
  Dokkum Tue 17 Nov afternoon (not an opened day-part): 2 taps.
  Burgum Mon 2 Nov morning: 6 taps, no first visits.
  => Dokkum 10 (3 first), Burgum 6, total 16, first 3 (18.8 %).
  Visits on opened day-parts: Dokkum 8 of 7 opened = 1.1; Burgum 6 / 5 = 1.2; all 14 / 12 = 1.2.
  Per hour open: Dokkum 10 / 15.5 = 0.6; Burgum 6 / 12.5 = 0.5; all 16 / 28 = 0.6.
Previous period (2–31 October): Dokkum 20 October, 4 taps: change +150 % (Dokkum), +300 % all.
Same period a year earlier (November 2025): Burgum 3 November 2025, 10 taps: −40 % (Burgum),
  +60 % all.
Referrals: Dokkum 3 Nov 2 × the first target of the list, Burgum 2 Nov 1 × the second.
"""

import datetime
import io
import re
import uuid
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from locations.models import Closure, DayPart, Location, OpeningHours, Weekday
from visitors import services
from visitors.models import CameVia, FirstVisit, Referral, ReferralTarget, Story, Visit
from visitors.reports import Filters, build_report
from visitors.reports.exports import read_back_csv

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=AMSTERDAM)
NOV = {"periode": "anders", "van": "2026-11-01", "tot": "2026-11-30"}
# Queries of a report page, whatever the period: session, user, memberships (permissions),
# locations, and the report's own (11: the roll-up's last day, the visits per bucket and per
# weekday × day-part, the opening hours and closures, the periods before, shifts, how they came,
# referrals, activities, stories): see test_same_number_of_queries_for_a_month_and_five_years.
REPORT_QUERIES = 15


@pytest.fixture(autouse=True)
def now(db):
    with time_machine.travel(NOW, tick=False):
        yield NOW


def moment(date, hour, minute=0):
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=AMSTERDAM)


def taps(location, when, n, **facts):
    """n visits at a moment, as the tablet records them (through the real service)."""
    visits = []
    for _number in range(n):
        visit = Visit(location=location, recorded_at=when, day_part=location.day_part_at(when))
        for key, value in facts.items():
            setattr(visit, key, value)
        visit.client_id = uuid.uuid4()
        visit.save()
        visits.append(visit)
    return visits


@pytest.fixture
def dataset(dokkum, burgum, coordinator):
    hours = [
        (dokkum, Weekday.TUESDAY, DayPart.MORNING, (9, 30), (12, 0)),
        (dokkum, Weekday.THURSDAY, DayPart.EVENING, (19, 0), (21, 0)),
        (burgum, Weekday.MONDAY, DayPart.MORNING, (9, 30), (12, 0)),
    ]
    for location, weekday, part, opens, closes in hours:
        OpeningHours.objects.create(
            location=location,
            weekday=weekday,
            day_part=part,
            opens_at=datetime.time(*opens),
            closes_at=datetime.time(*closes),
        )
    Closure.objects.create(
        location=dokkum,
        starts_on=datetime.date(2026, 11, 10),
        ends_on=datetime.date(2026, 11, 10),
        reason="Studiedag",
    )
    via, target_a, target_b = (
        CameVia.objects.order_by("pk").first(),
        *ReferralTarget.objects.order_by("pk")[:2],
    )
    nov_3 = datetime.date(2026, 11, 3)
    first = taps(dokkum, moment(nov_3, 10), 1, first_visit=FirstVisit.YES, came_via=via)
    rest = taps(dokkum, moment(nov_3, 10, 30), 3, first_visit=FirstVisit.NO)
    Visit.objects.filter(pk=rest[0].pk).update(voided_at=NOW)
    services.record_tally(
        location=dokkum,
        date=datetime.date(2026, 11, 5),
        day_part=DayPart.EVENING,
        visitors=5,
        first_visits=2,
        user=coordinator,
    )
    voided = services.record_tally(
        location=dokkum,
        date=datetime.date(2026, 11, 12),
        day_part=DayPart.EVENING,
        visitors=3,
        first_visits=0,
        user=coordinator,
    )
    services.void_tally(tally=voided, user=coordinator)
    taps(dokkum, moment(datetime.date(2026, 11, 17), 14), 2)
    taps(burgum, moment(datetime.date(2026, 11, 2), 10), 6, first_visit=FirstVisit.NO)
    taps(dokkum, moment(datetime.date(2026, 10, 20), 10), 4)
    taps(burgum, moment(datetime.date(2025, 11, 3), 10), 10)
    for target in (target_a, target_a):
        Referral.objects.create(location=dokkum, date=nov_3, target=target)
    Referral.objects.create(location=burgum, date=datetime.date(2026, 11, 2), target=target_b)
    Story.objects.create(location=dokkum, date=nov_3, text="Een mevrouw vond hier weer aanspraak.")
    return {"via": via, "targets": (target_a, target_b), "first": first}


def report_for(locations, **changes):
    values = {
        "start": datetime.date(2026, 11, 1),
        "end": datetime.date(2026, 11, 30),
        "locations": list(locations),
        "grouping": "week",
        "per": "locatie",
    }
    values.update(changes)
    return build_report(Filters(**values))


def both(dokkum, burgum):
    return sorted([dokkum, burgum], key=lambda location: location.name)  # Burgum, Dokkum


def test_totals_first_visits_voided_and_manual(dataset, dokkum, burgum):
    report = report_for(both(dokkum, burgum))
    totals = report.totals
    assert totals["visits"] == 16  # voided tap and voided tally left out, the tally of 5 in
    assert totals["first_visits"] == 3
    assert totals["first_share"] == 18.8
    assert report.per_unit["dokkum"]["visits"] == 10
    assert report.per_unit["dokkum"]["first_visits"] == 3
    assert report.per_unit["burgum"]["visits"] == 6
    assert report.per_unit["burgum"]["first_share"] == 0.0


def test_opened_day_parts_hours_and_visits_per_opened_day_part(dataset, dokkum, burgum):
    report = report_for(both(dokkum, burgum))
    dokkum_figures, burgum_figures = report.per_unit["dokkum"], report.per_unit["burgum"]
    assert dokkum_figures["opened"] == 7  # four Tuesdays minus the closure, four Thursdays
    assert dokkum_figures["hours_open"] == 15.5
    assert dokkum_figures["per_opened"] == 1.1  # 8 visits on opened day-parts / 7
    assert dokkum_figures["per_hour"] == 0.6  # 10 / 15.5
    assert burgum_figures["opened"] == 5
    assert burgum_figures["hours_open"] == 12.5
    assert burgum_figures["per_opened"] == 1.2
    assert burgum_figures["per_hour"] == 0.5
    assert report.totals["opened"] == 12
    assert report.totals["hours_open"] == 28.0
    assert report.totals["per_opened"] == 1.2  # 14 / 12
    assert report.totals["per_hour"] == 0.6


def test_previous_period_and_a_year_earlier(dataset, dokkum, burgum):
    report = report_for(both(dokkum, burgum))
    assert report.filters.previous == (datetime.date(2026, 10, 2), datetime.date(2026, 10, 31))
    assert report.per_unit["dokkum"]["previous"] == 4
    assert report.per_unit["dokkum"]["previous_change"] == 150.0
    assert report.per_unit["burgum"]["previous_change"] is None  # nothing before: no per cent
    assert report.totals["previous_change"] == 300.0
    assert report.per_unit["burgum"]["year_before"] == 10
    assert report.per_unit["burgum"]["year_before_change"] == -40.0
    assert report.totals["year_before_change"] == 60.0


def test_heat_map_busiest_and_quietest_came_via_and_referrals(dataset, dokkum, burgum):
    report = report_for(both(dokkum, burgum))
    assert report.heat == {
        (Weekday.TUESDAY, "morning"): 3,
        (Weekday.THURSDAY, "evening"): 5,
        (Weekday.TUESDAY, "afternoon"): 2,
        (Weekday.MONDAY, "morning"): 6,
    }
    # Average per time open: Monday morning 6/5, Tuesday morning 3/3, Thursday evening 5/4.
    assert [(slot[0], slot[1], slot[2], slot[3], slot[4]) for slot in report.slots] == [
        (1, "morning", 5, 6, 1.2),
        (4, "evening", 4, 5, 1.2),
        (2, "morning", 3, 3, 1.0),
    ]
    came_via = report.table("hoe-binnengekomen").rows
    assert came_via == [["niet ingevuld", 2], [dataset["via"].name, 1]]
    referrals = report.table("doorverwijzingen").rows
    target_a, target_b = dataset["targets"]
    assert referrals == [[target_a.name, 2], [target_b.name, 1]]


def test_grouping_per_week_and_per_municipality(dataset, dokkum, burgum):
    report = report_for(both(dokkum, burgum))
    rows = report.table("verloop").rows
    assert [row[0] for row in rows] == [
        "week 44 van 2026",
        "week 45 van 2026",
        "week 46 van 2026",
        "week 47 van 2026",
        "week 48 van 2026",
        "week 49 van 2026",
    ]
    assert rows[1][1:] == [6, 8, 14]  # Burgum, Dokkum, total
    assert rows[3][1:] == [0, 2, 2]
    all_four = list(Location.objects.order_by("name"))
    report = report_for(all_four, per="gemeente")
    assert [unit.label for unit in report.units] == [
        "Dantumadiel",
        "Noardeast-Fryslân",
        "Tytsjerksteradiel",
    ]
    assert report.per_unit["Noardeast-Fryslân"]["visits"] == 10  # Dokkum and Kollum
    assert report.per_unit["Tytsjerksteradiel"]["visits"] == 6
    assert report.per_unit["Dantumadiel"]["visits"] == 0


def test_a_day_across_the_change_to_winter_time(dokkum):
    # 25 October 2026: the clocks go back from 3:00 to 2:00. 00:30 and 23:30 that day.
    day = datetime.date(2026, 10, 25)
    taps(dokkum, moment(day, 0, 30), 1)
    taps(dokkum, moment(day, 2, 30), 1)  # exists twice that night; still 25 October
    taps(dokkum, moment(day, 23, 30), 1)
    taps(dokkum, moment(datetime.date(2026, 10, 26), 0, 10), 1)
    report = report_for([dokkum], start=day, end=datetime.date(2026, 10, 26), grouping="dag")
    assert [row[1] for row in report.table("verloop").rows] == [3, 1]


def test_iso_weeks_at_the_turn_of_the_year(dokkum):
    for date in (datetime.date(2026, 12, 31), datetime.date(2027, 1, 3), datetime.date(2027, 1, 4)):
        taps(dokkum, moment(date, 10), 1)
    report = report_for([dokkum], start=datetime.date(2026, 12, 28), end=datetime.date(2027, 1, 10))
    rows = report.table("verloop").rows
    # Week 1 of 2027 starts on Monday 4 January; 31 December and 3 January are in week 53.
    assert [(row[0], row[1]) for row in rows] == [
        ("week 53 van 2026", 2),
        ("week 1 van 2027", 1),
    ]


def test_a_leap_day(dokkum):
    taps(dokkum, moment(datetime.date(2028, 2, 29), 10), 2)
    taps(dokkum, moment(datetime.date(2027, 2, 28), 10), 1)
    report = report_for(
        [dokkum], start=datetime.date(2028, 2, 1), end=datetime.date(2028, 2, 29), grouping="dag"
    )
    rows = report.table("verloop").rows
    assert len(rows) == 29
    assert rows[-1][1] == 2
    # A year earlier: 1 to 28 February 2027.
    assert report.filters.year_before == (datetime.date(2027, 2, 1), datetime.date(2027, 2, 28))
    assert report.totals["year_before"] == 1
    assert report.totals["year_before_change"] == 100.0
    month = report_for(
        [dokkum], start=datetime.date(2028, 1, 1), end=datetime.date(2028, 3, 31), grouping="maand"
    )
    assert [row[1] for row in month.table("verloop").rows] == [0, 2, 0]


# The page and the files ---------------------------------------------------------------------


def test_page_shows_the_figures_and_the_files_hold_the_same(dataset, staff, login):
    client = login(staff)
    params = {**NOV, "locatie": ["burgum", "dokkum"], "per": "week"}
    page = client.get(reverse("visitors:report"), params)
    assert page.status_code == 200
    sections = {s["table"].key: s for s in page.context["sections"]}
    assert sections["samenvatting"]["rows"][0] == ["Bezoeken", 16]
    assert b"<svg" in page.content and b"style=" not in page.content.split(b"<svg", 1)[1]
    assert "Een mevrouw vond hier weer aanspraak." in page.content.decode()

    csv_response = client.get(reverse("visitors:report-csv"), params)
    assert csv_response["Content-Disposition"] == (
        'attachment; filename="rapportage_2026-11-01_2026-11-30_burgum-dokkum_per-week.csv"'
    )
    from_csv = read_back_csv(csv_response.content.decode())
    xlsx_response = client.get(reverse("visitors:report-xlsx"), params)
    workbook = load_workbook(io.BytesIO(xlsx_response.content))
    for key, section in sections.items():
        title = section["table"].title
        expected = [["" if v is None else v for v in row] for row in section["rows"]]
        as_text = [
            [str(v).replace(".", ",") if isinstance(v, float) else str(v) for v in row]
            for row in expected
        ]
        assert from_csv[title] == as_text, key
        sheet = next(s for s in workbook.worksheets if s["A1"].value == title)
        values = [
            ["" if v is None else v for v in row]
            for row in sheet.iter_rows(min_row=3, values_only=True)
        ]
        assert values == expected, key


def test_export_for_outside_hides_counts_under_five(dataset, staff, login):
    client = login(staff)
    params = {**NOV, "locatie": ["burgum", "dokkum"], "extern": "1"}
    response = client.get(reverse("visitors:report-csv"), params)
    assert "_extern.csv" in response["Content-Disposition"]
    tables = read_back_csv(response.content.decode())
    per_location = {row[0]: row for row in tables["Per locatie"]}
    assert per_location["Buurtkamer Dokkum"][1] == "10"
    assert per_location["Buurtkamer Dokkum"][2] == "<5"  # 3 first visits
    assert per_location["Buurtkamer Burgum"][2] == "0"
    assert tables["Doorverwezen naar"] == [
        [dataset["targets"][0].name, "<5"],
        [dataset["targets"][1].name, "<5"],
    ]
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("visitors:report-xlsx"), params).content)
    )
    sheet = next(s for s in workbook.worksheets if s["A1"].value == "Per locatie")
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["Buurtkamer Dokkum"][2] == "<5"


def test_coordinator_sees_only_their_own_location(dataset, coordinator, login):
    client = login(coordinator)
    page = client.get(reverse("visitors:report"), NOV)
    assert page.status_code == 200
    assert [location.slug for location in page.context["filters"].locations] == ["dokkum"]
    assert page.context["report"].totals["visits"] == 10
    for name in (
        "visitors:report",
        "visitors:report-csv",
        "visitors:report-xlsx",
        "visitors:year-overview",
    ):
        for asked in (["burgum"], ["dokkum", "burgum"], ["bestaat-niet"]):
            response = client.get(reverse(name), {**NOV, "locatie": asked})
            assert response.status_code == 404, (name, asked)
    csv_text = client.get(reverse("visitors:report-csv"), NOV).content.decode()
    assert "Burgum" not in csv_text


@pytest.mark.parametrize("who", ["volunteer", "other_volunteer"])
def test_volunteers_may_not_see_reports(who, request, login):
    client = login(request.getfixturevalue(who))
    for name in (
        "visitors:report",
        "visitors:report-csv",
        "visitors:report-xlsx",
        "visitors:year-overview",
    ):
        assert client.get(reverse(name)).status_code == 403


def test_year_overview_has_a_page_per_location_and_totals(dataset, staff, login):
    response = login(staff).get(reverse("visitors:year-overview"), {"jaar": "2026"})
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('class="year-page"') == 5
    assert "Een mevrouw vond hier weer aanspraak." in content


def test_month_labels_are_lowercase_dutch_abbreviations_in_table_and_chart(dataset, staff, login):
    from visitors.reports import bucket_label, bucket_short_label

    march = datetime.date(2026, 3, 6)
    assert bucket_short_label(march, "maand") == "mrt"
    assert bucket_short_label(march, "dag") == "6 mrt"
    assert bucket_label(march, "dag") == "vrijdag 6 maart"
    content = login(staff).get(reverse("visitors:year-overview"), {"jaar": "2026"}).content.decode()
    assert '<th scope="col" class="text-end">mrt</th>' in content  # the table
    assert ">mrt</text>" in content  # the chart
    assert ">maa<" not in content and ">Mrt<" not in content


def _drawn(chart):
    from django.template.loader import render_to_string

    return render_to_string(chart.template, {"chart": chart})


def test_a_chart_without_data_shows_only_a_zero_on_its_axis():
    from visitors.charts import bar_chart

    empty = _drawn(bar_chart("Leeg", ["jan", "feb"], [0, 0]))
    axis = empty.count('text-anchor="end" font-size="12"')
    assert axis == 1 and '">0</text>' in empty and '">1</text>' not in empty
    some = _drawn(bar_chart("Iets", ["jan", "feb"], [3, 8]))
    assert some.count('text-anchor="end" font-size="12"') == 3  # 0, 5 and 10


def test_chart_coordinates_keep_a_decimal_point_in_dutch():
    from visitors.charts import bar_chart, sparkline

    drawn = _drawn(bar_chart("Iets", ["jan", "feb", "mrt"], [3, 8, 1]))
    assert 'width="137.2"' in drawn and not re.search(r'="[0-9.]*,', drawn)
    assert 'points="4.0,23.2 60.0,4.0 116.0,18.4"' in _drawn(sparkline("Trend", [1, 5, 2]))


def test_free_text_in_a_chart_stays_text(staff, login):
    """Titles and labels (a location's name) are escaped by the chart templates."""
    from visitors.charts import bar_chart, heat_map, horizontal_bars, sparkline

    evil = '<script>alert("x")</script>'
    for chart in (
        bar_chart(evil, [evil], [1]),
        horizontal_bars(evil, [evil], [1]),
        heat_map(evil, [evil], [evil], [[1]]),
        sparkline(evil, [1]),
    ):
        drawn = _drawn(chart)
        assert "<script>" not in drawn and "&lt;script&gt;" in drawn
    from .factories import LocationFactory

    location = LocationFactory(name="<img src=x onerror=alert(1)>")
    content = login(staff).get(reverse("visitors:report"), {"locatie": location.slug})
    assert b"<img src=x" not in content.content
    assert b'class="report-chart"' in content.content


def test_same_number_of_queries_for_a_month_and_five_years(
    dataset, staff, login, django_assert_num_queries
):
    client = login(staff)
    client.get(reverse("visitors:report"), NOV)  # warm: sessions, content types
    with django_assert_num_queries(REPORT_QUERIES):
        client.get(reverse("visitors:report"), NOV)
    five_years = {"periode": "anders", "van": "2021-12-01", "tot": "2026-11-30", "per": "dag"}
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(reverse("visitors:report"), five_years)
    assert response.context["report"].totals["visits"] == 16 + 4 + 10


def test_a_tally_on_a_closed_day_counts_in_the_totals_not_per_opened_day_part(
    dataset, dokkum, coordinator
):
    services.record_tally(
        location=dokkum,
        date=datetime.date(2026, 11, 10),  # the closure
        day_part=DayPart.MORNING,
        visitors=4,
        first_visits=0,
        user=coordinator,
    )
    report = report_for([dokkum])
    assert report.totals["visits"] == 14
    assert report.totals["opened"] == 7
    assert report.totals["per_opened"] == 1.1  # still 8 / 7


def test_visits_per_activity_and_volunteer_hours(dataset, dokkum, volunteer, coordinator):
    from activities.models import Activity, Category, Occurrence
    from volunteers.models import Assignment, Shift

    games = Category.objects.create(name="Spelletjes (test)")
    coffee = Category.objects.create(name="Koffie (test)")
    day = datetime.date(2026, 11, 5)
    when = {"starts_on": day, "starts_at": datetime.time(19), "ends_at": datetime.time(21)}
    klaverjassen = Activity.objects.create(
        location=dokkum, title="Klaverjassen", category=games, **when
    )
    inloop = Activity.objects.create(location=dokkum, title="Inloop", category=coffee, **when)

    def occurrence(activity):
        return Occurrence.objects.create(
            activity=activity,
            date=day,
            starts_at=datetime.time(19),
            ends_at=datetime.time(21),
        )

    first, second = occurrence(klaverjassen), occurrence(inloop)
    tallied = Visit.objects.filter(location=dokkum, recorded_on=day).order_by("pk")
    Visit.objects.filter(pk__in=[v.pk for v in tallied[:3]]).update(occurrence=first)
    Visit.objects.filter(pk__in=[v.pk for v in tallied[3:4]]).update(occurrence=second)
    voided = taps(dokkum, moment(day, 19, 30), 1)[0]
    Visit.objects.filter(pk=voided.pk).update(occurrence=first, voided_at=NOW)
    # Shifts: 2 attended people 9:30–12:00 (5 h), 1 attended 19:00–21:30 (2.5 h); a no-show and
    # a cancelled assignment do not count; Burgum's shift is not Dokkum's.
    morning = Shift.objects.create(
        location=dokkum,
        date=datetime.date(2026, 11, 3),
        day_part=DayPart.MORNING,
        task="host",
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12),
        maximum=4,
    )
    evening = Shift.objects.create(
        location=dokkum,
        date=day,
        day_part=DayPart.EVENING,
        task="host",
        starts_at=datetime.time(19),
        ends_at=datetime.time(21, 30),
        maximum=4,
    )
    Assignment.objects.create(shift=morning, volunteer=volunteer, attendance="attended")
    Assignment.objects.create(shift=morning, volunteer=coordinator, attendance="attended")
    Assignment.objects.create(shift=evening, volunteer=volunteer, attendance="attended")
    Assignment.objects.create(shift=evening, volunteer=coordinator, attendance="no_show")
    report = report_for([dokkum])
    assert report.table("per-categorie").rows == [["Koffie (test)", 1], ["Spelletjes (test)", 3]]
    assert report.table("per-activiteit").rows == [["Inloop", 1], ["Klaverjassen", 3]]
    assert report.totals["volunteer_hours"] == 7.5


# Issue 13 and 14: the filter form, a whole year, queries that do not grow -----------------------


def test_the_filters_are_a_form_and_wrong_input_is_a_dutch_message_not_a_500(dataset, staff, login):
    client = login(staff)
    page = client.get(reverse("visitors:report"), NOV)
    html = page.content.decode()
    assert 'name="periode"' in html and 'id="van"' in html and 'value="2026-11-01"' in html
    assert re.search(r'<input type="checkbox"[^>]* name="locatie" value="dokkum"', html)
    wrong = {
        "periode": "anders",
        "van": "2026-11-30",
        "tot": "2026-11-01",
        "per": "eeuw",
        "indeling": "provincie",
    }
    page = client.get(reverse("visitors:report"), wrong)
    assert page.status_code == 200
    form, filters = page.context["form"], page.context["filters"]
    assert form.errors["tot"] == ["Deze datum ligt voor de begindatum. Kies een latere datum."]
    assert (
        form.errors["per"]
        == form.errors["indeling"]
        == ["Kies een van de mogelijkheden uit de lijst."]
    )
    assert (filters.preset, filters.start) == ("deze-maand", datetime.date(2026, 12, 1))
    assert (filters.grouping, filters.per) == ("dag", "locatie")  # the defaults
    assert "Je ziet nu de cijfers van deze maand." in page.content.decode()
    page = client.get(reverse("visitors:report"), {"periode": "anders", "van": "2026-11-01"})
    assert page.status_code == 200
    assert "Vul bij “van – tot” allebei de datums in." in page.content.decode()


def test_a_whole_year_compares_only_with_the_year_before(dataset, staff, login):
    client = login(staff)
    month = client.get(reverse("visitors:report"), NOV)
    labels = [
        row[0]
        for row in {s["table"].key: s for s in month.context["sections"]}["samenvatting"]["rows"]
    ]
    assert "Vorige periode: bezoeken" in labels
    year = {"periode": "anders", "van": "2026-01-01", "tot": "2026-12-31"}
    for params in (year, {"periode": "vorig-jaar"}):
        page = client.get(reverse("visitors:report"), params)
        sections = {s["table"].key: s for s in page.context["sections"]}
        labels = [row[0] for row in sections["samenvatting"]["rows"]]
        assert "Vorige periode: bezoeken" not in labels
        assert "Verandering t.o.v. vorige periode (%)" not in labels
        assert "Zelfde periode vorig jaar: bezoeken" in labels
        headings = [column.heading for column in sections["per-eenheid"]["table"].columns]
        assert "Vorige periode" not in headings and "Vorig jaar" in headings
        assert "Vorige periode" not in page.content.decode()
    tables = read_back_csv(client.get(reverse("visitors:report-csv"), year).content.decode())
    assert not any(row[0].startswith("Vorige periode") for row in tables["Samenvatting"])


def test_the_report_page_queries_do_not_grow_with_locations_and_visits(
    dataset, staff, login, django_assert_max_num_queries
):
    from .factories import LocationFactory

    client = login(staff)
    client.get(reverse("visitors:report"), NOV)
    for number in range(3):
        location = LocationFactory(municipality=f"Gemeente {number}")
        OpeningHours.objects.create(
            location=location,
            weekday=Weekday.WEDNESDAY,
            day_part=DayPart.MORNING,
            opens_at=datetime.time(9),
            closes_at=datetime.time(12),
        )
        for day in (4, 11, 18, 25):
            taps(location, moment(datetime.date(2026, 11, day), 10), 3)
        Story.objects.create(location=location, date=datetime.date(2026, 11, 4), text="Fijn.")
    for params in (NOV, {**NOV, "indeling": "gemeente", "per": "dag"}):
        with django_assert_max_num_queries(REPORT_QUERIES):
            response = client.get(reverse("visitors:report"), params)
        assert response.context["report"].totals["visits"] == 16 + 3 * 4 * 3


def test_the_year_overview_asks_its_year_in_a_form_and_a_wrong_year_is_a_message(
    dataset, login, staff
):
    """The year is a choice of this year and the nine before; anything else is a Dutch message
    on the form and last year's overview, never a 500."""
    url = reverse("visitors:year-overview")
    last_year = timezone.localdate().year - 1

    page = login(staff).get(url)
    assert page.status_code == 200
    assert f'<option value="{last_year}" selected>' in page.content.decode()

    for wrong in ["1999", "abc", str(last_year + 5)]:
        response = login(staff).get(url, {"jaar": wrong})
        assert response.status_code == 200
        assert response.context["year"] == last_year
        assert "Kies een van de mogelijkheden uit de lijst." in response.content.decode()

    chosen = login(staff).get(url, {"jaar": str(last_year - 2), "locatie": "dokkum"})
    assert chosen.context["year"] == last_year - 2
    assert [page["location"].slug for page in chosen.context["pages"]] == ["dokkum"]
    assert 'type="hidden" name="locatie" value="dokkum"' in chosen.content.decode()


def test_a_report_over_many_locations_is_summarised_on_the_page_and_complete_in_the_csv(
    dataset, staff, login
):
    """Issue 17: a table per period with a column per location is too much on the page for
    250 locations; the page shows the total per period and a row per location, the CSV keeps
    every location in every period."""
    from visitors.reports.pages import PAGE_UNITS

    from .factories import LocationFactory

    for number in range(PAGE_UNITS):
        location = LocationFactory(municipality=f"Gemeente {number}")
        taps(location, moment(datetime.date(2026, 11, 4), 10), 2)
    Location.objects.filter(pk=location.pk).update(name="Buurtkamer Test <b>&")
    client = login(staff)
    params = {"periode": "anders", "van": "2026-10-01", "tot": "2026-11-30", "per": "maand"}
    page = client.get(reverse("visitors:report"), params)
    units = page.context["report"].units
    assert len(units) > PAGE_UNITS
    sections = {s["table"].key: s for s in page.context["sections"]}
    timeline = sections["verloop"]["view"]
    assert [str(column.heading) for column in timeline["columns"]] == ["Periode", "Totaal"]
    assert [row[1] for row in timeline["rows"]] == [4, 16 + 2 * PAGE_UNITS]
    content = page.content.decode()
    assert "De aantallen per locatie of gemeente per periode staan in de downloads" in content
    per_unit = sections["per-eenheid"]["view"]
    assert [row[0] for row in per_unit["rows"]] == [*(unit.label for unit in units), "Totaal"]
    assert per_unit["rows"][-1][1] == 4 + 16 + 2 * PAGE_UNITS  # October and November
    assert sections["per-eenheid"]["chart"] is not None  # up to CHART_UNITS a bar each
    assert content.count('<th scope="row">Buurtkamer Test') == PAGE_UNITS  # a row each
    assert '<th scope="row">Buurtkamer Test &lt;b&gt;&amp;</th>' in content  # escaped

    tables = read_back_csv(client.get(reverse("visitors:report-csv"), params).content.decode())
    months = tables["Bezoeken per maand"]
    assert [len(row) for row in months] == [len(units) + 2] * 2  # every location, and the total
    assert [row[-1] for row in months] == ["4", str(16 + 2 * PAGE_UNITS)]
