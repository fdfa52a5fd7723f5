"""The account e-mails (allauth's) in the app's own words: "je", the app's terms (inlogcode,
tweestapsverificatie), signed as every other e-mail of the app, and never a host name as the
site's name (they began "Hallo van 127.0.0.1:8000!")."""

import pytest
from django.core import mail
from django.urls import reverse

SIGNATURE = "Buurtkamer – Stichting AanZet"


def assert_in_our_words(message):
    body = message.body
    assert body.startswith("Hallo,"), body
    assert body.rstrip().endswith(SIGNATURE), body
    for stock in [
        "Hello",
        "Hallo van",
        "Thank you",
        "Bedankt voor het gebruik",
        " u ",
        " uw ",
        "alstublieft",
        "aanmeldcode",
    ]:
        assert stock not in body, f"{stock!r} in {body!r}"
    assert message.subject.startswith("[Buurtkamer] ")


@pytest.mark.django_db
def test_the_login_code_mail_says_inlogcode_in_the_apps_voice(client, volunteer):
    client.post(reverse("account_request_login_code"), {"email": volunteer.email})

    (message,) = mail.outbox
    assert message.subject == "[Buurtkamer] Je inlogcode"
    assert "Hier is je inlogcode." in message.body
    assert_in_our_words(message)


@pytest.mark.django_db
def test_the_password_reset_mail_is_in_the_apps_voice(client, volunteer, password):
    client.post(reverse("account_reset_password"), {"email": volunteer.email})

    (message,) = mail.outbox
    assert message.subject == "[Buurtkamer] Een nieuw wachtwoord kiezen"
    assert "/accounts/password/reset/key/" in message.body
    assert "je wachtwoord blijft hetzelfde" in message.body
    assert_in_our_words(message)


@pytest.mark.django_db
def test_the_account_pages_use_the_apps_words_not_the_stock_dutch(client, login, volunteer):
    """Django's and allauth's stock Dutch says "u" and "aanmeldcode"; the app says "je" and
    "inlogcode" (locale_thirdparty/nl)."""
    client.post(reverse("account_request_login_code"), {"email": volunteer.email})
    confirm = client.get(reverse("account_confirm_login_code")).content.decode()
    assert "inlogcode" in confirm.lower()
    assert "aanmeldcode" not in confirm.lower()

    login(volunteer)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "niet-mijn-wachtwoord",
            "password1": "12345678901",
            "password2": "12345678901",
        },
    )
    page = response.content.decode()
    assert "Je wachtwoord mag niet alleen uit cijfers bestaan." in page
    assert "Uw " not in page
