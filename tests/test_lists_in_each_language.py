"""The editable lists in every language (issue 15, item 3).

How a first-time visitor came, where visitors are referred onward and the kinds of activity have
a name in Dutch, English and Frysk (django-modeltranslation: name_nl, name_en, name_fy). The
default entries ship in the three languages (the data migrations, which these tests' database
ran); a coordinator fills the Dutch name and may fill the other two; every page, report and
export shows the name in the active language, the Dutch one where that is empty, without an
extra query.
"""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from activities.models import Category
from visitors.models import CameVia, FirstVisit, Referral, ReferralTarget, Tablet
from visitors.reports.exports import read_back_csv

from .factories import (
    ActivityFactory,
    OccurrenceFactory,
    VisitFactory,
    administrator,
    force_login,
)
from .support import choose_language, count_queries, tablet_url

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

# Two default "came via" entries as the migration ships them.
CAME_VIA = {
    "nl": ["Via de huisarts", "Op eigen initiatief"],
    "en": ["Through the GP", "On their own initiative"],
    "fy": ["Fia de húsdokter", "Op eigen inisjatyf"],
}


# The tablet ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en", "fy"])
def test_the_tablet_offers_the_default_came_via_entries_in_its_language(paired_client, language):
    Tablet.objects.update(language=language)  # a tablet speaks the language it was given
    page = paired_client.get(tablet_url()).content.decode()

    for names_language, names in CAME_VIA.items():
        for name in names:
            assert (f'data-label="{name}"' in page) == (names_language == language), name


def test_an_entry_with_only_a_dutch_name_shows_the_dutch_name_in_english_and_frysk(
    paired_client,
):
    CameVia.objects.create(name_nl="Via de bibliotheek", position=9)
    CameVia.objects.create(name_nl="Via de krant", name_en="", name_fy="", position=10)

    for language in ("en", "fy"):
        Tablet.objects.update(language=language)
        page = paired_client.get(tablet_url()).content.decode()
        assert 'data-label="Via de bibliotheek"' in page, language
        assert 'data-label="Via de krant"' in page, language


def test_the_tablet_page_makes_as_many_queries_in_frysk_as_in_dutch(paired_client):
    dutch = count_queries(paired_client, tablet_url())
    Tablet.objects.update(language="fy")
    frisian = count_queries(paired_client, tablet_url())

    assert frisian == dutch


# The coordinator's pages ----------------------------------------------------------------------


def test_a_coordinator_adds_and_edits_a_kind_of_activity_in_three_languages(
    client, login, coordinator
):
    login(coordinator)
    kinds = reverse("activities:categories")
    form = client.get(kinds).content.decode()
    assert "Naam in het Engels (mag je leeg laten)" in form
    assert "Naam in het Fries (mag je leeg laten)" in form

    added = client.post(
        kinds,
        {"name_nl": "Zingen", "name_en": "Singing", "name_fy": "Sjongen", "position": "8"},
    )
    assert added.status_code == 302
    kind = Category.objects.get(name_nl="Zingen")
    assert (kind.name_en, kind.name_fy) == ("Singing", "Sjongen")

    edited = client.post(
        reverse("activities:category-edit", kwargs={"category_id": kind.pk}),
        {"name_nl": "Zingen", "name_en": "", "name_fy": "Sjongen", "position": "8"},
    )
    assert edited.status_code == 302
    kind.refresh_from_db()
    assert kind.name_en is None  # emptied: no English name, so the Dutch one shows
    english = choose_language(client, "en").get(kinds).content.decode()
    frisian = choose_language(client, "fy").get(kinds).content.decode()
    assert "Zingen" in english and "Singing" not in english
    assert "Sjongen" in frisian and "Zingen" not in frisian


def test_the_dutch_name_is_required_and_the_others_are_not(client, login, coordinator):
    login(coordinator)
    kinds = reverse("activities:categories")

    missing = client.post(kinds, {"name_nl": "", "name_en": "Dancing", "position": "9"})
    dutch_only = client.post(kinds, {"name_nl": "Dansen", "position": "9"})

    assert missing.status_code == 400
    assert not Category.objects.filter(name_en="Dancing").exists()
    assert dutch_only.status_code == 302
    kind = Category.objects.get(name_nl="Dansen")
    assert (kind.name_en, kind.name_fy) == (None, None)


def test_a_coordinator_working_in_english_keeps_the_dutch_names_apart(client, login, coordinator):
    """The Dutch names must differ; an English name may be another entry's Dutch name."""
    choose_language(login(coordinator), "en")
    kinds = reverse("activities:categories")

    first = client.post(kinds, {"name_nl": "Dansen", "name_en": "Dancing", "position": "9"})
    second = client.post(kinds, {"name_nl": "Dancing", "position": "10"})
    again = client.post(kinds, {"name_nl": "Dansen", "position": "11"})

    assert (first.status_code, second.status_code, again.status_code) == (302, 302, 400)
    assert Category.objects.filter(name_nl__in=["Dansen", "Dancing"]).count() == 2


