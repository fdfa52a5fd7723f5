"""Filling a gap: every gap on the coordinator's dashboard and in the roster grid is a link to who
fits it (available at the location, free at that time, ordered by their preferences and by how
few shifts they have that month); one POST assigns them through take_place (audited, e-mailed,
once). The open places of the coming two weeks as text to share (WhatsApp link and a read-only
text field). The wall roster names the coordinators with their phone numbers."""

import datetime
import html
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from buurtkamer.models import AuditEvent
from locations.models import DayPart, Membership, OpeningHours, Role
from volunteers.models import Assignment, MemberRecord, Shift, Status, Task, VolunteerProfile

from .factories import MembershipFactory

AMSTERDAM = timezone.get_default_timezone()
# A Monday morning: the coming two weeks run from Monday 1 March to Sunday 14 March 2027.
NOW = datetime.datetime(2027, 3, 1, 8, 0, tzinfo=AMSTERDAM)
T = datetime.time


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW.date()


def make_shift(
    location, date, task=Task.HOST, *, part=DayPart.AFTERNOON, minimum=1, maximum=2, regular=True
):
    morning = part == DayPart.MORNING
    return Shift.objects.create(
        regular=regular,
        location=location,
        date=date,
        day_part=part,
        task=task,
        starts_at=T(9, 30) if morning else T(13, 30),
        ends_at=T(12, 0) if morning else T(16, 30),
        minimum=minimum,
        maximum=maximum,
    )


def member(location, first_name, *, status=Status.ACTIVE, **preferences):
    """A volunteer of the location with a record (status) and a profile (preferences)."""
    membership = MembershipFactory(location=location, user__first_name=first_name)
    MemberRecord.objects.create(membership=membership, status=status)
    VolunteerProfile.objects.create(user=membership.user, **preferences)
    return membership.user


def gap_url(shift):
    return reverse("volunteers:gap", kwargs={"slug": shift.location.slug, "pk": shift.pk})


def names_in_order(response):
    found = re.findall(r'<span class="gap-name">([^<]+)</span>', response.content.decode())
    return [html.unescape(name) for name in found]


@pytest.fixture
def team(dokkum, burgum, frozen):
    """A Wednesday afternoon host shift in Dokkum nobody took (3 March 2027), and the team."""
    wednesday = frozen + datetime.timedelta(days=2)
    shift = make_shift(dokkum, wednesday)
    people = {
        # Likes Wednesdays, afternoons and hosting: first.
        "Sietske": member(
            dokkum,
            "Sietske",
            preferred_weekdays=[3],
            preferred_day_parts=["afternoon"],
            preferred_tasks=["host"],
        ),
        # Likes Wednesdays only, but has more shifts in March than Wiebe.
        "Geertje": member(dokkum, "Geertje", preferred_weekdays=[3]),
        "Wiebe": member(dokkum, "Wiebe", preferred_weekdays=[3]),
        # No preferences.
        "Durk": member(dokkum, "Durk"),
        # In intake: offered, after the active ones with as many matches.
        "Froukje": member(dokkum, "Froukje", status=Status.INTAKE),
        # Paused: never offered.
        "Bauke": member(dokkum, "Bauke", status=Status.PAUSED, preferred_weekdays=[3]),
        # Busy: on a shift at the same time in Burgum.
        "Jelle": member(dokkum, "Jelle", preferred_weekdays=[3], preferred_tasks=["host"]),
    }
    Membership.objects.create(user=people["Jelle"], location=burgum)
    Assignment.objects.create(shift=make_shift(burgum, wednesday), volunteer=people["Jelle"])
    for day in (8, 9):
        Assignment.objects.create(
            shift=make_shift(dokkum, frozen + datetime.timedelta(days=day), Task.KITCHEN),
            volunteer=people["Geertje"],
        )
    Assignment.objects.create(
        shift=make_shift(dokkum, frozen + datetime.timedelta(days=10), Task.KITCHEN),
        volunteer=people["Wiebe"],
    )
    return {"shift": shift, "people": people}


def test_the_gap_page_lists_who_fits_best_first(client, login, coordinator, team):
    login(coordinator)

    response = client.get(gap_url(team["shift"]))

    assert response.status_code == 200
    # Preferences first (3 matches, then 1), then fewer shifts this month (Wiebe 1, Geertje 2),
    # then active before intake, then by first name (the coordinator, Jan, is on the team
    # too). Not paused Bauke, not busy Jelle.
    assert names_in_order(response) == [
        team["people"]["Sietske"].get_full_name(),
        team["people"]["Wiebe"].get_full_name(),
        team["people"]["Geertje"].get_full_name(),
        team["people"]["Durk"].get_full_name(),
        coordinator.get_full_name(),
        team["people"]["Froukje"].get_full_name(),
    ]
    shown = set(names_in_order(response))
    assert team["people"]["Bauke"].get_full_name() not in shown
    assert team["people"]["Jelle"].get_full_name() not in shown
    text = response.content.decode()
    assert "voorkeur: woensdag, middag, gastvrouw/gastheer" in text
    assert "2 diensten in maart" in text


