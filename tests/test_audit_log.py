"""The audit log at /audit/: AanZet staff see who did what, when and where; nobody else does."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from buurtkamer.models import AuditEvent, log_action
from locations import services as team_services
from locations.models import Role
from visitors import services as visit_services

from .factories import MembershipFactory, UserFactory

AUDIT_URL = reverse("audit-log")
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC

# However many events, actors and locations a page shows, filtered or not: session, user, the
# staff member's TOTP authenticator (buurtkamer.middleware.StaffTwoFactorMiddleware), the
# locations for the filter, the count for the pager, and one page of events with their actors
# and locations.
AUDIT_PAGE_QUERIES = 6


def rows(response):
    """The table's rows as text, without tags and runs of white space."""
    if "<tbody>" not in response.text:
        return []
    body = response.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def event(action=AuditEvent.Action.TABLET_PAIRED, *, at, **kwargs):
    made = log_action(action=action, **{"actor": None, **kwargs})
    AuditEvent.objects.filter(pk=made.pk).update(at=at)
    return made


# Who may see it ------------------------------------------------------------------------------


def test_staff_see_the_audit_log(client, login, staff):
    login(staff)
    response = client.get(AUDIT_URL)
    assert response.status_code == 200
    assert "<h1>Auditlog</h1>" in response.text