def test_the_admin_edits_a_list_entry_in_three_languages(client, db):
    force_login(client, administrator())
    added = client.post(
        reverse("admin:visitors_referraltarget_add"),
        {
            "name_nl": "Voedselbank",
            "name_en": "Food bank",
            "name_fy": "Fiedselbank",
            "position": "7",
            "active": "on",
        },
    )
    assert added.status_code == 302
    target = ReferralTarget.objects.get(name_nl="Voedselbank")
    assert (target.name_en, target.name_fy) == ("Food bank", "Fiedselbank")

    for model in ("visitors_camevia", "visitors_referraltarget", "activities_category"):
        listing = choose_language(client, "en").get(reverse(f"admin:{model}_changelist"))
        assert listing.status_code == 200, model
    listing = choose_language(client, "en").get(reverse("admin:visitors_referraltarget_changelist"))
    assert "Food bank" in listing.content.decode()
    assert "Debt help" in listing.content.decode()
    change = choose_language(client, "nl").get(
        reverse("admin:visitors_referraltarget_change", args=[target.pk])
    )
    assert "Naam in het Fries (mag je leeg laten)" in change.content.decode()


# Where the lists are shown ------------------------------------------------------------------------


def test_the_referral_buttons_and_counts_speak_the_active_language(client, login, coordinator):
    gp = ReferralTarget.objects.get(name_nl="Huisarts")
    login(coordinator)
    choose_language(client, "fy")
    today = reverse("visitors:today", kwargs={"slug": "dokkum"})
    Referral.objects.create(
        location=coordinator.memberships.get().location,
        date=datetime.date.today(),
        target=gp,
    )

    page = client.get(today).content.decode()

    assert "Húsdokter" in page and "Skuldhelp" in page
    assert "Huisarts" not in page and "Schuldhulp" not in page


def test_the_programme_shows_the_kind_in_the_active_language(client, login, coordinator, dokkum):
    ActivityFactory(location=dokkum, category=Category.objects.get(name_nl="Spelletjes"))
    login(coordinator)

    page = (
        choose_language(client, "en")
        .get(reverse("activities:activity-list", kwargs={"slug": "dokkum"}))
        .content.decode()
    )

    assert "Games" in page and "Spelletjes" not in page


@pytest.fixture
def first_visits_of_november(dokkum):
    """Two first visits through the GP and one through a Dutch-only entry, a referral to the
    GP and a visit to a game afternoon, all in November 2026."""
    via_gp = CameVia.objects.get(name_nl="Via de huisarts")
    via_library = CameVia.objects.create(name_nl="Via de bibliotheek", position=9)
    moment = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=AMSTERDAM)
    for via in (via_gp, via_gp, via_library):
        VisitFactory(location=dokkum, recorded_at=moment, first_visit=FirstVisit.YES, came_via=via)
    games = OccurrenceFactory(
        activity=ActivityFactory(
            location=dokkum,
            category=Category.objects.get(name_nl="Spelletjes"),
            starts_on=moment.date(),
        )
    )
    VisitFactory(location=dokkum, recorded_at=moment, occurrence=games)
    Referral.objects.create(
        location=dokkum, date=moment.date(), target=ReferralTarget.objects.get(name_nl="Huisarts")
    )


NOVEMBER = {"periode": "anders", "van": "2026-11-01", "tot": "2026-11-30", "locatie": ["dokkum"]}


@pytest.mark.parametrize(
    ("language", "gp", "target", "games"),
    [
        ("nl", "Via de huisarts", "Huisarts", "Spelletjes"),
        ("en", "Through the GP", "GP", "Games"),
        ("fy", "Fia de húsdokter", "Húsdokter", "Spultsjes"),
    ],
)
def test_the_report_and_its_export_name_the_lists_in_the_active_language(
    client, login, staff, first_visits_of_november, language, gp, target, games
):
    choose_language(login(staff), language)

    page = client.get(reverse("visitors:report"), NOVEMBER)
    csv = read_back_csv(client.get(reverse("visitors:report-csv"), NOVEMBER).content.decode())

    sections = {section["table"].key: section for section in page.context["sections"]}
    assert sections["hoe-binnengekomen"]["rows"] == [[gp, 2], ["Via de bibliotheek", 1]]
    assert sections["doorverwijzingen"]["rows"] == [[target, 1]]
    assert [games, 1] in sections["per-categorie"]["rows"]
    came_via_title = sections["hoe-binnengekomen"]["table"].title
    assert csv[str(came_via_title)] == [[gp, "2"], ["Via de bibliotheek", "1"]]


def test_the_report_makes_as_many_queries_in_english_as_in_dutch(
    client, login, staff, first_visits_of_november
):
    login(staff)
    address = reverse("visitors:report") + "?periode=anders&van=2026-11-01&tot=2026-11-30"

    dutch = count_queries(choose_language(client, "nl"), address)
    english = count_queries(choose_language(client, "en"), address)

    assert english == dutch
