"""Bad input: every form and endpoint, fed bodies that hypothesis makes up (issue 7, item 3).

Strings of any length and alphabet (NUL, right-to-left marks, emoji, invalid UTF-8 bytes; lone
surrogates wherever they can be encoded: in JSON, escaped), repeated and missing fields, unknown
fields, wrong types, huge numbers, dates out of range, JSON of any shape. Whatever comes in:

- never a 500;
- an HTML form with bad input answers with the form again (200 or 400), a Dutch message, and
  what was typed still in the fields; a form that is a single button or a choice (role, referral,
  the tablet's no-JavaScript forms) answers with a redirect to its page and a Dutch message;
- the tablet's JSON endpoints answer 4xx with JSON, or accept the tap.

Every test keeps one database transaction for all its examples; examples create what they need.
"""

import contextlib
import datetime
import html
import json
import re
import uuid
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from locations import services as location_services
from locations.models import DayPart, Role
from visitors import services
from visitors.models import AgeBand, FirstVisit, ManualTally, Visit

from .factories import PASSWORD, UserFactory, force_login

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=50,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Strategies ----------------------------------------------------------------------------------

# Any character that UTF-8 can carry (lone surrogates cannot: they go into the JSON tests).
ANY_CHAR = st.characters(exclude_categories=("Cs",))
SHORT_TEXT = st.text(ANY_CHAR, max_size=30)
LONG_TEXT = st.builds(
    lambda piece, times: (piece * times)[:100_000],
    st.text(ANY_CHAR, min_size=1, max_size=4),
    st.integers(min_value=50, max_value=30_000),
)
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\r\n",
        "<script>alert('x')</script>",
        "\"'><b>",
        "' OR 1=1 --",
        "%00",
        "\u202egnp.exe",
        "\ufeff",
        "\uffff",
        "🙂🏳️‍🌈",
        "٣",  # an Arabic-Indic three
        "１２",  # full-width digits
        "9" * 5000,
        "-1",
        "0",
        "-0",
        "1e309",
        "NaN",
        "Infinity",
        "0x10",
        "1_000",
        "99999999999999999999999999",
        "-9223372036854775809",
        "null",
        "true",
        "[]",
        "{}",
        "2026-02-30",
        "0000-00-00",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "-0001-01-01",
        "31-12-9999",
        "1-1-1",
        "24:00",
        "23:59:60",
        "99:99",
        "12:00:00.0000000001",
    ]
)
NUMBER_TEXT = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=-5, max_value=600).map(str),
)
DATE_TEXT = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.isoformat()),
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.strftime("%d-%m-%Y")),
    st.dates(
        min_value=datetime.date.today() - datetime.timedelta(days=400),
        max_value=datetime.date.today() + datetime.timedelta(days=30),
    ).map(lambda d: d.isoformat()),
)
TIME_TEXT = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.times().map(lambda t: t.isoformat()),
)
GARBAGE = st.one_of(SHORT_TEXT, LONG_TEXT, TRICKY, NUMBER_TEXT)
RAW_BYTES = st.binary(min_size=1, max_size=12)  # often not UTF-8 at all


def field(plausible=None):
    """One form field's value(s): something plausible, garbage, raw bytes, or repeated."""
    single = GARBAGE if plausible is None else st.one_of(plausible, GARBAGE)
    return st.one_of(
        single,
        single,
        RAW_BYTES,
        st.lists(st.one_of(single, RAW_BYTES), min_size=2, max_size=3),  # field sent twice
    )


def form_body(fields: dict):
    """A form body: any subset of the fields (missing fields), plus unknown extra ones."""
    return st.tuples(
        st.fixed_dictionaries({}, optional=fields),
        st.dictionaries(SHORT_TEXT, field(), max_size=2),
    ).map(lambda pair: {**pair[1], **pair[0]})


def encode(data: dict) -> str:
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return urlencode(pairs)


def post_form(client, url, data, **extra):
    return client.post(url, encode(data), content_type="application/x-www-form-urlencoded", **extra)


# What the person sees ------------------------------------------------------------------------

