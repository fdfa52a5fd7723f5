"""The anonymous De Jong Gierveld rounds (issue 18): scoring, what is stored, the tablet
questionnaire (idempotent, offline-safe), paper entry, planning rounds, and the group figures
with the n < 10 rule on the page, the CSV, the XLSX and the year overview."""

import datetime
import io
import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from buurtkamer.exports import read_csv
from buurtkamer.models import AuditEvent
from locations.models import Location
from loneliness import services
from loneliness.models import Response, Round, Source
from loneliness.scoring import score

from .factories import LocationFactory
from .support import all_at_once, require_postgresql

J, M, N = "ja", "min_of_meer", "nee"


# Scoring, by hand ----------------------------------------------------------------------------

# (answers 1-6, emotional, social, total, lonely, severely lonely), computed by hand from the
# table of the issue: 1-3 count when "ja" or "min of meer", 4-6 when "nee" or "min of meer".
HAND_COMPUTED = [
    ((N, N, N, J, J, J), 0, 0, 0, False, False),  # nobody lonely
    ((J, J, J, J, J, J), 3, 0, 3, True, False),
    ((N, N, N, N, N, N), 0, 3, 3, True, False),
    ((M, M, M, M, M, M), 3, 3, 6, True, True),
    ((J, N, N, J, J, J), 1, 0, 1, False, False),  # one is not lonely yet
    ((J, N, N, N, J, J), 1, 1, 2, True, False),  # two is
    ((J, J, J, N, M, J), 3, 2, 5, True, True),  # five is severely
    ((M, N, M, J, M, J), 2, 1, 3, True, False),
    ((J, J, J, N, N, J), 3, 2, 5, True, True),
    ((N, J, M, M, N, J), 2, 2, 4, True, False),
]


@pytest.mark.parametrize(
    ("answers", "emotional", "social", "total", "lonely", "severe"), HAND_COMPUTED
)
def test_scoring_matches_the_hand_computed_cases(answers, emotional, social, total, lonely, severe):
    result = score(answers)
    assert (result.emotional, result.social, result.total) == (emotional, social, total)
    assert (result.lonely, result.severely_lonely) == (lonely, severe)


@pytest.mark.parametrize("item", range(6))
@pytest.mark.parametrize(
    ("answer", "counts_emotional", "counts_social"),
    [
        (J, 1, 0),
        (M, 1, 1),
        (N, 0, 1),
    ],
)
def test_each_answer_of_each_statement_counts_as_the_table_says(
    item, answer, counts_emotional, counts_social
):
    """Every other statement answered the not-lonely way; this one with `answer`."""
    answers = [N, N, N, J, J, J]
    answers[item] = answer
    result = score(answers)
    expected = counts_emotional if item < 3 else counts_social
    assert result.total == expected
    assert (result.emotional, result.social) == ((expected, 0) if item < 3 else (0, expected))


def test_a_partly_answered_questionnaire_counts_only_in_the_subscale_it_completes():
    only_emotional = score((J, J, M, None, N, N))
    assert (only_emotional.emotional, only_emotional.social, only_emotional.total) == (
        3,
        None,
        None,
    )
    assert only_emotional.lonely is None and only_emotional.severely_lonely is None

    only_social = score(("", None, J, N, N, M))
    assert (only_social.emotional, only_social.social, only_social.total) == (None, 3, None)

    nothing = score((None,) * 6)
    assert (nothing.emotional, nothing.social, nothing.total, nothing.lonely) == (None,) * 4


# What is stored ------------------------------------------------------------------------------

RESPONSE_FIELDS = {
    "id",
    "round",
    "location",
    "answer_1",
    "answer_2",
    "answer_3",
    "answer_4",
    "answer_5",
    "answer_6",
    "frequency",
    "source",
    "client_id",  # random per questionnaire, only so that a retry is stored once
}


def test_an_answer_has_exactly_the_allowed_fields_and_nothing_about_the_person():
    names = [field.name for field in Response._meta.get_fields()]
    assert len(names) == len(set(names))
    assert set(names) == RESPONSE_FIELDS


def test_no_answer_field_holds_a_time_or_free_text():
    for field in Response._meta.get_fields():
        assert not isinstance(
            field, models.DateField | models.TimeField | models.TextField | models.JSONField
        ), field.name
        if isinstance(field, models.CharField):
            assert field.choices, f"Response.{field.name} is free text: give it choices"


# Rounds and the tablet -----------------------------------------------------------------------


