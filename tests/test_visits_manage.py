"""The coordinator's pages about visitors: tablets, today's check-ins, manual tallies, referrals.

Dokkum is the coordinator's own location. Its volunteers may not manage visits (403); people of
Burgum do not see Dokkum at all (404); someone not logged in is sent to the login page. The
clock stands still on Tuesday 24 November 2026, 20:30 in Dokkum.
"""

import datetime
import html
import re
import uuid
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from buurtkamer.models import AuditEvent
from locations.models import DayPart
from visitors import services
from visitors.models import (
    AgeBand,
    CameVia,
    FirstVisit,
    ManualTally,
    Referral,
    ReferralTarget,
    Source,
    Tablet,
    Visit,
)

from .factories import UserFactory
from .support import count_queries

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = datetime.datetime(2026, 11, 24, 20, 30, tzinfo=AMSTERDAM)  # a Tuesday evening
TODAY = NOW.date()
NOV_3 = datetime.date(2026, 11, 3)  # also a Tuesday

# The queries each page runs, however many rows it shows (issue 3, item 9): session, user,
# memberships, location, and then the page's own: see the tests at the end of this file.
TODAY_PAGE_QUERIES = 9  # + the referrals that can still be undone
TALLIES_PAGE_QUERIES = 5
TABLETS_PAGE_QUERIES = 5


@pytest.fixture(autouse=True)
def now(db):
    with time_machine.travel(NOW, tick=False):
        yield NOW


def url(name, slug="dokkum", **kwargs):
    return reverse(f"visitors:{name}", kwargs={"slug": slug, **kwargs})


def at(hour, minute=0, date=TODAY):
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=AMSTERDAM)


def tap(location, moment=None, *, tablet=None, **facts):
    """One tap on the tablet, as the check-in endpoint records it."""
    visit, created = services.record_visit(
        location=location,
        client_id=uuid.uuid4(),
        tapped_at=moment,
        tablet=tablet,
        facts=services.VisitFacts(**facts),
    )
    assert created
    return visit


def void(visit, moment=None):
    Visit.objects.filter(pk=visit.pk).update(voided_at=moment or NOW)


def text_of(markup):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def table_rows(html, caption):
    """The text of the cells of each body row of the table with this caption."""
    for table in re.findall(r"<table.*?</table>", html, re.DOTALL):
        if caption in table:
            body = re.search(r"<tbody>(.*?)</tbody>", table, re.DOTALL).group(1)
            return [
                [text_of(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)]
                for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
            ]
    raise AssertionError(f"no table with caption {caption!r}")


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def dokkum_tablet(dokkum, coordinator):
    return services.pair_tablet(location=dokkum, name="Tablet voordeur", paired_by=coordinator)[0]


@pytest.fixture
def burgum_tablet(burgum, other_coordinator):
    return services.pair_tablet(location=burgum, name="Tablet Burgum", paired_by=other_coordinator)[
        0
    ]


def make_tally(location, user, *, date=NOV_3, day_part=DayPart.MORNING, visitors=12, first=3):
    return services.record_tally(
        location=location,
        date=date,
        day_part=day_part,
        visitors=visitors,
        first_visits=first,
        user=user,
    )


@pytest.fixture
def dokkum_tally(dokkum, coordinator):
    return make_tally(dokkum, coordinator)


@pytest.fixture
def burgum_tally(burgum, other_coordinator):
    return make_tally(burgum, other_coordinator)


@pytest.fixture
def schuldhulp(db):
    return ReferralTarget.objects.get(name="Schuldhulp")


# Who may open the pages ----------------------------------------------------------------------

EXPECTED_STATUS = {
    "anonymous": 302,
    "volunteer": 403,
    "other_volunteer": 404,
    "coordinator": 200,
    "other_coordinator": 404,
    "staff": 200,
}
PAGES = ["tablets", "revoke-tablet", "today", "tallies", "tally-edit", "tally-void"]


@pytest.fixture
def page_urls(dokkum_tablet, dokkum_tally):
    return {
        "tablets": url("tablets"),
        "revoke-tablet": url("revoke-tablet", pk=dokkum_tablet.pk),
        "today": url("today"),
        "tallies": url("tallies"),
        "tally-edit": url("tally-edit", pk=dokkum_tally.pk),
        "tally-void": url("tally-void", pk=dokkum_tally.pk),
    }


