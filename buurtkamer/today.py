"""What a location's "Vandaag" page shows: today at this location, for this person.

Each figure comes from where its rule lives (visits counted, who is on duty, today's programme,
the roster's gaps, the logbook's open follow-ups); this module only gathers them and asks
buurtkamer.permissions what this person may see. A fixed number of queries whatever the data.
Like the dashboard it gathers from every area, so it lives here, in the project package, and
not in locations (which the areas build on).
"""

import datetime

from django.urls import reverse

from activities.services import todays_occurrences
from locations.models import Membership
from locations.services import open_follow_up_counts
from visitors.services import counts_on
from volunteers.dashboard import gaps
from volunteers.services import on_duty_today, open_places, open_places_window

from .permissions import Action, can, may_open

GAP_WEEKS = 2  # the roster's gaps shown on "Vandaag": this week and the next


def today_at(user, location, today: datetime.date) -> dict:
    may_manage = can(user, Action.MANAGE_LOCATION, location)
    context = {
        "today": today,
        "closure": location.closures.covering(today).first(),
        "programme": todays_occurrences(location, today),
        "on_duty": on_duty_today(location, today),
        "open_follow_ups": open_follow_up_counts([location.pk]).get(location.pk, 0),
        "may_manage": may_manage,
        "may_write_logbook": may_open(user, "locations:logbook-new", location),
        "may_print_roster": may_open(user, "volunteers:roster-print", location),
        "opening_hours": location.opening_hours.all(),
        "coordinators": Membership.objects.coordinators()
        .filter(location=location)
        .select_related("user"),
    }
    if can(user, Action.MANAGE_VISITS, location):
        context["counts"] = counts_on(location, today)
    if can(user, Action.RECORD_VISITS, location):
        context["tablet_url"] = reverse("visitors:tablet", kwargs={"slug": location.slug})
    if may_manage:
        below, without_lead = gaps([location.pk], today, weeks=GAP_WEEKS)
        context["gap_weeks"] = GAP_WEEKS
        context["below_minimum"] = below
        context["without_lead"] = [shift for _key, shift in without_lead]
    else:
        # A volunteer: the places still open here that they could take.
        shifts = open_places([location], *open_places_window(today), user=user)
        context["open_places"] = sum(shift.places_left for shift in shifts if not shift.busy)
        context["open_places_url"] = reverse("volunteers:open-places")
    return context