def make_round(*locations, start=-2, end=10, name="Voorjaar"):
    today = timezone.localdate()
    round_ = Round.objects.create(
        name=name,
        starts_on=today + datetime.timedelta(days=start),
        ends_on=today + datetime.timedelta(days=end),
    )
    round_.locations.set(locations)
    return round_


def api_url(slug="dokkum"):
    return reverse("loneliness:answers-api", kwargs={"slug": slug})


def questionnaire_url(slug="dokkum"):
    return reverse("loneliness:tablet", kwargs={"slug": slug})


def payload(round_=None, client_id=None, **answers):
    body = {"client_id": str(client_id or uuid.uuid4())}
    if round_ is not None:
        body["round"] = round_.pk
    body |= {f"answer_{n}": J for n in range(1, 7)} | answers
    return body


def test_outside_a_round_nothing_of_it_appears(paired_client, dokkum):
    make_round(dokkum, start=-30, end=-20, name="Voorbij")
    page = paired_client.get(reverse("visitors:tablet", kwargs={"slug": "dokkum"}))
    assert page.status_code == 200
    assert "Vragenlijst (anoniem" not in page.text
    assert paired_client.get(questionnaire_url()).status_code == 404


def test_during_a_round_the_tablet_offers_the_questionnaire(paired_client, dokkum):
    make_round(dokkum)
    page = paired_client.get(reverse("visitors:tablet", kwargs={"slug": "dokkum"}))
    assert "Vragenlijst (anoniem, 1 minuut)" in page.text
    questionnaire = paired_client.get(questionnaire_url())
    assert questionnaire.status_code == 200
    text = questionnaire.text
    assert "Deze vragen zijn anoniem. Je hoeft niet mee te doen." in text
    for statement in (
        "Ik ervaar een leegte om me heen.",
        "Ik mis gewoon mensen om me heen.",
        "Ik voel me vaak in de steek gelaten.",
        "Er zijn genoeg mensen op wie ik in geval van narigheid kan terugvallen.",
        "Ik ken veel mensen op wie ik volledig kan vertrouwen.",
        "Er zijn voldoende mensen met wie ik me nauw verbonden voel.",
        "Hoe vaak kom je hier?",
        "088 0767 000",
    ):
        assert statement in text


def test_the_same_questionnaire_sent_twice_is_stored_once(paired_client, dokkum):
    round_ = make_round(dokkum)
    body = payload(round_, answer_2=M, answer_5="", frequency="elke_week")

    first = paired_client.post(api_url(), body, content_type="application/json")
    again = paired_client.post(api_url(), body, content_type="application/json")

    assert first.status_code == 201 and first.json()["created"] is True
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["client_id"] == first.json()["client_id"]
    stored = Response.objects.get()
    assert (stored.round, stored.location, stored.source) == (round_, dokkum, Source.TABLET)
    assert stored.answers == (J, M, J, J, None, J)
    assert stored.frequency == "elke_week"
    # Not audited: an audit line has a time, which would tie a moment to an answer.
    assert not AuditEvent.objects.filter(action__startswith="loneliness").exists()


def test_answers_queued_offline_arrive_after_the_round_within_a_week(paired_client, dokkum):
    round_ = make_round(dokkum, start=-14, end=-3)
    late = paired_client.post(api_url(), payload(round_), content_type="application/json")
    assert late.status_code == 201
    too_late = make_round(dokkum, start=-30, end=-20, name="Lang geleden")
    refused = paired_client.post(api_url(), payload(too_late), content_type="application/json")
    assert refused.status_code == 409 and refused.json()["status"] == "no_round"
    assert Response.objects.count() == 1


def test_another_locations_round_is_refused(paired_client, dokkum, burgum):
    elsewhere = make_round(burgum)
    answer = paired_client.post(api_url(), payload(elsewhere), content_type="application/json")
    assert answer.status_code == 409
    assert not Response.objects.exists()


def test_without_javascript_the_plain_form_stores_the_answers(paired_client, dokkum):
    round_ = make_round(dokkum)
    page = paired_client.get(questionnaire_url())
    client_id = page.context["form"]["client_id"].value()
    # A plain form needs the CSRF cookie and token the page gave.
    token = page.cookies.get("csrftoken") or paired_client.cookies.get("csrftoken")
    data = {"client_id": client_id, "round": round_.pk, "answer_1": M, "answer_4": N}
    if token:
        data["csrfmiddlewaretoken"] = token.value

    sent = paired_client.post(questionnaire_url(), data)
    assert sent.status_code == 302 and sent.url.endswith("?klaar=1")
    again = paired_client.post(questionnaire_url(), data)
    assert again.status_code == 302
    assert Response.objects.get().answers == (M, None, None, N, None, None)
    thanks = paired_client.get(sent.url)
    assert "Dank je wel" in thanks.text and "Luisterlijn" in thanks.text