@pytest.mark.parametrize("persona", EXPECTED_STATUS)
@pytest.mark.parametrize("page", PAGES)
def test_only_the_coordinator_and_staff_open_the_visitor_pages_of_a_location(
    client, login, personas, page_urls, page, persona
):
    login(personas[persona])

    response = client.get(page_urls[page])

    assert response.status_code == EXPECTED_STATUS[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    if persona == "volunteer":
        assert "Geen toegang" in response.text


def snapshot():
    """Everything the forbidden changes below could have touched."""
    return {
        "tallies": list(ManualTally.objects.values_list("pk", "visitors", "voided_at")),
        "visits": Visit.objects.count(),
        "counted": Visit.objects.counted().count(),
        "tablets": list(Tablet.objects.values_list("pk", "revoked_at")),
        "referrals": Referral.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


CHANGES = [
    pytest.param("referral", lambda objects: {"target": objects["target"].pk}, id="referral"),
    pytest.param(
        "tallies",
        lambda objects: {
            "date": "2026-11-10",
            "day_part": DayPart.MORNING,
            "visitors": "5",
            "first_visits": "1",
        },
        id="record-tally",
    ),
    pytest.param(
        "tally-edit", lambda objects: {"visitors": "3", "first_visits": "0"}, id="correct"
    ),
    pytest.param("tally-void", lambda objects: {}, id="void-tally"),
    pytest.param("revoke-tablet", lambda objects: {}, id="revoke-tablet"),
]


@pytest.mark.parametrize(
    "persona", ["anonymous", "volunteer", "other_volunteer", "other_coordinator"]
)
@pytest.mark.parametrize(("page", "data"), CHANGES)
def test_people_who_may_not_manage_dokkums_visits_change_nothing_there(
    client, login, personas, dokkum_tablet, dokkum_tally, schuldhulp, page, data, persona
):
    pks = {"tally-edit": dokkum_tally.pk, "tally-void": dokkum_tally.pk}
    pks["revoke-tablet"] = dokkum_tablet.pk
    target_url = url(page, pk=pks[page]) if page in pks else url(page)
    before = snapshot()
    login(personas[persona])

    response = client.post(target_url, data({"target": schuldhulp}))

    assert response.status_code == EXPECTED_STATUS[persona]
    assert snapshot() == before


def test_a_paired_tablet_cannot_open_the_coordinator_pages(paired_tablet):
    client = paired_tablet

    for name in ["today", "tallies", "tablets"]:
        response = client.get(url(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_location_page_links_the_coordinator_to_the_visitor_pages(
    client, login, coordinator, volunteer
):
    """Through the location's workspace: the tab "Cijfers" leads to today's visitors and the
    tallies, "Instellingen" to the tablets."""
    detail = reverse("locations:detail", kwargs={"slug": "dokkum"})
    settings_page = reverse("locations:settings", kwargs={"slug": "dokkum"})
    links = [url("today"), url("tallies"), url("tablets")]

    login(coordinator)
    page = client.get(detail).text
    assert f'href="{url("today")}"' in page and f'href="{settings_page}"' in page
    assert f'href="{url("tallies")}"' in client.get(url("today")).text
    assert f'href="{url("tablets")}"' in client.get(settings_page).text

    login(volunteer)
    page = client.get(detail).text
    assert not any(link in page for link in [*links, settings_page])


# Tablets -------------------------------------------------------------------------------------


def test_the_tablet_list_shows_who_paired_each_tablet_when_it_was_last_seen_and_its_status(
    client, login, coordinator, staff, dokkum, burgum_tablet
):
    services.pair_tablet(location=dokkum, name="Tablet keuken", paired_by=staff)
    seen = services.pair_tablet(location=dokkum, name="Tablet voordeur", paired_by=coordinator)[0]
    # 13:05 in UTC is 14:05 in Dokkum.
    Tablet.objects.filter(pk=seen.pk).update(
        last_seen_at=datetime.datetime(2026, 11, 24, 13, 5, tzinfo=datetime.UTC)
    )
    old = services.pair_tablet(location=dokkum, name="Oude tablet", paired_by=coordinator)[0]
    with time_machine.travel(datetime.datetime(2026, 10, 2, 11, 0, tzinfo=AMSTERDAM)):
        services.revoke_tablet(tablet=old, revoked_by=coordinator)
    login(coordinator)

    page = text_of(client.get(url("tablets")).text)

    assert "Tablet keuken gekoppeld Gekoppeld door Sietske" in page
    assert "Laatst gezien nog nooit" in page
    assert "Tablet voordeur gekoppeld Gekoppeld door Jan" in page
    assert "Laatst gezien dinsdag 24 november, 14:05" in page
    assert "Oude tablet ontkoppeld op vrijdag 2 oktober" in page
    # Paired ones first, then the revoked one; Burgum's tablet is not Dokkum's business.
    assert page.index("Tablet keuken") < page.index("Tablet voordeur") < page.index("Oude tablet")
    assert "Tablet Burgum" not in page
    assert page.count("Ontkoppelen") == 2


def test_the_tablet_list_explains_how_to_pair_a_tablet_with_a_link(client, login, coordinator):
    login(coordinator)

    response = client.get(url("tablets"))

    assert "Er is nog geen tablet gekoppeld." in response.text
    assert f'<a href="{url("tablet")}">{url("tablet")}</a>' in response.text
    assert "terwijl je bent ingelogd en kies 'Koppel deze tablet'" in text_of(response.text)
    assert "http://testserver<wbr>/tablet/dokkum/" in response.text


def test_revoking_a_tablet_first_asks_and_changes_nothing_yet(
    client, login, coordinator, dokkum_tablet
):
    login(coordinator)

    response = client.get(url("revoke-tablet", pk=dokkum_tablet.pk))

    assert response.status_code == 200
    assert "Ja, ontkoppel Tablet voordeur" in response.text
    dokkum_tablet.refresh_from_db()
    assert dokkum_tablet.is_paired
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TABLET_REVOKED).exists()


def test_revoking_a_tablet_sets_revoked_at_and_is_audited(
    client, login, coordinator, dokkum, dokkum_tablet
):
    login(coordinator)

    response = client.post(url("revoke-tablet", pk=dokkum_tablet.pk), follow=True)

    assert response.redirect_chain == [(url("tablets"), 302)]
    assert "Tablet voordeur is ontkoppeld." in messages_of(response)[0]
    dokkum_tablet.refresh_from_db()
    assert dokkum_tablet.revoked_at == NOW
    assert dokkum_tablet.revoked_by == coordinator
    event = AuditEvent.objects.get(action=AuditEvent.Action.TABLET_REVOKED)
    assert (event.actor, event.location, event.subject) == (coordinator, dokkum, "Tablet voordeur")
    assert "ontkoppeld op dinsdag 24 november" in response.text


def test_revoking_a_revoked_tablet_again_changes_nothing(client, login, coordinator, dokkum_tablet):
    login(coordinator)
    client.post(url("revoke-tablet", pk=dokkum_tablet.pk))
    dokkum_tablet.refresh_from_db()
    first = dokkum_tablet.revoked_at

    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        response = client.post(url("revoke-tablet", pk=dokkum_tablet.pk), follow=True)

    assert "Tablet voordeur is al ontkoppeld." in messages_of(response)
    dokkum_tablet.refresh_from_db()
    assert dokkum_tablet.revoked_at == first
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TABLET_REVOKED).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tablet_of_another_location_is_not_found_under_mine(
    client, login, coordinator, burgum_tablet, method
):
    login(coordinator)

    response = getattr(client, method)(url("revoke-tablet", pk=burgum_tablet.pk))

    assert response.status_code == 404
    burgum_tablet.refresh_from_db()
    assert burgum_tablet.is_paired


# Today ---------------------------------------------------------------------------------------


def test_today_shows_the_counted_visits_per_day_part_and_per_hour_with_the_voided_ones(
    client, login, coordinator, dokkum, burgum, dokkum_tablet
):
    tap(dokkum, at(9, 15), tablet=dokkum_tablet)
    tap(dokkum, at(9, 40), tablet=dokkum_tablet)
    void(tap(dokkum, at(9, 41), tablet=dokkum_tablet))
    tap(dokkum, at(11, 5), tablet=dokkum_tablet)
    tap(dokkum, at(14, 20), tablet=dokkum_tablet)
    void(tap(dokkum, at(20, 25), tablet=dokkum_tablet))
    tap(dokkum, at(20, 28), tablet=dokkum_tablet)
    make_tally(dokkum, coordinator, date=TODAY, day_part=DayPart.AFTERNOON, visitors=2, first=0)
    tap(burgum, at(10, 0))  # another location
    tap(dokkum, at(16, 0, date=TODAY - datetime.timedelta(days=1)))  # yesterday
    login(coordinator)

    response = client.get(url("today"))

    assert response.status_code == 200
    page = text_of(response.text)
    assert "Dinsdag 24 november" in page
    assert "7 bezoekers geteld en 2 ongedaan gemaakt" in page
    assert "Ochtend 3 1 ongedaan gemaakt" in page
    assert "Middag 3 Avond 1 1 ongedaan gemaakt" in page
    # The tallied afternoon is filed under 15:00; the hours between are shown as empty.
    assert table_rows(response.text, "Bezoekers per uur") == [
        ["09:00–10:00", "2", "1"],
        ["10:00–11:00", "0", "0"],
        ["11:00–12:00", "1", "0"],
        ["12:00–13:00", "0", "0"],
        ["13:00–14:00", "0", "0"],
        ["14:00–15:00", "1", "0"],
        ["15:00–16:00", "2", "0"],
        ["16:00–17:00", "0", "0"],
        ["17:00–18:00", "0", "0"],
        ["18:00–19:00", "0", "0"],
        ["19:00–20:00", "0", "0"],
        ["20:00–21:00", "1", "1"],
    ]
    # The day-part figures agree with the count the tablet screen shows.
    assert services.counts_on(dokkum, TODAY) == {
        "total": 7,
        "morning": 3,
        "afternoon": 3,
        "evening": 1,
    }


def test_today_lists_every_visit_of_today_and_strikes_through_the_voided_ones(
    client, login, coordinator, dokkum, dokkum_tablet
):
    via_gp = CameVia.objects.get(name="Via de huisarts")
    tap(
        dokkum,
        at(9, 15),
        tablet=dokkum_tablet,
        first_visit=FirstVisit.YES,
        age_band=AgeBand.SENIOR,
        came_via=via_gp,
    )
    undone = tap(dokkum, at(20, 25), tablet=dokkum_tablet)
    services.undo_visit(location=dokkum, client_id=undone.client_id, tablet=dokkum_tablet)
    make_tally(dokkum, coordinator, date=TODAY, day_part=DayPart.AFTERNOON, visitors=1, first=0)
    login(coordinator)

    response = client.get(url("today"))

    assert table_rows(response.text, "Alle bezoekers van vandaag") == [
        ["20:25 ongedaan gemaakt", "avond", "weet niet", "–", "–", "Tablet voordeur"],
        ["15:00", "middag", "weet niet", "–", "–", "achteraf geturfd"],
        ["09:15", "ochtend", "ja", "65 en ouder", "Via de huisarts", "Tablet voordeur"],
    ]
    assert '<del>20:25</del> <span class="badge text-bg-warning">ongedaan gemaakt</span>' in (
        response.text
    )
    (table,) = [
        table
        for table in re.findall(r"<table.*?</table>", response.text, re.DOTALL)
        if "Alle bezoekers van vandaag" in table
    ]
    assert table.count("text-decoration-line-through") == 5  # the voided row's cells
    # On a phone the same visits are a list, the voided one struck through there too.
    phone_list = re.search(r'<ul class="list-group d-md-none">(.*?)</ul>', response.text, re.DOTALL)
    items = [text_of(item) for item in re.findall(r"<li.*?</li>", phone_list.group(1), re.DOTALL)]
    assert items == [
        "20:25 ongedaan gemaakt Tablet voordeur Eerste bezoek: weet niet",
        "15:00 achteraf geturfd Eerste bezoek: weet niet",
        "09:15 Tablet voordeur Eerste bezoek: ja · 65 en ouder · Via de huisarts",
    ]
    assert '<del class="fw-bold">20:25</del>' in phone_list.group()


def test_today_without_visits_says_so(client, login, staff):
    login(staff)

    response = client.get(url("today"))

    assert response.status_code == 200
    assert "Vandaag is nog niemand geteld." in response.text
    assert "Nog geen bezoekers vandaag." in response.text
    assert "0 bezoekers geteld" in text_of(response.text)


# Referrals -----------------------------------------------------------------------------------


def test_a_referral_counts_one_for_today_and_stores_nothing_about_the_visitor(
    client, login, coordinator, dokkum, schuldhulp
):
    login(coordinator)

    response = client.post(
        url("referral"), {"target": schuldhulp.pk, "name": "Piet de Vries"}, follow=True
    )

    assert response.redirect_chain == [(url("today"), 302)]
    assert messages_of(response) == ["Geteld: 1 doorverwijzing naar Schuldhulp."]
    referral = Referral.objects.get()
    assert (referral.location, referral.date, referral.target) == (dokkum, TODAY, schuldhulp)
    # Where from, which day, where to, and who counted it: nothing that names the visitor.
    assert {field.name for field in Referral._meta.concrete_fields} == {
        "id",
        "location",
        "date",
        "target",
        "created_by",
        "created_at",
        # A "+1" can be undone for 10 minutes: when, and by which coordinator.
        "voided_at",
        "voided_by",
    }
    assert "Piet" not in str(Referral.objects.values().get())


def test_today_shows_the_referrals_of_today_per_target(
    client, login, coordinator, dokkum, burgum, schuldhulp
):
    huisarts = ReferralTarget.objects.get(name="Huisarts")
    login(coordinator)
    for target in [schuldhulp, huisarts, schuldhulp]:
        client.post(url("referral"), {"target": target.pk})
    services.record_referral(location=burgum, target=huisarts)
    Referral.objects.create(
        location=dokkum, date=TODAY - datetime.timedelta(days=1), target=huisarts
    )

    page = text_of(client.get(url("today")).text)

    assert "Doorverwezen vandaag" in page
    assert "Huisarts 1 Schuldhulp 2" in page  # in the order of the list


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("", id="none"),
        pytest.param("999999", id="unknown"),
        pytest.param("x", id="text"),
    ],
)
def test_a_referral_without_a_valid_target_is_refused_with_a_message(
    client, login, coordinator, target
):
    login(coordinator)

    response = client.post(url("referral"), {"target": target}, follow=True)

    assert response.status_code == 200
    assert messages_of(response) == ["Kies eerst waar je iemand naar hebt doorverwezen."]
    assert not Referral.objects.exists()