def test_without_javascript_one_post_assigns_mails_and_audits_once(
    client, login, coordinator, team, django_capture_on_commit_callbacks
):
    login(coordinator)
    page = client.get(gap_url(team["shift"]))
    sietske = team["people"]["Sietske"]
    form = re.search(
        r'name="submission_key" value="([0-9a-f-]+)"[^>]*>\s*<input type="hidden" '
        rf'name="volunteer" value="{sietske.pk}"',
        page.content.decode(),
    )
    assert form is not None
    data = {"volunteer": sietske.pk, "submission_key": form.group(1)}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(gap_url(team["shift"]), data)
    # The double click: the same button's key again.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(gap_url(team["shift"]), data)

    assert response.status_code == 302 and response.url == gap_url(team["shift"])
    assert again.status_code == 302
    standing = Assignment.objects.active().filter(shift=team["shift"])
    assert [(a.volunteer, a.assigned_by) for a in standing] == [(sietske, coordinator)]
    assert [message.to for message in mail.outbox] == [[sietske.email]]
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.ROSTER_ASSIGNED, details__shift=team["shift"].pk
        ).count()
        == 1
    )
    after = client.get(gap_url(team["shift"]))
    assert "is ingedeeld" in after.content.decode()
    assert sietske.get_full_name() not in names_in_order(after)  # on it now


def test_with_htmx_the_panel_comes_alone_and_the_post_answers_in_place(
    client, login, coordinator, team
):
    login(coordinator)
    headers = {"HX-Request": "true"}

    panel = client.get(gap_url(team["shift"]), headers=headers)
    durk = team["people"]["Durk"]
    durk.last_name = "van 't Riet"  # a name the page must escape
    durk.save(update_fields=["last_name"])
    answer = client.post(gap_url(team["shift"]), {"volunteer": durk.pk}, headers=headers)

    assert panel.status_code == 200 and "<html" not in panel.content.decode()
    assert answer.status_code == 200 and "<html" not in answer.content.decode()
    assert "Durk van &#x27;t Riet is ingedeeld" in answer.content.decode()
    assert Assignment.objects.active().filter(shift=team["shift"], volunteer=durk).exists()


def test_someone_who_cannot_be_assigned_is_refused_with_the_reason(
    client, login, coordinator, team
):
    login(coordinator)
    bauke = team["people"]["Bauke"]

    response = client.post(gap_url(team["shift"]), {"volunteer": bauke.pk}, follow=True)

    assert "gepauzeerd" in response.content.decode()
    assert not Assignment.objects.filter(shift=team["shift"]).exists()


@pytest.mark.parametrize("size", [3, 30])
def test_the_suggestions_take_the_same_queries_for_3_or_30_volunteers(
    client, login, coordinator, dokkum, frozen, size, django_assert_max_num_queries
):
    shift = make_shift(dokkum, frozen + datetime.timedelta(days=2))
    for number in range(size):
        person = member(dokkum, f"Vrijwilliger{number}", preferred_weekdays=[3])
        if number % 3 == 0:  # some with a shift this month
            day = frozen + datetime.timedelta(days=3 + number % 5)
            kitchen = make_shift(dokkum, day, Task.KITCHEN, maximum=size, regular=False)
            Assignment.objects.create(shift=kitchen, volunteer=person)
    login(coordinator)
    client.get(gap_url(shift))  # the session and the like, once

    with django_assert_max_num_queries(12):
        response = client.get(gap_url(shift))

    assert len(names_in_order(response)) >= size


def test_the_dashboard_lists_every_gap_per_week_each_a_link(
    client, login, coordinator, dokkum, frozen
):
    shifts = [make_shift(dokkum, frozen + datetime.timedelta(days=1 + 2 * n)) for n in range(12)]
    later = make_shift(dokkum, frozen + datetime.timedelta(weeks=5))
    login(coordinator)

    response = client.get(reverse("dashboard"))

    text = response.content.decode()
    assert "12 diensten te weinig bezet" in text
    for shift in shifts:
        assert f'href="{gap_url(shift)}"' in text
    assert gap_url(later) not in text
    # Grouped per week: weeks 9, 10, 11 and 12 of 2027.
    assert re.findall(r"<h4[^>]*>Week (\d+)", text) == ["9", "10", "11", "12"]
    assert reverse("volunteers:roster", kwargs={"slug": "dokkum"}) in text