@pytest.mark.django_db(transaction=True)
def test_the_same_questionnaire_from_ten_threads_at_once_is_one_row():
    require_postgresql()
    location = LocationFactory()
    round_ = make_round(location)
    client_id = uuid.uuid4()

    results = all_at_once(
        10,
        lambda _: services.record_response(
            round_=round_, location=location, answers=[J] * 6, client_id=client_id
        ),
    )

    assert sum(created for _, created in results) == 1
    assert Response.objects.filter(client_id=client_id).count() == 1


# Paper ---------------------------------------------------------------------------------------


def paper_entry_url(round_, slug="dokkum"):
    return reverse("loneliness:paper-entry", kwargs={"slug": slug, "pk": round_.pk})


def sheets_post(key, *sheets):
    data = {
        "submission_key": key,
        "vel-TOTAL_FORMS": "10",
        "vel-INITIAL_FORMS": "0",
        "vel-MIN_NUM_FORMS": "0",
        "vel-MAX_NUM_FORMS": "40",
    }
    for index, sheet in enumerate(sheets):
        for name, value in sheet.items():
            data[f"vel-{index}-{name}"] = value
    return data


def test_paper_sheets_are_entered_once_per_row_and_a_double_click_stores_nothing_twice(
    client, login, coordinator, dokkum
):
    round_ = make_round(dokkum)
    login(coordinator)
    page = client.get(paper_entry_url(round_))
    assert page.status_code == 200
    key = page.context["key_form"]["submission_key"].value()
    data = sheets_post(
        key,
        {f"answer_{n}": J for n in range(1, 7)},
        {"answer_1": N, "answer_2": N, "answer_3": N, "frequency": "soms"},
    )

    first = client.post(paper_entry_url(round_), data)
    second = client.post(paper_entry_url(round_), data)

    assert first.status_code == 302 and second.status_code == 302
    assert Response.objects.filter(source=Source.PAPER).count() == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.LONELINESS_PAPER_ENTERED)
    assert event.details == {"sheets": 2}


def test_the_printed_questionnaire_has_the_statements_and_the_citation(
    client, login, coordinator, dokkum
):
    round_ = make_round(dokkum)
    login(coordinator)
    page = client.get(reverse("loneliness:paper", kwargs={"slug": "dokkum", "pk": round_.pk}))
    assert page.status_code == 200
    assert "Ik voel me vaak in de steek gelaten." in page.text
    assert "De Jong Gierveld, J. &amp; Van Tilburg, T. (2006)" in page.text


# Planning rounds -----------------------------------------------------------------------------


def test_staff_plan_a_round_once_and_it_is_audited(client, login, staff, dokkum, burgum):
    login(staff)
    form = client.get(reverse("loneliness:round-new")).context["form"]
    data = {
        "submission_key": form["submission_key"].value(),
        "name": "Voorjaar 2027",
        "starts_on": "2027-03-01",
        "ends_on": "2027-03-14",
        "locations": [dokkum.pk, burgum.pk],
    }
    assert client.post(reverse("loneliness:round-new"), data).status_code == 302
    assert client.post(reverse("loneliness:round-new"), data).status_code == 302
    round_ = Round.objects.get()
    assert set(round_.locations.all()) == {dokkum, burgum}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LONELINESS_ROUND_PLANNED).count() == 1


def test_a_round_that_ends_before_it_starts_is_refused(client, login, staff, dokkum):
    login(staff)
    data = {
        "name": "Fout",
        "starts_on": "2027-03-14",
        "ends_on": "2027-03-01",
        "locations": [dokkum.pk],
    }
    answer = client.post(reverse("loneliness:round-new"), data)
    assert answer.status_code == 400
    assert "De laatste dag ligt voor de eerste dag." in answer.text
    assert not Round.objects.exists()


def test_two_editors_of_one_round_the_second_is_refused(client, login, staff, dokkum):
    round_ = make_round(dokkum)
    login(staff)
    url = reverse("loneliness:round-edit", kwargs={"round_id": round_.pk})
    base = {
        "starts_on": round_.starts_on.isoformat(),
        "ends_on": round_.ends_on.isoformat(),
        "locations": [dokkum.pk],
        "version": "0",
    }
    assert client.post(url, base | {"name": "Eerste"}).status_code == 302
    refused = client.post(url, base | {"name": "Tweede"})
    assert refused.status_code == 409
    assert "Iemand anders heeft dit intussen gewijzigd" in refused.text
    assert Round.objects.get().name == "Eerste"