def test_an_inactive_referral_target_is_not_offered_nor_accepted(
    client, login, coordinator, schuldhulp
):
    ReferralTarget.objects.filter(pk=schuldhulp.pk).update(active=False)
    login(coordinator)

    assert "Schuldhulp" not in client.get(url("today")).text
    client.post(url("referral"), {"target": schuldhulp.pk})
    assert not Referral.objects.exists()


def test_a_referral_is_only_posted(client, login, coordinator):
    login(coordinator)
    assert client.get(url("referral")).status_code == 405


# Manual tallies ------------------------------------------------------------------------------


def tally_post(date="2026-11-03", day_part=DayPart.MORNING, visitors="12", first_visits="3"):
    return {"date": date, "day_part": day_part, "visitors": visitors, "first_visits": first_visits}


def test_a_tally_creates_one_manual_visit_per_visitor_with_the_first_visits_marked(
    client, login, coordinator, dokkum
):
    login(coordinator)

    response = client.post(url("tallies"), tally_post(), follow=True)

    assert response.redirect_chain == [(url("tallies"), 302)]
    assert messages_of(response) == ["12 bezoekers van dinsdag 3 november, ochtend opgeslagen."]
    tally = ManualTally.objects.get()
    assert (tally.location, tally.date, tally.day_part) == (dokkum, NOV_3, DayPart.MORNING)
    assert (tally.visitors, tally.first_visits, tally.created_by) == (12, 3, coordinator)
    visits = Visit.objects.filter(tally=tally)
    assert visits.count() == 12
    assert visits.filter(first_visit=FirstVisit.YES).count() == 3
    assert visits.filter(first_visit=FirstVisit.UNKNOWN).count() == 9
    assert set(visits.values_list("source", "location", "recorded_on", "day_part")) == {
        (Source.MANUAL, dokkum.pk, NOV_3, DayPart.MORNING)
    }
    assert not visits.filter(voided_at__isnull=False).exists()
    assert Visit.objects.count() == 12
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TALLY_RECORDED).count() == 1
    assert "Dinsdag 3 november, ochtend 12 bezoekers, waarvan 3 voor het eerst" in text_of(
        response.text
    )


