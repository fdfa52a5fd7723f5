"""Issue 11: joining a location needs the person's consent, the last coordinator stays, and an
e-mail address longer than the column is a form error.

The attack as it was reproduced: a coordinator "invited" an address that already had an account
and so got that account into their team at once, with its real name on the team page and its
profile (phone number, a confidential note of another location's coordinator) open to them.
Now such an invitation only asks: the account stays invisible until its owner says yes.
"""

import datetime
import re
import threading

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.forms import PartnerForm
from buurtkamer.models import AuditEvent
from locations import services
from locations.forms import InviteForm
from locations.models import Membership, Role
from volunteers.models import MemberRecord, VolunteerProfile

from .factories import LocationFactory, MembershipFactory, UserFactory
from .support import on_ci_with_postgresql

User = get_user_model()

TEAM_URL = reverse("locations:team", kwargs={"slug": "dokkum"})
DETAIL_URL = reverse("locations:detail", kwargs={"slug": "dokkum"})
ACCEPT_LINK = re.compile(r"http://testserver(/locaties/uitnodigingen/\d+/[^/\s]+/accepteren/)")
DECLINE_LINK = re.compile(r"http://testserver(/locaties/uitnodigingen/\d+/[^/\s]+/afslaan/)")
PASSWORD_LINK = re.compile(r"http://testserver(/uitnodiging/[^/\s]+/[^/\s]+/)")
NEW_PASSWORD = "Terp-en-Wad-2031!"


def profile_url(person, slug="dokkum"):
    return reverse("volunteers:detail", kwargs={"slug": slug, "pk": person.pk})


def change_role_url(membership, slug="dokkum"):
    return reverse("locations:change-role", kwargs={"slug": slug, "pk": membership.pk})


def end_membership_url(membership, slug="dokkum"):
    return reverse("locations:end-membership", kwargs={"slug": slug, "pk": membership.pk})


def invite(client, email, url=TEAM_URL, **overrides):
    data = {"email": email, "first_name": "x", "role": Role.VOLUNTEER, **overrides}
    return client.post(url, data)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def staff_member(db):
    """An AanZet staff member with a volunteer profile and a phone number, as in the report."""
    person = UserFactory(email="staf@example.org", first_name="Sietske", last_name="Stafhouder")
    person.is_aanzet_staff = True
    person.save(update_fields=["is_aanzet_staff"])
    VolunteerProfile.objects.create(user=person, phone="0612345678")
    return person


@pytest.fixture
def burgum_volunteer(burgum, other_coordinator):
    """A Burgum volunteer whose profile holds the Burgum coordinator's confidential note."""
    membership = MembershipFactory(
        location=burgum,
        role=Role.VOLUNTEER,
        user__first_name="Durk",
        user__last_name="Geheimsma",
        user__email="durk@example.org",
    )
    VolunteerProfile.objects.create(user=membership.user, phone="0687654321")
    MemberRecord.objects.create(membership=membership, notes="Vertrouwelijk: thuissituatie lastig.")
    return membership.user


def open_invitation(person, location):
    return Membership.objects.invitations().get(user=person, location=location)


# The attack, replayed ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["staff_member", "burgum_volunteer"])
def test_inviting_an_existing_account_shows_nothing_of_it(
    client, login, coordinator, dokkum, target, request
):
    person = request.getfixturevalue(target)
    login(coordinator)
    assert client.get(profile_url(person)).status_code == 404

    response = invite(client, person.email)

    assert response.status_code == 302
    assert response["Location"] == TEAM_URL
    team = client.get(TEAM_URL)
    assert f"{person.email} is uitgenodigd als vrijwilliger." in messages_of(team)[0]
    assert person.email in team.text
    assert "uitnodiging verstuurd op" in team.text
    assert person.first_name not in team.text
    assert person.last_name not in team.text
    # The profile stays closed: no phone number, no note of another location.
    page = client.get(profile_url(person))
    assert page.status_code == 404
    assert person.volunteer_profile.phone not in page.text
    assert "Vertrouwelijk" not in page.text
    assert (
        client.get(reverse("volunteers:list", kwargs={"slug": "dokkum"})).text.count(
            person.first_name
        )
        == 0
    )
    # Nothing current: no access for the person, no place in the team.
    assert not Membership.objects.current().filter(user=person, location=dokkum).exists()
    assert open_invitation(person, dokkum).role == Role.VOLUNTEER

    # The person is asked, not told they were added.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert "toegevoegd" not in message.subject
    assert message.subject == "Uitnodiging voor Buurtkamer Dokkum: doe je mee?"
    assert ACCEPT_LINK.search(message.body) and DECLINE_LINK.search(message.body)
    html = message.alternatives[0].content
    assert ACCEPT_LINK.search(html) and DECLINE_LINK.search(html)