# Figures: the n < 10 rule everywhere ---------------------------------------------------------


def answers(round_, location, count, pattern=(J, J, J, N, N, N), frequency="elke_week"):
    Response.objects.bulk_create(
        Response(
            round=round_,
            location=location,
            source=Source.TABLET,
            client_id=uuid.uuid4(),
            frequency=frequency,
            **{f"answer_{n}": value for n, value in enumerate(pattern, start=1)},
        )
        for _ in range(count)
    )


def figures_url(round_, name="loneliness:figures"):
    return reverse(name, kwargs={"round_id": round_.pk})


def test_nine_answers_show_too_few_on_the_page_csv_and_xlsx(client, login, coordinator, dokkum):
    round_ = make_round(dokkum)
    answers(round_, dokkum, 9)
    login(coordinator)

    page = client.get(figures_url(round_))
    assert page.status_code == 200
    dokkum_rows = [row for row in page.context["figures"].rows if row[0] == dokkum.name]
    assert all(row[2:7] == ["te weinig antwoorden"] * 5 for row in dokkum_rows)
    assert "100.0" not in page.text and "100,0" not in page.text

    csv_rows = read_csv(client.get(figures_url(round_, "loneliness:figures-csv")).text)
    data_rows = [row for row in csv_rows if row and row[0] == dokkum.name]
    assert data_rows and all(row[2] == "te weinig antwoorden" for row in data_rows)
    assert not any(cell == "9" for row in data_rows for cell in row)

    book = load_workbook(
        io.BytesIO(client.get(figures_url(round_, "loneliness:figures-xlsx")).content)
    )
    sheet_rows = [
        list(row) for row in book.active.iter_rows(values_only=True) if row[0] == dokkum.name
    ]
    assert sheet_rows and all(row[2] == "te weinig antwoorden" for row in sheet_rows)


def test_ten_answers_show_the_figures(client, login, coordinator, dokkum):
    round_ = make_round(dokkum)
    answers(round_, dokkum, 6, (J, J, J, N, N, N))  # 6: severely lonely
    answers(round_, dokkum, 4, (N, N, N, J, J, J), frequency="eerste_keer")  # 0: not lonely
    login(coordinator)

    rows = client.get(figures_url(round_)).context["figures"].rows
    everyone = next(row for row in rows if row[0] == dokkum.name and row[1] == "Iedereen")
    assert everyone[2:7] == [10, 60.0, 60.0, 1.8, 1.8]
    weekly = next(row for row in rows if row[1] == "Elke week")
    assert weekly[2] == "te weinig antwoorden"  # six of them: a group below 10

    csv_rows = read_csv(client.get(figures_url(round_, "loneliness:figures-csv")).text)
    assert [dokkum.name, "Iedereen", "10", "60,0", "60,0", "1,8", "1,8", "–"] in csv_rows


def test_partial_questionnaires_count_only_where_complete_in_the_figures(
    client, login, coordinator, dokkum
):
    round_ = make_round(dokkum)
    answers(round_, dokkum, 10, (J, J, J, None, None, None))  # only the emotional part
    login(coordinator)
    rows = client.get(figures_url(round_)).context["figures"].rows
    everyone = next(row for row in rows if row[1] == "Iedereen")
    # Ten answers, the emotional mean over ten; no complete list: no % and no social mean.
    assert everyone[2:7] == [
        10,
        "te weinig antwoorden",
        "te weinig antwoorden",
        3.0,
        "te weinig antwoorden",
    ]


def test_the_previous_round_is_beside_it(client, login, staff, dokkum):
    earlier = make_round(dokkum, start=-200, end=-190, name="Vorig jaar")
    answers(earlier, dokkum, 10, (J, J, J, N, N, N))
    now = make_round(dokkum)
    answers(now, dokkum, 10, (N, N, N, J, J, J))
    login(staff)
    page = client.get(figures_url(now))
    everyone = next(row for row in page.context["figures"].rows if row[1] == "Iedereen")
    assert everyone[3] == 0.0 and everyone[-1] == 100.0
    assert "Vorig jaar" in page.text
    assert "Wat deze cijfers wel en niet zeggen" in page.text


