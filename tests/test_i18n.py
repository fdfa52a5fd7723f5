"""The catalogues: English complete, nothing fuzzy, and the site really switches language."""

from pathlib import Path

import pytest
from django.urls import reverse

from .support import entries

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_catalogue_exists_compiled_and_has_no_fuzzy_entries(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert po.exists()
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").exists()
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")


def test_every_english_entry_is_translated():
    po = LOCALE / "en" / "LC_MESSAGES" / "django.po"
    untranslated = [msgid for msgid, msgstrs, _ in entries(po) if not all(msgstrs)]
    assert untranslated == []


def test_the_site_is_dutch_by_default_even_for_an_english_browser(client, db):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    assert "Stuur mij een inlogcode" in response.text


def test_the_language_switch_turns_the_site_english_and_back(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    english = client.get(reverse("account_login"))
    assert '<html lang="en">' in english.text
    assert "Send me a login code" in english.text

    client.post(reverse("set_language"), {"language": "nl", "next": "/accounts/login/"})
    assert "Stuur mij een inlogcode" in client.get(reverse("account_login")).text


# Moved from tests/test_pages_by_role.py (its page-by-role cases are rows of the authorization
# matrix now) -------------------------------------------------------------------------------------


def test_forbidden_and_not_found_pages_are_dutch_and_in_the_layout(personas, login):
    client = login(personas["volunteer"])
    forbidden = client.get(reverse("locations:team", kwargs={"slug": "dokkum"}))
    assert forbidden.status_code == 403
    assert "Geen toegang" in forbidden.text
    assert 'class="navbar' in forbidden.text

    not_found = client.get(reverse("locations:detail", kwargs={"slug": "burgum"}))
    assert not_found.status_code == 404
    assert "Pagina niet gevonden" in not_found.text
    assert "Buurtkamer Burgum" not in not_found.text
