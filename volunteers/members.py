"""Who of a location's team may be put somewhere: on a shift, as someone's buddy, as an
organiser of an activity. One rule for all three, from the location's own record of each
membership (MemberRecord):

- current members only (locations.models.current_membership_q: not ended, no invitation that
  waits for a yes), with an account that can log in;
- active: yes; intake and aspirant: yes, but shown with their status in brackets, e.g.
  "Sietske de Vries (intake)", so the coordinator sees they are not fully onboarded yet;
- paused and stopped: never.

A volunteer membership without a record counts as aspirant (see profiles.record_or_default);
a coordinator membership without one counts as active (coordinators are not onboarded as
volunteers; a coordinator whose record says paused or stopped is left out like anyone).

Whether someone is free at a shift's time is the roster's rule: services.assignable_for.
"""

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from locations.models import Membership, Role

from .models import Status

# Never put on the roster, never a buddy or an organiser.
NOT_AVAILABLE = (Status.PAUSED, Status.STOPPED)
# Allowed, with their status shown beside their name.
MARKED = (Status.INTAKE, Status.ASPIRANT)


def member_status():
    """The status of a membership at its location, as an expression on Membership: its
    record's, or else aspirant for a volunteer and active for a coordinator."""
    return Coalesce(
        F("volunteer_record__status"),
        Case(
            When(role=Role.COORDINATOR, then=Value(Status.ACTIVE)),
            default=Value(Status.ASPIRANT),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


def available_memberships(location):
    """The current memberships of the location whose person may be put somewhere there
    (status active, intake or aspirant), annotated with `member_status`."""
    return (
        Membership.objects.current()
        .filter(location=location, user__is_active=True)
        .annotate(member_status=member_status())
        .exclude(member_status__in=NOT_AVAILABLE)
    )


def locations_available_to(user):
    """The ids (a values() subquery) of the locations where the person is a current member who
    may be put on the roster (not paused or stopped): where open places are theirs to take."""
    return (
        Membership.objects.current()
        .filter(user=user)
        .annotate(member_status=member_status())
        .exclude(member_status__in=NOT_AVAILABLE)
        .values("location_id")
    )


def available_members(location):
    """The people (users) of available_memberships, each annotated with `member_status` (their
    status at this location), ordered by name: the base of the assign, buddy and organiser
    choices."""
    memberships = available_memberships(location)
    return (
        get_user_model()
        .objects.filter(pk__in=memberships.values("user_id"))
        .annotate(
            member_status=Subquery(
                memberships.filter(user=OuterRef("pk")).values("member_status")[:1]
            )
        )
        .order_by("first_name", "last_name", "pk")
    )


def current_members(location):
    """Every current member of the location (any status, any role), as users annotated with
    `member_status`: what the assign form accepts when posted, so that take_place (not a
    generic "invalid choice") tells why a paused or stopped person cannot be put on a shift."""
    memberships = Membership.objects.current().filter(location=location)
    return (
        get_user_model()
        .objects.filter(pk__in=memberships.values("user_id"))
        .annotate(
            member_status=Subquery(
                memberships.filter(user=OuterRef("pk"))
                .annotate(member_status=member_status())
                .values("member_status")[:1]
            )
        )
        .order_by("first_name", "last_name", "pk")
    )


def status_at(user, location) -> str | None:
    """The person's status at the location (as member_status), or None when they are not a
    current member there."""
    return (
        Membership.objects.current()
        .filter(location=location, user=user)
        .annotate(member_status=member_status())
        .values_list("member_status", flat=True)
        .first()
    )


def member_label(user) -> str:
    """The name in a choice list: "Sietske de Vries (intake)" for intake and aspirant (from
    `member_status`, as available_members annotates it), else just the name."""
    name = user.get_full_name() or str(user)
    status = getattr(user, "member_status", None)
    if status in MARKED:
        return f"{name} ({Status(status).label})"
    return name


def coordinators_of(location):
    """The location's current coordinators (active accounts) with their phone number, if they
    gave one (VolunteerProfile.phone), as [(first name, full name, phone)]: for the wall
    roster's "bel de coördinator". One query."""
    memberships = (
        Membership.objects.current()
        .filter(location=location, role=Role.COORDINATOR, user__is_active=True)
        .select_related("user__volunteer_profile")
        .order_by("user__first_name", "user__last_name", "pk")
    )
    result = []
    for membership in memberships:
        user = membership.user
        profile = getattr(user, "volunteer_profile", None)
        result.append(
            (user.first_name, user.get_full_name() or str(user), getattr(profile, "phone", ""))
        )
    return result