def test_counts_on_counts_manual_visits_and_never_voided_ones(coordinator, dokkum):
    tally = make_tally(dokkum, coordinator, date=TODAY, day_part=DayPart.EVENING, visitors=5)
    tap(dokkum, at(20, 0))
    void(tap(dokkum, at(20, 10)))

    assert services.counts_on(dokkum, TODAY) == {
        "total": 6,
        "morning": 0,
        "afternoon": 0,
        "evening": 6,
    }

    services.void_tally(tally=tally, user=coordinator)
    assert services.counts_on(dokkum, TODAY)["total"] == 1


def test_a_tally_for_today_and_one_for_a_year_ago_are_both_accepted(client, login, coordinator):
    login(coordinator)

    client.post(url("tallies"), tally_post(date="2026-11-24", day_part=DayPart.EVENING))
    client.post(url("tallies"), tally_post(date="2025-11-24"))

    assert sorted(ManualTally.objects.values_list("date", flat=True)) == [
        datetime.date(2025, 11, 24),
        TODAY,
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"visitors": "0", "first_visits": "0"}, "visitors", "1 tot en met 500", id="0"
        ),
        pytest.param({"visitors": "501"}, "visitors", "1 tot en met 500", id="501"),
        pytest.param({"visitors": ""}, "visitors", "Vul hier een getal in.", id="no-visitors"),
        pytest.param({"visitors": "twaalf"}, "visitors", "zonder letters", id="letters"),
        pytest.param({"first_visits": "-1"}, "first_visits", "0 tot en met 500", id="first-neg"),
        pytest.param(
            {"visitors": "12", "first_visits": "13"},
            "first_visits",
            "niet meer zijn dan het aantal bezoekers (12)",
            id="first-more-than-visitors",
        ),
        pytest.param({"date": "2026-11-25"}, "date", "in de toekomst", id="tomorrow"),
        pytest.param(
            {"date": "2025-11-23"},
            "date",
            "vanaf maandag 24 november 2025",
            id="more-than-a-year-back",
        ),
        pytest.param({"date": ""}, "date", "Vul de datum in.", id="no-date"),
        pytest.param({"date": "31-02-2026"}, "date", "Vul een datum in", id="no-such-date"),
        pytest.param({"day_part": ""}, "day_part", "Kies een dagdeel.", id="no-day-part"),
        pytest.param({"day_part": "night"}, "day_part", "Kies een dagdeel.", id="night"),
    ],
)
def test_an_invalid_tally_is_refused_with_a_dutch_message_keeps_what_was_typed_and_saves_nothing(
    client, login, coordinator, data, field, message
):
    login(coordinator)
    posted = tally_post(**data)

    response = client.post(url("tallies"), posted)

    assert response.status_code == 400
    assert "Niet opgeslagen" in response.text
    assert message in response.context["form"].errors[field][0]
    assert message in response.text
    for name in ["visitors", "first_visits"]:
        assert f'name="{name}" value="{posted[name]}"' in response.text or posted[name] == ""
    assert not ManualTally.objects.exists()
    assert not Visit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_tally_asks_first_when_the_tablet_already_counted_that_day_part(
    client, login, coordinator, dokkum
):
    tap(dokkum, at(19, 0))
    tap(dokkum, at(19, 5))
    void(tap(dokkum, at(19, 6)))
    login(coordinator)
    posted = tally_post(date="2026-11-24", day_part=DayPart.EVENING, visitors="4", first_visits="0")

    asked = client.post(url("tallies"), posted)

    assert "De tablet telde op dinsdag 24 november, avond al 2 bezoekers." in asked.text
    assert not ManualTally.objects.exists()
    response = client.post(url("tallies"), {**posted, "confirm": "on"}, follow=True)
    assert messages_of(response) == ["4 bezoekers van dinsdag 24 november, avond opgeslagen."]
    assert Visit.objects.counted().filter(source=Source.MANUAL).count() == 4


