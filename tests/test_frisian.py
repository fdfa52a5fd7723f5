"""Frysk (fy): the third language. The catalogues are complete and compiled, the footer offers
nl · fy · en, and the dashboard, the tablet, the public programme, form errors, the login page
and dates come out in Frisian when Frisian is chosen.

The Frisian texts are in locale/fy/LC_MESSAGES/django.po (ours, from makemessages) and
locale_thirdparty/fy/LC_MESSAGES/django.po (the Django and allauth texts our pages show: Django's
own fy catalogue is thin and allauth has none). Both await review by a native speaker.
"""

import datetime
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import time_machine
from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from locations.models import DayPart, Location, OpeningHours, Role
from visitors import services as visit_services

from .factories import MembershipFactory
from .support import BUURTKAMERS_MIGRATION, as_tablet, check, entries

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [
    ROOT / "locale" / "fy" / "LC_MESSAGES" / "django.po",
    ROOT / "locale_thirdparty" / "fy" / "LC_MESSAGES" / "django.po",
]
MONTHS = (
    "jannewaris febrewaris maart april maaie juny july augustus septimber oktober novimber desimber"
)
WEEKDAYS = "moandei tiisdei woansdei tongersdei freed sneon snein"
DUTCH_WEEKDAYS = "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag"


