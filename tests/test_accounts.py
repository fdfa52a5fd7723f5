"""Accounts: invitations, logging in (password or e-mailed code), password reset, no sign-up.

Everything goes through the test client and the locmem mail outbox, the way a person would:
open the e-mail, follow the link, fill in the form.

The rate limits live in the database cache. Its rows are written inside each test's transaction
and rolled back with it, and pytest-django runs these tests before any transactional (live
server) test that could commit rows: no test needs to clear the cache first.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from locations.models import Membership, Role

from .factories import MembershipFactory, force_login

User = get_user_model()

TEAM_URL = reverse("locations:team", kwargs={"slug": "dokkum"})
LOGIN_URL = reverse("account_login")
NEW_PASSWORD = "Terp-en-Wad-2031!"

# allauth's login codes: two groups of four consonants, e.g. "BCDF-GHJK".
LOGIN_CODE = re.compile(r"\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b")
INVITATION_LINK = re.compile(r"http://testserver(/uitnodiging/[^/\s]+/[^/\s]+/)")
RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/key/[^\s]+/)")


def logged_in_user_id(client):
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def log_in_with_password(client, email, password):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def invite(client, **overrides):
    data = {
        "email": "grytsje.nieuw@example.org",
        "first_name": "Grytsje",
        "last_name": "Nieuwenhuis",
        "role": Role.VOLUNTEER,
        **overrides,
    }
    return client.post(TEAM_URL, data)


# Invitations ---------------------------------------------------------------------------------


def test_coordinator_invites_a_new_person_who_sets_a_password_and_logs_in(
    client, login, coordinator, dokkum
):
    login(coordinator)
    response = invite(client)
    assert response.status_code == 302
    assert response["Location"] == TEAM_URL

    invited = User.objects.get(email="grytsje.nieuw@example.org")
    assert invited.first_name == "Grytsje"
    assert not invited.has_usable_password()
    # Only an invitation until the person says yes by setting a password (issue 11).
    assert not Membership.objects.current().filter(user=invited).exists()
    membership = Membership.objects.invitations().get(user=invited)
    assert membership.location == dokkum
    assert membership.role == Role.VOLUNTEER

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grytsje.nieuw@example.org"]
    assert "Buurtkamer Dokkum" in message.subject
    link = INVITATION_LINK.search(message.body)
    assert link, message.body
    invitation_path = link.group(1)

    # The invited person opens the link in their own browser.
    client.logout()
    page = client.get(invitation_path)
    assert page.status_code == 200
    assert "Welkom bij Buurtkamer" in page.text
    assert "Kies een wachtwoord" in page.text
    assert "grytsje.nieuw@example.org" in page.text

    response = client.post(
        invitation_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert logged_in_user_id(client) == invited.pk
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Goedendag, Grytsje" in dashboard.text
    assert "Buurtkamer Dokkum" in dashboard.text
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    assert Membership.objects.current().get(user=invited) == membership

    # The link was for one use only.
    used = client.get(invitation_path)
    assert used.status_code == 404
    assert "Deze link werkt niet meer" in used.text

    # From now on: e-mail address and password on the login page.
    client.post(reverse("account_logout"))
    assert logged_in_user_id(client) is None
    response = log_in_with_password(client, "grytsje.nieuw@example.org", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == invited.pk


def test_invitation_link_refuses_a_too_weak_password_in_dutch_and_stays_usable(
    client, login, coordinator
):
    login(coordinator)
    invite(client)
    invitation_path = INVITATION_LINK.search(mail.outbox[0].body).group(1)
    client.logout()

    response = client.post(invitation_path, {"new_password1": "1234", "new_password2": "1234"})

    assert response.status_code == 400
    assert "Dit wachtwoord is te algemeen." in response.text
    assert "Dit wachtwoord is te kort. Het moet minstens 8 tekens hebben." in response.text
    assert logged_in_user_id(client) is None
    assert not User.objects.get(email="grytsje.nieuw@example.org").has_usable_password()
    assert client.get(invitation_path).status_code == 200


def test_a_made_up_invitation_link_says_it_no_longer_works(client, db):
    response = client.get("/uitnodiging/MTIzNDU/abc-0123456789abcdef/")
    assert response.status_code == 404
    assert "Deze link werkt niet meer" in response.text


def test_inviting_someone_who_already_has_an_account_asks_for_their_consent(
    client, login, coordinator, other_volunteer, dokkum, password
):
    """Until issue 11 this added them at once with a notice; now they are asked first (the
    whole flow is in tests/test_invitation_consent.py)."""
    login(coordinator)
    response = invite(
        client, email=other_volunteer.email.upper(), first_name="Durk", role=Role.COORDINATOR
    )
    assert response.status_code == 302

    assert User.objects.filter(email__iexact=other_volunteer.email).count() == 1
    assert not Membership.objects.current().filter(user=other_volunteer, location=dokkum).exists()
    membership = Membership.objects.invitations().get(user=other_volunteer, location=dokkum)
    assert membership.role == Role.COORDINATOR
    other_volunteer.refresh_from_db()
    assert other_volunteer.check_password(password)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [other_volunteer.email]
    assert "Uitnodiging" in message.subject
    assert "Buurtkamer Dokkum" in message.subject
    assert "/locaties/uitnodigingen/" in message.body
    assert "/uitnodiging/" not in message.body  # no link to set a password


@pytest.mark.parametrize("spelling", [str, str.upper], ids=["same-case", "upper-case"])
def test_inviting_someone_already_in_the_team_gives_the_form_back_with_a_dutch_error(
    client, login, coordinator, volunteer, spelling
):
    login(coordinator)
    before = Membership.objects.count()

    response = invite(client, email=spelling(volunteer.email), first_name="Anneke")

    assert response.status_code == 400
    assert f"{volunteer.email} hoort al bij Buurtkamer Dokkum." in response.text
    assert 'name="email"' in response.text
    assert Membership.objects.count() == before
    assert mail.outbox == []


def test_an_invitation_without_a_valid_email_address_is_refused(client, login, coordinator):
    login(coordinator)
    before = User.objects.count()

    response = invite(client, email="geen-e-mailadres")

    assert response.status_code == 400
    assert "Voer een geldig e-mailadres in" in response.text
    assert User.objects.count() == before
    assert mail.outbox == []


# Logging in ----------------------------------------------------------------------------------


def test_login_page_is_dutch_and_in_the_site_layout(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert "Inloggen" in response.text
    assert "Stuur mij een inlogcode" in response.text
    assert 'class="navbar' in response.text
    assert 'lang="nl"' in response.text


def test_person_logs_in_with_email_and_password(client, volunteer, password):
    response = log_in_with_password(client, volunteer.email.upper(), password)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == volunteer.pk


def test_a_wrong_password_is_refused_in_dutch(client, volunteer):
    response = log_in_with_password(client, volunteer.email, "niet-mijn-wachtwoord")
    assert response.status_code == 200
    assert "e-mailadres en/of wachtwoord is niet correct" in response.text
    assert logged_in_user_id(client) is None


def test_person_logs_in_with_a_code_sent_by_email(client, volunteer):
    request_page = client.get(reverse("account_request_login_code"))
    assert request_page.status_code == 200
    assert 'name="email"' in request_page.text

    response = client.post(reverse("account_request_login_code"), {"email": volunteer.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [volunteer.email]
    code = LOGIN_CODE.search(mail.outbox[0].body)
    assert code, mail.outbox[0].body

    confirm_page = client.get(response["Location"])
    assert confirm_page.status_code == 200
    assert logged_in_user_id(client) is None

    response = client.post(reverse("account_confirm_login_code"), {"code": code.group(1)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == volunteer.pk
    assert client.get("/").status_code == 200


def test_a_wrong_login_code_does_not_log_in(client, volunteer):
    client.post(reverse("account_request_login_code"), {"email": volunteer.email})
    sent = LOGIN_CODE.search(mail.outbox[0].body).group(1)
    wrong = "BBBB-BBBB" if sent != "BBBB-BBBB" else "CCCC-CCCC"

    response = client.post(reverse("account_confirm_login_code"), {"code": wrong})

    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_person_resets_a_forgotten_password_and_logs_in_with_the_new_one(
    client, volunteer, password
):
    response = client.post(reverse("account_reset_password"), {"email": volunteer.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [volunteer.email]
    link = RESET_LINK.search(mail.outbox[0].body)
    assert link, mail.outbox[0].body

    # allauth moves the key out of the URL into the session, then shows the form.
    response = client.get(link.group(1))
    assert response.status_code == 302
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    assert log_in_with_password(client, volunteer.email, password).status_code == 200
    assert logged_in_user_id(client) is None
    response = log_in_with_password(client, volunteer.email, NEW_PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) == volunteer.pk


def test_nobody_can_sign_up_on_their_own(client, db):
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert "Registratie gesloten" in page.text
    assert 'name="password1"' not in page.text

    before = User.objects.count()
    client.post(
        reverse("account_signup"),
        {"email": "indringer@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert User.objects.count() == before
    assert not User.objects.filter(email="indringer@example.org").exists()
    assert logged_in_user_id(client) is None


# Rate limits ---------------------------------------------------------------------------------


def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while(
    client, volunteer, password
):
    for _attempt in range(5):
        response = log_in_with_password(client, volunteer.email, "fout-wachtwoord")
        assert "e-mailadres en/of wachtwoord is niet correct" in response.text

    response = log_in_with_password(client, volunteer.email, password)

    assert "Te veel inlogpogingen" in response.text
    assert logged_in_user_id(client) is None


def test_other_accounts_can_still_log_in_while_one_is_locked(client, volunteer, dokkum, password):
    for _attempt in range(6):
        log_in_with_password(client, volunteer.email, "fout-wachtwoord")
    colleague = MembershipFactory(location=dokkum).user

    response = log_in_with_password(client, colleague.email, password)

    assert response.status_code == 302
    assert logged_in_user_id(client) == colleague.pk


def test_hammering_the_login_form_is_answered_with_429(client, volunteer):
    statuses = [
        log_in_with_password(client, volunteer.email, f"gok-{attempt}").status_code
        for attempt in range(31)
    ]
    # "login": "30/m/ip" — the 31st attempt within a minute is not even looked at.
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert logged_in_user_id(client) is None


def test_rate_limits_do_not_leak_from_one_test_into_the_next(client, volunteer, password):
    """Runs after the hammering test above: a fresh test starts with a clean slate."""
    response = log_in_with_password(client, volunteer.email, password)
    assert response.status_code == 302


# Two-step verification -----------------------------------------------------------------------


def test_staff_reach_the_two_step_verification_page_in_dutch(client, login, staff):
    login(staff)
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    # In the app's word (locale_thirdparty/nl), not allauth's "Twee-factor-authenticatie".
    assert "Tweestapsverificatie" in response.text
    assert "Twee-factor" not in response.text
    assert 'class="navbar' in response.text


def test_anonymous_visitors_are_sent_to_log_in_for_two_step_verification(client, db):
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_invited_person_also_appears_in_the_team_as_invited(client, login, coordinator):
    login(coordinator)
    invite(client)
    team = client.get(TEAM_URL)
    assert "grytsje.nieuw@example.org" in team.text
    assert "uitgenodigd" in team.text


def test_inviting_someone_who_has_not_chosen_a_password_yet_sends_the_link_again(
    client, login, coordinator
):
    login(coordinator)
    invite(client)
    response = invite(client)

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert INVITATION_LINK.search(mail.outbox[1].body)
    invitations = Membership.objects.invitations()
    assert invitations.filter(user__email="grytsje.nieuw@example.org").count() == 1


def test_an_address_in_other_capitals_is_the_same_person(client, login, coordinator, burgum):
    existing = MembershipFactory(location=burgum, user__email="tjitske@example.org").user
    login(coordinator)

    invite(client, email="Tjitske@Example.ORG")

    assert User.objects.filter(email__iexact="tjitske@example.org").count() == 1
    assert Membership.objects.current().filter(user=existing).count() == 1  # Burgum
    assert Membership.objects.invitations().filter(user=existing).count() == 1  # Dokkum


def test_the_admin_refuses_a_second_account_for_the_same_address_in_capitals(client, db):
    from .factories import UserFactory, administrator

    UserFactory(email="foo@example.org")
    admin = administrator()
    force_login(client, admin)
    response = client.post(
        reverse("admin:buurtkamer_user_add"),
        {
            "email": "Foo@Example.org",
            "usable_password": "true",
            "password1": "Zeer-geheim-wachtwoord-99",
            "password2": "Zeer-geheim-wachtwoord-99",
        },
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="foo@example.org").count() == 1


def test_when_the_mail_server_fails_the_coordinator_is_told_and_can_invite_again(
    client, login, coordinator, monkeypatch
):
    from locations import services

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(services, "send_templated_email", broken)
    login(coordinator)
    response = invite(client)

    assert response.status_code == 302
    page = client.get(TEAM_URL).text
    assert "de e-mail kon niet worden verstuurd" in page
    monkeypatch.undo()
    invite(client)
    assert len(mail.outbox) == 1
    assert INVITATION_LINK.search(mail.outbox[0].body)


def test_an_invited_person_with_two_factor_on_logs_in_the_normal_way(client, login, coordinator):
    from allauth.mfa.models import Authenticator

    login(coordinator)
    invite(client)
    person = User.objects.get(email="grytsje.nieuw@example.org")
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={})
    invitation_path = INVITATION_LINK.search(mail.outbox[0].body).group(1)
    client.logout()

    response = client.post(
        invitation_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert logged_in_user_id(client) is None
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_an_expired_form_token_gives_a_dutch_page(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN_URL, {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Deze pagina was verlopen" in response.text