def test_a_second_tally_for_the_same_day_part_is_offered_as_a_correction(
    client, login, coordinator, dokkum_tally
):
    login(coordinator)

    response = client.post(url("tallies"), tally_post(visitors="2", first_visits="0"))

    assert response.status_code == 409
    assert "is al een turflijst" in response.text
    assert ManualTally.objects.count() == 1


def test_the_tally_list_shows_the_last_eight_weeks_with_voided_ones_as_vervallen(
    client, login, coordinator, dokkum, burgum, other_coordinator
):
    make_tally(dokkum, coordinator, date=datetime.date(2026, 11, 20), visitors=7, first=1)
    make_tally(
        dokkum, coordinator, date=datetime.date(2026, 11, 20), day_part=DayPart.EVENING, visitors=9
    )
    voided = make_tally(dokkum, coordinator, date=datetime.date(2026, 11, 2), visitors=4, first=0)
    services.void_tally(tally=voided, user=coordinator)
    make_tally(dokkum, coordinator, date=datetime.date(2026, 9, 28), visitors=31)  # 8 weeks + 1 day
    make_tally(burgum, other_coordinator, visitors=55)
    login(coordinator)

    page = text_of(client.get(url("tallies")).text)

    assert (
        "Vrijdag 20 november, ochtend 7 bezoekers, waarvan 1 voor het eerst "
        f"Ingevuld door {coordinator} op dinsdag 24 november, 20:30 Corrigeren"
    ) in page
    assert page.index("20 november, ochtend") < page.index("20 november, avond")
    assert (
        "Maandag 2 november, ochtend vervallen 4 bezoekers, waarvan 0 voor het eerst "
        f"Ingevuld door {coordinator} op dinsdag 24 november, 20:30 Vervallen door {coordinator}"
    ) in page
    assert page.count("Laten vervallen") == 2
    assert "31 bezoekers" not in page
    assert "55 bezoekers" not in page