def unescape(po_string):
    """A msgid/msgstr as written in the .po file, back to the text (\\n, \\", \\\\)."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), po_string)


def speaks_frisian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fy"
    return client


# The catalogues -----------------------------------------------------------------------------------


@pytest.mark.parametrize("po", CATALOGUES, ids=["project", "thirdparty"])
def test_the_frisian_catalogue_is_complete_compiled_and_not_fuzzy(po):
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    untranslated = [msgid for msgid, msgstrs, _ in entries(po) if not all(msgstrs)]
    assert untranslated == [], f"{len(untranslated)} without Frisian in {po}: {untranslated[:10]}"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run make messages"


def test_the_compiled_catalogue_says_what_the_po_file_says():
    """A .po edited without `make messages` leaves the site speaking the old text."""
    stale = []
    with translation.override("fy"):
        for msgid, msgstrs, block in entries(CATALOGUES[0]):
            if "msgctxt" in block or "msgid_plural" in block:
                continue
            if translation.gettext(unescape(msgid)) != unescape(msgstrs[0]):
                stale.append(msgid)
    assert stale == [], f"compiled fy catalogue is stale (run make messages): {stale[:5]}"


def test_msgfmt_finds_no_placeholder_mistakes_in_the_frisian_catalogues():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if os.environ.get("CI") == "true":
            pytest.fail("msgfmt (GNU gettext) is missing on CI")
        pytest.skip("msgfmt (GNU gettext) not installed: apt install gettext")
    for po in CATALOGUES:
        result = subprocess.run(
            [msgfmt, "--check-format", "-o", os.devnull, str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("dutch", "frisian"),
    [
        ("Buurtkamer", "Buertkeamer"),
        ("vrijwilliger", "frijwilliger"),
        ("Bezoekers", "Besikers"),
        ("Bezoeker binnen", "Besiker binnen"),
        ("Iedereen is welkom!", "Elkenien is wolkom!"),
        ("Vandaag", "Hjoed"),
        ("Rooster", "Roaster"),
        ("Mijn diensten", "Myn tsjinsten"),
        ("activiteit", "aktiviteit"),
        ("maandag", "moandei"),
        (
            "Je bericht staat in het logboek. Dank je wel!",
            "Dyn berjocht stiet yn it logboek. Tige tank!",
        ),
    ],
)
def test_the_words_of_the_word_list_are_used(dutch, frisian):
    with translation.override("fy"):
        assert translation.gettext(dutch) == frisian


# Dates and numbers --------------------------------------------------------------------------------


def test_dates_in_frisian_use_frisian_month_and_day_names():
    day = datetime.date(2026, 12, 3)
    with translation.override("fy"):
        assert formats.date_format(day) == "3 desimber 2026"
        assert formats.date_format(day, "l j F") == "tongersdei 3 desimber"
        assert formats.date_format(day, "D j b") == "to 3 des"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "3-12-2026"
        assert formats.number_format(2.5, 2) == "2,50"
        assert [formats.date_format(datetime.date(2027, m, 1), "F") for m in range(1, 13)] == (
            MONTHS.split()
        )
        # 4 January 2027 is a Monday.
        assert [
            formats.date_format(datetime.date(2027, 1, 4 + d), "l") for d in range(7)
        ] == WEEKDAYS.split()


def test_a_frisian_form_reads_dates_written_the_dutch_way_and_says_what_is_wrong_in_frisian():
    with translation.override("fy"):
        assert forms.DateField().clean("27-04-2027") == datetime.date(2027, 4, 27)
        with pytest.raises(forms.ValidationError) as required:
            forms.CharField().clean("")
        assert required.value.messages == ["Dit fjild is ferplichte."]
        with pytest.raises(forms.ValidationError) as invalid:
            forms.DateField().clean("31-02-2027")
        assert invalid.value.messages == ["Folje in jildige datum yn."]


# The language switch and the pages ----------------------------------------------------------------


def test_the_footer_offers_dutch_frisian_and_english_in_that_order(client, db):
    page = client.get(reverse("account_login")).text
    buttons = re.findall(r'name="language" value="(\w+)" lang="\w+"', page)
    assert buttons == ["nl", "fy", "en"]
    assert ">Frysk</button>" in page


def test_the_language_switch_turns_the_site_frisian(client, db):
    response = client.post(reverse("set_language"), {"language": "fy", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get(reverse("account_login")).text
    assert '<html lang="fy">' in page
    assert "Stjoer my in ynlogkoade" in page
    # allauth's own texts on the page come from our third-party catalogue, not Dutch or English.
    assert "Wachtwurd ferjitten?" in page
    assert "Wachtwoord" not in page


def test_a_frisian_browser_without_a_choice_still_gets_dutch(client, db):
    """As for English: only the choice made on the site counts (a shared tablet)."""
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fy,nl;q=0.8").text
    assert '<html lang="nl">' in page


def test_form_errors_on_the_login_page_are_frisian(client, db):
    page = speaks_frisian(client).post(reverse("account_login"), {}).text
    assert "Dit fjild is ferplichte." in page
    assert "Dit veld is verplicht." not in page


def test_the_dashboard_is_frisian(client, volunteer, login):
    login(volunteer)
    # Logged in, the person's stored language counts: chosen with the footer switch.
    client.post(reverse("set_language"), {"language": "fy", "next": "/"})
    page = client.get(reverse("dashboard")).text
    assert '<html lang="fy">' in page
    assert "Goeie, " in page
    assert "Myn tsjinsten" in page
    assert "Buertkeamer" in page
    for dutch in ("Goedendag", "Mijn diensten", "Uitloggen"):
        assert dutch not in page


def test_the_tablet_counts_in_frisian(client, dokkum, coordinator):
    _, token = visit_services.pair_tablet(
        location=dokkum, name="Foardoar", paired_by=coordinator, language="fy"
    )
    client.cookies[settings.TABLET_COOKIE_NAME] = token
    visit_services.record_visit(location=dokkum, client_id=uuid.uuid4(), tablet=None)
    page = client.get(reverse("visitors:tablet", kwargs={"slug": "dokkum"})).text
    assert '<html lang="fy">' in page
    assert "Besiker binnen" in page
    assert "Hjoed binnen" in page
    assert "Bezoeker binnen" not in page


@time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_the_public_programme_is_frisian_with_frisian_dates(client, dokkum):
    from activities import services as activity_services
    from activities.models import Activity, Category

    # Wednesday 2 December 2026: the week of 30 November to 6 December.
    OpeningHours.objects.create(
        location=dokkum,
        weekday=2,
        day_part=DayPart.MORNING,
        opens_at=datetime.time(9, 30),
        closes_at=datetime.time(12, 0),
    )
    coffee = Activity.objects.create(
        location=dokkum,
        title="Kofjemoarn",
        category=Category.objects.get_or_create(name="Koffie en inloop")[0],
        starts_on=datetime.date(2026, 12, 2),
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(11, 30),
    )
    activity_services.generate_occurrences(coffee, today=datetime.date(2026, 12, 2))
    page = speaks_frisian(client).get(reverse("activities:programme", kwargs={"slug": "dokkum"}))
    assert page.status_code == 200
    text = page.text
    assert '<html lang="fy">' in text
    assert "Elkenien is wolkom" in text
    assert "30 nov – 6 des" in text
    assert "Woansdei 2 desimber" in text
    assert "<dt>Tiisdei</dt>" in text  # the opening hours
    for dutch in ["december", "iedereen is welkom", *DUTCH_WEEKDAYS.split()]:
        assert dutch not in text.lower(), dutch


# Accessibility with lang="fy" ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_programme_and_the_tablet_in_frisian_are_axe_clean(live_server, browser, axe_script):
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    coordinator = MembershipFactory(location=dokkum, role=Role.COORDINATOR).user
    _, token = visit_services.pair_tablet(
        location=dokkum, name="Foardoar", paired_by=coordinator, language="fy"
    )
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1024, "height": 768},
        locale="fy-NL",
        timezone_id="Europe/Amsterdam",
        bypass_csp=True,  # axe-core goes in as an inline script (see test_accessibility.py)
    )
    try:
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "fy", "url": live_server.url}]
        )
        page = check(
            context, reverse("activities:programme", kwargs={"slug": "dokkum"}), axe_script
        )
        assert page.locator("html").get_attribute("lang") == "fy"
        as_tablet(context, live_server, token)
        page = check(context, reverse("visitors:tablet", kwargs={"slug": "dokkum"}), axe_script)
        assert page.locator("html").get_attribute("lang") == "fy"
        assert page.get_by_role("button", name=re.compile("Besiker binnen")).count() >= 1
    finally:
        context.close()
