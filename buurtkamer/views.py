from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from locations.models import Location, Membership, Role
from visitors.models import Visit

from .permissions import Action, can, roles_by_location


@require_safe
@login_required
def dashboard(request):
    """The start page: what this person does here, per role."""
    user = request.user
    roles = roles_by_location(user)
    locations = list(
        Location.objects.visible_to(user).prefetch_related("opening_hours").order_by("name")
    )
    if user.is_aanzet_staff or Role.COORDINATOR in roles.values():
        team_sizes = Membership.objects.team_sizes()
        visitors_today = Visit.objects.counts_per_location(timezone.localdate())
        template = (
            "buurtkamer/dashboard_staff.html"
            if user.is_aanzet_staff
            else "buurtkamer/dashboard_coordinator.html"
        )
    else:
        team_sizes = visitors_today = {}
        template = "buurtkamer/dashboard_volunteer.html"
    for location in locations:
        location.my_role = roles.get(location.pk)
        location.team_size = team_sizes.get(location.pk, 0)
        location.visitors_today = visitors_today.get(location.pk, 0)
        location.may_manage = can(user, Action.MANAGE_LOCATION, location)
    return render(request, template, {"locations": locations})


@never_cache
@require_safe
def healthz(request):
    """200 when the app and its database answer, 503 with what failed otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse(
            {"status": "error", "database": "unavailable", "error": type(error).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})