def test_the_coordinator_who_invited_someone_of_another_location_sees_none_of_their_pages(
    client, login, volunteer, other_coordinator, burgum
):
    """The persona of the matrix: Burgum's coordinator invited a Dokkum volunteer to Burgum
    (not answered yet). Every page about that volunteer stays 404 for them, under either
    location, and POSTs change nothing."""
    VolunteerProfile.objects.create(user=volunteer, phone="0611111111")
    record = MemberRecord.objects.create(
        membership=Membership.objects.get(user=volunteer), notes="Alleen Dokkum."
    )
    login(other_coordinator)
    invite(client, volunteer.email, url=reverse("locations:team", kwargs={"slug": "burgum"}))
    assert open_invitation(volunteer, burgum)

    for slug in ("dokkum", "burgum"):
        kwargs = {"slug": slug, "pk": volunteer.pk}
        for name in ("detail", "change-status", "edit-onboarding", "add-training"):
            path = reverse(f"volunteers:{name}", kwargs=kwargs)
            assert client.get(path).status_code in (404, 405), path
            posted = client.post(path, {"status": "stopped", "notes": ""})
            assert posted.status_code in (404, 405), path
        listing = client.get(reverse("volunteers:list", kwargs={"slug": slug}))
        assert volunteer.first_name not in listing.text
    record.refresh_from_db()
    assert record.notes == "Alleen Dokkum."


def test_an_invited_person_gets_nothing_of_the_location_before_saying_yes(
    client, login, coordinator, burgum_volunteer, dokkum
):
    login(coordinator)
    invite(client, burgum_volunteer.email)

    login(burgum_volunteer)
    assert client.get(DETAIL_URL).status_code == 404
    assert "Buurtkamer Dokkum" not in client.get(reverse("locations:list")).text
    assert client.get(TEAM_URL).status_code == 404


def test_the_answer_is_the_same_whether_the_address_has_an_account_or_not(
    client, login, coordinator, burgum_volunteer
):
    login(coordinator)
    answers = {}
    for email in (burgum_volunteer.email, "nog-geen-account@example.org"):
        response = invite(client, email, first_name="Durk")
        page = client.get(response["Location"])
        entry = re.search(
            rf"<li[^>]*>\s*<div>\s*<strong>{re.escape(email)}</strong>.*?</li>", page.text, re.S
        )
        assert entry, page.text
        answers[email] = (
            response.status_code,
            response["Location"],
            [text.replace(email, "ADRES") for text in messages_of(page)],
            re.sub(r"/team/\d+/", "/team/N/", entry.group(0).replace(email, "ADRES")),
        )
    existing, new = answers.values()
    assert existing == new
    assert "Durk" not in client.get(TEAM_URL).text


# Accepting and declining -------------------------------------------------------------------------


def test_the_invited_person_accepts_and_joins_the_team(
    client, login, coordinator, burgum_volunteer, dokkum
):
    login(coordinator)
    invite(client, burgum_volunteer.email, role=Role.COORDINATOR)
    accept_path = ACCEPT_LINK.search(mail.outbox[0].body).group(1)
    decline_path = DECLINE_LINK.search(mail.outbox[0].body).group(1)

    login(burgum_volunteer)
    page = client.get(accept_path)
    assert page.status_code == 200
    assert "Je bent uitgenodigd als coördinator bij Buurtkamer Dokkum." in page.text
    assert "Ja, ik doe mee" in page.text
    assert open_invitation(burgum_volunteer, dokkum)  # looking changes nothing

    response = client.post(accept_path)

    assert response.status_code == 302
    assert response["Location"] == DETAIL_URL
    membership = Membership.objects.current().get(user=burgum_volunteer, location=dokkum)
    assert membership.role == Role.COORDINATOR
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_ACCEPTED)
    assert event.actor == burgum_volunteer
    assert event.location == dokkum
    assert event.subject == burgum_volunteer.email
    assert client.get(DETAIL_URL).status_code == 200
    # One use: both links are dead now.
    assert client.get(accept_path).status_code == 404
    assert client.post(accept_path).status_code == 404
    assert client.post(decline_path).status_code == 404
    assert Membership.objects.current().get(user=burgum_volunteer, location=dokkum) == membership

    # Now the coordinator sees the person (their Dokkum membership is their consent).
    login(coordinator)
    assert "Durk" in client.get(TEAM_URL).text
    assert client.get(profile_url(burgum_volunteer)).status_code == 200


