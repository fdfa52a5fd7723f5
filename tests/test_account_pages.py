"""The account pages (allauth's) are the app's own: templates/account/ and templates/mfa/, in the
"je" voice and the app's words (inlogcode, tweestapsverificatie, authenticator-app, herstelcodes,
uitloggen), with the site's name from settings (SITE_NAME) and never a host name.

Each page is opened through the test client the way a person reaches it: the login page, the
login-by-code pages, the password reset from request to done, logging out, confirming it is you,
and the two-step pages of a staff member and of a coordinator setting the app up.
"""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.html import strip_tags

from .factories import PASSWORD, force_login

RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/key/[^\s]+/)")
# allauth's stock Dutch, and its English, that the app's own pages replace.
STOCK = [
    "Authenticeer",
    "a.u.b.",
    "alstublieft",
    "aanmeldcode",
    "aan te melden",
    "Afmelden",
    "verificatie e-mail",
    "Twee-factor",
    "twee-factor",
    "Herstel mijn wachtwoord",
    "Toegang bevestigen",
    "niet geactiveerd",
    "Sign In",
    "Password Reset",
    "Two-Factor",
    "authenticator code",
]
FORMAL = re.compile(r"\b(u|uw|U|Uw)\b")


def shown(response):
    """The text of the page's <main> and its title, as a person reads it."""
    html = response.content.decode()
    main = re.search(r"<main.*?</main>", html, re.S)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    return " ".join(title.split()), " ".join(strip_tags(main.group(0)).split())


def assert_our_page(response, *phrases):
    assert response.status_code == 200
    title, text = shown(response)
    assert title.endswith(" · Buurtkamer"), title
    for phrase in phrases:
        assert phrase in text, (phrase, text)
    for stock in STOCK:
        assert stock not in text, (stock, text)
    assert not FORMAL.search(text), text
    assert "testserver" not in title + text


@pytest.mark.django_db
def test_the_login_by_code_pages_say_inlogcode(client, volunteer):
    assert_our_page(
        client.get(reverse("account_request_login_code")),
        "Inloggen met een inlogcode",
        "Stuur mij een inlogcode",
        "Toch inloggen met je wachtwoord",
    )
    client.post(reverse("account_request_login_code"), {"email": volunteer.email})
    confirm = client.get(reverse("account_confirm_login_code"))
    assert_our_page(confirm, "Inlogcode invullen", "Vul de inlogcode uit de e-mail in.")
    assert 'name="action" value="resend"' in confirm.text or "Stuur een nieuwe" not in confirm.text


@pytest.mark.django_db
def test_the_password_reset_pages_from_request_to_done(client, volunteer):
    assert_our_page(
        client.get(reverse("account_reset_password")),
        "Wachtwoord vergeten",
        "Stuur mij de link",
        "Vraag je coördinator om hulp.",
    )
    sent = client.post(reverse("account_reset_password"), {"email": volunteer.email}, follow=True)
    assert_our_page(sent, "Kijk in je e-mail", "ongewenste e-mail (spam)")

    path = RESET_LINK.search(mail.outbox[0].body).group(1)
    form = client.get(path, follow=True)
    assert_our_page(form, "Kies een nieuw wachtwoord", "Wachtwoord opslaan")
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": "Terp-en-Wad-2031!", "password2": "Terp-en-Wad-2031!"},
        follow=True,
    )
    assert_our_page(done, "Je wachtwoord is veranderd")

    used = client.get(path, follow=True)
    assert_our_page(used, "Deze link werkt niet meer", "Vraag een nieuwe link aan")


@pytest.mark.django_db
def test_logging_out_and_confirming_it_is_you(client, login, volunteer):
    login(volunteer)
    assert_our_page(client.get(reverse("account_logout")), "Wil je uitloggen?")
    assert_our_page(
        client.get(reverse("account_reauthenticate")),
        "Bevestig dat jij het bent",
        "Vul je wachtwoord in:",
    )


@pytest.mark.django_db
def test_staff_are_asked_for_the_code_from_their_app_in_the_apps_words(client, staff):
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert_our_page(
        response,
        "Tweestapsverificatie",
        "vul de code van zes cijfers in",
        "een van je herstelcodes",
    )
    force_login(client, staff)
    assert_our_page(
        client.get(reverse("mfa_index")),
        "Tweestapsverificatie staat aan",
        "Herstelcodes",
        "Nieuwe codes genereren",
    )


@pytest.mark.django_db
def test_a_coordinator_sets_up_the_app_with_the_apps_words(client, login, coordinator):
    login(coordinator)
    assert_our_page(
        client.get(reverse("mfa_index")), "Je hebt nog geen authenticator-app ingesteld."
    )
    activate = reverse("mfa_activate_totp")
    asked = client.get(activate)
    client.post(asked["Location"], {"password": PASSWORD})
    page = client.get(activate)
    assert_our_page(
        page,
        "Tweestapsverificatie instellen",
        "Scan deze QR-code met de app.",
        "Code om over te typen",
        "Code uit de app",
        "Aanzetten",
    )
    assert re.search(r'id="authenticator_secret"[^>]*value="[A-Z2-7]+"', page.text)


@pytest.mark.django_db
def test_the_site_name_comes_from_settings_in_the_readers_language(client, volunteer):
    assert str(settings.SITE_NAME) == "Buurtkamer"
    client.post(reverse("account_request_login_code"), {"email": volunteer.email})
    (message,) = mail.outbox
    assert message.subject.startswith("[Buurtkamer] ")
    assert "testserver" not in message.subject + message.body

    mail.outbox.clear()
    volunteer.language = "fy"  # the reader's own language, whatever the page's
    volunteer.save(update_fields=["language"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fy"
    client.post(reverse("account_reset_password"), {"email": volunteer.email})
    (message,) = mail.outbox
    assert message.subject.startswith("[Buertkeamer] ")
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "· Buertkeamer</title>" in page
