"""Nothing doubled (issue 12): a form that creates something, sent twice, creates one thing.

Every such form carries a one-time key made when it is shown (buurtkamer/once.py). Sent twice in
a row, or twice at once (PostgreSQL, threads with their own connections as in
test_roster_race.py), it makes one record, and the second answer leads to the first's result.
Also: one active tally per day-part, asking before a tally on a closed day or on top of the
tablet's counts, undoing a referral within 10 minutes, and log_action refusing plain strings.

The tests make their own location, people and list entries: a transactional test flushes the
rows the migrations made.
"""

import datetime
import re
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Category
from buurtkamer.models import AuditEvent, SubmissionKey, log_action
from buurtkamer.once import SUBMISSION_KEY_DAYS
from locations.models import Closure, DayPart, LogEntry, Role
from visitors import services as visit_services
from visitors.models import ManualTally, Referral, ReferralTarget, Source, Story, Visit

from .factories import LocationFactory, MembershipFactory
from .support import require_postgresql, run_at_once

KEY = re.compile(r'name="submission_key" value="([0-9a-f-]{36})"')
THREADS = 4


@pytest.fixture
def place(db):
    return LocationFactory(name="Buurtkamer Proef", slug="proef")


@pytest.fixture
def boss(place):
    return MembershipFactory(location=place, role=Role.COORDINATOR, user__first_name="Jan").user


@pytest.fixture
def target(db):
    return ReferralTarget.objects.get_or_create(name="Proefhulp")[0]


@pytest.fixture
def category(db):
    return Category.objects.get_or_create(name="Proefsoort")[0]


def signed_in(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def key_on(client, url):
    """The one-time key of the form on a page (as the browser would send it back)."""
    response = client.get(url)
    assert response.status_code == 200
    found = KEY.findall(response.text)
    assert found, f"no submission_key on {url}"
    return found[0]


def yesterday():
    return timezone.localdate() - datetime.timedelta(days=1)


# The forms under test: (the page showing the form, where it posts, the body, what it makes).
def tally_form(place, **_objects):
    url = reverse("visitors:tallies", kwargs={"slug": place.slug})
    body = {
        "date": yesterday().isoformat(),
        "day_part": DayPart.MORNING,
        "visitors": "7",
        "first_visits": "1",
    }
    return url, url, body, lambda: (ManualTally.objects.count(), Visit.objects.count())


def referral_form(place, target, **_objects):
    page = reverse("visitors:today", kwargs={"slug": place.slug})
    url = reverse("visitors:referral", kwargs={"slug": place.slug})
    return page, url, {"target": target.pk}, lambda: Referral.objects.count()


def activity_form(place, category, **_objects):
    url = reverse("activities:activity-new", kwargs={"slug": place.slug})
    body = {
        "title": "Koffieochtend",
        "category": category.pk,
        "recurrence": "once",
        "starts_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "starts_at": "10:00",
        "ends_at": "11:30",
        "volunteers_needed": "0",
    }
    return url, url, body, lambda: Activity.objects.count()


def logbook_form(place, **_objects):
    url = reverse("locations:logbook-new", kwargs={"slug": place.slug})
    body = {
        "date": yesterday().isoformat(),
        "day_part": "",
        "kind": LogEntry.Kind.GENERAL,
        "text": "De verwarming deed het niet.",
    }
    return url, url, body, lambda: LogEntry.objects.count()


def closure_form(place, **_objects):
    url = reverse("locations:closures", kwargs={"slug": place.slug})
    starts = timezone.localdate() + datetime.timedelta(days=30)
    body = {"starts_on": starts.isoformat(), "ends_on": starts.isoformat(), "reason": "Teamuitje"}
    return url, url, body, lambda: Closure.objects.count()


def story_form(place, **_objects):
    url = reverse("visitors:stories", kwargs={"slug": place.slug})
    body = {"date": yesterday().isoformat(), "kind": "story", "text": "Een mooie middag."}
    return url, url, body, lambda: Story.objects.count()


FORMS = [
    pytest.param(tally_form, (1, 7), id="tally"),
    pytest.param(referral_form, 1, id="referral"),
    pytest.param(activity_form, 1, id="activity"),
    pytest.param(logbook_form, 1, id="logbook"),
    pytest.param(closure_form, 1, id="closure"),
    pytest.param(story_form, 1, id="story"),
]


@pytest.mark.parametrize(("make_form", "one"), FORMS)
def test_the_same_form_sent_twice_in_a_row_makes_one_record(
    make_form, one, place, boss, target, category
):
    client = signed_in(boss)
    page, url, body, count = make_form(place, target=target, category=category)
    body = {**body, "submission_key": key_on(client, page)}

    first = client.post(url, body)
    assert first.status_code == 302, first.content[:2000]
    second = client.post(url, body, follow=True)

    assert count() == one
    assert second.redirect_chain[0][0] == first["Location"]
    assert "Dit was al opgeslagen. Er is niets dubbel opgeslagen." in second.text
    assert SubmissionKey.objects.get(key=body["submission_key"]).user == boss


@pytest.mark.parametrize(("make_form", "one"), FORMS)
def test_each_time_the_form_is_shown_it_gets_a_new_key(
    make_form, one, place, boss, target, category
):
    client = signed_in(boss)
    page, _url, _body, _count = make_form(place, target=target, category=category)
    assert key_on(client, page) != key_on(client, page)


def test_a_refused_form_keeps_its_key_free_for_the_corrected_send(place, boss):
    client = signed_in(boss)
    page, url, body, count = tally_form(place)
    key = key_on(client, page)

    wrong = client.post(url, {**body, "visitors": "", "submission_key": key})
    assert wrong.status_code == 400
    assert key in wrong.text  # the same key stays in the form that comes back
    right = client.post(url, {**body, "submission_key": key})

    assert right.status_code == 302
    assert count() == (1, 7)


def test_a_garbled_key_is_a_form_error_not_a_500(place, boss):
    client = signed_in(boss)
    _page, url, body, count = tally_form(place)

    response = client.post(url, {**body, "submission_key": "niet-een-sleutel\x00"})

    assert response.status_code == 400
    assert "Dit formulier is verlopen. Laad de pagina opnieuw." in response.text
    assert count() == (0, 0)


def test_someone_elses_key_leads_nowhere_and_makes_nothing(place, boss, target):
    other = MembershipFactory(location=place, role=Role.COORDINATOR).user
    page, url, body, count = referral_form(place, target)
    key = key_on(signed_in(boss), page)
    signed_in(boss).post(url, {**body, "submission_key": key})

    response = signed_in(other).post(url, {**body, "submission_key": key})

    assert response["Location"] == page
    assert count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("make_form", "one"), FORMS[:5])
