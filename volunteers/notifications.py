"""E-mails about the roster: open places announced, the coordinator told, reminders.

Every function here is safe to run twice: a row is claimed with an UPDATE ... WHERE <stamp> IS
NULL before its e-mail goes out, so two overlapping runs (or a retry) never send the same thing
twice. A failed send is logged and never raised to the person who caused it.
"""

import datetime
import logging
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from buurtkamer.emails import send_templated_email, site_url
from locations.models import DayPart, Membership

from .feeds import address_of, my_shifts_path
from .models import Assignment, Shift, Status, Task, day_parts_without_lead

logger = logging.getLogger(__name__)

ANNOUNCE_DAYS_AHEAD = 14  # an open place further ahead is not announced (there is time)
ALERT_DAYS_AHEAD = 3  # coordinators hear of understaffed shifts this many days ahead


def _url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _take_path(shift) -> str:
    return reverse("volunteers:take", kwargs={"pk": shift.pk})


def _roster_path(location) -> str:
    return reverse("volunteers:roster", kwargs={"slug": location.slug})


def _send(template: str, context: dict, user) -> bool:
    """One e-mail to one person, in their own language (User.language, whoever caused it);
    False (and logged) when it could not be sent."""
    if not user.email:
        return False
    try:
        send_templated_email(template, context, [user])
    except Exception:  # a mail server down must not break a cancellation or the cron run
        logger.exception("Could not send %s to user %s", template, user.pk)
        return False
    return True


# Open places -------------------------------------------------------------------------------------


def after_cancellation(assignment, *, base_url):
    """Called by services.cancel_assignment after a cancellation has been saved (in
    transaction.on_commit): announce the open place to the location's other active volunteers
    who are free then (if the shift is within 14 days) and tell the coordinators of a late
    cancellation. Never raises for a failed send."""
    base_url = base_url or site_url()
    try:
        announce_open_place(assignment, base_url=base_url)
    except Exception:
        logger.exception("Announcing the open place of assignment %s failed", assignment.pk)
    if assignment.cancelled_late:
        try:
            tell_coordinators_of_late_cancellation(assignment, base_url=base_url)
        except Exception:
            logger.exception("Telling of the late cancellation %s failed", assignment.pk)


def _shift_context(shift) -> dict:
    """What every e-mail about a shift shows of it: the shift, where, and which task."""
    return {
        "shift": shift,
        "location": shift.location,
        "address": address_of(shift.location),
        # Lazy labels: each e-mail says them in its reader's language.
        "task": Task(shift.task).label,
    }


def free_colleagues(shift, *, exclude_user_ids=()):
    """The location's current members with an active volunteer status there who have no standing
    assignment overlapping this shift (at any location), as users."""
    busy = Assignment.objects.active().filter(
        volunteer=OuterRef("pk"),
        shift__date=shift.date,
        shift__starts_at__lt=shift.ends_at,
        shift__ends_at__gt=shift.starts_at,
    )
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            # Active at this location (its own record of the membership).
            pk__in=Membership.objects.current()
            .filter(location=shift.location_id, volunteer_record__status=Status.ACTIVE)
            .values("user_id"),
        )
        .exclude(volunteer_profile__anonymised_at__isnull=False)
        .exclude(pk__in=list(exclude_user_ids))
        .exclude(email="")
        .exclude(Exists(busy))
        .distinct()
        .order_by("first_name", "pk")
    )


