"""Security: staff must use an authenticator app (TOTP), and no page tells whether an account
exists (login, password reset, login by code)."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from .factories import UserFactory, with_totp

ACTIVATE_TOTP_URL = reverse("mfa_activate_totp")
TOTP_REQUIRED = "tweestapsverificatie voor jou verplicht"


@pytest.fixture
def staff_without_totp(db):
    """AanZet staff who has not set up an authenticator app yet."""
    return UserFactory(is_aanzet_staff=True, first_name="Wiebe")


# Staff must use TOTP -------------------------------------------------------------------------

PAGES_FOR_STAFF = [
    reverse("dashboard"),
    reverse("audit-log"),
    reverse("locations:list"),
    reverse("locations:detail", kwargs={"slug": "dokkum"}),
    reverse("locations:team", kwargs={"slug": "dokkum"}),
    reverse("visitors:today", kwargs={"slug": "dokkum"}),
    reverse("visitors:tallies", kwargs={"slug": "dokkum"}),
    reverse("visitors:tablet", kwargs={"slug": "dokkum"}),
    reverse("admin:index"),
]


@pytest.mark.parametrize("url", PAGES_FOR_STAFF)
def test_staff_without_totp_are_sent_to_set_it_up_from_every_page(
    client, login, staff_without_totp, url
):
    login(staff_without_totp)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_TOTP_URL


def test_the_set_up_page_says_in_dutch_why(client, login, staff_without_totp):
    login(staff_without_totp)

    # allauth asks for the password once more before the set-up page itself.
    response = client.get(reverse("dashboard"), follow=True)

    assert response.redirect_chain[0] == (ACTIVATE_TOTP_URL, 302)
    assert response.status_code == 200
    assert TOTP_REQUIRED in response.text
    assert "authenticator-app op je telefoon" in response.text


def test_the_reason_is_english_once_english_is_chosen(client, login, staff_without_totp):
    login(staff_without_totp)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})  # stored on the account

    response = client.get(reverse("dashboard"), follow=True)

    assert "two-factor authentication is required for you" in response.text
    assert TOTP_REQUIRED not in response.text


def test_a_post_without_totp_changes_nothing(client, login, staff_without_totp, dokkum):
    from locations.models import Membership

    login(staff_without_totp)
    before = Membership.objects.count()

    response = client.post(
        reverse("locations:team", kwargs={"slug": "dokkum"}),
        {"email": "nieuw@example.org", "first_name": "Nieuw", "role": "volunteer"},
    )

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_TOTP_URL
    assert Membership.objects.count() == before
    assert mail.outbox == []


def test_an_htmx_request_without_totp_is_told_where_to_go(client, login, staff_without_totp):
    login(staff_without_totp)

    response = client.get(reverse("dashboard"), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == ACTIVATE_TOTP_URL


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", reverse("mfa_index"), 200),
        ("get", reverse("account_change_password"), 200),
        ("get", reverse("account_reauthenticate"), 200),
        ("get", reverse("healthz"), 200),
        ("get", "/static/css/buurtkamer.css", 200),
        ("post", reverse("set_language"), 302),
        ("post", reverse("account_logout"), 302),
    ],
)
def test_staff_without_totp_can_still_reach_account_pages_and_the_basics(
    client, login, staff_without_totp, method, url, status
):
    login(staff_without_totp)

    response = getattr(client, method)(url)

    assert response.status_code == status
    assert response.get("Location") != ACTIVATE_TOTP_URL


def test_the_set_up_page_itself_is_reachable_without_totp(client, login, staff_without_totp):
    login(staff_without_totp)

    response = client.get(ACTIVATE_TOTP_URL)

    # Not sent round in circles: allauth asks for the password again, then shows the page.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.parametrize("url", PAGES_FOR_STAFF[:-1])  # the admin needs is_admin
def test_staff_with_totp_reach_their_pages(client, login, staff, url):
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    login(staff)

    response = client.get(url)

    assert response.status_code == 200, response.get("Location")


def test_staff_who_remove_their_authenticator_app_are_sent_back(client, login, staff):
    login(staff)
    assert client.get(reverse("dashboard")).status_code == 200

    Authenticator.objects.filter(user=staff).delete()

    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_TOTP_URL


@pytest.mark.parametrize("persona", ["volunteer", "coordinator", "other_volunteer"])
def test_people_who_are_not_staff_need_no_totp(client, login, personas, persona):
    user = personas[persona]
    assert not Authenticator.objects.filter(user=user).exists()
    login(user)

    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("locations:list")).status_code == 200


def test_an_administrator_also_needs_totp_before_the_admin_opens(client, login, db):
    admin = UserFactory(is_admin=True, is_superuser=True)
    login(admin)

    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")

    # Setting it up elsewhere does not make this session one that passed the second step.
    with_totp(admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))

    login(admin)  # as after the login form with the code
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_script_of_staff_without_totp_gets_json_not_a_redirect(client, login, db):
    staff = UserFactory(is_aanzet_staff=True)
    login(staff)

    response = client.post("/tablet/dokkum/api/bezoek/", data="{}", content_type="application/json")

    assert response.status_code == 403
    assert response.json()["status"] == "two_factor_required"


def test_anonymous_visitors_are_sent_to_log_in_not_to_set_up_totp(client, db):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# No user enumeration -------------------------------------------------------------------------

UNKNOWN_EMAIL = "niemand.bekend@example.org"


def comparable(response, email):
    """The page as a stranger sees it, with the address they typed and the CSRF token blanked."""
    text = response.text.replace(email, "EMAIL")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', text)
    chain = [url for url, _ in getattr(response, "redirect_chain", [])]
    return response.status_code, chain, text


def test_allauth_is_set_to_prevent_enumeration(settings):
    from allauth.account import app_settings

    assert settings.ACCOUNT_PREVENT_ENUMERATION is True
    assert app_settings.PREVENT_ENUMERATION is True


def test_a_wrong_password_and_an_unknown_address_give_the_same_answer(client, volunteer):
    known = client.post(
        reverse("account_login"), {"login": volunteer.email, "password": "geraden-1"}, follow=True
    )
    unknown = client.post(
        reverse("account_login"), {"login": UNKNOWN_EMAIL, "password": "geraden-1"}, follow=True
    )

    assert known.status_code == unknown.status_code == 200
    assert "e-mailadres en/of wachtwoord is niet correct" in known.text
    assert comparable(known, volunteer.email) == comparable(unknown, UNKNOWN_EMAIL)
    assert "_auth_user_id" not in client.session


def test_password_reset_gives_the_same_page_for_a_known_and_an_unknown_address(client, volunteer):
    known = client.post(reverse("account_reset_password"), {"email": volunteer.email})
    unknown = client.post(reverse("account_reset_password"), {"email": UNKNOWN_EMAIL})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")

    known_page = client.get(known["Location"])
    unknown_page = client.get(unknown["Location"])
    assert comparable(known_page, volunteer.email) == comparable(unknown_page, UNKNOWN_EMAIL)
    # Only the owner of an account learns anything, in their own mailbox; an address without
    # an account gets no mail at all (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS off).
    assert [message.to for message in mail.outbox] == [[volunteer.email]]


def test_login_by_code_gives_the_same_page_for_a_known_and_an_unknown_address(
    client_factory, volunteer
):
    pages = {}
    for email in [volunteer.email, UNKNOWN_EMAIL]:
        client = client_factory()
        response = client.post(reverse("account_request_login_code"), {"email": email})
        assert response.status_code == 302, email
        assert response["Location"] == reverse("account_confirm_login_code")
        pages[email] = comparable(client.get(response["Location"]), email)

    assert pages[volunteer.email] == pages[UNKNOWN_EMAIL]
    assert pages[volunteer.email][0] == 200


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client