def test_the_same_form_sent_at_once_from_several_threads_makes_one_record(
    make_form, one, place, boss, target, category
):
    require_postgresql()
    page, url, body, count = make_form(place, target=target, category=category)
    clients = [signed_in(boss) for _ in range(THREADS)]
    body = {**body, "submission_key": key_on(clients[0], page)}

    results = run_at_once([lambda client=client: client.post(url, body) for client in clients])

    assert [error for _response, error in results if error] == []
    assert {response.status_code for response, _error in results} == {302}
    assert count() == one


@pytest.mark.django_db(transaction=True)
def test_two_tallies_for_one_day_part_at_once_make_one(place, boss):
    """Two coordinators (two keys) tally the same day-part at once: the constraint decides."""
    require_postgresql()
    page, url, body, count = tally_form(place)
    clients = [signed_in(boss) for _ in range(THREADS)]
    bodies = [{**body, "submission_key": key_on(client, page)} for client in clients]

    results = run_at_once(
        [
            lambda client=client, posted=posted: client.post(url, posted)
            for client, posted in zip(clients, bodies, strict=True)
        ]
    )

    assert [error for _response, error in results if error] == []
    statuses = sorted(response.status_code for response, _error in results)
    assert statuses == [302] + [409] * (THREADS - 1)
    assert count() == (1, 7)


# One tally per day-part -------------------------------------------------------------------------