def test_the_invited_person_declines_and_nothing_is_shared(
    client, login, coordinator, burgum_volunteer, dokkum
):
    login(coordinator)
    invite(client, burgum_volunteer.email)
    accept_path = ACCEPT_LINK.search(mail.outbox[0].body).group(1)
    decline_path = DECLINE_LINK.search(mail.outbox[0].body).group(1)
    invitation = open_invitation(burgum_volunteer, dokkum)

    login(burgum_volunteer)
    page = client.get(decline_path)
    assert page.status_code == 200
    assert "Nee, ik sla de uitnodiging af" in page.text
    response = client.post(decline_path, follow=True)

    assert response.redirect_chain[0] == (reverse("dashboard"), 302)
    assert "Je hebt de uitnodiging van Buurtkamer Dokkum afgeslagen." in messages_of(response)
    invitation.refresh_from_db()
    assert invitation.ended_at is not None
    assert not Membership.objects.filter(
        user=burgum_volunteer, location=dokkum, ended_at__isnull=True
    ).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_DECLINED)
    assert (event.actor, event.location, event.subject) == (
        burgum_volunteer,
        dokkum,
        burgum_volunteer.email,
    )
    assert client.get(DETAIL_URL).status_code == 404
    assert client.post(accept_path).status_code == 404
    assert client.post(decline_path).status_code == 404

    login(coordinator)
    assert burgum_volunteer.email not in client.get(TEAM_URL).text
    assert client.get(profile_url(burgum_volunteer)).status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "volunteer", "other_coordinator", "staff"])
def test_someone_else_opening_the_link_gets_not_found(
    client, login, coordinator, burgum_volunteer, dokkum, who, request
):
    login(coordinator)
    invite(client, burgum_volunteer.email)
    links = [LINK.search(mail.outbox[0].body).group(1) for LINK in (ACCEPT_LINK, DECLINE_LINK)]

    login(request.getfixturevalue(who))
    for path in links:
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404

    assert open_invitation(burgum_volunteer, dokkum).pending
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.INVITATION_ACCEPTED, AuditEvent.Action.INVITATION_DECLINED]
    ).exists()


def test_someone_not_logged_in_is_sent_to_log_in_first(
    client, login, coordinator, burgum_volunteer
):
    login(coordinator)
    invite(client, burgum_volunteer.email)
    path = ACCEPT_LINK.search(mail.outbox[0].body).group(1)
    client.logout()

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_the_links_expire_like_the_other_invitations(
    client, login, coordinator, burgum_volunteer, dokkum, settings
):
    login(coordinator)
    invite(client, burgum_volunteer.email)
    path = ACCEPT_LINK.search(mail.outbox[0].body).group(1)

    login(burgum_volunteer)
    # A day past the timeout (the links, like the password links, last three days).
    later = timezone.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT, days=1)
    with time_machine.travel(later):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert open_invitation(burgum_volunteer, dokkum).pending


def test_a_made_up_or_tampered_link_is_not_found(client, login, coordinator, burgum_volunteer):
    login(coordinator)
    invite(client, burgum_volunteer.email)
    path = ACCEPT_LINK.search(mail.outbox[0].body).group(1)

    login(burgum_volunteer)
    assert client.get(path.replace("/accepteren/", "x/accepteren/")).status_code == 404
    assert client.get("/locaties/uitnodigingen/999999/abc-123/accepteren/").status_code == 404


def test_inviting_again_sends_a_new_link_with_the_new_role_and_the_old_one_stops(
    client, login, coordinator, burgum_volunteer, dokkum
):
    login(coordinator)
    invite(client, burgum_volunteer.email)
    old_path = ACCEPT_LINK.search(mail.outbox[0].body).group(1)
    invite(client, burgum_volunteer.email, role=Role.COORDINATOR)
    new_path = ACCEPT_LINK.search(mail.outbox[1].body).group(1)

    assert Membership.objects.filter(user=burgum_volunteer, location=dokkum).count() == 1
    login(burgum_volunteer)
    assert client.post(old_path).status_code == 404
    assert client.post(new_path).status_code == 302
    assert Membership.objects.current().get(user=burgum_volunteer, location=dokkum).role == (
        Role.COORDINATOR
    )