def test_correcting_a_tally_voids_its_old_visits_and_records_the_new_number(
    client, login, coordinator, dokkum, dokkum_tally
):
    old_visits = set(dokkum_tally.visits.values_list("pk", flat=True))
    login(coordinator)

    page = client.get(url("tally-edit", pk=dokkum_tally.pk))
    assert 'name="visitors" value="12"' in page.text
    assert "Dinsdag 3 november, ochtend" in page.text

    response = client.post(
        url("tally-edit", pk=dokkum_tally.pk), {"visitors": "10", "first_visits": "4"}, follow=True
    )

    assert response.redirect_chain == [(url("tallies"), 302)]
    assert messages_of(response) == [
        "De turflijst van dinsdag 3 november, ochtend is gecorrigeerd: nu 10 bezoekers."
    ]
    dokkum_tally.refresh_from_db()
    assert (dokkum_tally.visitors, dokkum_tally.first_visits) == (10, 4)
    # The old visits are kept, voided; ten new ones count.
    visits = Visit.objects.filter(tally=dokkum_tally)
    assert visits.count() == 22
    old = visits.filter(pk__in=old_visits)
    assert old.count() == 12
    assert set(old.values_list("voided_at", "voided_by")) == {(NOW, coordinator.pk)}
    new = visits.counted()
    assert new.count() == 10
    assert not new.filter(pk__in=old_visits).exists()
    assert new.filter(first_visit=FirstVisit.YES).count() == 4
    assert new.filter(first_visit=FirstVisit.UNKNOWN).count() == 6
    assert services.counts_on(dokkum, NOV_3)["morning"] == 10
    event = AuditEvent.objects.get(action=AuditEvent.Action.TALLY_CORRECTED)
    assert event.details == {"old": [12, 3], "new": [10, 4]}


