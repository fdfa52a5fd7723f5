"""The one place that decides who may do what where.

Every view asks `can(user, action, location)`, lists `locations_for(user, action)` (the
locations where the person may do it), checks `is_member(user, location)`, or uses one of the
decorators below (`location_required`, `staff_required`, `manages_some_location_required`). No
other module looks at roles or at `is_aanzet_staff` to decide access. Roles are per location
(locations.Membership); AanZet staff may do everything everywhere. A person who does not belong
to a location gets 404 for it (its existence stays private); a member who may look but not
change gets 403.
"""

import enum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, resolve, reverse

from locations.models import Location, Membership, Role


class Action(enum.StrEnum):
    VIEW_LOCATION = "view_location"
    MANAGE_LOCATION = "manage_location"  # team, invitations, opening hours
    RECORD_VISITS = "record_visits"  # the tablet page while logged in, pairing tablets
    MANAGE_VISITS = "manage_visits"  # today's check-ins, manual tallies, referrals, tablets
    VIEW_ALL_LOCATIONS = "view_all_locations"
    # The loneliness rounds (loneliness/): a location's group figures, its printed
    # questionnaire and typing in its paper answers. Planning rounds is for staff only.
    LONELINESS_FIGURES = "loneliness_figures"
    PLAN_LONELINESS_ROUNDS = "plan_loneliness_rounds"  # staff only


# Which roles at a location allow an action there.
ROLES_FOR_ACTION = {
    Action.VIEW_LOCATION: {Role.VOLUNTEER, Role.COORDINATOR},
    Action.MANAGE_LOCATION: {Role.COORDINATOR},
    Action.RECORD_VISITS: {Role.COORDINATOR},
    Action.MANAGE_VISITS: {Role.COORDINATOR},
    Action.VIEW_ALL_LOCATIONS: set(),
    Action.LONELINESS_FIGURES: {Role.COORDINATOR},
    Action.PLAN_LONELINESS_ROUNDS: set(),
}


def roles_by_location(user) -> dict[int, str]:
    """{location id: role} of a person's current memberships, read once per request."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_roles_by_location", None)
    if cached is None:
        cached = dict(
            Membership.objects.current()
            .filter(user=user)
            .order_by()
            .values_list("location_id", "role")
        )
        user._roles_by_location = cached
    return cached


def can(user, action: Action, location: Location | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_aanzet_staff:
        return True
    allowed = ROLES_FOR_ACTION[action]
    roles = roles_by_location(user)
    if location is None:
        return any(role in allowed for role in roles.values())
    return roles.get(location.pk) in allowed


def coordinated_location_ids(user) -> set[int]:
    return {pk for pk, role in roles_by_location(user).items() if role == Role.COORDINATOR}


def coordinated_locations(user, locations) -> list[Location]:
    """Of `locations` (already fetched), the ones where the person is a current coordinator.
    Staff coordinate nothing by being staff: for them this is empty."""
    mine = coordinated_location_ids(user)
    return [location for location in locations if location.pk in mine]


class Dashboard(enum.StrEnum):
    """Which start page a person gets (buurtkamer/views.py dashboard, and each area's panel)."""

    STAFF = "staff"  # AanZet staff: every location
    COORDINATOR = "coordinator"  # coordinates at least one location
    VOLUNTEER = "volunteer"  # everyone else who is logged in


def dashboard_for(user) -> Dashboard:
    if user.is_aanzet_staff:
        return Dashboard.STAFF
    if can(user, Action.MANAGE_LOCATION):
        return Dashboard.COORDINATOR
    return Dashboard.VOLUNTEER


def locations_for(user, action: Action) -> QuerySet[Location]:
    """The locations where the person may do `action`: all of them for staff, none for someone
    who is not logged in (or no longer active), else those where a current membership's role
    allows it (an invitation not yet accepted allows nothing)."""
    if not user.is_authenticated or not user.is_active:
        return Location.objects.none()
    if user.is_aanzet_staff:
        return Location.objects.all()
    return Location.objects.filter(
        id__in=Membership.objects.current()
        .filter(user=user, role__in=ROLES_FOR_ACTION[action])
        .values("location_id")
    )


def viewable_locations(user, shape=None) -> list[Location]:
    """locations_for(user, VIEW_LOCATION), fetched, each with `.my_role` (the person's current
    role there, None where staff have none) from the same query; `shape` may add ordering,
    prefetches and annotations to the queryset first. The roles read this way are what
    roles_by_location remembers: every current membership is at a location the person may view
    (VIEW_LOCATION allows every role), so no second query asks for them."""
    queryset = locations_for(user, Action.VIEW_LOCATION).annotate(
        my_role=Subquery(
            Membership.objects.current()
            .filter(user=user.pk, location=OuterRef("pk"))
            .order_by()
            .values("role")[:1]
        )
    )
    locations = list(shape(queryset) if shape else queryset)
    if (
        user.is_authenticated
        and user.is_active
        and getattr(user, "_roles_by_location", None) is None
    ):
        user._roles_by_location = {
            location.pk: location.my_role for location in locations if location.my_role
        }
    return locations


def is_member(user, location: Location | int) -> bool:
    """Whether the person has a current membership (any role) at the location. Staff are not
    members by being staff: this is for what only the team itself gets (taking a place)."""
    pk = location.pk if isinstance(location, Location) else location
    return pk in roles_by_location(user)


def member_locations(user) -> QuerySet[Location]:
    """The locations where the person has a current membership (staff: only their own)."""
    return Location.objects.filter(pk__in=list(roles_by_location(user)))


def get_location_for(user, slug: str, action: Action = Action.VIEW_LOCATION) -> Location:
    """The location with this slug if the person may do `action` there.

    404 when they do not belong to it, 403 when they belong but may not do this.
    """
    location = get_object_or_404(Location, slug=slug)
    if not can(user, Action.VIEW_LOCATION, location):
        raise Http404
    if not can(user, action, location):
        raise PermissionDenied
    return location


def location_required(action: Action = Action.VIEW_LOCATION):
    """View decorator: log in, then resolve the `slug` URL argument into `location`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            location = get_location_for(request.user, slug, action)
            return view(request, location, *args, **kwargs)

        wrapper.required_action = action  # read by may_open, for menus
        return wrapper

    return decorator


def staff_required(view):
    """View decorator: AanZet staff only; others who are logged in get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_aanzet_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def manages_some_location_required(view):
    """View decorator: for those who manage at least one location (coordinators) and staff;
    others who are logged in get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can(request.user, Action.MANAGE_LOCATION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def may_open(user, url_name: str, location: Location, **kwargs) -> bool:
    """Whether the person may open this page of the location, for menus and links that show
    only what opens. The page's own `location_required(action)` says what it takes, so the
    rule stays in one place (the view); a page without it asks no more than seeing the
    location."""
    try:
        match = resolve(reverse(url_name, kwargs={"slug": location.slug, **kwargs}))
    except NoReverseMatch:
        return False
    action = getattr(match.func, "required_action", Action.VIEW_LOCATION)
    return can(user, Action.VIEW_LOCATION, location) and can(user, action, location)