def test_the_coordinator_withdraws_an_invitation(
    client, login, coordinator, burgum_volunteer, dokkum
):
    login(coordinator)
    invite(client, burgum_volunteer.email)
    invitation = open_invitation(burgum_volunteer, dokkum)
    path = ACCEPT_LINK.search(mail.outbox[0].body).group(1)

    confirm = client.get(end_membership_url(invitation))
    assert confirm.status_code == 200
    assert "Uitnodiging intrekken?" in confirm.text
    assert "Durk" not in confirm.text
    assert client.post(end_membership_url(invitation)).status_code == 302

    invitation.refresh_from_db()
    assert invitation.ended_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_WITHDRAWN).count() == 1
    login(burgum_volunteer)
    assert client.post(path).status_code == 404


def test_an_invitation_cannot_get_a_role_change_before_it_is_accepted(
    client, login, coordinator, burgum_volunteer, dokkum
):
    login(coordinator)
    invite(client, burgum_volunteer.email)
    invitation = open_invitation(burgum_volunteer, dokkum)

    response = client.post(change_role_url(invitation), {"role": Role.COORDINATOR})

    assert response.status_code == 404
    assert open_invitation(burgum_volunteer, dokkum).role == Role.VOLUNTEER


def test_a_person_without_a_password_says_yes_by_choosing_one(
    client, login, coordinator, other_coordinator, dokkum, burgum
):
    """Invited by Burgum, never chose a password, then invited by Dokkum: both e-mails carry
    the link to choose a password, and choosing it accepts the open invitations."""
    login(other_coordinator)
    invite(client, "nieuw@example.org", url=reverse("locations:team", kwargs={"slug": "burgum"}))
    login(coordinator)
    invite(client, "nieuw@example.org")
    person = User.objects.get(email="nieuw@example.org")
    assert Membership.objects.invitations().filter(user=person).count() == 2
    assert not Membership.objects.current().filter(user=person).exists()
    path = PASSWORD_LINK.search(mail.outbox[1].body).group(1)
    client.logout()

    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert set(
        Membership.objects.current().filter(user=person).values_list("location", flat=True)
    ) == {
        dokkum.pk,
        burgum.pk,
    }
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_ACCEPTED).count() == 2


# AanZet staff add directly ----------------------------------------------------------------------


def test_staff_add_an_existing_account_directly_and_it_is_audited_as_such(
    client, login, staff, burgum_volunteer, dokkum
):
    login(staff)

    response = invite(client, burgum_volunteer.email, role=Role.COORDINATOR)

    assert response.status_code == 302
    membership = Membership.objects.current().get(user=burgum_volunteer, location=dokkum)
    assert membership.role == Role.COORDINATOR
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_ADDED_BY_STAFF)
    assert (event.actor, event.location, event.subject) == (
        staff,
        dokkum,
        burgum_volunteer.email,
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.INVITED).exists()
    message = mail.outbox[0]
    assert "toegevoegd" in message.subject
    assert "http://testserver/accounts/login/" in message.body
    assert not ACCEPT_LINK.search(message.body)
    assert (
        f"{burgum_volunteer.email} is toegevoegd als coördinator."
        in messages_of(client.get(TEAM_URL))[0]
    )


def test_staff_still_invite_a_new_address_with_the_link_to_choose_a_password(
    client, login, staff, dokkum
):
    login(staff)
    invite(client, "helemaal-nieuw@example.org")
    assert PASSWORD_LINK.search(mail.outbox[0].body)
    person = User.objects.get(email="helemaal-nieuw@example.org")
    assert open_invitation(person, dokkum)


# The last coordinator stays ---------------------------------------------------------------------


def coordinator_membership(coordinator, dokkum):
    return Membership.objects.current().get(user=coordinator, location=dokkum)


def test_the_only_coordinator_cannot_demote_themselves(client, login, coordinator, dokkum):
    login(coordinator)
    membership = coordinator_membership(coordinator, dokkum)

    response = client.post(change_role_url(membership), {"role": Role.VOLUNTEER}, follow=True)

    assert response.status_code == 200
    assert "Jan Thomas is de enige coördinator van Buurtkamer Dokkum." in messages_of(response)[
        0
    ].replace(str(coordinator), "Jan Thomas")
    assert "Er is niets veranderd." in messages_of(response)[0]
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR
    assert not AuditEvent.objects.exists()