def test_the_year_overview_has_the_rounds_with_the_same_rule(client, login, staff, dokkum, burgum):
    year = timezone.localdate().year - 1
    round_ = Round.objects.create(
        name="Najaar", starts_on=datetime.date(year, 10, 1), ends_on=datetime.date(year, 10, 14)
    )
    round_.locations.set([dokkum, burgum])
    answers(round_, dokkum, 12)  # Burgum took part without answers
    login(staff)
    page = client.get(reverse("visitors:year-overview"), {"jaar": year})
    assert "Eenzaamheid (De Jong Gierveld)" in page.text
    ((shown_round, rows),) = page.context["loneliness_rounds"]
    assert shown_round == round_
    by_unit = {row[0]: row for row in rows}
    assert by_unit[dokkum.name][1:3] == [12, 100.0]
    assert by_unit[burgum.name][1] == "te weinig antwoorden"
    assert by_unit["Alle locaties"][1] == 12


def test_the_year_overview_says_nothing_of_it_without_rounds(client, login, staff, dokkum):
    login(staff)
    page = client.get(reverse("visitors:year-overview"))
    assert "Eenzaamheid" not in page.text


def test_a_coordinator_sees_only_their_locations_figures(
    client, login, coordinator, dokkum, burgum
):
    round_ = make_round(dokkum, burgum)
    answers(round_, burgum, 12)
    login(coordinator)
    page = client.get(figures_url(round_))
    assert {row[0] for row in page.context["figures"].rows} == {dokkum.name}
    assert burgum.name not in page.text


def test_the_figures_page_does_not_ask_more_queries_for_more_answers_or_locations(
    client, login, staff, dokkum, burgum
):
    round_ = make_round(dokkum)
    answers(round_, dokkum, 10)
    login(staff)
    client.get(figures_url(round_))

    with CaptureQueriesContext(connection) as few:
        assert client.get(figures_url(round_)).status_code == 200
    round_.locations.add(burgum, LocationFactory(), LocationFactory())
    for location in round_.locations.all():
        answers(round_, location, 25, frequency="soms")
    earlier = make_round(dokkum, burgum, start=-100, end=-90, name="Eerder")
    answers(earlier, burgum, 30)
    with CaptureQueriesContext(connection) as many:
        assert client.get(figures_url(round_)).status_code == 200
    assert len(many) == len(few)


# Demo data -----------------------------------------------------------------------------------


def test_the_demo_has_two_past_rounds_and_running_it_again_adds_nothing(settings, dokkum, burgum):
    settings.DEBUG = True
    call_command("demo", stdout=io.StringIO())
    year = timezone.localdate().year - 1
    assert set(Round.objects.values_list("name", flat=True)) == {
        f"Voorjaar {year}",
        f"Najaar {year}",
    }
    answers_before = Response.objects.count()
    assert answers_before > 0
    call_command("demo", stdout=io.StringIO())
    assert Response.objects.count() == answers_before


def test_the_report_page_links_to_the_rounds(client, login, coordinator):
    login(coordinator)
    page = client.get(reverse("visitors:report"))
    assert reverse("loneliness:rounds") in page.text


def test_the_rounds_page_offers_paper_only_for_the_coordinators_own_locations(
    client, login, coordinator, dokkum, burgum
):
    round_ = make_round(dokkum, burgum)
    login(coordinator)
    page = client.get(reverse("loneliness:rounds"))
    assert reverse("loneliness:paper", kwargs={"slug": "dokkum", "pk": round_.pk}) in page.text
    assert reverse("loneliness:paper", kwargs={"slug": "burgum", "pk": round_.pk}) not in page.text
    assert reverse("loneliness:round-new") not in page.text  # planning is for staff


def test_a_small_group_cannot_be_worked_out_by_subtraction(client, login, staff, dokkum, burgum):
    """Dokkum 12 and Burgum 3: "all locations" minus Dokkum would give Burgum's three, so
    Dokkum is hidden too. Within Dokkum: 11 "elke week" and 1 "soms" beside everyone (12)."""
    round_ = make_round(dokkum, burgum)
    answers(round_, dokkum, 11)
    answers(round_, dokkum, 1, frequency="soms")
    answers(round_, burgum, 3)
    login(staff)
    rows = client.get(figures_url(round_)).context["figures"].rows
    cell = {(row[0], row[1]): row[2] for row in rows}
    too_few = "te weinig antwoorden"
    assert cell["Alle locaties", "Iedereen"] == 15
    assert cell[dokkum.name, "Iedereen"] == too_few  # 12, but 15 - 12 = Burgum's 3
    assert cell[burgum.name, "Iedereen"] == too_few
    assert cell[dokkum.name, "Elke week"] == too_few  # 11, but 12 - 11 = the one "soms"
    # All locations: 14 "elke week" and 1 "soms": the same subtraction, so hidden too.
    assert cell["Alle locaties", "Elke week"] == too_few
    assert cell["Alle locaties", "Soms"] == too_few