def test_the_database_allows_one_active_tally_per_day_part(place, boss):
    tally = visit_services.record_tally(
        location=place,
        date=yesterday(),
        day_part=DayPart.EVENING,
        visitors=3,
        first_visits=0,
        user=boss,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ManualTally.objects.create(
            location=place, date=yesterday(), day_part=DayPart.EVENING, visitors=2
        )
    visit_services.void_tally(tally=tally, user=boss)
    # A voided one no longer counts: a new tally for that day-part is fine.
    ManualTally.objects.create(
        location=place, date=yesterday(), day_part=DayPart.EVENING, visitors=2
    )


def test_a_second_tally_is_offered_as_a_correction_with_the_typed_numbers(place, boss):
    client = signed_in(boss)
    page, url, body, count = tally_form(place)
    client.post(url, {**body, "submission_key": key_on(client, page)})
    first = ManualTally.objects.get()

    second = client.post(
        url, {**body, "visitors": "9", "first_visits": "2", "submission_key": key_on(client, page)}
    )

    assert second.status_code == 409
    assert "is al een turflijst met 7 bezoekers" in second.text
    assert 'name="visitors" value="9"' in second.text
    correct = reverse("visitors:tally-edit", kwargs={"slug": place.slug, "pk": first.pk})
    assert f"{correct}?visitors=9&amp;first_visits=2" in second.text
    offered = client.get(f"{correct}?visitors=9&first_visits=2")
    assert 'name="visitors" value="9"' in offered.text
    assert count() == (1, 7)


# Asking before saving ---------------------------------------------------------------------------


def test_a_tally_on_a_closed_day_asks_first_and_keeps_what_was_typed(place, boss):
    Closure.objects.create(
        location=place, starts_on=yesterday(), ends_on=yesterday(), reason="Koningsdag"
    )
    client = signed_in(boss)
    page, url, body, count = tally_form(place)
    body = {**body, "submission_key": key_on(client, page)}

    asked = client.post(url, body)

    assert asked.status_code == 200
    assert "was de buurtkamer dicht (Koningsdag)" in asked.text
    assert 'name="confirm"' in asked.text
    assert 'name="visitors" value="7"' in asked.text
    assert count() == (0, 0)
    saved = client.post(url, {**body, "confirm": "on"})
    assert saved.status_code == 302
    assert count() == (1, 7)


def test_a_tally_on_top_of_the_tablets_counts_asks_first(place, boss):
    visit, _created = visit_services.record_visit(location=place, client_id=uuid.uuid4())
    client = signed_in(boss)
    page, url, body, _count = tally_form(place)
    body = {
        **body,
        "date": visit.recorded_on.isoformat(),
        "day_part": visit.day_part,
        "submission_key": key_on(client, page),
    }

    asked = client.post(url, body)

    assert "al 1 bezoeker. Tel je niemand dubbel?" in asked.text
    assert not ManualTally.objects.exists()
    client.post(url, {**body, "confirm": "on"})
    assert Visit.objects.counted().filter(source=Source.MANUAL).count() == 7


def test_a_tally_on_an_open_day_without_taps_is_saved_at_once(place, boss):
    client = signed_in(boss)
    page, url, body, count = tally_form(place)
    response = client.post(url, {**body, "submission_key": key_on(client, page)})
    assert response.status_code == 302
    assert count() == (1, 7)


# Undoing a referral -----------------------------------------------------------------------------


def test_a_referral_can_be_undone_within_ten_minutes(place, boss, target):
    client = signed_in(boss)
    today = reverse("visitors:today", kwargs={"slug": place.slug})
    referral = visit_services.record_referral(location=place, target=target, user=boss)
    undo = reverse("visitors:referral-undo", kwargs={"slug": place.slug, "pk": referral.pk})
    assert undo in client.get(today).text

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=9)):
        response = client.post(undo, follow=True)

    assert "Ongedaan gemaakt: 1 doorverwijzing naar Proefhulp." in response.text
    referral.refresh_from_db()
    assert referral.voided_at is not None and referral.voided_by == boss
    assert visit_services.referral_counts(place, referral.date) == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REFERRAL_VOIDED).count() == 1


def test_a_referral_cannot_be_undone_after_ten_minutes(place, boss, target):
    client = signed_in(boss)
    referral = visit_services.record_referral(location=place, target=target, user=boss)
    undo = reverse("visitors:referral-undo", kwargs={"slug": place.slug, "pk": referral.pk})

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        response = client.post(undo, follow=True)
        assert undo not in response.text

    assert "Ongedaan maken kan tot 10 minuten na het tellen." in response.text
    referral.refresh_from_db()
    assert referral.voided_at is None
    assert visit_services.referral_counts(place, referral.date) == [
        {"name": "Proefhulp", "count": 1}
    ]


# Audit ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["tally_recorded", "bestaat_niet", None, 3])
def test_log_action_takes_only_members_of_the_action_list(db, action):
    with pytest.raises(TypeError):
        log_action(actor=None, action=action)
    assert not AuditEvent.objects.exists()


def test_referrals_stories_and_logbook_entries_are_audited(place, boss, target):
    client = signed_in(boss)
    for make_form in (referral_form, story_form, logbook_form):
        page, url, body, _count = make_form(place, target=target)
        client.post(url, {**body, "submission_key": key_on(client, page)})
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        AuditEvent.Action.REFERRAL_RECORDED,
        AuditEvent.Action.STORY_ADDED,
        AuditEvent.Action.LOG_ENTRY_WRITTEN,
    }
    # The logbook's text stays out of the audit log.
    assert "verwarming" not in " ".join(AuditEvent.objects.values_list("subject", flat=True))


def test_rooms_categories_and_partners_are_audited(place, boss):
    client = signed_in(boss)
    client.post(reverse("activities:rooms", kwargs={"slug": place.slug}), {"name": "Zaal"})
    client.post(reverse("activities:categories"), {"name_nl": "Muziek", "position": "3"})
    client.post(
        reverse("activities:partner-new"),
        {"name": "Bibliotheek", "kind": "association", "locations": [place.pk]},
    )
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        AuditEvent.Action.ROOM_ADDED,
        AuditEvent.Action.CATEGORY_ADDED,
        AuditEvent.Action.PARTNER_ADDED,
    }


# The browser side and the clean-up --------------------------------------------------------------


def test_every_page_loads_the_script_that_switches_submit_buttons_off(place, boss):
    response = signed_in(boss).get(reverse("visitors:tallies", kwargs={"slug": place.slug}))
    assert re.search(r'<script src="[^"]*js/once\.js" defer></script>', response.text)


def test_the_nightly_command_deletes_old_keys(place, boss):
    old = SubmissionKey.objects.create(key=uuid.uuid4(), user=boss)
    SubmissionKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=SUBMISSION_KEY_DAYS + 1)
    )
    recent = SubmissionKey.objects.create(key=uuid.uuid4(), user=boss)

    call_command("anonymise_stopped_volunteers", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert list(SubmissionKey.objects.all()) == [recent]
