"""One kind of refusal (buurtkamer/errors.py): every area's error is a DomainError(code, message).

A service refuses with a stable code (what tests and code look at) and a Dutch message; the
page shows that same message, never a 500. Each example below makes a real refusal twice: once
by calling the service, once through the page a person uses, and compares the two.
"""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from activities.services import OccurrenceError
from buurtkamer.errors import DomainError
from locations import services as location_services
from locations.models import DayPart, Membership, Role
from visitors import services as visit_services
from volunteers import profiles
from volunteers import services as roster
from volunteers.models import Shift, Status, Task

from .factories import MembershipFactory

AREA_ERRORS = [
    location_services.TeamError,
    location_services.LocationError,
    visit_services.VisitError,
    roster.RosterError,
    profiles.ProfileError,
    OccurrenceError,
]
CODE = re.compile(r"^[a-z][a-z_]*$")


@pytest.mark.parametrize("error_class", AREA_ERRORS, ids=lambda cls: cls.__name__)
def test_every_area_error_is_a_domain_error_with_code_then_message(error_class):
    assert issubclass(error_class, DomainError)
    error = error_class("some_code", "Een bericht.")
    assert (error.code, error.message) == ("some_code", "Een bericht.")


def refusal(call) -> DomainError:
    """The DomainError the service raises for `call`, checked for a machine-readable code."""
    with pytest.raises(DomainError) as caught:
        call()
    assert CODE.match(caught.value.code), caught.value.code
    return caught.value


def shown(response, error) -> bool:
    """Does the page show the error's own message (as the template escapes it)?"""
    return escape(str(error.message)) in response.text


def future_shift(location, *, maximum=1, days=4):
    return Shift.objects.create(
        location=location,
        date=timezone.localdate() + datetime.timedelta(days=days),
        day_part=DayPart.AFTERNOON,
        task=Task.HOST,
        starts_at=datetime.time(13, 30),
        ends_at=datetime.time(16, 30),
        minimum=1,
        maximum=maximum,
        regular=False,
    )


def test_a_full_shift(client, login, volunteer, dokkum):
    shift = future_shift(dokkum, maximum=1)
    roster.take_place(shift, MembershipFactory(location=dokkum).user)

    error = refusal(lambda: roster.take_place(shift, volunteer))
    assert isinstance(error, roster.RosterError) and error.code == "full"

    login(volunteer)
    response = client.post(reverse("volunteers:take", kwargs={"pk": shift.pk}), follow=True)
    assert response.status_code == 200
    assert shown(response, error)
    assert not shift.assignments.filter(volunteer=volunteer).exists()


def test_a_shift_on_a_closed_day(client, login, volunteer, coordinator, dokkum):
    shift = future_shift(dokkum, maximum=2)
    location_services.add_closure(
        location=dokkum,
        starts_on=shift.date,
        ends_on=shift.date,
        reason="Schoonmaak",
        created_by=coordinator,
    )

    error = refusal(lambda: roster.take_place(shift, volunteer))
    assert isinstance(error, roster.RosterError) and error.code == "closed"

    login(volunteer)
    response = client.post(reverse("volunteers:take", kwargs={"pk": shift.pk}), follow=True)
    assert response.status_code == 200
    assert shown(response, error)


def test_the_last_coordinator_stays(client, login, coordinator, dokkum):
    membership = Membership.objects.current().get(user=coordinator, location=dokkum)

    error = refusal(
        lambda: location_services.change_role(
            membership=membership, role=Role.VOLUNTEER, changed_by=coordinator
        )
    )
    assert isinstance(error, location_services.TeamError) and error.code == "last_coordinator"

    login(coordinator)
    response = client.post(
        reverse("locations:change-role", kwargs={"slug": dokkum.slug, "pk": membership.pk}),
        {"role": Role.VOLUNTEER},
        follow=True,
    )
    assert response.status_code == 200
    assert shown(response, error)
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR


def test_undoing_a_tap_that_is_not_there(client, login, coordinator, dokkum):
    client_id = uuid.uuid4()

    error = refusal(
        lambda: visit_services.undo_visit(
            location=dokkum, client_id=client_id, tablet=None, user=coordinator
        )
    )
    assert isinstance(error, visit_services.VisitError) and error.code == "unknown"

    login(coordinator)
    page = client.post(
        reverse("visitors:undo", kwargs={"slug": dokkum.slug}),
        {"client_id": str(client_id)},
        follow=True,
    )
    assert page.status_code == 200
    assert shown(page, error)
    # The tablet's JSON answer carries the same code and message.
    answer = client.post(
        reverse("visitors:undo-api", kwargs={"slug": dokkum.slug}),
        {"client_id": str(client_id)},
        content_type="application/json",
    )
    assert answer.status_code == 409
    assert answer.json() == {"status": error.code, "message": str(error.message)}


def test_a_status_from_a_future_date(client, login, coordinator, volunteer, dokkum):
    membership = Membership.objects.current().get(user=volunteer, location=dokkum)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    error = refusal(
        lambda: profiles.change_status(
            membership=membership, status=Status.PAUSED, since=tomorrow, changed_by=coordinator
        )
    )
    assert isinstance(error, profiles.ProfileError) and error.code == "future"

    login(coordinator)
    response = client.post(
        reverse("volunteers:change-status", kwargs={"slug": dokkum.slug, "pk": volunteer.pk}),
        {"status": Status.PAUSED, "since": tomorrow.isoformat()},
    )
    assert response.status_code == 400
    assert shown(response, error)