def test_the_year_overview_protects_small_locations_the_same_way(
    client, login, staff, dokkum, burgum
):
    year = timezone.localdate().year - 1
    round_ = Round.objects.create(
        name="Najaar", starts_on=datetime.date(year, 10, 1), ends_on=datetime.date(year, 10, 14)
    )
    round_.locations.set([dokkum, burgum])
    answers(round_, dokkum, 12)
    answers(round_, burgum, 3)
    login(staff)
    ((_round, rows),) = client.get(reverse("visitors:year-overview"), {"jaar": year}).context[
        "loneliness_rounds"
    ]
    by_unit = {row[0]: row for row in rows}
    assert by_unit["Alle locaties"][1] == 15
    assert by_unit[dokkum.name][1] == by_unit[burgum.name][1] == "te weinig antwoorden"


def test_a_figure_of_a_few_cannot_be_worked_out_from_the_figures_beside_it(
    client, login, staff, dokkum
):
    """Ten "elke week" (complete, score 6) and ten "soms": three complete (score 0), seven
    with only the emotional part (3). Both groups have ten answers, but % lonely and the
    social mean of "soms" rest on three lists: hidden, and so the weekly ones are too
    (everyone's 13 complete lists minus the weekly ten would give the three)."""
    round_ = make_round(dokkum)
    answers(round_, dokkum, 10)
    answers(round_, dokkum, 3, (N, N, N, J, J, J), frequency="soms")
    answers(round_, dokkum, 7, (J, J, J, None, None, None), frequency="soms")
    login(staff)
    rows = client.get(figures_url(round_)).context["figures"].rows
    cell = {(row[0], row[1]): row[2:7] for row in rows}
    few = "te weinig antwoorden"
    assert cell[dokkum.name, "Iedereen"] == [20, 76.9, 76.9, 2.55, 2.31]
    assert cell[dokkum.name, "Elke week"] == [10, few, few, 3.0, few]
    assert cell[dokkum.name, "Soms"] == [10, few, few, 2.1, few]


def test_a_location_with_answers_stays_in_its_round(client, login, staff, dokkum, burgum):
    round_ = make_round(dokkum, burgum)
    answers(round_, burgum, 1)
    login(staff)
    url = reverse("loneliness:round-edit", kwargs={"round_id": round_.pk})
    data = {
        "name": "Zonder Burgum",
        "starts_on": round_.starts_on.isoformat(),
        "ends_on": round_.ends_on.isoformat(),
        "locations": [dokkum.pk],
        "version": "0",
    }
    answer = client.post(url, data)
    assert answer.status_code == 400
    assert "Een locatie met antwoorden in deze ronde kan er niet uit." in answer.text
    assert set(Round.objects.get().locations.all()) == {dokkum, burgum}
    assert Round.objects.get().name == round_.name


# Figures per municipality --------------------------------------------------------------------

TOO_FEW = "te weinig antwoorden"


def kollum():
    """Kollum: a location of the migrations, in Noardeast-Fryslân like Dokkum."""
    return Location.objects.get(slug="kollum")


def test_the_figures_per_municipality_match_the_hand_computed_numbers(
    client, login, staff, dokkum, burgum
):
    """Dokkum 10 x score 6 and Kollum 10 x score 0 (Noardeast-Fryslân); Burgum 12 x score 2
    (emotional 1, social 1; Tytsjerksteradiel, its only location)."""
    round_ = make_round(dokkum, kollum(), burgum)
    answers(round_, dokkum, 10, (J, J, J, N, N, N))
    answers(round_, kollum(), 10, (N, N, N, J, J, J))
    answers(round_, burgum, 12, (J, N, N, N, J, J))
    login(staff)
    rows = client.get(figures_url(round_)).context["figures"].rows
    everyone = [(row[0], row[2:7]) for row in rows if row[1] == "Iedereen"]
    assert everyone == [
        (dokkum.name, [10, 100.0, 100.0, 3.0, 3.0]),
        ("Buurtkamer Kollum", [10, 0.0, 0.0, 0.0, 0.0]),
        # 10 of 20 lonely, all severely; emotional (30 + 0) / 20, social the same.
        ("Gemeente Noardeast-Fryslân", [20, 50.0, 50.0, 1.5, 1.5]),
        (burgum.name, [12, 100.0, 0.0, 1.0, 1.0]),
        ("Gemeente Tytsjerksteradiel", [12, 100.0, 0.0, 1.0, 1.0]),  # one location: the same
        # 22 of 32 lonely (68.75), 10 severely (31.25); emotional (30 + 0 + 12) / 32 = 1.3125.
        ("Alle locaties", [32, 68.8, 31.2, 1.31, 1.31]),
    ]