def announce_open_place(assignment, *, base_url, now=None) -> int:
    """E-mail the open place of a cancelled assignment to the free, active colleagues of its
    location, once. Returns how many e-mails went out."""
    now = now or timezone.now()
    assignment = Assignment.objects.select_related("volunteer").get(pk=assignment.pk)
    shift = Shift.objects.with_state().select_related("location").get(pk=assignment.shift_id)
    start = shift.start_datetime()
    if assignment.cancelled_at is None or assignment.gap_announced_at is not None:
        return 0
    if not (now < start <= now + datetime.timedelta(days=ANNOUNCE_DAYS_AHEAD)):
        return 0
    # Filled again already (someone took it, or was assigned), or the location is closed then.
    if not shift.places_left:
        return 0
    # Claim it: whoever sets the stamp first announces; a second call finds it set.
    claimed = Assignment.objects.filter(pk=assignment.pk, gap_announced_at__isnull=True).update(
        gap_announced_at=now
    )
    if not claimed:
        return 0
    context = {
        **_shift_context(shift),
        "open_places": shift.places_left,
        "take_url": _url(base_url, _take_path(shift)),
    }
    sent = 0
    for user in free_colleagues(shift, exclude_user_ids=[assignment.volunteer_id]):
        sent += _send("volunteers/emails/open_place", context, user)
    return sent


def tell_coordinators_of_late_cancellation(assignment, *, base_url) -> int:
    assignment = Assignment.objects.select_related(
        "shift__location", "volunteer", "cancelled_by"
    ).get(pk=assignment.pk)
    shift = assignment.shift
    context = {
        "assignment": assignment,
        "shift": shift,
        "location": shift.location,
        "task": Task(shift.task).label,
        "volunteer": assignment.volunteer,
        "cancelled_at": timezone.localtime(assignment.cancelled_at or timezone.now()),
        "reason": assignment.cancel_reason,
        "standing": Assignment.objects.active().filter(shift=shift).count(),
        "roster_url": _url(base_url, _roster_path(shift.location)),
    }
    sent = 0
    for user in coordinators_of(shift.location_id):
        if user.pk not in (assignment.volunteer_id, assignment.cancelled_by_id):
            sent += _send("volunteers/emails/late_cancellation", context, user)
    return sent


def coordinators_of(location_id):
    return get_user_model().objects.filter(
        is_active=True,
        pk__in=Membership.objects.coordinators().filter(location=location_id).values("user_id"),
    )


# Assigned or taken off by a coordinator ----------------------------------------------------------


def _tell_volunteer(template: str, assignment, by) -> bool:
    """E-mail the person of `assignment` about it (a coordinator `by` changed it), with a link
    to their shifts. Never raises for a failed send."""
    try:
        assignment = Assignment.objects.select_related("shift__location", "volunteer").get(
            pk=assignment.pk
        )
        shift = assignment.shift
        context = {
            **_shift_context(shift),
            "assignment": assignment,
            "day_part": DayPart(shift.day_part).label,
            "by": by,
            "my_shifts_url": _url(site_url(), my_shifts_path()),
        }
        return _send(template, context, assignment.volunteer)
    except Exception:
        logger.exception("Telling of %s (assignment %s) failed", template, assignment.pk)
        return False


def tell_assigned(assignment) -> bool:
    """A coordinator put the person on a shift (services.take_place, after the commit)."""
    return _tell_volunteer("volunteers/emails/roster_assigned", assignment, assignment.assigned_by)


def tell_unassigned(assignment) -> bool:
    """A coordinator took the person off a shift (services.cancel_assignment, after the
    commit)."""
    return _tell_volunteer(
        "volunteers/emails/roster_unassigned", assignment, assignment.cancelled_by
    )


# Understaffed shifts, a few days ahead -----------------------------------------------------------