def test_the_only_coordinator_cannot_end_their_own_membership(client, login, coordinator, dokkum):
    login(coordinator)
    membership = coordinator_membership(coordinator, dokkum)

    page = client.get(end_membership_url(membership))
    assert page.status_code == 200
    assert "is de enige coördinator van Buurtkamer Dokkum" in page.text
    assert "Ja, haal" not in page.text
    response = client.post(end_membership_url(membership), follow=True)

    assert "is de enige coördinator van Buurtkamer Dokkum" in messages_of(response)[0]
    membership.refresh_from_db()
    assert membership.is_current
    assert not AuditEvent.objects.exists()


def test_an_invited_coordinator_does_not_count_until_they_accept(
    client, login, coordinator, burgum_volunteer, dokkum
):
    login(coordinator)
    invite(client, burgum_volunteer.email, role=Role.COORDINATOR)
    membership = coordinator_membership(coordinator, dokkum)

    client.post(change_role_url(membership), {"role": Role.VOLUNTEER})
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR

    login(burgum_volunteer)
    client.post(ACCEPT_LINK.search(mail.outbox[0].body).group(1))
    login(coordinator)
    client.post(change_role_url(membership), {"role": Role.VOLUNTEER})
    membership.refresh_from_db()
    assert membership.role == Role.VOLUNTEER


def test_with_a_second_coordinator_one_may_step_down(client, login, coordinator, dokkum):
    MembershipFactory(location=dokkum, role=Role.COORDINATOR)
    login(coordinator)
    membership = coordinator_membership(coordinator, dokkum)

    client.post(end_membership_url(membership))

    membership.refresh_from_db()
    assert membership.ended_at is not None