def _hidden_by_the_municipality(dokkum):
    """Noardeast-Fryslân: Dokkum 12 and Kollum 3. Achtkarspelen: two locations of 4 and 8.
    Over all locations the hidden ones hold 15 answers (3 + 4 + 8), so that rule alone would
    show Dokkum's 12, and Noardeast-Fryslân's 15 minus 12 would give Kollum's 3."""
    first = LocationFactory(name="Buurtkamer Buitenpost", municipality="Achtkarspelen")
    second = LocationFactory(name="Buurtkamer Surhuisterveen", municipality="Achtkarspelen")
    round_ = make_round(dokkum, kollum(), first, second)
    answers(round_, dokkum, 12)
    answers(round_, kollum(), 3)
    answers(round_, first, 4)
    answers(round_, second, 8)
    return round_


def test_a_municipality_does_not_give_away_its_hidden_location(client, login, staff, dokkum):
    round_ = _hidden_by_the_municipality(dokkum)
    login(staff)
    rows = client.get(figures_url(round_)).context["figures"].rows
    cell = {(row[0], row[1]): row[2] for row in rows}
    assert cell["Gemeente Noardeast-Fryslân", "Iedereen"] == 15
    assert cell[dokkum.name, "Iedereen"] == TOO_FEW  # 12, but 15 - 12 = Kollum's 3
    assert cell["Buurtkamer Kollum", "Iedereen"] == TOO_FEW
    assert cell["Gemeente Achtkarspelen", "Iedereen"] == 12  # 4 + 8: neither can be told
    assert cell["Buurtkamer Buitenpost", "Iedereen"] == TOO_FEW
    assert cell["Alle locaties", "Iedereen"] == 27

    csv_rows = read_csv(client.get(figures_url(round_, "loneliness:figures-csv")).text)
    csv_cell = {(row[0], row[1]): row[2] for row in csv_rows if len(row) > 2}
    assert csv_cell[dokkum.name, "Iedereen"] == TOO_FEW
    assert csv_cell["Buurtkamer Kollum", "Iedereen"] == TOO_FEW
    assert csv_cell["Gemeente Noardeast-Fryslân", "Iedereen"] == "15"

    book = load_workbook(
        io.BytesIO(client.get(figures_url(round_, "loneliness:figures-xlsx")).content)
    )
    xlsx_cell = {
        (row[0], row[1]): row[2]
        for row in book.active.iter_rows(values_only=True)
        if len(row) > 2 and row[1] == "Iedereen"
    }
    assert xlsx_cell[dokkum.name, "Iedereen"] == TOO_FEW
    assert xlsx_cell["Gemeente Noardeast-Fryslân", "Iedereen"] == 15


def test_a_total_with_one_hidden_part_is_hidden_too(client, login, staff, dokkum, burgum):
    """Dokkum: 12, all "elke week". Burgum: 3 "elke week" and 10 "soms". Over all locations
    the 3 weekly ones of Burgum hide Dokkum's weekly 12; Dokkum's everyone (12) is that same
    group (its other groups are empty), so it is hidden too, and so is Noardeast-Fryslân,
    which holds only Dokkum. All locations minus Tytsjerksteradiel would then give it: so
    that one is hidden as well."""
    round_ = make_round(dokkum, burgum)
    answers(round_, dokkum, 12)
    answers(round_, burgum, 3)
    answers(round_, burgum, 10, frequency="soms")
    login(staff)
    rows = client.get(figures_url(round_)).context["figures"].rows
    cell = {(row[0], row[1]): row[2] for row in rows}
    assert cell[dokkum.name, "Elke week"] == TOO_FEW
    assert cell[dokkum.name, "Iedereen"] == TOO_FEW
    assert cell["Gemeente Noardeast-Fryslân", "Iedereen"] == TOO_FEW
    assert cell["Gemeente Tytsjerksteradiel", "Iedereen"] == TOO_FEW
    assert cell["Alle locaties", "Iedereen"] == 25