def send_roster_alerts(*, base_url, today=None) -> int:
    """One e-mail per coordinator per location listing the shifts of the next ALERT_DAYS_AHEAD
    days that are understaffed (Shift.is_understaffed) or are the lead shift of a day-part
    without a shift lead (models.day_parts_without_lead): the same rules as the grid and the
    dashboard, so a closed day is never reported. Each shift is in one alert only
    (understaffed_alert_sent_at). Returns how many e-mails went out."""
    today = today or timezone.localdate()
    now = timezone.now()
    shifts = list(
        Shift.objects.with_state()
        .filter(
            location__active=True,
            date__gte=today,
            date__lte=today + datetime.timedelta(days=ALERT_DAYS_AHEAD),
        )
        .select_related("location")
        .order_by("location__name", "date", "starts_at", "task")
    )
    without_lead = day_parts_without_lead(shifts)
    problems = defaultdict(list)  # {location: [(shift, below minimum?, no shift lead?)]}
    for shift in shifts:
        if shift.understaffed_alert_sent_at is not None or shift.start_datetime() <= now:
            continue
        below = shift.is_understaffed
        # The missing lead is told once per day-part: on its lead shift(s).
        no_lead = shift.task == Task.SHIFT_LEAD and shift.slot_key in without_lead
        if not (below or no_lead):
            continue
        claimed = Shift.objects.filter(pk=shift.pk, understaffed_alert_sent_at__isnull=True).update(
            understaffed_alert_sent_at=now
        )
        if claimed:
            shift.filled = shift.taken  # the e-mail's name for it
            problems[shift.location].append(
                {
                    "shift": shift,
                    "below": below,
                    "no_lead": no_lead,
                    "task": Task(shift.task).label,
                }
            )
    sent = 0
    for location, items in problems.items():
        context = {
            "location": location,
            "items": items,
            "roster_url": _url(base_url, _roster_path(location)),
        }
        for user in coordinators_of(location.pk):
            sent += _send("volunteers/emails/roster_alert", context, user)
    return sent


# Reminders, the day before -----------------------------------------------------------------------


# Only a test switches this off: its control run must then see reminders sent twice, which
# proves that the concurrency test can see what the claim prevents.
CLAIM_REMINDERS = True


def _claim_reminder(assignment, stamp) -> bool:
    rows = Assignment.objects.filter(pk=assignment.pk)
    if CLAIM_REMINDERS:
        rows = rows.filter(reminded_at__isnull=True)
    return rows.update(reminded_at=stamp) == 1


def send_shift_reminders(*, base_url, today=None) -> int:
    """E-mail everyone on a shift of tomorrow (local date), once per assignment.

    Each row is claimed before its e-mail is written: UPDATE ... SET reminded_at = now WHERE
    id = ... AND reminded_at IS NULL; only the run whose UPDATE changed the row sends it, so an
    overlapping run (or a second one) sends nothing twice. A failed send gives its row back
    (reminded_at NULL) for the next run.
    """
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    stamp = timezone.now()
    due = (
        Assignment.objects.active()
        .filter(
            shift__date=tomorrow,
            shift__location__active=True,
            reminded_at__isnull=True,
            volunteer__is_active=True,
        )
        .filter(shift__in=Shift.objects.on_open_days())  # nobody comes on a closed day
        .select_related("shift__location", "volunteer")
        .order_by("shift__starts_at", "pk")
    )
    claimed = [assignment for assignment in due if _claim_reminder(assignment, stamp)]
    others = defaultdict(list)  # {shift id: [(user id, first name)]}
    for shift_id, user_id, first_name, email in (
        Assignment.objects.active()
        .filter(shift__in={a.shift_id for a in claimed})
        .order_by("volunteer__first_name")
        .values_list("shift_id", "volunteer_id", "volunteer__first_name", "volunteer__email")
    ):
        others[shift_id].append((user_id, first_name or email.split("@")[0]))
    cancel_url = _url(base_url, my_shifts_path())
    sent = 0
    for assignment in claimed:
        shift = assignment.shift
        context = {
            **_shift_context(shift),
            "assignment": assignment,
            "others": [name for uid, name in others[shift.pk] if uid != assignment.volunteer_id],
            "cancel_url": cancel_url,
        }
        if _send("volunteers/emails/shift_reminder", context, assignment.volunteer):
            sent += 1
        elif assignment.volunteer.email:  # not sent: let the next run try again
            Assignment.objects.filter(pk=assignment.pk, reminded_at=stamp).update(reminded_at=None)
    return sent
