"""Each in their own language (issue 15, item 4): a person's language on their account (Mijn
gegevens, the footer switch) and in every e-mail to them, whoever caused it; a tablet's own
language whatever the browser says; the public programme, poster and .ics in the language of
their URL (?taal=fy)."""

import datetime
import html as html_module

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from activities.models import OccurrenceStatus
from buurtkamer.models import AuditEvent, User
from locations.models import Role
from visitors.models import Tablet
from volunteers.models import MemberRecord, Status, Task

from .factories import PASSWORD, MembershipFactory, OccurrenceFactory, UserFactory
from .support import make_shift, pair_url, tablet_url

MY_PROFILE = reverse("volunteers:my-profile")
DUTCH_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
FRISIAN_WEEKDAYS = ("moandei", "tiisdei", "woansdei", "tongersdei", "freed", "sneon", "snein")


def frisian_volunteer(location):
    membership = MembershipFactory(
        location=location, role=Role.VOLUNTEER, user__first_name="Sjoukje"
    )
    MemberRecord.objects.create(membership=membership, status=Status.ACTIVE)
    User.objects.filter(pk=membership.user_id).update(language="fy")
    return User.objects.get(pk=membership.user_id)


def shown(message):
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return html, html_module.unescape(strip_tags(html))


# E-mails in the reader's language ---------------------------------------------------------------


def test_a_dutch_coordinator_assigning_a_frisian_volunteer_mails_her_in_frisian(
    client, login, dokkum, coordinator, django_capture_on_commit_callbacks
):
    person = frisian_volunteer(dokkum)
    shift = make_shift(dokkum, task=Task.HOST, days=3)
    login(coordinator)  # Dutch: the default, and the cookie says so too
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("volunteers:assign", kwargs={"slug": "dokkum", "pk": shift.pk}),
            {"volunteer": person.pk},
            follow=True,
        )
    assert '<html lang="nl">' in response.text  # the coordinator's page stays Dutch

    (message,) = mail.outbox
    assert message.to == [person.email]
    assert message.subject.startswith("Do bist ynroastere: gastfrou/gasthear op ")
    weekday = shift.date.weekday()
    assert FRISIAN_WEEKDAYS[weekday] in message.subject  # the date in Frisian too
    assert DUTCH_WEEKDAYS[weekday] not in message.subject
    html, text = shown(message)
    assert '<html lang="fy">' in html
    assert "Je bent ingeroosterd" not in text + message.body
    assert message.extra_headers["Content-Language"] == "fy"