def test_the_year_overview_shows_municipalities_by_the_same_rule(client, login, staff, dokkum):
    round_ = _hidden_by_the_municipality(dokkum)
    year = timezone.localdate().year - 1
    Round.objects.filter(pk=round_.pk).update(
        starts_on=datetime.date(year, 3, 1), ends_on=datetime.date(year, 3, 14)
    )
    login(staff)
    ((_round, rows),) = client.get(reverse("visitors:year-overview"), {"jaar": year}).context[
        "loneliness_rounds"
    ]
    by_unit = {row[0]: row[1] for row in rows}
    assert by_unit["Gemeente Noardeast-Fryslân"] == 15
    assert by_unit[dokkum.name] == by_unit["Buurtkamer Kollum"] == TOO_FEW
    assert by_unit["Alle locaties"] == 27


def test_the_figures_page_asks_no_more_queries_for_more_locations_and_municipalities(
    client, login, staff, dokkum, django_assert_max_num_queries
):
    round_ = make_round(dokkum)
    answers(round_, dokkum, 10)
    login(staff)
    client.get(figures_url(round_))
    with CaptureQueriesContext(connection) as few:
        client.get(figures_url(round_))
    for number in range(6):
        municipality = ("Achtkarspelen", "Dantumadiel", "Smallingerland")[number % 3]
        location = LocationFactory(municipality=municipality)
        round_.locations.add(location)
        answers(round_, location, 5 + number, frequency="soms")
    round_.locations.add(kollum())
    with django_assert_max_num_queries(len(few)):
        page = client.get(figures_url(round_))
    assert "Gemeente Smallingerland" in page.text


# The monthly e-mail --------------------------------------------------------------------------


def _round_on(name, ends_on, *locations):
    round_ = Round.objects.create(
        name=name, starts_on=ends_on - datetime.timedelta(days=13), ends_on=ends_on
    )
    round_.locations.set(locations)
    return round_


def test_the_monthly_email_has_the_rounds_that_closed_in_that_month(staff, dokkum, burgum):
    """A round takes answers until a week after its last day, so the e-mail of October has
    the round that ended on 25 September (closed 2 October), not the one that ended on
    28 October (closed 4 November: November's e-mail)."""
    september = _round_on("Najaar", datetime.date(2026, 9, 25), dokkum, burgum)
    answers(september, dokkum, 12)
    answers(september, burgum, 20)
    later = _round_on("Herfst", datetime.date(2026, 10, 28), dokkum)
    answers(later, dokkum, 15)

    call_command("send_monthly_report", "--month", "2026-10", stdout=io.StringIO())
    [message] = mail.outbox
    assert "Eenzaamheid (De Jong Gierveld)" in message.body
    assert "Najaar (12 sep – 25 sep)" in message.body
    assert f"- {dokkum.name}: Antwoorden 12 · Eenzaam (%) 100,0" in message.body
    assert f"- {burgum.name}: Antwoorden 20" in message.body
    assert "- Alle locaties: Antwoorden 32" in message.body
    assert "Herfst" not in message.body
    assert reverse("loneliness:figures", kwargs={"round_id": september.pk}) in message.body
    html = message.alternatives[0][0]
    assert "Najaar" in html and "Herfst" not in html
    assert reverse("loneliness:figures", kwargs={"round_id": september.pk}) in html

    call_command("send_monthly_report", "--month", "2026-11", stdout=io.StringIO())
    assert "Herfst" in mail.outbox[1].body and "Najaar" not in mail.outbox[1].body


def test_the_monthly_email_says_too_few_answers_for_a_small_group(staff, dokkum, burgum):
    round_ = _round_on("Najaar", datetime.date(2026, 9, 25), dokkum, burgum)
    answers(round_, dokkum, 9)
    answers(round_, burgum, 20)
    call_command("send_monthly_report", "--month", "2026-10", stdout=io.StringIO())
    [message] = mail.outbox
    assert f"- {dokkum.name}: te weinig antwoorden" in message.body
    # 29 over all locations minus Burgum's 20 would give Dokkum's 9: Burgum hidden too.
    assert f"- {burgum.name}: te weinig antwoorden" in message.body
    assert "- Alle locaties: Antwoorden 29" in message.body
    assert "Antwoorden 9" not in message.body and "Antwoorden 20" not in message.body
    html = message.alternatives[0][0]
    assert "te weinig antwoorden" in html and ">9<" not in html and ">20<" not in html


def test_the_monthly_email_has_no_loneliness_section_without_a_closed_round(staff, dokkum):
    running = _round_on("Herfst", datetime.date(2026, 10, 28), dokkum)
    answers(running, dokkum, 15)
    call_command("send_monthly_report", "--month", "2026-10", stdout=io.StringIO())
    [message] = mail.outbox
    assert "Eenzaamheid" not in message.body
    assert "Eenzaamheid" not in message.alternatives[0][0]