def test_the_roster_grid_links_each_gap_and_shows_every_open_day(
    client, login, coordinator, dokkum, frozen
):
    for weekday in (2, 4):  # Tuesday and Thursday afternoons
        OpeningHours.objects.create(
            location=dokkum,
            weekday=weekday,
            day_part=DayPart.AFTERNOON,
            opens_at=T(13, 0),
            closes_at=T(16, 0),
        )
    gap = make_shift(dokkum, frozen + datetime.timedelta(days=1))  # Tuesday 2 March
    login(coordinator)

    response = client.get(reverse("volunteers:roster", kwargs={"slug": "dokkum"}))

    text = response.content.decode()
    assert f'href="{gap_url(gap)}"' in text
    # Thursday 4 March has no shifts, but Dokkum is open then: it is on the roster.
    assert "Donderdag 4 maart" in text
    # The slot's times come from the opening hours.
    assert "13:00–16:00" in text


def test_a_volunteer_sees_no_gap_links_in_the_grid(client, login, volunteer, dokkum, frozen):
    gap = make_shift(dokkum, frozen + datetime.timedelta(days=1))
    login(volunteer)

    response = client.get(reverse("volunteers:roster", kwargs={"slug": "dokkum"}))

    assert gap_url(gap) not in response.content.decode()
    assert "wa.me" not in response.content.decode()


def test_the_whatsapp_text_lists_exactly_the_open_places_of_the_next_two_weeks(
    client, login, coordinator, dokkum, burgum, volunteer, frozen
):
    tuesday = make_shift(dokkum, frozen + datetime.timedelta(days=1), minimum=2, maximum=3)
    Assignment.objects.create(shift=tuesday, volunteer=volunteer)
    sunday = make_shift(
        dokkum, frozen + datetime.timedelta(days=13), Task.KITCHEN, part=DayPart.MORNING
    )
    full = make_shift(dokkum, frozen + datetime.timedelta(days=2), maximum=1)
    Assignment.objects.create(shift=full, volunteer=volunteer)
    # Enough people but room for more: not a gap, so not asked for.
    enough = make_shift(dokkum, frozen + datetime.timedelta(days=3), minimum=1, maximum=2)
    Assignment.objects.create(shift=enough, volunteer=volunteer)
    make_shift(dokkum, frozen + datetime.timedelta(days=14))  # the third week
    make_shift(burgum, frozen + datetime.timedelta(days=2))  # another location
    make_shift(dokkum, frozen - datetime.timedelta(days=1))  # yesterday
    login(coordinator)

    response = client.get(reverse("volunteers:roster", kwargs={"slug": "dokkum"}))

    text = response.content.decode()
    link = re.search(r'href="https://wa\.me/\?text=([^"]+)"', text).group(1)
    shared = unquote(link)
    assert shared.splitlines() == [
        "Wie kan er helpen bij Buurtkamer Dokkum? Open plekken in de komende twee weken:",
        "- Dinsdag 2 maart, 13:30–16:30, gastvrouw/gastheer: nog 1 nodig",
        "- Zondag 14 maart, 09:30–12:00, keuken: nog 1 nodig",
        "",
        "Kun je? Zet jezelf op het rooster: http://testserver/rooster/open-plekken/",
    ]
    # The same text stands in the read-only field (it works without JavaScript).
    assert re.search(r"<textarea[^>]*readonly[^>]*>", text)
    assert "- Zondag 14 maart, 09:30–12:00, keuken: nog 1 nodig" in text
    # And on a gap's page.
    gap_page = client.get(gap_url(sunday)).content.decode()
    assert f'href="https://wa.me/?text={link}"' in gap_page


def test_the_wall_roster_names_the_coordinators_with_their_phone(
    client, login, coordinator, dokkum, frozen
):
    VolunteerProfile.objects.create(user=coordinator, phone="06 1122 3344")
    second = MembershipFactory(location=dokkum, role=Role.COORDINATOR, user__first_name="Klaas")
    make_shift(dokkum, frozen + datetime.timedelta(days=1))
    login(coordinator)

    response = client.get(reverse("volunteers:roster-print", kwargs={"slug": "dokkum"}))

    text = response.content.decode()
    assert f"{coordinator.get_full_name()}, <strong>06 1122 3344</strong>" in text
    assert second.user.get_full_name() in text  # no phone: the name alone
