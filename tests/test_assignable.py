"""One rule for who may be put somewhere (issue 12): the coordinator's assign choice, the assign
service (a crafted POST), the buddy choice and the organiser choice all agree; paused and stopped
people never, intake and aspirant with their status shown. The onboarding to-dos agree on the
dashboard, the volunteers list and the profile page. Pausing someone lists their coming shifts,
and taking them off works (audited). A coordinator's assign or remove is e-mailed."""

import datetime
import functools

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from buurtkamer.dates import day_long
from buurtkamer.models import AuditEvent
from locations.models import Membership, Role
from volunteers import services
from volunteers.models import Assignment, MemberRecord, Status, Task

from . import support
from .factories import MembershipFactory

pytestmark = pytest.mark.django_db

T = datetime.time
AFTERNOON = (T(13, 30), T(16, 30))


# A one-off afternoon shift with room for many: the shared helper with this module's defaults.
make_shift = functools.partial(
    support.make_shift, start=AFTERNOON[0], end=AFTERNOON[1], maximum=20, regular=False
)


def member(location, first_name, status=None, *, last_name="", role=Role.VOLUNTEER, **record):
    membership = MembershipFactory(
        location=location, role=role, user__first_name=first_name, user__last_name=last_name
    )
    if status is not None:
        MemberRecord.objects.create(
            membership=membership,
            status=status,
            status_since=timezone.localdate() - datetime.timedelta(days=900),
            **record,
        )
    return membership.user


@pytest.fixture
def world(dokkum, burgum, coordinator, volunteer):
    """Dokkum's people in every status, one busy elsewhere at the shift's time, a member of
    Burgum only and an invitation not accepted yet."""
    people = {
        "active": member(dokkum, "Eelkje", Status.ACTIVE),
        "intake": member(dokkum, "Bauke", Status.INTAKE),
        "aspirant": volunteer,  # Anneke: no record yet, so an aspirant
        "paused": member(dokkum, "Pieter", Status.PAUSED),
        "stopped": member(dokkum, "Geeske", Status.STOPPED, last_name="Mulder"),
        "busy": member(dokkum, "Sjoukje", Status.ACTIVE),
        "outsider": member(burgum, "Ids", Status.ACTIVE),
        "coordinator": coordinator,  # Jan: a coordinator without a record counts as active
    }
    invited = MembershipFactory(location=dokkum, user__first_name="Wiebe", pending=True)
    people["invited"] = invited.user
    MembershipFactory(location=burgum, user=people["busy"])
    shift = make_shift(dokkum)
    services.take_place(make_shift(burgum, start=T(14, 0), end=T(15, 0)), people["busy"])
    return {"shift": shift, "people": people, "dokkum": dokkum}


ASSIGNABLE = {"active", "intake", "aspirant", "coordinator"}
MARKED = {"intake": "(intake)", "aspirant": "(aspirant)"}


def _choices(field):
    return {int(str(value)): str(label) for value, label in field.choices if value}


def _names(world, choices, *, without=()):
    by_pk = {person.pk: key for key, person in world["people"].items()}
    return {by_pk[pk] for pk in choices if pk in by_pk} - set(without)