def test_staff_demote_the_last_coordinator_only_after_confirming(
    client, login, staff, coordinator, dokkum
):
    login(staff)
    membership = coordinator_membership(coordinator, dokkum)

    page = client.post(change_role_url(membership), {"role": Role.VOLUNTEER})
    assert page.status_code == 200
    assert "Weet je het zeker?" in page.text
    assert 'name="bevestig_laatste_coordinator"' in page.text
    assert 'value="volunteer"' in page.text
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR
    assert not AuditEvent.objects.exists()

    response = client.post(
        change_role_url(membership),
        {"role": Role.VOLUNTEER, "bevestig_laatste_coordinator": "ja"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.VOLUNTEER
    assert AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED).actor == staff


def test_staff_end_the_last_coordinator_only_after_confirming(
    client, login, staff, coordinator, dokkum
):
    login(staff)
    membership = coordinator_membership(coordinator, dokkum)

    page = client.get(end_membership_url(membership))
    assert 'name="bevestig_laatste_coordinator"' in page.text
    assert client.post(end_membership_url(membership)).status_code == 200  # asks again
    membership.refresh_from_db()
    assert membership.is_current

    response = client.post(end_membership_url(membership), {"bevestig_laatste_coordinator": "ja"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_demoting_each_other_at_once_leave_one():
    """Both see another coordinator; with the location locked only one change goes through."""
    if connection.vendor != "postgresql":
        if on_ci_with_postgresql():
            pytest.fail("CI runs on PostgreSQL, yet this test runs on " + connection.vendor)
        pytest.skip("Needs PostgreSQL: SQLite has no SELECT ... FOR UPDATE.")
    dokkum = LocationFactory()  # an earlier test's flush may have removed the seeded ones
    first = MembershipFactory(location=dokkum, role=Role.COORDINATOR)
    second = MembershipFactory(location=dokkum, role=Role.COORDINATOR)
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(actor, membership):
        try:
            barrier.wait(timeout=10)
            services.change_role(membership=membership, role=Role.VOLUNTEER, changed_by=actor)
            outcomes.append("changed")
        except services.TeamError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [
        threading.Thread(target=demote, args=(first.user, second)),
        threading.Thread(target=demote, args=(second.user, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["changed", "last_coordinator"]
    assert Membership.objects.coordinators().filter(location=dokkum).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_invitations_of_the_same_new_address_at_once_make_one_account():
    """Two coordinators invite the same brand-new address at the same moment: the second finds
    the account the first made (it used to fail on the unique address: a 500)."""
    if connection.vendor != "postgresql":
        if on_ci_with_postgresql():
            pytest.fail("CI runs on PostgreSQL, yet this test runs on " + connection.vendor)
        pytest.skip("Needs PostgreSQL: SQLite writes one at a time.")
    dokkum = LocationFactory()
    coordinators = [MembershipFactory(location=dokkum, role=Role.COORDINATOR).user for _ in "ab"]
    barrier = threading.Barrier(2)
    outcomes = []

    def invite_at_once(coordinator):
        try:
            barrier.wait(timeout=10)
            services.invite_person(
                location=dokkum,
                email="Nieuw.Gezicht@example.org",
                first_name="Nieuw",
                last_name="Gezicht",
                role=Role.VOLUNTEER,
                invited_by=coordinator,
                base_url="https://buurtkamer.example",
            )
            outcomes.append("invited")
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=invite_at_once, args=(c,)) for c in coordinators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes == ["invited", "invited"]
    assert User.objects.filter(email__iexact="nieuw.gezicht@example.org").count() == 1
    assert (
        Membership.objects.filter(location=dokkum, user__email="nieuw.gezicht@example.org").count()
        == 1
    )


# E-mail addresses no longer than the column ------------------------------------------------------


def address_of_length(length):
    """A valid address of this many characters: 64 before the @, labels of at most 63."""
    domain_length = length - 65 - len(".nl")
    labels = []
    while domain_length > 0:
        size = min(63, domain_length)
        if domain_length - size == 1:  # no label of length 0 after the last dot
            size -= 1
        labels.append(chr(ord("b") + len(labels)) * size)
        domain_length -= size + 1
    return "a" * 64 + "@" + ".".join(labels) + ".nl"


LONGEST_ADDRESS = address_of_length(254)


def test_the_longest_address_that_fits_is_invited(client, login, coordinator):
    assert len(LONGEST_ADDRESS) == 254
    login(coordinator)

    response = invite(client, LONGEST_ADDRESS)

    assert response.status_code == 302
    assert User.objects.filter(email=LONGEST_ADDRESS).exists()


@pytest.mark.parametrize("length", [255, 320])
def test_a_longer_address_is_a_form_error_not_a_500(client, login, coordinator, length):
    """The form allowed 320 characters, the column 254: a 500 on PostgreSQL. Runs on both."""
    address = address_of_length(length)
    assert len(address) == length
    login(coordinator)
    before = User.objects.count()

    response = invite(client, address)

    assert response.status_code == 400
    assert "254 tekens" in response.text
    assert User.objects.count() == before
    assert mail.outbox == []


def test_every_email_field_of_a_form_stops_at_254_characters(dokkum):
    from buurtkamer.admin import UserAdmin  # noqa: F401 - the admin's forms come from the model

    fields = {
        "invite": InviteForm().fields["email"],
        "partner": PartnerForm(locations=type(dokkum).objects.all()).fields["email"],
        "user": User._meta.get_field("email").formfield(),
    }
    assert {name: field.max_length for name, field in fields.items()} == {
        "invite": 254,
        "partner": 254,
        "user": 254,
    }


# The team page stays cheap -----------------------------------------------------------------------


def test_team_page_uses_no_more_queries_for_thirty_more_invitations(
    client, login, coordinator, dokkum, django_assert_max_num_queries
):
    login(coordinator)
    invite(client, UserFactory().email)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(TEAM_URL).status_code == 200
    few = len(queries)

    for _ in range(30):
        MembershipFactory(location=dokkum, pending=True)
    with django_assert_max_num_queries(few):
        response = client.get(TEAM_URL)

    assert response.text.count("uitnodiging verstuurd op") == 31


def test_an_invitation_is_not_a_member_for_the_roster_or_the_buddy_list(
    client, login, coordinator, burgum_volunteer, dokkum
):
    from volunteers.members import available_members
    from volunteers.profiles import member_of, volunteers_of

    login(coordinator)
    invite(client, burgum_volunteer.email)

    assert open_invitation(burgum_volunteer, dokkum)
    assert burgum_volunteer not in available_members(dokkum)
    assert burgum_volunteer.pk not in {m.user_id for m in volunteers_of(dokkum)}
    assert member_of(dokkum, burgum_volunteer.pk) is None
    assert Client().get(DETAIL_URL).status_code == 302


@pytest.mark.parametrize(
    "name", ["account_login", "account_reset_password", "account_request_login_code"]
)
def test_the_login_pages_answer_a_too_long_address_without_a_500(client, db, name):
    """allauth's own forms only look the address up (nothing is written): no 500 either."""
    field = "login" if name == "account_login" else "email"
    data = {field: address_of_length(320), "password": "iets-geheims-123"}

    response = client.post(reverse(name), data)

    assert response.status_code < 500