def test_one_cancellation_announces_the_open_place_to_each_in_their_own_language(
    dokkum, volunteer, django_capture_on_commit_callbacks
):
    from volunteers import services

    MemberRecord.objects.update_or_create(
        membership=volunteer.memberships.get(), defaults={"status": Status.ACTIVE}
    )
    frisian = frisian_volunteer(dokkum)
    dutch_membership = MembershipFactory(location=dokkum, user__first_name="Durk")
    MemberRecord.objects.create(membership=dutch_membership, status=Status.ACTIVE)
    assignment = services.take_place(make_shift(dokkum, days=2), volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_assignment(assignment, by=volunteer, reason="", base_url="http://x")

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[frisian.email].startswith("Iepen plak: ")
    assert subjects[dutch_membership.user.email].startswith("Open plek: ")


def test_the_login_code_goes_out_in_the_language_of_the_account_not_of_the_page(client, dokkum):
    person = frisian_volunteer(dokkum)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # asked on an English page
    client.post(reverse("account_request_login_code"), {"email": person.email})
    (message,) = mail.outbox
    assert message.subject.endswith("Dyn ynlogkoade")


def test_an_invitation_to_someone_new_is_in_the_language_the_inviter_chose(
    client, login, coordinator, dokkum
):
    login(coordinator)
    client.post(
        reverse("locations:team", kwargs={"slug": "dokkum"}),
        {
            "email": "nij@example.org",
            "first_name": "Wopke",
            "role": Role.VOLUNTEER,
            "language": "fy",
        },
    )
    (message,) = mail.outbox
    html, _text = shown(message)
    assert '<html lang="fy">' in html
    assert User.objects.get(email="nij@example.org").language == "fy"


def test_an_invitation_to_an_existing_account_keeps_that_persons_language(
    client, login, coordinator, dokkum
):
    known = UserFactory(email="bekend@example.org", language="en")
    login(coordinator)
    client.post(
        reverse("locations:team", kwargs={"slug": "dokkum"}),
        {"email": known.email, "first_name": "X", "role": Role.VOLUNTEER, "language": "fy"},
    )
    (message,) = mail.outbox
    assert '<html lang="en">' in shown(message)[0]
    known.refresh_from_db()
    assert known.language == "en"


# The person's language: the footer switch and Mijn gegevens -------------------------------------


def test_the_footer_switch_stores_the_language_on_the_account(client, login, volunteer):
    login(volunteer)
    response = client.post(reverse("set_language"), {"language": "fy", "next": "/"})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.language == "fy"
    events = AuditEvent.objects.filter(action=AuditEvent.Action.LANGUAGE_CHANGED)
    assert [event.details["language"] for event in events] == ["fy"]
    # A second click changes nothing and writes nothing.
    client.post(reverse("set_language"), {"language": "fy", "next": "/"})
    assert events.count() == 1
    # Another device, without the cookie: the account's language.
    client.cookies.clear()
    client.force_login(volunteer)
    assert '<html lang="fy">' in client.get(reverse("dashboard")).text


def test_the_stored_language_wins_over_an_old_cookie_after_login(client, login, volunteer):
    User.objects.filter(pk=volunteer.pk).update(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fy"
    assert '<html lang="fy">' in client.get(reverse("account_login")).text
    login(volunteer)
    assert '<html lang="en">' in client.get(reverse("dashboard")).text


def test_an_unknown_language_from_the_switch_changes_nothing(client, login, volunteer):
    login(volunteer)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.language == "nl"


def test_mijn_gegevens_changes_the_language(client, login, volunteer):
    login(volunteer)
    page = client.get(MY_PROFILE)
    form = page.context["form"]
    assert form["language"].value() == "nl"
    response = client.post(
        MY_PROFILE,
        {
            "first_name": "Anneke",
            "last_name": "Post",
            "phone": "",
            "language": "fy",
            "version": form["version"].value(),
        },
        follow=True,
    )
    assert response.status_code == 200
    volunteer.refresh_from_db()
    assert volunteer.language == "fy"
    assert '<html lang="fy">' in response.text
    assert "Dyn gegevens binne bewarre." in response.text
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fy"  # kept after logout
    refused = client.post(MY_PROFILE, {"first_name": "Anneke", "language": "xx"})
    assert refused.status_code == 400
    volunteer.refresh_from_db()
    assert volunteer.language == "fy"


# The tablet's own language ----------------------------------------------------------------------


def test_a_frisian_tablet_speaks_frisian_whatever_the_browser_says(client, login, coordinator):
    login(coordinator)
    response = client.post(pair_url(), {"name": "Kollum foardoar", "language": "fy"})
    assert response.status_code == 302
    tablet = Tablet.objects.get()
    assert tablet.language == "fy"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(tablet_url(), headers={"accept-language": "en"})
    assert '<html lang="fy">' in page.text
    assert "Besiker binnen" in page.text
    assert "Visitor in" not in page.text and "Bezoeker binnen" not in page.text
    # Its JSON answers too.
    answer = client.post(
        reverse("visitors:checkin-api", kwargs={"slug": "dokkum"}),
        b"[]",
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == "Net te lêzen fersyk."
    assert answer["Content-Language"] == "fy"


def test_the_coordinator_changes_the_tablets_language_later(client, login, coordinator, dokkum):
    from visitors import services as visit_services

    tablet, token = visit_services.pair_tablet(
        location=dokkum, name="Foardoar", paired_by=coordinator
    )
    login(coordinator)
    url = reverse("visitors:tablet-language", kwargs={"slug": "dokkum", "pk": tablet.pk})
    field = f"tablet-{tablet.pk}-language"
    assert client.post(url, {field: "xx"}).status_code == 400
    assert client.post(url, {field: "fy"}).status_code == 302
    client.post(url, {field: "fy"})  # twice: changed once
    tablet.refresh_from_db()
    assert tablet.language == "fy"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TABLET_LANGUAGE_CHANGED).count() == 1

    device = type(client)()
    device.cookies[settings.TABLET_COOKIE_NAME] = token
    assert "Besiker binnen" in device.get(tablet_url()).text


# The public programme, poster and .ics in the language of their URL ----------------------------


@pytest.fixture
def programme_week(dokkum):
    today = timezone.localdate()
    OccurrenceFactory(activity__location=dokkum, activity__title="Kofjemoarn", date=today)
    OccurrenceFactory(
        activity__location=dokkum,
        activity__title="Kuierje",
        activity__starts_on=today,
        date=today + datetime.timedelta(days=1),
        status=OccurrenceStatus.CANCELLED,
    )
    return dokkum


PROGRAMME_WORDS = {
    "nl": "Zet het programma in je agenda",
    "fy": "Set it programma yn dyn aginda",
    "en": "Add the programme to your calendar",
}
CANCELLED_WORDS = {"nl": "gaat niet door", "fy": "giet net troch", "en": "not going ahead"}


@pytest.mark.parametrize("language", ["nl", "fy", "en"])
def test_the_programme_and_its_ics_in_each_language(client, programme_week, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fy" if language != "fy" else "en"
    url = reverse("activities:programme", kwargs={"slug": "dokkum"})
    page = client.get(url, {"taal": language}, headers={"accept-language": "de"})
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert PROGRAMME_WORDS[language] in page.text
    assert page["Content-Language"] == language
    # The switch and the links keep the language in the URL.
    ics_url = reverse("activities:programme-ics", kwargs={"slug": "dokkum"})
    assert f'href="{ics_url}?taal={language}"' in page.text
    for other in ("nl", "fy", "en"):
        assert f'href="{url}?taal={other}"' in page.text

    feed = client.get(ics_url, {"taal": language}).content.decode()
    assert f"SUMMARY:Kuierje ({CANCELLED_WORDS[language]})" in feed
    assert "SUMMARY:Kofjemoarn" in feed


def test_the_poster_qr_code_and_links_carry_the_language(client, programme_week):
    url = reverse("activities:poster", kwargs={"slug": "dokkum"})
    page = client.get(url, {"taal": "fy", "week": "volgende"})
    assert '<html lang="fy">' in page.text
    programme = "http://testserver" + reverse("activities:programme", kwargs={"slug": "dokkum"})
    assert f"{programme}?taal=fy" in page.text  # written under the code
    assert "<svg" in page.context["qr_code"]
    assert page.context["programme_url"] == f"{programme}?taal=fy"
    assert 'href="?week=deze&amp;taal=fy"' in page.text
    assert f'href="{url}?week=volgende&amp;taal=en"' in page.text  # the switch keeps the week


@pytest.mark.parametrize("value", ["xx", "", "FYY", "<script>", "nl" * 300])
def test_an_unknown_language_in_the_url_gives_the_dutch_page(client, programme_week, value):
    for name in ("activities:programme", "activities:poster", "activities:programme-ics"):
        response = client.get(reverse(name, kwargs={"slug": "dokkum"}), {"taal": value})
        assert response.status_code == 200, name
        assert response["Content-Language"] == "nl"
    index = client.get(reverse("activities:programme-index"), {"taal": value})
    assert '<html lang="nl">' in index.text


def test_after_logging_in_on_a_dutch_page_a_frisian_person_is_greeted_in_frisian(client, dokkum):
    person = frisian_volunteer(dokkum)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = client.post(
        reverse("account_login"),
        {"login": person.email, "password": PASSWORD},
        follow=True,
    )
    assert '<html lang="fy">' in response.text
    assert f"Do bist ynlogd as {person.first_name}" in response.text


def test_the_monthly_report_reaches_each_staff_member_in_their_own_language(dokkum, staff):
    import io

    from django.core.management import call_command
    from openpyxl import load_workbook

    frisian = UserFactory(is_aanzet_staff=True, language="fy")
    call_command("send_monthly_report", "--month", "2026-10", stdout=io.StringIO())

    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[staff.email].subject == "Bezoekerscijfers oktober 2026"
    message = by_address[frisian.email]
    assert message.subject == "Besikerssifers oktober 2026"
    assert "Besites: 0" in message.body
    workbook = load_workbook(io.BytesIO(message.attachments[1][1]))
    assert any(sheet["A1"].value == "Gearfetting" for sheet in workbook.worksheets)