ENGLISH_WORDS = {
    "the", "this", "that", "enter", "please", "field", "valid", "select", "ensure", "required",
    "characters", "value", "must", "incorrect", "password", "address", "number", "not", "and",
    "you", "your", "try", "again", "choice", "whole", "has", "have", "most", "least", "too",
    "many", "specified", "provided", "allowed", "should", "does",
}  # fmt: skip
DUTCH_WORDS = {
    "een", "de", "het", "vul", "kies", "dit", "deze", "niet", "geen", "geldig", "geldige", "van",
    "moet", "veld", "verplicht", "zijn", "mag", "bevat", "tekens", "waarde", "je", "uw", "tot",
    "met", "voer", "selecteer", "opnieuw", "probeer", "ging", "goed", "dat", "wachtwoord",
    "getal", "datum", "tijd", "maximaal", "minimaal", "zorg", "ervoor", "keuze", "naam", "hier",
    "toegestaan", "onjuist", "kan", "nog", "keer", "rol", "eerst", "dagdeel", "achteraf",
    "nu", "naar", "geteld", "welkom", "bezoeker", "bezoekers", "al", "ongedaan", "gemaakt",
    "ongeldig", "ongeldige", "tik", "telt", "mee", "opgeslagen", "gekoppeld", "uitgelogd",
    "apparaat", "gevonden", "hoort", "bij", "andere", "locatie", "vrijwilliger", "doorverwezen",
    "doorverwijzing", "waar", "naartoe", "wachten", "geef", "bijvoorbeeld", "vandaag",
    "eerder", "toekomst", "ligt", "gecorrigeerd", "vervallen", "turflijst", "gewijzigd",
    "worden", "uitgenodigd", "toegevoegd", "verstuurd", "ingesteld", "ingelogd",
}  # fmt: skip


def typed_strings(data: dict) -> list[str]:
    values = []
    for value in data.values():
        values.extend(item for item in (value if isinstance(value, list) else [value]))
    return [value for value in values if isinstance(value, str) and value]


def assert_dutch(message: str, typed: list[str]):
    """A message a person reads is Dutch: what they typed, quoted in it, is left out first."""
    text = message
    for value in sorted(typed, key=len, reverse=True):
        if value not in text:  # most are not quoted: no pattern to build (large typed values)
            continue
        # As a whole: a typed "e" must not take the e's out of "Kies een dagdeel".
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    words = set(re.findall(r"[a-zà-ÿ]+", text.lower()))
    assert words & DUTCH_WORDS, f"no Dutch in {message!r}"
    assert not words & ENGLISH_WORDS, f"English in {message!r}"


def forms_in(response) -> list:
    found = []
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, BaseForm | BaseFormSet) and value.is_bound:
                found.append(value)
    return found


def error_messages(form) -> list[str]:
    if isinstance(form, BaseFormSet):
        messages = list(form.non_form_errors())
        for subform in form.forms:
            messages.extend(error_messages(subform))
        return messages
    return [message for errors in form.errors.values() for message in errors]


def flashed(response) -> list[str]:
    return [str(message) for message in (response.context or {}).get("messages", [])]


def note(text):
    """Counted in --hypothesis-show-statistics; a no-op outside a hypothesis test."""
    with contextlib.suppress(InvalidArgument):
        event(text)


def assert_no_server_error(response):
    note(f"HTTP {response.status_code}")
    assert response.status_code < 500, response.content[:2000]


def assert_form_again(response, data, keep: tuple[str, ...] = ()):
    """The form is shown again: bound, with Dutch errors on the page, what was typed kept."""
    assert response.status_code in (200, 400), response.status_code
    page = response.content.decode()
    forms = forms_in(response)
    assert forms, "the page shows no bound form"
    typed = typed_strings(data)
    messages = [message for form in forms for message in error_messages(form)]
    messages += flashed(response)
    assert messages, "no message says what is wrong"
    for message in messages:
        assert_dutch(message, typed)
    for form in forms:
        for message in error_messages(form):
            assert html.escape(message) in page, f"{message!r} is not on the page"
    for name in keep:
        value = data.get(name)
        if isinstance(value, list):
            value = value[-1]  # the last of a repeated field is the one a form reads
        if isinstance(value, str) and value:
            assert f'value="{html.escape(value)}"' in page, f"{name}: {value!r} was lost"
            note(f"typed {name} kept")