def test_an_invalid_correction_is_refused_and_changes_nothing(
    client, login, coordinator, dokkum_tally
):
    login(coordinator)

    response = client.post(
        url("tally-edit", pk=dokkum_tally.pk), {"visitors": "3", "first_visits": "5"}
    )

    assert response.status_code == 400
    assert "Dit kan niet meer zijn dan het aantal bezoekers (3)." in response.text
    assert 'name="first_visits" value="5"' in response.text
    dokkum_tally.refresh_from_db()
    assert (dokkum_tally.visitors, dokkum_tally.first_visits) == (12, 3)
    assert Visit.objects.counted().count() == 12
    assert Visit.objects.count() == 12


def test_a_correction_cannot_change_the_date_or_day_part(client, login, coordinator, dokkum_tally):
    login(coordinator)

    client.post(
        url("tally-edit", pk=dokkum_tally.pk),
        {"visitors": "5", "first_visits": "0", "date": "2026-11-20", "day_part": "evening"},
    )

    dokkum_tally.refresh_from_db()
    assert (dokkum_tally.date, dokkum_tally.day_part, dokkum_tally.visitors) == (
        NOV_3,
        DayPart.MORNING,
        5,
    )
    assert set(Visit.objects.counted().values_list("recorded_on", "day_part")) == {
        (NOV_3, DayPart.MORNING)
    }


def test_voiding_a_tally_first_asks_then_voids_all_its_visits(
    client, login, coordinator, dokkum, dokkum_tally
):
    login(coordinator)

    confirm = client.get(url("tally-void", pk=dokkum_tally.pk))
    assert confirm.status_code == 200
    assert "De 12 bezoekers van dinsdag 3 november, ochtend tellen dan niet meer mee." in (
        confirm.text
    )
    assert Visit.objects.counted().count() == 12

    response = client.post(url("tally-void", pk=dokkum_tally.pk), follow=True)

    assert response.redirect_chain == [(url("tallies"), 302)]
    assert messages_of(response) == [
        "De turflijst van dinsdag 3 november, ochtend is vervallen. "
        "Deze bezoekers tellen niet meer mee."
    ]
    dokkum_tally.refresh_from_db()
    assert (dokkum_tally.voided_at, dokkum_tally.voided_by) == (NOW, coordinator)
    assert Visit.objects.filter(tally=dokkum_tally).count() == 12
    assert not Visit.objects.counted().exists()
    assert services.counts_on(dokkum, NOV_3)["total"] == 0
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TALLY_VOIDED).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_voided_tally_cannot_be_corrected(client, login, coordinator, dokkum_tally, method):
    services.void_tally(tally=dokkum_tally, user=coordinator)
    login(coordinator)

    response = getattr(client, method)(
        url("tally-edit", pk=dokkum_tally.pk), {"visitors": "20", "first_visits": "0"}, follow=True
    )

    assert response.redirect_chain == [(url("tallies"), 302)]
    assert messages_of(response) == [
        "Deze turflijst is vervallen en kan niet meer worden gewijzigd."
    ]
    dokkum_tally.refresh_from_db()
    assert dokkum_tally.visitors == 12
    assert not Visit.objects.counted().exists()
    assert Visit.objects.count() == 12


def test_voiding_a_voided_tally_again_changes_nothing(client, login, coordinator, dokkum_tally):
    services.void_tally(tally=dokkum_tally, user=coordinator)
    login(coordinator)

    response = client.post(url("tally-void", pk=dokkum_tally.pk), follow=True)

    assert messages_of(response) == ["Deze turflijst was al vervallen."]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TALLY_VOIDED).count() == 1