def test_the_assign_choice_buddy_choice_and_organiser_choice_agree(client, login, world):
    people, dokkum, shift = world["people"], world["dokkum"], world["shift"]
    login(people["coordinator"])

    page = client.get(reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": shift.pk}))
    assign = _choices(page.context["assign_form"].fields["volunteer"])
    # Busy elsewhere at that time: not in the assign choice (free at that time is part of it).
    assert _names(world, assign) == ASSIGNABLE

    detail = client.get(
        reverse("volunteers:detail", kwargs={"slug": "dokkum", "pk": people["active"].pk})
    )
    buddy = _choices(detail.context["onboarding_form"].fields["buddy"])
    # A buddy is never the person themselves; being busy at some shift does not matter.
    assert _names(world, buddy) == (ASSIGNABLE | {"busy"}) - {"active"}

    new = client.get(reverse("activities:activity-new", kwargs={"slug": dokkum.slug}))
    organisers = _choices(new.context["form"].fields["organisers"])
    assert _names(world, organisers) == ASSIGNABLE | {"busy"}

    for choices in (assign, buddy, organisers):
        for key, mark in MARKED.items():
            assert choices[people[key].pk].endswith(mark)
        assert "(" not in choices[people["coordinator"].pk]  # active: no mark
    assert "Bauke (intake)" in page.text and "Bauke (intake)" in detail.text
    assert "Bauke (intake)" in new.text
    for gone in ("Geeske", "Pieter", "Wiebe", "Ids"):
        assert gone not in page.text.split('name="volunteer"')[-1].split("</select>")[0]


@pytest.mark.parametrize("key", sorted(ASSIGNABLE))
def test_the_assign_service_takes_whom_the_choice_offers(client, login, world, key):
    people, shift = world["people"], world["shift"]
    login(people["coordinator"])
    response = client.post(
        reverse("volunteers:assign", kwargs={"slug": "dokkum", "pk": shift.pk}),
        {"volunteer": people[key].pk},
        follow=True,
    )
    assert "is ingedeeld" in response.text
    assert Assignment.objects.active().filter(shift=shift, volunteer=people[key]).exists()


@pytest.mark.parametrize(
    "key, status, message",
    [
        ("paused", 302, "staat bij Buurtkamer Dokkum op gepauzeerd en kan niet worden ingedeeld"),
        ("stopped", 302, "staat bij Buurtkamer Dokkum op gestopt en kan niet worden ingedeeld"),
        ("busy", 302, "staat op dat moment al op het rooster"),
        ("outsider", 400, "Selecteer een geldige keuze"),
        ("invited", 400, "Selecteer een geldige keuze"),
    ],
)
def test_a_crafted_post_for_someone_not_offered_is_refused(
    client, login, world, key, status, message
):
    people, shift = world["people"], world["shift"]
    login(people["coordinator"])
    url = reverse("volunteers:assign", kwargs={"slug": "dokkum", "pk": shift.pk})
    response = client.post(url, {"volunteer": people[key].pk})
    assert response.status_code == status
    if status == 302:
        response = client.get(response["Location"])
    assert message in response.text
    assert "is ingedeeld" not in response.text
    assert not Assignment.objects.filter(shift=shift, volunteer=people[key]).exists()


def test_the_service_refuses_paused_and_stopped_also_when_they_try_themselves(world):
    shift = world["shift"]
    for key in ("paused", "stopped"):
        with pytest.raises(services.RosterError) as refused:
            services.take_place(shift, world["people"][key])
        assert refused.value.code == "not_available"
        # Said to the person themselves ("Je staat ..."), not as to a coordinator.
        assert str(refused.value.message).startswith("Je staat bij Buurtkamer Dokkum op")
    # What the choice offers, the service takes: one set, one rule.
    offered = set(services.assignable_for(shift).values_list("pk", flat=True))
    taken = set()
    for person in world["people"].values():
        try:
            services.take_place(shift, person, assigned_by=world["people"]["coordinator"])
        except services.RosterError:
            continue
        taken.add(person.pk)
    assert taken == offered


# Onboarding to-dos: dashboard, list and profile page agree ------------------------------------


@pytest.fixture
def onboarding(dokkum):
    today = timezone.localdate()
    old = today - datetime.timedelta(days=3 * 365 + 5)
    return {
        "old_vog": member(dokkum, "Douwe", Status.ACTIVE, vog_received_on=old),
        "no_vog_intake": member(dokkum, "Froukje", Status.INTAKE),
        "no_vog_active": member(dokkum, "Gerben", Status.ACTIVE),
        # Active since last week, VOG fine, no buddy.
        "no_buddy": _recent(member(dokkum, "Hiske", Status.ACTIVE, vog_received_on=today)),
        "paused": member(dokkum, "Pieter", Status.PAUSED),
    }


def _recent(user):
    MemberRecord.objects.filter(membership__user=user).update(
        status_since=timezone.localdate() - datetime.timedelta(days=7)
    )
    return user


EXPECTED = {
    "Douwe": {"vog_outdated"},
    "Froukje": {"vog_missing", "buddy"},
    "Gerben": {"vog_missing"},
    "Hiske": {"buddy"},
    "Pieter": set(),
}
TEXTS = {
    "vog_outdated": ("VOG ouder dan drie jaar", "ouder dan 3 jaar", "De VOG is ouder dan drie"),
    "vog_missing": ("Nog geen VOG", "geen VOG", "Nog geen VOG"),
    "buddy": ("Nieuw zonder buddy", "geen buddy", "Nieuw zonder buddy"),
}


def test_the_to_dos_agree_on_dashboard_list_and_profile(client, login, coordinator, onboarding):
    login(coordinator)
    dashboard = client.get(reverse("dashboard"))
    (panel,) = [p for p in dashboard.context["panels"] if "todos" in p]
    assert panel["todos_count"] == len(panel["todos"])  # all shown, none cut off
    todos = panel["todos"]
    on_dashboard = {}
    for todo in todos:
        on_dashboard.setdefault(todo.person.first_name, set()).add(todo.kind)

    listing = client.get(reverse("volunteers:list", kwargs={"slug": "dokkum"}))
    rows = {row["person"].first_name: row for row in listing.context["rows"]}
    for name, kinds in EXPECTED.items():
        assert on_dashboard.get(name, set()) == kinds, name
        row = rows[name]
        in_list = {
            kind
            for kind, flag in (
                ("vog_outdated", row["vog_outdated"]),
                ("vog_missing", row["vog_missing"]),
                ("buddy", row["buddy_missing"]),
            )
            if flag
        }
        assert in_list == kinds, name
        person = next(p for p in onboarding.values() if p.first_name == name)
        page = client.get(reverse("volunteers:detail", kwargs={"slug": "dokkum", "pk": person.pk}))
        assert {todo.kind for todo in page.context["todos"]} - {"intake"} == kinds, name
        for kind in kinds:
            assert TEXTS[kind][2] in page.text, (name, kind)
    assert "ouder dan 3 jaar" in listing.text and "geen buddy" in listing.text
    assert "VOG ouder dan drie jaar" in dashboard.text


# Pausing someone who still stands on the roster ------------------------------------------------


def test_pausing_lists_the_coming_shifts_and_releasing_them_is_audited(
    client, login, coordinator, dokkum, django_capture_on_commit_callbacks
):
    person = member(dokkum, "Rinske", Status.ACTIVE)
    first = make_shift(dokkum, days=3)
    second = make_shift(dokkum, days=6, task=Task.KITCHEN)
    for shift in (first, second):
        services.take_place(shift, person)
    login(coordinator)
    detail = reverse("volunteers:detail", kwargs={"slug": "dokkum", "pk": person.pk})
    assert "Nog ingeroosterd op" not in client.get(detail).text  # active: nothing to release

    response = client.post(
        reverse("volunteers:change-status", kwargs={"slug": "dokkum", "pk": person.pk}),
        {"status": Status.PAUSED, "since": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Nog ingeroosterd op" in response.text
    assert "staat nog op 2 komende diensten" in response.text
    assert response.text.count('name="assignment"') == 2
    assert "Uit het rooster halen" in response.text
    release = reverse("volunteers:release-shifts", kwargs={"slug": "dokkum", "pk": person.pk})

    one = Assignment.objects.get(shift=first, volunteer=person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(release, {"assignment": one.pk})
    one.refresh_from_db()
    assert one.cancelled_by == coordinator
    assert Assignment.objects.active().filter(volunteer=person).count() == 1

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(release, follow=True)
    assert "is uit 1 dienst gehaald" in response.text
    assert not Assignment.objects.active().filter(volunteer=person).exists()
    assert "Nog ingeroosterd op" not in response.text
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ROSTER_UNASSIGNED)
    assert sorted(event.details["shift"] for event in events) == sorted([first.pk, second.pk])
    assert all(event.actor == coordinator for event in events)
    assert [message.to for message in mail.outbox if "Uit het rooster" in message.subject] == [
        [person.email]
    ]


def test_release_refuses_someone_active_and_others_assignments(client, login, coordinator, dokkum):
    person = member(dokkum, "Rinske", Status.ACTIVE)
    services.take_place(make_shift(dokkum), person)
    login(coordinator)
    release = reverse("volunteers:release-shifts", kwargs={"slug": "dokkum", "pk": person.pk})
    response = client.post(release, follow=True)
    assert "is niet gepauzeerd of gestopt" in response.text
    assert Assignment.objects.active().filter(volunteer=person).count() == 1
    # Paused: an assignment of someone else, or nonsense, releases nothing.
    MemberRecord.objects.filter(membership__user=person).update(status=Status.PAUSED)
    other = services.take_place(make_shift(dokkum, days=8), coordinator)
    for value in (str(other.pk), "abc", "9" * 30):
        client.post(release, {"assignment": value})
    assert Assignment.objects.active().filter(volunteer=person).count() == 1
    assert Assignment.objects.active().filter(pk=other.pk).exists()


# E-mails when a coordinator assigns or removes ---------------------------------------------------


def test_a_coordinator_assigning_and_removing_is_e_mailed(
    client, login, world, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://buurtkamer.example.org"
    people, shift = world["people"], world["shift"]
    person = people["active"]
    login(people["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("volunteers:assign", kwargs={"slug": "dokkum", "pk": shift.pk}),
            {"volunteer": person.pk},
        )
    (message,) = mail.outbox
    assert message.to == [person.email]
    assert message.subject.startswith("Je bent ingeroosterd: gastvrouw/gastheer op")
    html = message.alternatives[0][0]
    my_shifts = "https://buurtkamer.example.org" + reverse("volunteers:my-shifts")
    date_text = day_long(shift.date)  # the one way of writing a day (year only if not this year)
    for body in (message.body, html):
        assert "Jan heeft je ingeroosterd bij Buurtkamer Dokkum" in body
        assert "13:30–16:30" in body and "middag" in body and date_text in body.lower()
        assert "Gastvrouw/gastheer" in body
        assert my_shifts in body

    mail.outbox.clear()
    assignment = Assignment.objects.get(shift=shift, volunteer=person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("volunteers:unassign", kwargs={"slug": "dokkum", "pk": assignment.pk}),
            {"reason": "Dubbel ingepland"},
        )
    removed = [m for m in mail.outbox if m.to == [person.email]]
    (message,) = removed
    assert message.subject.startswith("Uit het rooster: gastvrouw/gastheer op")
    for body in (message.body, message.alternatives[0][0]):
        assert "Jan heeft je uit het rooster van Buurtkamer Dokkum gehaald" in body
        assert "13:30–16:30" in body and "Dubbel ingepland" in body and my_shifts in body


def test_no_e_mail_when_someone_takes_or_cancels_a_place_themselves(
    client, login, world, django_capture_on_commit_callbacks
):
    person, shift = world["people"]["active"], world["shift"]
    login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:take", kwargs={"pk": shift.pk}))
    assignment = Assignment.objects.get(shift=shift, volunteer=person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:cancel", kwargs={"pk": assignment.pk}), {"reason": ""})
    assignment.refresh_from_db()
    assert assignment.cancelled_at is not None
    assert not [m for m in mail.outbox if m.to == [person.email]]


def test_the_e_mail_goes_after_the_commit_only(world, django_capture_on_commit_callbacks):
    shift, person = world["shift"], world["people"]["active"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.take_place(shift, person, assigned_by=world["people"]["coordinator"])
    assert mail.outbox == [] and callbacks
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[person.email]]


# Query counts -----------------------------------------------------------------------------------


def test_the_shift_page_runs_a_fixed_number_of_queries(
    client, login, world, django_assert_max_num_queries
):
    people, dokkum, shift = world["people"], world["dokkum"], world["shift"]
    login(people["coordinator"])
    url = reverse("volunteers:shift", kwargs={"slug": "dokkum", "pk": shift.pk})
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    for number in range(15):
        extra = member(dokkum, f"Extra{number}", [Status.ACTIVE, Status.INTAKE][number % 2])
        if number < 5:
            services.take_place(shift, extra)
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_the_profile_page_with_coming_shifts_to_release_runs_few_queries(
    client, login, coordinator, dokkum, django_assert_max_num_queries
):
    person = member(dokkum, "Rinske", Status.PAUSED)
    MemberRecord.objects.filter(membership__user=person).update(status=Status.ACTIVE)
    services.take_place(make_shift(dokkum, days=2), person)
    MemberRecord.objects.filter(membership__user=person).update(status=Status.PAUSED)
    login(coordinator)
    url = reverse("volunteers:detail", kwargs={"slug": "dokkum", "pk": person.pk})
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    MemberRecord.objects.filter(membership__user=person).update(status=Status.ACTIVE)
    for days in range(3, 15):
        services.take_place(make_shift(dokkum, days=days), person)
    MemberRecord.objects.filter(membership__user=person).update(status=Status.PAUSED)
    with django_assert_max_num_queries(baseline):
        page = client.get(url)
    assert page.text.count('name="assignment"') == 13


def test_current_members_by_role(dokkum, coordinator, volunteer, world):
    current = Membership.objects.current().filter(location=dokkum)
    assert set(current.with_role(Role.COORDINATOR).values_list("user", flat=True)) == {
        coordinator.pk
    }
    assert set(Membership.objects.coordinators().filter(location=dokkum)) == set(
        current.with_role(Role.COORDINATOR)
    )
    volunteers = set(current.with_role(Role.VOLUNTEER).values_list("user", flat=True))
    assert world["people"]["invited"].pk not in volunteers and volunteer.pk in volunteers


def test_open_places_are_not_offered_where_someone_is_paused(client, login, world):
    """The open-places page offers only what take_place would accept."""
    paused, shift = world["people"]["paused"], world["shift"]
    login(paused)
    page = client.get(reverse("volunteers:open-places"))
    assert shift not in page.context["shifts"]
    MemberRecord.objects.filter(membership__user=paused).update(status=Status.ACTIVE)
    page = client.get(reverse("volunteers:open-places"))
    assert shift in page.context["shifts"]