def assert_redirected_with_dutch_message(client, response, expected_url, data):
    assert response.status_code == 302, response.status_code
    assert response["Location"] == expected_url
    page = client.get(expected_url)
    assert page.status_code == 200
    messages = flashed(page)
    assert messages, "no message after the redirect"
    for message in messages:
        assert_dutch(message, typed_strings(data))
        assert html.escape(message) in page.content.decode()
    return messages


# People and things ---------------------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    force_login(client, user)
    return client


def tablet_client(location, coordinator) -> Client:
    _tablet, token = services.pair_tablet(location=location, name="Fuzz", paired_by=coordinator)
    client = Client()
    client.cookies[django_settings.TABLET_COOKIE_NAME] = token
    return client


def url(name, slug="dokkum", **kwargs):
    return reverse(name, kwargs={"slug": slug, **kwargs})


# The team: invite, role change ---------------------------------------------------------------

INVITE_FIELDS = {
    "email": field(st.one_of(st.emails(), st.just("nieuw@example.org"))),
    "first_name": field(st.text(ANY_CHAR, min_size=1, max_size=120)),
    "last_name": field(st.text(ANY_CHAR, max_size=160)),
    "role": field(st.sampled_from(Role.values)),
}


@FUZZ
@given(data=form_body(INVITE_FIELDS))
@example(data={"email": "geen-adres", "first_name": "<b>Anneke</b>", "last_name": "d'Ouden"})
@example(data={"email": "a@example.org", "first_name": "x" * 101, "role": "koning"})
@example(data={"email": ["a@example.org", "b@"], "first_name": "Jan\x00", "role": "volunteer"})
def test_the_invite_form_answers_bad_input_with_the_form_and_what_was_typed(coordinator, data):
    client = logged_in(coordinator)
    response = post_form(client, url("locations:team"), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        assert response["Location"] == url("locations:team")
        return
    assert response.status_code == 400
    assert_form_again(response, data, keep=("email", "first_name", "last_name"))


@FUZZ
@given(data=form_body({"role": field(st.sampled_from(Role.values))}), pk=st.integers(0, 2**70))
def test_a_role_change_with_bad_input_goes_back_to_the_team_with_a_dutch_message(
    coordinator, volunteer, dokkum, data, pk
):
    client = logged_in(coordinator)
    membership = volunteer.memberships.get(location=dokkum)
    response = post_form(client, url("locations:change-role", pk=membership.pk), data)
    assert_no_server_error(response)
    messages = assert_redirected_with_dutch_message(client, response, url("locations:team"), data)
    role = data.get("role")
    valid = (role[-1] if isinstance(role, list) else role) in Role.values
    assert any(("geldige rol" in message) != valid for message in messages)
    # A membership number that does not exist (or is far too big) is a 404, not a 500.
    if pk > 2**31:
        assert_no_server_error(post_form(client, f"/locaties/dokkum/team/{pk}/rol/", data))


# Opening hours: 21 rows of a formset ---------------------------------------------------------

SLOT_COUNT = 21


def opening_hours_body():
    rows = {}
    for index in range(SLOT_COUNT):
        rows[f"form-{index}-is_open"] = field(st.sampled_from(["on", "1", "true", "false", ""]))
        rows[f"form-{index}-opens_at"] = field(TIME_TEXT)
        rows[f"form-{index}-closes_at"] = field(TIME_TEXT)
    management = {
        "form-TOTAL_FORMS": field(st.sampled_from(["21", "0", "22", "1000", "-1"])),
        "form-INITIAL_FORMS": field(st.sampled_from(["21", "0", "9" * 30])),
        "form-MIN_NUM_FORMS": field(),
        "form-MAX_NUM_FORMS": field(),
    }
    return form_body({**management, **rows})


# 66 fields an example: drawing and checking them costs about a second each, so fewer examples
# (the @example rows below stay); the other forms keep FUZZ's 50.
@settings(FUZZ, max_examples=15)
@given(data=opening_hours_body())
@example(data={"form-TOTAL_FORMS": "21", "form-INITIAL_FORMS": "21", "form-0-is_open": "on"})
@example(
    data={
        "form-TOTAL_FORMS": "21",
        "form-INITIAL_FORMS": "21",
        "form-3-is_open": "on",
        "form-3-opens_at": "25:00",
        "form-3-closes_at": "<b>later</b>",
    }
)
def test_the_opening_hours_answer_bad_input_with_the_form_and_what_was_typed(coordinator, data):
    client = logged_in(coordinator)
    response = post_form(client, url("locations:opening-hours"), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        return
    assert response.status_code == 400
    keep = tuple(name for name in data if re.fullmatch(r"form-\d+-(opens|closes)_at", name))
    formset = forms_in(response)[0]
    # Only rows the formset shows keep their times (there are always 21, whatever was sent).
    keep = tuple(name for name in keep if int(name.split("-")[1]) < len(formset.forms))
    assert_form_again(response, data, keep=keep)


# Manual tallies and their correction ---------------------------------------------------------

TALLY_FIELDS = {
    "date": field(DATE_TEXT),
    "day_part": field(st.sampled_from(DayPart.values)),
    "visitors": field(NUMBER_TEXT),
    "first_visits": field(NUMBER_TEXT),
}


@FUZZ
@given(data=form_body(TALLY_FIELDS))
@example(data={"date": "10000-01-01", "day_part": "morning", "visitors": "9" * 5000})
@example(
    data={"date": "<b>gisteren</b>", "day_part": "nacht", "visitors": "١٢", "first_visits": "x"}
)
@example(data={"date": "0001-01-01", "day_part": "evening", "visitors": "3", "first_visits": "4"})
def test_the_tally_form_answers_bad_input_with_the_form_and_what_was_typed(coordinator, data):
    client = logged_in(coordinator)
    response = post_form(client, url("visitors:tallies"), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        assert response["Location"] == url("visitors:tallies")
        return
    # 200: asked to confirm first (a closed day, the tablet's counts); 409: that day-part has
    # a tally already, offered for correction. Both keep what was typed, like a refusal.
    assert response.status_code in (200, 400, 409)
    assert_form_again(response, data, keep=("date", "visitors", "first_visits"))


@FUZZ
@given(
    data=form_body({"visitors": field(NUMBER_TEXT), "first_visits": field(NUMBER_TEXT)}),
    void_first=st.booleans(),
)
@example(data={"visitors": "-1", "first_visits": "<i>0</i>"}, void_first=False)
def test_a_tally_correction_answers_bad_input_with_the_form_and_what_was_typed(
    coordinator, dokkum, data, void_first
):
    # One active tally per day-part: the one of the previous example makes way.
    ManualTally.objects.filter(voided_at__isnull=True).update(
        voided_at=datetime.datetime.now(datetime.UTC)
    )
    tally = services.record_tally(
        location=dokkum,
        date=datetime.date.today(),
        day_part=DayPart.MORNING,
        visitors=2,
        first_visits=1,
        user=coordinator,
    )
    if void_first:
        services.void_tally(tally=tally, user=coordinator)
    client = logged_in(coordinator)
    response = post_form(client, url("visitors:tally-edit", pk=tally.pk), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        assert response["Location"] == url("visitors:tallies")
        return
    assert response.status_code == 400
    assert_form_again(response, data, keep=("visitors", "first_visits"))


# Referrals -----------------------------------------------------------------------------------


@FUZZ
@given(data=form_body({"target": field(st.integers(-5, 50).map(str))}))
@example(data={"target": "99999999999999999999999"})
@example(data={"target": ["1", "2"]})
def test_a_referral_with_bad_input_goes_back_to_today_with_a_dutch_message(coordinator, data):
    client = logged_in(coordinator)
    response = post_form(client, url("visitors:referral"), data)
    assert_no_server_error(response)
    assert_redirected_with_dutch_message(client, response, url("visitors:today"), data)


# The tablet: pairing, the no-JavaScript forms ------------------------------------------------


@FUZZ
@given(data=form_body({"name": field(st.text(ANY_CHAR, min_size=1, max_size=90))}))
@example(data={"name": "x" * 81})
@example(data={"name": "Tablet\x00voordeur"})
def test_pairing_with_bad_input_shows_the_name_again_with_a_dutch_message(coordinator, data):
    client = logged_in(coordinator)
    response = post_form(client, url("visitors:pair"), data)
    assert_no_server_error(response)
    if response.status_code == 302:  # a usable name: paired, logged out, back to the tablet
        assert_redirected_with_dutch_message(client, response, url("visitors:tablet"), data)
    else:
        assert_form_again(response, data, keep=("name",))


CHECKIN_FIELDS = {
    "client_id": field(st.uuids().map(str)),
    "tapped_at": field(
        st.datetimes(timezones=st.sampled_from([datetime.UTC, None])).map(
            lambda moment: moment.isoformat()
        )
    ),
    "first_visit": field(st.sampled_from(FirstVisit.values)),
    "age_band": field(st.sampled_from(AgeBand.values)),
    "came_via": field(st.integers(-1, 20).map(str)),
}


@FUZZ
@given(data=form_body(CHECKIN_FIELDS))
@example(data={"client_id": str(uuid.uuid4()), "came_via": "9" * 40, "tapped_at": "\x00"})
def test_the_no_javascript_check_in_never_fails_and_says_what_happened_in_dutch(
    dokkum, coordinator, data
):
    client = tablet_client(dokkum, coordinator)
    response = post_form(client, url("visitors:checkin"), data)
    assert_no_server_error(response)
    assert_redirected_with_dutch_message(client, response, url("visitors:tablet"), data)


@FUZZ
@given(data=form_body({"client_id": field(st.uuids().map(str))}), recorded=st.booleans())
def test_the_no_javascript_undo_never_fails_and_says_what_happened_in_dutch(
    dokkum, coordinator, data, recorded
):
    client = tablet_client(dokkum, coordinator)
    client_id = data.get("client_id")
    if recorded and isinstance(client_id, str):
        with contextlib.suppress(ValueError):
            services.record_visit(location=dokkum, client_id=uuid.UUID(client_id))
    response = post_form(client, url("visitors:undo"), data)
    assert_no_server_error(response)
    assert_redirected_with_dutch_message(client, response, url("visitors:tablet"), data)


# The tablet's JSON endpoints -----------------------------------------------------------------

# JSON of any shape; text here may hold lone surrogates (JSON escapes them as \udXXX).
JSON_TEXT = st.one_of(st.text(max_size=30), LONG_TEXT, TRICKY)
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    JSON_TEXT,
)
JSON_ANY = st.recursive(
    JSON_SCALAR,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
MOMENTS = st.one_of(
    st.datetimes(
        min_value=datetime.datetime(1, 1, 2),
        max_value=datetime.datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [datetime.UTC, None, datetime.timezone(datetime.timedelta(hours=-14))]
        ),
    ).map(lambda moment: moment.isoformat()),
    st.sampled_from(
        [
            "0000-01-01T00:00:00Z",
            "10000-01-01T00:00:00+00:00",
            "2026-13-45T25:61:61Z",
            "2026-03-10T10:30:00+99:00",
            "2026-03-10T10:30:00+23:59",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+23:59",
        ]
    ),
)
CHECKIN_JSON = st.tuples(
    st.fixed_dictionaries(
        {},
        optional={
            "client_id": st.one_of(st.uuids().map(str), st.uuids().map(lambda u: u.hex), JSON_ANY),
            "tapped_at": st.one_of(MOMENTS, JSON_ANY),
            "first_visit": st.one_of(st.sampled_from(FirstVisit.values), JSON_ANY),
            "age_band": st.one_of(st.sampled_from(AgeBand.values), JSON_ANY),
            "came_via": st.one_of(st.integers(-1, 20), st.integers(-1, 20).map(str), JSON_ANY),
        },
    ),
    st.dictionaries(st.text(max_size=10), JSON_ANY, max_size=2),
).map(lambda pair: {**pair[1], **pair[0]})
DEEP_JSON = "[" * 100_000 + "]" * 100_000  # deeper than Python's recursion limit


def json_body():
    """A body for a JSON endpoint: a tap-like object, any JSON at all, or not JSON."""
    return st.one_of(
        CHECKIN_JSON.map(json.dumps),
        CHECKIN_JSON.map(json.dumps),
        JSON_ANY.map(json.dumps),
        st.binary(max_size=40),
        st.sampled_from(["", "{", "{}", "null", '{"client_id": NaN}', "1" * 5000, "[" * 50]),
    )


CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "text/plain",
        "application/x-www-form-urlencoded",
    ]
)


def post_raw(client, path, body, content_type):
    """The body exactly as given (bytes, or text as UTF-8), whatever the content type says."""
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    return client.generic("POST", path, body, content_type=content_type)


def assert_json_answer(response):
    assert_no_server_error(response)
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    answer = response.json()
    assert isinstance(answer, dict)
    if response.status_code >= 400:
        assert 400 <= response.status_code < 500
        assert answer["status"] != "ok"
    else:
        assert response.status_code in (200, 201)
        assert answer["status"] == "ok"
    return answer


@FUZZ
@given(body=json_body(), content_type=CONTENT_TYPES)
@example(body='{"client_id": "' + "\\ud800" * 3 + '"}', content_type="application/json")
@example(
    body=json.dumps({"client_id": str(uuid.uuid4()), "tapped_at": "a\x00"}),
    content_type="application/json",
)
@example(
    body=json.dumps({"client_id": str(uuid.uuid4()), "came_via": "9" * 5000}),
    content_type="application/json",
)
def test_the_json_check_in_answers_anything_with_json_and_never_a_500(
    dokkum, coordinator, body, content_type
):
    client = tablet_client(dokkum, coordinator)
    response = post_raw(client, url("visitors:checkin-api"), body, content_type)
    answer = assert_json_answer(response)
    if response.status_code in (200, 201):
        assert uuid.UUID(answer["client_id"])


@FUZZ
@given(body=json_body(), content_type=CONTENT_TYPES, recorded=st.booleans())
def test_the_json_undo_answers_anything_with_json_and_never_a_500(
    dokkum, coordinator, body, content_type, recorded
):
    client = tablet_client(dokkum, coordinator)
    if recorded:
        try:
            client_id = uuid.UUID(str(json.loads(body)["client_id"]))
        except (ValueError, TypeError, KeyError, RecursionError):
            pass
        else:
            services.record_visit(location=dokkum, client_id=client_id)
    response = post_raw(client, url("visitors:undo-api"), body, content_type)
    assert_json_answer(response)


# Only the client id can make a tap invalid (visitors/forms.py): whatever the facts hold.
FACTS = st.dictionaries(
    st.sampled_from(["tapped_at", "first_visit", "age_band", "came_via"]),
    st.one_of(MOMENTS, JSON_ANY).filter(lambda value: "\\u0000" not in json.dumps(value)),
    max_size=4,
)


@FUZZ
@given(client_id=st.uuids(), facts=FACTS)
@example(client_id=uuid.UUID(int=1), facts={"came_via": "9" * 5000, "tapped_at": "10000-01-01"})
def test_a_tap_with_a_readable_client_id_is_always_counted(dokkum, coordinator, client_id, facts):
    client = tablet_client(dokkum, coordinator)
    body = json.dumps({**facts, "client_id": str(client_id)})
    response = post_raw(client, url("visitors:checkin-api"), body, "application/json")
    assert response.status_code in (200, 201), response.content[:500]
    assert Visit.objects.filter(client_id=client_id, location=dokkum).exists()


def test_a_nul_character_in_a_fact_leaves_the_fact_out_and_counts_the_visitor(dokkum, coordinator):
    client = tablet_client(dokkum, coordinator)
    client_id = uuid.uuid4()
    body = json.dumps({"client_id": str(client_id), "tapped_at": "2026-03-10T10:30\x00"})
    response = post_raw(client, url("visitors:checkin-api"), body, "application/json")
    assert response.status_code == 201
    assert Visit.objects.get(client_id=client_id).time_from_server  # unreadable time: marked


@pytest.mark.parametrize("name", ["visitors:checkin-api", "visitors:undo-api"])
def test_json_nested_deeper_than_python_can_read_is_refused_with_json(dokkum, coordinator, name):
    client = tablet_client(dokkum, coordinator)
    response = client.post(url(name), DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert assert_json_answer(response)["status"] == "invalid"


# Logging in: password, code by e-mail, password reset, the invitation link -------------------


@pytest.fixture
def known_person(db):
    return UserFactory(email="anneke@example.org")


def login_fields():
    email = st.one_of(st.emails(), st.just("anneke@example.org"), st.just("ANNEKE@example.org"))
    return {
        "login": field(email),
        "password": field(st.one_of(st.just(PASSWORD), st.text(ANY_CHAR, max_size=40))),
        "remember": field(st.sampled_from(["on", ""])),
    }


@FUZZ
@given(data=form_body(login_fields()))
@example(data={"login": "anneke@example.org", "password": "fout"})
@example(data={"login": "<b>anneke</b>", "password": "\x00"})
def test_the_login_form_answers_bad_input_with_the_form_and_what_was_typed(known_person, data):
    cache.clear()  # the rate limit is tested elsewhere; here every attempt reaches the form
    client = Client()
    response = post_form(client, reverse("account_login"), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        return
    assert_form_again(response, data, keep=("login",))
    password = data.get("password")
    if (
        isinstance(password, str)
        and len(password) > 3
        and password not in typed_strings({k: v for k, v in data.items() if k != "password"})
    ):
        assert f'value="{html.escape(password)}"' not in response.content.decode()


@FUZZ
@given(data=form_body({"email": field(st.one_of(st.emails(), st.just("anneke@example.org")))}))
@example(data={"email": "anneke@"})
def test_the_login_code_request_answers_bad_input_with_the_form_and_what_was_typed(
    known_person, data
):
    cache.clear()
    client = Client()
    response = post_form(client, reverse("account_request_login_code"), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        return
    assert_form_again(response, data, keep=("email",))


@FUZZ
@given(data=form_body({"code": field(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", max_size=8))}))
@example(data={"code": "\x00" * 10})
def test_the_login_code_confirmation_answers_bad_input_with_a_dutch_message(known_person, data):
    cache.clear()
    client = Client()
    requested = client.post(reverse("account_request_login_code"), {"email": known_person.email})
    assert requested.status_code == 302
    response = post_form(client, reverse("account_confirm_login_code"), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        return
    assert_form_again(response, data, keep=("code",))


@FUZZ
@given(data=form_body({"email": field(st.one_of(st.emails(), st.just("anneke@example.org")))}))
@example(data={"email": "<script>@example"})
def test_the_password_reset_answers_bad_input_with_the_form_and_what_was_typed(known_person, data):
    cache.clear()
    client = Client()
    response = post_form(client, reverse("account_reset_password"), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        return
    assert_form_again(response, data, keep=("email",))


@FUZZ
@given(
    data=form_body(
        {
            "new_password1": field(st.just("een-ander-goed-wachtwoord-7")),
            "new_password2": field(st.just("een-ander-goed-wachtwoord-7")),
        }
    )
)
@example(data={"new_password1": "kort", "new_password2": "kort"})
def test_accepting_an_invitation_answers_bad_input_with_the_form_and_a_dutch_message(
    coordinator, dokkum, data
):
    membership, _sent = location_services.invite_person(
        location=dokkum,
        email=f"{uuid.uuid4().hex}@example.org",
        first_name="Nieuw",
        last_name="",
        role=Role.VOLUNTEER,
        invited_by=coordinator,
        base_url="http://testserver",
    )
    link = location_services.invitation_path(membership.user)
    response = post_form(Client(), link, data)
    assert_no_server_error(response)
    if response.status_code == 302:
        return
    if not encode(data):  # an empty POST shows the empty form, as a GET does
        assert response.status_code == 200
        return
    assert_form_again(response, data)


@FUZZ
@given(
    uidb64=st.one_of(SHORT_TEXT, st.binary(max_size=30).map(lambda b: urlsafe_base64_encode(b))),
    token=SHORT_TEXT,
)
@example(uidb64=urlsafe_base64_encode(force_bytes(2**80)), token="x-y")
@example(uidb64=urlsafe_base64_encode(b"\xff\xfe"), token="x")
def test_a_garbled_invitation_link_is_a_404_never_a_500(uidb64, token):
    uidb64 = uidb64.replace("/", "") or "x"
    token = token.replace("/", "") or "x"
    response = Client().get(f"/uitnodiging/{uidb64}/{token}/")
    assert_no_server_error(response)


# The language switch -------------------------------------------------------------------------


@FUZZ
@given(
    data=form_body(
        {
            "language": field(st.sampled_from(["nl", "en", "de", "xx-yy", ""])),
            "next": field(st.sampled_from(["/", "//evil.example", "https://evil.example/", "/x"])),
        }
    )
)
def test_the_language_switch_never_fails(data):
    response = post_form(Client(), reverse("set_language"), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        assert not response["Location"].startswith(("//", "http"))