@pytest.mark.parametrize("page", ["tally-edit", "tally-void"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tally_of_another_location_is_not_found_under_mine(
    client, login, coordinator, burgum_tally, page, method
):
    login(coordinator)

    response = getattr(client, method)(
        url(page, pk=burgum_tally.pk), {"visitors": "1", "first_visits": "0"}
    )

    assert response.status_code == 404
    burgum_tally.refresh_from_db()
    assert (burgum_tally.visitors, burgum_tally.voided_at) == (12, None)
    assert Visit.objects.counted().count() == 12


def test_staff_may_enter_a_tally_for_any_location(client, login, staff, burgum):
    login(staff)

    response = client.post(
        url("tallies", slug="burgum"), tally_post(visitors="2", first_visits="1")
    )

    assert response.status_code == 302
    tally = ManualTally.objects.get()
    assert (tally.location, tally.created_by) == (burgum, staff)


# Queries do not grow with the number of rows -------------------------------------------------


def test_today_page_runs_a_fixed_number_of_queries_for_fifty_more_visits(
    client, login, coordinator, dokkum, dokkum_tablet, schuldhulp, django_assert_max_num_queries
):
    via = CameVia.objects.first()
    tap(dokkum, at(9, 0), tablet=dokkum_tablet, first_visit=FirstVisit.YES, came_via=via)
    void(tap(dokkum, at(9, 5)))
    services.record_referral(location=dokkum, target=schuldhulp)
    login(coordinator)
    few = count_queries(client, url("today"))
    assert few == TODAY_PAGE_QUERIES

    other_tablet = services.pair_tablet(location=dokkum, name="Tablet 2", paired_by=coordinator)[0]
    for number in range(50):
        visit = tap(
            dokkum,
            at(9 + number % 12, number % 60),
            tablet=[dokkum_tablet, other_tablet, None][number % 3],
            first_visit=FirstVisit.YES,
            age_band=AgeBand.ADULT,
            came_via=CameVia.objects.all()[number % 5],
        )
        if number % 7 == 0:
            void(visit)
    for number in range(20):
        # One active tally per day-part: the earlier ones are voided (still listed).
        tally = make_tally(
            dokkum, coordinator, date=TODAY, day_part=DayPart.MORNING, visitors=1, first=0
        )
        if number < 19:
            services.void_tally(tally=tally, user=coordinator)
        services.record_referral(location=dokkum, target=ReferralTarget.objects.all()[number % 6])

    with django_assert_max_num_queries(TODAY_PAGE_QUERIES):
        response = client.get(url("today"))

    assert response.status_code == 200
    assert len(table_rows(response.text, "Alle bezoekers van vandaag")) == 2 + 50 + 20


def test_tallies_page_runs_a_fixed_number_of_queries_for_twenty_more_tallies(
    client, login, coordinator, dokkum, django_assert_max_num_queries
):
    make_tally(dokkum, coordinator)
    login(coordinator)
    few = count_queries(client, url("tallies"))
    assert few == TALLIES_PAGE_QUERIES

    for number in range(20):
        user = UserFactory(first_name=f"Invuller {number}")
        tally = make_tally(
            dokkum, user, date=TODAY - datetime.timedelta(days=number), visitors=2, first=1
        )
        if number % 3 == 0:
            services.void_tally(tally=tally, user=UserFactory())

    with django_assert_max_num_queries(TALLIES_PAGE_QUERIES):
        response = client.get(url("tallies"))

    assert response.status_code == 200
    assert response.text.count("Ingevuld door") == 21


def test_tablets_page_runs_a_fixed_number_of_queries_for_ten_more_tablets(
    client, login, coordinator, dokkum, dokkum_tablet, django_assert_max_num_queries
):
    login(coordinator)
    few = count_queries(client, url("tablets"))
    assert few == TABLETS_PAGE_QUERIES

    for number in range(10):
        tablet = services.pair_tablet(
            location=dokkum, name=f"Tablet {number}", paired_by=UserFactory()
        )[0]
        services.mark_seen(tablet)
        if number % 2:
            services.revoke_tablet(tablet=tablet, revoked_by=UserFactory())

    with django_assert_max_num_queries(TABLETS_PAGE_QUERIES):
        response = client.get(url("tablets"))

    assert response.status_code == 200
    assert response.text.count("Gekoppeld door") == 11


def test_the_today_list_shows_the_newest_visits_and_says_so_when_there_are_more(
    client, login, coordinator, dokkum, monkeypatch
):
    import uuid

    from visitors import services as visit_services
    from visitors.views import manage

    monkeypatch.setattr(manage, "TODAY_LIST_LIMIT", 3)
    for _ in range(5):
        visit_services.record_visit(location=dokkum, client_id=uuid.uuid4())
    login(coordinator)

    page = client.get(reverse("visitors:today", kwargs={"slug": "dokkum"})).text

    assert "Hier staan de nieuwste 3." in page


# Moved from tests/test_pages_by_role.py (its page-by-role cases are rows of the authorization
# matrix now) -------------------------------------------------------------------------------------


def test_the_coordinator_dashboard_shows_todays_counted_visitors(personas, login, dokkum):
    import uuid

    from visitors import services

    for _ in range(3):
        services.record_visit(location=dokkum, client_id=uuid.uuid4())
    voided, _ = services.record_visit(location=dokkum, client_id=uuid.uuid4())
    services.undo_visit(location=dokkum, client_id=voided.client_id)

    page = login(personas["coordinator"]).get(reverse("dashboard")).text
    assert "Vandaag 3 bezoekers" in page
    # A volunteer gets no figures (the card's "Vandaag" is the way into the location).
    assert "bezoekers" not in login(personas["volunteer"]).get(reverse("dashboard")).text
