"""buurtkamer.permissions.locations_for: the locations where a person may do an action."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from buurtkamer.permissions import Action, locations_for
from locations.models import Location, Role

from .factories import MembershipFactory


def slugs(user, action):
    return set(locations_for(user, action).values_list("slug", flat=True))


def test_volunteer_sees_own_location_but_manages_none(volunteer):
    assert slugs(volunteer, Action.VIEW_LOCATION) == {"dokkum"}
    assert slugs(volunteer, Action.MANAGE_LOCATION) == set()


def test_coordinator_manages_own_location_only(coordinator, other_coordinator):
    assert slugs(coordinator, Action.VIEW_LOCATION) == {"dokkum"}
    assert slugs(coordinator, Action.MANAGE_LOCATION) == {"dokkum"}


def test_staff_get_every_location(staff):
    every = set(Location.objects.values_list("slug", flat=True))
    assert len(every) > 1
    assert slugs(staff, Action.MANAGE_LOCATION) == every
    assert slugs(staff, Action.VIEW_LOCATION) == every


def test_pending_invitation_or_ended_membership_gives_nothing(dokkum, burgum):
    invited = MembershipFactory(location=dokkum, role=Role.COORDINATOR, pending=True).user
    assert slugs(invited, Action.VIEW_LOCATION) == set()
    assert slugs(invited, Action.MANAGE_LOCATION) == set()
    ended = MembershipFactory(location=burgum, role=Role.COORDINATOR, ended_at=timezone.now())
    assert slugs(ended.user, Action.VIEW_LOCATION) == set()
    assert slugs(AnonymousUser(), Action.VIEW_LOCATION) == set()