@pytest.mark.parametrize(
    "persona", ["volunteer", "other_volunteer", "coordinator", "other_coordinator"]
)
def test_everyone_else_who_is_logged_in_gets_403(client, login, personas, persona):
    login(personas[persona])
    assert client.get(AUDIT_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(AUDIT_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={AUDIT_URL}"


def test_a_paired_tablet_is_sent_to_log_in(paired_tablet):
    response = paired_tablet.get(AUDIT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_audit_log_only_reads(client, login, staff):
    login(staff)
    assert client.post(AUDIT_URL).status_code == 405


def test_the_staff_dashboard_links_to_the_audit_log(client, login, staff):
    login(staff)
    assert f'href="{AUDIT_URL}"' in client.get(reverse("dashboard")).text


@pytest.mark.parametrize("persona", ["volunteer", "coordinator"])
def test_other_dashboards_do_not(client, login, personas, persona):
    login(personas[persona])
    assert AUDIT_URL not in client.get(reverse("dashboard")).text


# What it shows -------------------------------------------------------------------------------


def test_real_actions_show_who_when_what_where_and_details(
    client, login, staff, coordinator, volunteer, dokkum
):
    membership = volunteer.memberships.get(location=dokkum)
    tablet, _token = visit_services.pair_tablet(
        location=dokkum, name="Tablet voordeur", paired_by=coordinator
    )
    team_services.change_role(membership=membership, role=Role.COORDINATOR, changed_by=coordinator)
    visit_services.revoke_tablet(tablet=tablet, revoked_by=staff)

    login(staff)
    shown = rows(client.get(AUDIT_URL))

    assert len(shown) == 3
    revoked, role_changed, paired = shown  # newest first
    assert "Tablet ontkoppeld" in revoked
    assert "Sietske" in revoked
    assert "Tablet voordeur" in revoked
    assert "Rol gewijzigd" in role_changed
    assert "Jan" in role_changed and coordinator.email in role_changed
    assert "Buurtkamer Dokkum" in role_changed
    assert volunteer.email in role_changed
    assert "Was: vrijwilliger" in role_changed
    assert "Wordt: coördinator" in role_changed
    assert "Tablet gekoppeld" in paired


def test_times_are_shown_in_dutch_local_time(client, login, staff, dokkum):
    # 10:15 UTC on a summer's day is 12:15 in Dokkum.
    event(location=dokkum, at=datetime.datetime(2026, 7, 1, 10, 15, tzinfo=UTC))
    login(staff)

    with time_machine.travel(datetime.datetime(2026, 7, 2, 9, 0, tzinfo=UTC), tick=False):
        (row,) = rows(client.get(AUDIT_URL))
    # The short form of the one way to write a day: the year only when it is not this year.
    assert row.startswith("1 jul, 12:15"), row
    assert 'datetime="2026-07-01T12:15:00+02:00"' in client.get(AUDIT_URL).text


def test_an_event_without_a_person_or_location_is_shown_plainly(client, login, staff):
    event(AuditEvent.Action.VISIT_VOIDED, at=datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    login(staff)

    (row,) = rows(client.get(AUDIT_URL))

    assert "tablet of systeem" in row
    assert "Bezoek ongedaan gemaakt" in row


def test_fifty_events_per_page_newest_first_and_the_pager_keeps_the_filter(
    client, login, staff, dokkum
):
    start = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=AMSTERDAM)
    for number in range(120):
        event(
            location=dokkum, subject=f"nr-{number:03d}", at=start + datetime.timedelta(hours=number)
        )
    login(staff)

    first = client.get(AUDIT_URL, {"location": "dokkum"})
    shown = rows(first)
    assert len(shown) == 50
    assert "nr-119" in shown[0] and "nr-070" in shown[-1]
    assert "Pagina 1 van 3" in first.text
    assert 'href="?location=dokkum&amp;pagina=2"' in first.text

    last = rows(client.get(AUDIT_URL, {"location": "dokkum", "pagina": "3"}))
    assert len(last) == 20
    assert "nr-019" in last[0] and "nr-000" in last[-1]


@pytest.mark.parametrize("page", ["0", "-1", "999999999999", "abc", "1e3", ""])
def test_a_page_number_that_does_not_exist_still_gives_a_page(client, login, staff, dokkum, page):
    event(location=dokkum, at=datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    login(staff)
    response = client.get(AUDIT_URL, {"pagina": page})
    assert response.status_code == 200
    assert len(rows(response)) == 1


def test_filter_by_location_and_by_action(client, login, staff, dokkum, burgum):
    at = datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    event(AuditEvent.Action.TABLET_PAIRED, location=dokkum, subject="dokkum-gekoppeld", at=at)
    event(AuditEvent.Action.TABLET_REVOKED, location=dokkum, subject="dokkum-ontkoppeld", at=at)
    event(AuditEvent.Action.TABLET_PAIRED, location=burgum, subject="burgum-gekoppeld", at=at)
    login(staff)

    def subjects(**query):
        response = client.get(AUDIT_URL, query)
        assert response.status_code == 200
        return sorted(re.findall(r"\w+-(?:ge|ont)koppeld", " ".join(rows(response))))

    assert subjects() == ["burgum-gekoppeld", "dokkum-gekoppeld", "dokkum-ontkoppeld"]
    assert subjects(location="dokkum") == ["dokkum-gekoppeld", "dokkum-ontkoppeld"]
    assert subjects(action="tablet_paired") == ["burgum-gekoppeld", "dokkum-gekoppeld"]
    assert subjects(location="burgum", action="tablet_paired") == ["burgum-gekoppeld"]
    assert subjects(location="kollum") == []
    # The chosen filter stays selected.
    page = client.get(AUDIT_URL, {"location": "burgum", "action": "tablet_paired"}).text
    assert re.search(r'<option value="burgum" selected>', page)
    assert re.search(r'<option value="tablet_paired" selected>', page)


@pytest.mark.parametrize(
    "query",
    [
        {"location": "bestaat-niet"},
        {"location": "x" * 5000},
        {"location": "dokkum\x00"},
        {"action": "alles_wissen"},
        {"action": ["tablet_paired", "bestaat-niet"]},
        {"location": "' OR 1=1 --", "action": "<script>"},
    ],
)
def test_a_filter_that_does_not_exist_is_ignored_with_a_message(
    client, login, staff, dokkum, burgum, query
):
    at = datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    event(location=dokkum, at=at)
    event(location=burgum, at=at)
    login(staff)

    response = client.get(AUDIT_URL, query)

    assert response.status_code == 200
    assert "Dit filter bestaat niet en is genegeerd" in response.text
    assert len(rows(response)) == 2
    assert "<script>" not in response.text.split("<main", 1)[1].split("</main>")[0]


def test_an_invalid_part_of_the_filter_is_ignored_and_the_valid_part_kept(
    client, login, staff, dokkum, burgum
):
    at = datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    event(location=dokkum, subject="in-dokkum", at=at)
    event(location=burgum, subject="in-burgum", at=at)
    login(staff)

    response = client.get(AUDIT_URL, {"location": "dokkum", "action": "bestaat-niet"})

    assert "Dit filter bestaat niet en is genegeerd" in response.text
    assert [row for row in rows(response) if "in-" in row] == [
        row for row in rows(response) if "in-dokkum" in row
    ]
    assert len(rows(response)) == 1


def test_the_page_runs_a_fixed_number_of_queries(
    client, login, staff, dokkum, burgum, django_assert_num_queries, django_assert_max_num_queries
):
    at = datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    event(location=dokkum, actor=staff, at=at)
    login(staff)
    with django_assert_num_queries(AUDIT_PAGE_QUERIES):
        assert client.get(AUDIT_URL).status_code == 200

    # Sixty more events by thirty different people in two locations: still the same queries.
    for number in range(60):
        actor = UserFactory(first_name=f"Persoon {number}") if number < 30 else None
        member = MembershipFactory(location=dokkum, role=Role.VOLUNTEER).user
        event(
            AuditEvent.Action.ROLE_CHANGED,
            actor=actor,
            location=dokkum if number % 2 else burgum,
            subject=member.email,
            old=Role.VOLUNTEER,
            new=Role.COORDINATOR,
            at=at,
        )
    with django_assert_max_num_queries(AUDIT_PAGE_QUERIES):
        response = client.get(AUDIT_URL, {"pagina": "1"})
    assert len(rows(response)) == 50
    with django_assert_num_queries(AUDIT_PAGE_QUERIES):
        response = client.get(AUDIT_URL, {"location": "dokkum", "action": "role_changed"})
    assert len(rows(response)) == 30


def test_the_audit_log_is_english_once_english_is_chosen(client, login, staff, dokkum):
    event(location=dokkum, at=datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    login(staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})  # stored on the account

    response = client.get(AUDIT_URL)

    assert "<h1>Audit log</h1>" in response.text
    assert "Tablet paired" in " ".join(rows(response))
