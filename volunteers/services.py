"""The roster's rules: making shifts, taking and cancelling places, attendance, the grid.

Taking a place is race-safe on PostgreSQL: inside one transaction the person's user row and then
the shift's row are locked (SELECT ... FOR UPDATE), so two people taking the last place at the
same moment are served one after the other, and so are two sign-ups of one person for
overlapping shifts. The locks are always taken in that order (person, then shift), so two
requests never wait for each other in a circle.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtkamer.dates import day_long, monday_of
from buurtkamer.errors import DomainError
from buurtkamer.models import AuditEvent, log_action
from locations.models import Closure, DayPart, Location, Weekday

from .members import NOT_AVAILABLE, available_members, locations_available_to, status_at
from .models import (
    Assignment,
    Attendance,
    Shift,
    ShiftTemplate,
    Status,
    Task,
    day_parts_without_lead,
)

# Tests switch the locking off (and widen the gap between counting and inserting) to prove
# that the race test can see an overbooking. Never off in the running app.
RACE_GUARD = True
RACE_PAUSE = 0.0

TASK_ORDER = {Task.SHIFT_LEAD: 0, Task.HOST: 1, Task.KITCHEN: 2, Task.ACTIVITY: 3}
PART_ORDER = {part: number for number, part in enumerate(DayPart)}


class RosterError(DomainError):
    """A place that cannot be taken, cancelled or marked; the message is for the person."""


# Making shifts ------------------------------------------------------------------------------------


def generate_shifts(location, *, start: datetime.date, weeks: int) -> int:
    """Make the regular shifts of `weeks` weeks from `start` (inclusive) out of the location's
    shift templates and opening hours. A template whose day-part is not open on that weekday
    makes nothing; a closed date makes nothing. Running it again makes nothing new.

    Returns how many shifts were made."""
    end = start + datetime.timedelta(days=7 * weeks - 1)
    hours = location.opening_slots()
    templates = [
        template
        for template in location.shift_templates.all()
        if (template.weekday, template.day_part) in hours
    ]
    if not templates:
        return 0
    closed = Closure.objects.closed_dates([location.pk], start, end)
    existing = set(
        Shift.objects.filter(
            location=location, regular=True, date__gte=start, date__lte=end
        ).values_list("date", "day_part", "task")
    )
    new = []
    day = start
    while day <= end:
        if (location.pk, day) not in closed:
            for template in templates:
                if template.weekday != day.isoweekday():
                    continue
                if (day, template.day_part, template.task) in existing:
                    continue
                slot = hours[(template.weekday, template.day_part)]
                new.append(
                    Shift(
                        location=location,
                        date=day,
                        day_part=template.day_part,
                        task=template.task,
                        starts_at=slot.opens_at,
                        ends_at=slot.closes_at,
                        minimum=template.minimum,
                        maximum=template.maximum,
                        regular=True,
                    )
                )
        day += datetime.timedelta(days=1)
    if not new:
        return 0
    before = Shift.objects.filter(location=location, regular=True).count()
    # Two runs at the same moment: the unique constraint keeps out the second one's copies.
    Shift.objects.bulk_create(new, ignore_conflicts=True)
    return Shift.objects.filter(location=location, regular=True).count() - before


def sync_regular_shift_times(location, *, today=None) -> int:
    """Give the coming regular shifts of a location the times of its opening slot on their
    weekday and day-part (OpeningHours: the one source of a regular shift's times), after
    the opening hours changed. One UPDATE per open slot; returns how many shifts changed."""
    today = today or timezone.localdate()
    changed = 0
    for (weekday, day_part), slot in location.opening_slots().items():
        changed += (
            Shift.objects.filter(
                location=location,
                regular=True,
                date__gte=today,
                date__iso_week_day=weekday,
                day_part=day_part,
            )
            .exclude(starts_at=slot.opens_at, ends_at=slot.closes_at)
            .update(starts_at=slot.opens_at, ends_at=slot.closes_at)
        )
    return changed


def generate_shifts_for_all(start: datetime.date, weeks: int) -> int:
    """generate_shifts for every active location; the total made."""
    return sum(
        generate_shifts(location, start=start, weeks=weeks)
        for location in Location.objects.active().prefetch_related(
            "opening_hours", "shift_templates"
        )
    )


def save_templates(location, *, rows, changed_by) -> None:
    """Replace the location's shift templates by `rows` (dicts of weekday, day_part, task,
    minimum, maximum; a maximum of 0 means: no template)."""
    wanted = {(row["weekday"], row["day_part"], row["task"]): row for row in rows if row["maximum"]}
    with transaction.atomic():
        existing = {
            (template.weekday, template.day_part, template.task): template
            for template in location.shift_templates.select_for_update()
        }
        gone = [template.pk for key, template in existing.items() if key not in wanted]
        ShiftTemplate.objects.filter(pk__in=gone).delete()
        for key, row in wanted.items():
            template = existing.get(key)
            if template is None:
                ShiftTemplate.objects.create(location=location, **row)
            elif (template.minimum, template.maximum) != (row["minimum"], row["maximum"]):
                template.minimum, template.maximum = row["minimum"], row["maximum"]
                template.save(update_fields=["minimum", "maximum"])
        log_action(
            actor=changed_by,
            action=AuditEvent.Action.ROSTER_TEMPLATES_CHANGED,
            location=location,
            templates=len(wanted),
        )


# Taking and cancelling a place --------------------------------------------------------------------


def at_the_same_time(shift):
    """Everyone's standing assignments overlapping this shift in time (any location, this
    shift itself included)."""
    return Assignment.objects.active().filter(
        shift__date=shift.date,
        shift__starts_at__lt=shift.ends_at,
        shift__ends_at__gt=shift.starts_at,
    )


def overlapping(user, shift):
    """The person's standing assignments overlapping this shift in time (any location)."""
    return at_the_same_time(shift).filter(volunteer=user)


def assignable_for(shift):
    """Who a coordinator may put on this shift: the available members of its location
    (members.available_members: active, or intake/aspirant with their status shown; never
    paused or stopped) who do not stand on this shift or one overlapping it (at_the_same_time).
    The assign choice on the shift page offers these; take_place refuses anyone else."""
    busy = at_the_same_time(shift).values("volunteer_id")
    return available_members(shift.location).exclude(pk__in=busy)


def take_place(shift, volunteer, *, assigned_by=None) -> Assignment:
    """Put `volunteer` on `shift` (themselves, or by a coordinator: `assigned_by`).

    Raises RosterError when the shift is full, has started, the person is not a current member
    of its location, is paused or stopped there (members.NOT_AVAILABLE), or already stands on a
    shift at an overlapping time: the rule of assignable_for. A coordinator's assignment is
    audited and, after the commit, e-mailed to the person (notifications.tell_assigned)."""
    from . import notifications

    by_themselves = assigned_by is None or assigned_by == volunteer
    with transaction.atomic():
        shift = _lock_person_and_shift(volunteer, shift)
        _refuse_unless_assignable(shift, volunteer, by_themselves=by_themselves)
        if not RACE_GUARD and RACE_PAUSE:
            time.sleep(RACE_PAUSE)
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    shift=shift,
                    volunteer=volunteer,
                    assigned_by=None if by_themselves else assigned_by,
                )
        except IntegrityError:
            raise RosterError("overlap", _("Je staat op dat moment al op het rooster.")) from None
        if not by_themselves:
            log_action(
                actor=assigned_by,
                action=AuditEvent.Action.ROSTER_ASSIGNED,
                location=shift.location,
                subject=shift,
                shift=shift.pk,
                volunteer=volunteer.pk,
            )
            transaction.on_commit(lambda: notifications.tell_assigned(assignment))
    return assignment


def _lock_person_and_shift(volunteer, shift) -> Shift:
    """The shift afresh, and (with RACE_GUARD) the person and the shift locked: the person
    first, then the shift, one order, so no deadlock."""
    if not RACE_GUARD:
        return Shift.objects.select_related("location").get(pk=shift.pk)
    get_user_model().objects.select_for_update().filter(pk=volunteer.pk).values_list("pk").first()
    return Shift.objects.select_for_update().select_related("location").get(pk=shift.pk)


def _refuse_unless_assignable(shift, volunteer, *, by_themselves: bool) -> None:
    """RosterError unless the person can stand on the shift now; said to the person themselves
    or to the coordinator who assigns them."""
    if shift.has_started():
        raise RosterError("past", _("Deze dienst is al begonnen of voorbij."))
    closure = shift.location.closure_on(shift.date)
    if closure is not None:
        raise RosterError("closed", closed_message(shift, closure))
    status = status_at(volunteer, shift.location)
    if status is None or not volunteer.is_active:
        raise RosterError(
            "not_member",
            _("%(name)s hoort niet (meer) bij %(location)s.")
            % {"name": volunteer.first_name or volunteer, "location": shift.location.name},
        )
    if status in NOT_AVAILABLE:
        if by_themselves:
            message = _(
                "Je staat bij %(location)s op %(status)s, dus je kunt geen dienst nemen. "
                "Vraag je coördinator als je weer wilt beginnen."
            )
        else:
            message = _(
                "%(name)s staat bij %(location)s op %(status)s en kan niet worden "
                "ingedeeld. Zet eerst de status terug op actief."
            )
        raise RosterError(
            "not_available",
            message
            % {
                "name": volunteer.get_full_name() or volunteer,
                "location": shift.location.name,
                "status": Status(status).label,
            },
        )
    if overlapping(volunteer, shift).exists():
        if by_themselves:
            message = _("Je staat op dat moment al op het rooster.")
        else:
            message = _("%(name)s staat op dat moment al op het rooster.") % {
                "name": volunteer.first_name or volunteer
            }
        raise RosterError("overlap", message)
    if Assignment.objects.active().filter(shift=shift).count() >= shift.maximum:
        raise RosterError(
            "full", _("Helaas, deze plek is net door iemand anders genomen. De dienst is vol.")
        )


def closed_message(shift, closure) -> str:
    return _(
        "%(location)s is dicht op %(date)s (%(reason)s). Op die dag kan niemand op het "
        "rooster worden gezet."
    ) % {
        "location": shift.location.name,
        "date": day_long(shift.date),
        "reason": closure.reason,
    }


def assignments_on_closed_days(location, *, today=None):
    """The standing assignments on coming dates the location is closed: the people the
    coordinator still has to tell (one query)."""
    today = today or timezone.localdate()
    return (
        Assignment.objects.active()
        .filter(shift__location=location, shift__date__gte=today)
        .filter(shift__in=Shift.objects.on_closed_days())
        .select_related("shift", "volunteer")
        .order_by("shift__date", "shift__starts_at", "volunteer__first_name")
    )


def late_cancel_hours() -> int:
    return getattr(settings, "ROSTER_LATE_CANCEL_HOURS", 48)


def would_be_late(shift, now=None) -> bool:
    """Cancelling now would count as late (within ROSTER_LATE_CANCEL_HOURS of the start)."""
    now = now or timezone.now()
    return shift.start_datetime() - now < datetime.timedelta(hours=late_cancel_hours())


def late_from(shift) -> datetime.datetime:
    """From this moment on, cancelling counts as late."""
    return timezone.localtime(
        shift.start_datetime() - datetime.timedelta(hours=late_cancel_hours())
    )


def cancel_assignment(assignment, *, by, reason="", base_url="") -> Assignment:
    """Cancel a standing assignment (the volunteer themselves, or a coordinator unassigning).

    Marks it late within ROSTER_LATE_CANCEL_HOURS of the start; after the commit the open place
    is announced and the coordinators told of a late cancellation (volunteers.notifications).
    Cancelled by someone else (a coordinator): audited, and the person is told by e-mail."""
    from . import notifications

    now = timezone.now()
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .select_related("shift__location", "volunteer")
            .get(pk=assignment.pk)
        )
        if assignment.cancelled_at is not None:
            raise RosterError("cancelled", _("Deze afmelding was al gedaan."))
        if assignment.shift.has_started(now):
            raise RosterError("past", _("Deze dienst is al begonnen: afmelden kan niet meer."))
        assignment.cancelled_at = now
        assignment.cancelled_by = by
        assignment.cancel_reason = (reason or "").strip()[:300]
        assignment.cancelled_late = would_be_late(assignment.shift, now)
        assignment.save(
            update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "cancelled_late"]
        )
        if by != assignment.volunteer:
            log_action(
                actor=by,
                action=AuditEvent.Action.ROSTER_UNASSIGNED,
                location=assignment.shift.location,
                subject=assignment.shift,
                shift=assignment.shift_id,
                volunteer=assignment.volunteer_id,
            )
            transaction.on_commit(lambda: notifications.tell_unassigned(assignment))
        transaction.on_commit(
            lambda: notifications.after_cancellation(assignment, base_url=base_url)
        )
    return assignment


def coming_assignments(volunteer, location, *, now=None):
    """The person's standing assignments at the location on shifts that have not started yet
    (the ones a coordinator can still take them off), in date order."""
    now = timezone.localtime(now or timezone.now())
    later_today = Q(shift__date=now.date(), shift__starts_at__gt=now.time())
    return (
        Assignment.objects.active()
        .filter(volunteer=volunteer, shift__location=location)
        .filter(Q(shift__date__gt=now.date()) | later_today)
        .select_related("shift__location", "volunteer")
        .order_by("shift__date", "shift__starts_at", "pk")
    )


def release_from_roster(volunteer, location, *, by, assignment_ids=None, base_url=""):
    """Take the person off their coming shifts at the location (all, or only `assignment_ids`),
    each through cancel_assignment: audited as roster_unassigned, the open place announced and
    the person told by e-mail, all after the commit. All or nothing. Returns the cancelled
    assignments."""
    with transaction.atomic():
        rows = coming_assignments(volunteer, location)
        if assignment_ids is not None:
            rows = rows.filter(pk__in=list(assignment_ids))
        return [
            cancel_assignment(assignment, by=by, base_url=base_url) for assignment in list(rows)
        ]


def mark_attendance(assignment, attendance, *, by) -> Assignment:
    """Attended or no-show ("" clears it); only once the shift has started."""
    if attendance not in {"", *Attendance.values}:
        raise RosterError("invalid", _("Kies aanwezig of niet gekomen."))
    assignment = Assignment.objects.select_related("shift__location").get(pk=assignment.pk)
    if assignment.cancelled_at is not None:
        raise RosterError("cancelled", _("Deze persoon had zich afgemeld."))
    if not assignment.shift.has_started():
        raise RosterError(
            "future", _("Aanwezigheid kun je pas aangeven als de dienst begonnen is.")
        )
    assignment.attendance = attendance
    assignment.save(update_fields=["attendance"])
    log_action(
        actor=by,
        action=AuditEvent.Action.ROSTER_ATTENDANCE,
        location=assignment.shift.location,
        subject=assignment.shift,
        assignment=assignment.pk,
        attendance=attendance,
    )
    return assignment


# Reading the roster -------------------------------------------------------------------------------


def _standing():
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.active().select_related("volunteer").order_by("created_at"),
        to_attr="standing",
    )


# How far ahead volunteers are offered open places: the start page's count and the "Open plekken"
# page use the same window, so their figures agree.
OPEN_PLACES_WEEKS = 4


def open_places_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day (inclusive) of the open places offered to volunteers."""
    return today, today + datetime.timedelta(weeks=OPEN_PLACES_WEEKS, days=-1)


def open_places(locations, start, end, *, user=None):
    """The shifts at these locations from `start` to `end` (dates, inclusive) that have not
    started and still have room, with `taken`; with `user`: not those they already stand on,
    none at a location where they are paused or stopped (members.NOT_AVAILABLE), and annotated
    `busy` when they stand on another shift at that time."""
    now = timezone.localtime()
    shifts = (
        Shift.objects.with_open_places()  # not on closed days, not full
        .filter(location__in=locations, date__gte=max(start, now.date()), date__lte=end)
        .exclude(date=now.date(), starts_at__lte=now.time())
        .select_related("location")
        .order_by("date", "starts_at", "location__name", "task")
    )
    if user is not None:
        # Not at a location where they are paused or stopped: take_place would refuse them.
        shifts = shifts.filter(location__in=locations_available_to(user))
        mine = Assignment.objects.active().filter(volunteer=user)
        shifts = shifts.exclude(Exists(mine.filter(shift=OuterRef("pk")))).annotate(
            busy=Exists(
                mine.filter(
                    shift__date=OuterRef("date"),
                    shift__starts_at__lt=OuterRef("ends_at"),
                    shift__ends_at__gt=OuterRef("starts_at"),
                )
            )
        )
    return shifts


@dataclass
class Slot:
    """One day-part of one day: its shifts in task order. Its times are the location's
    opening hours for that weekday and day-part (None when it is not open then: an activity
    shift outside the opening hours shows its own times)."""

    day_part: str
    label: str
    starts_at: datetime.time | None = None
    ends_at: datetime.time | None = None
    shifts: list = field(default_factory=list)
    lead_missing: bool = False  # models.day_parts_without_lead

    @property
    def has_gap(self):
        return any(shift.is_understaffed for shift in self.shifts) or self.lead_missing


@dataclass
class Day:
    date: datetime.date
    closed: str = ""
    slots: list = field(default_factory=list)

    @property
    def has_gap(self):
        return any(slot.has_gap for slot in self.slots)


@dataclass
class Week:
    monday: datetime.date
    days: list = field(default_factory=list)

    @property
    def number(self):
        return self.monday.isocalendar().week

    @property
    def sunday(self):
        return self.monday + datetime.timedelta(days=6)

    @property
    def gaps(self):
        return sum(
            1 for day in self.days for slot in day.slots for s in slot.shifts if s.is_understaffed
        )


def roster_grid(location, start: datetime.date, weeks: int) -> list[Week]:
    """The roster of `weeks` weeks from the Monday of `start`: weeks → days (with shifts or a
    closure) → day-parts → shifts, each shift with `standing` (its standing assignments, with
    the person), `taken`, `closed`, and so `is_understaffed` and `places_left`.

    Every weekday the location is open is there, also without shifts. A closed day shows its
    reason and only the shifts people still stand on (to be told); it has no gaps. Four queries
    whatever the number of shifts and people."""
    first = monday_of(start)
    last = first + datetime.timedelta(days=7 * weeks - 1)
    shifts = list(
        Shift.objects.filter(location=location, date__gte=first, date__lte=last)
        .prefetch_related(_standing())
        .order_by("date", "starts_at", "task", "pk")
    )
    closed = Closure.objects.closed_dates([location.pk], first, last)
    hours = location.opening_slots()
    labels = dict(DayPart.choices)
    for shift in shifts:
        shift.taken = len(shift.standing)
        shift.closed = (location.pk, shift.date) in closed
        # The names the templates and older callers use; the rules are the Shift's.
        shift.filled, shift.gap, shift.free = shift.taken, shift.is_understaffed, shift.places_left
    without_lead = day_parts_without_lead(shifts)
    by_day: dict[datetime.date, dict[str, Slot]] = {}
    for shift in shifts:
        if shift.closed and not shift.standing:
            continue
        slots = by_day.setdefault(shift.date, {})
        slot = slots.get(shift.day_part)
        if slot is None:
            opening = hours.get((shift.date.isoweekday(), shift.day_part))
            slot = slots[shift.day_part] = Slot(
                shift.day_part,
                labels[shift.day_part],
                opening.opens_at if opening else None,
                opening.closes_at if opening else None,
                lead_missing=shift.slot_key in without_lead,
            )
        slot.shifts.append(shift)
    open_weekdays = {weekday for weekday, _part in hours}
    result = []
    for number in range(weeks):
        week = Week(first + datetime.timedelta(days=7 * number))
        for offset in range(7):
            day = week.monday + datetime.timedelta(days=offset)
            closure = closed.get((location.pk, day))
            slots = sorted(by_day.get(day, {}).values(), key=lambda s: PART_ORDER[s.day_part])
            for slot in slots:
                slot.shifts.sort(key=lambda s: (TASK_ORDER.get(s.task, 9), s.pk))
            # Every day the location is open (as on the paper roster), and any other day
            # with shifts or a closure.
            if slots or closure or day.isoweekday() in open_weekdays:
                week.days.append(Day(day, closure.reason if closure else "", slots))
        result.append(week)
    return result


@dataclass
class DutyGroup:
    day_part: str
    day_part_label: str
    task_label: str
    first_names: list


def on_duty_today(location: Location, today=None) -> list[DutyGroup]:
    """Who is on today's roster here, as first names grouped by day-part and task: the only
    volunteer data a tablet ever shows. One query."""
    today = today or timezone.localdate()
    rows = (
        Assignment.objects.active()
        .filter(shift__location=location, shift__date=today)
        .order_by("shift__starts_at", "shift__task", "volunteer__first_name")
        .values_list("shift__day_part", "shift__task", "volunteer__first_name")
    )
    order = {part.value: index for index, part in enumerate(DayPart)}
    groups: dict[tuple, DutyGroup] = {}
    for day_part, task, first_name in rows:
        key = (day_part, task)
        if key not in groups:
            groups[key] = DutyGroup(
                day_part=day_part,
                day_part_label=DayPart(day_part).label,
                task_label=Task(task).label,
                first_names=[],
            )
        name = (first_name or "").strip()
        if name and name not in groups[key].first_names:
            groups[key].first_names.append(name)
    return sorted(groups.values(), key=lambda group: order.get(group.day_part, 9))


# Filling a gap ------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    """Someone who may be put on a shift (assignable_for), with why they fit: the preferences of
    their profile that match the shift (weekday, day-part, task) and how many shifts they
    already stand on in the shift's month."""

    person: object
    matches: list
    month_shifts: int

    @property
    def is_active(self):
        return getattr(self.person, "member_status", Status.ACTIVE) == Status.ACTIVE

    @property
    def status_label(self):
        return Status(getattr(self.person, "member_status", Status.ACTIVE)).label


def _month_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def suggestions_for(shift) -> list[Suggestion]:
    """Who fits this shift, best first: the people assignable_for offers (available at its
    location, not on a shift at an overlapping time), ordered by how many of their preferences
    match it (VolunteerProfile: preferred weekdays, day-parts and tasks), then active before
    intake and aspirant, then by how few shifts they stand on in the shift's month, then by
    name. One query whatever the number of people."""
    first, last = _month_of(shift.date)
    month = (
        Assignment.objects.active()
        .filter(volunteer=OuterRef("pk"), shift__date__gte=first, shift__date__lte=last)
        .order_by()
        .values("volunteer")
        .annotate(number=Count("pk"))
        .values("number")
    )
    people = (
        assignable_for(shift)
        .select_related("volunteer_profile")
        .annotate(month_shifts=Coalesce(Subquery(month, output_field=IntegerField()), 0))
    )
    weekday = Weekday(shift.date.isoweekday())
    wanted = [
        ("preferred_weekdays", weekday.value, weekday.label),
        ("preferred_day_parts", shift.day_part, shift.get_day_part_display()),
        ("preferred_tasks", shift.task, shift.get_task_display()),
    ]
    result = []
    for person in people:
        profile = getattr(person, "volunteer_profile", None)
        matches = []
        for attribute, value, label in wanted:
            chosen = getattr(profile, attribute, None) or []
            if str(value) in {str(item) for item in chosen}:
                matches.append(label)
        result.append(Suggestion(person, matches, person.month_shifts))
    result.sort(
        key=lambda s: (
            -len(s.matches),
            not s.is_active,
            s.month_shifts,
            (s.person.first_name or "").lower(),
            (s.person.last_name or "").lower(),
            s.person.pk,
        )
    )
    return result


# Sharing the open places --------------------------------------------------------------------------

# How far ahead the text to share (WhatsApp, copy) looks.
SHARE_DAYS = 14


def shifts_to_share(location, today: datetime.date):
    """The shifts of the location in the coming SHARE_DAYS days (today included) that have not
    started and still need people to reach their minimum (Shift.is_understaffed), in time order."""
    end = today + datetime.timedelta(days=SHARE_DAYS - 1)
    return [shift for shift in open_places([location], today, end) if shift.is_understaffed]


def share_text(location, today: datetime.date, *, base_url: str) -> str:
    """The open places of the coming two weeks as plain Dutch text for a WhatsApp group (or any
    chat): one line per shift (day, date, time, task, how many still needed) and the absolute
    link to the "Open plekken" page. Nothing is sent: the coordinator shares it themselves."""
    from django.urls import reverse
    from django.utils.text import capfirst

    shifts = shifts_to_share(location, today)
    link = base_url.rstrip("/") + reverse("volunteers:open-places")
    if not shifts:
        return _(
            "%(location)s: alle diensten van de komende twee weken zijn bezet. Dank jullie wel!"
        ) % {"location": location.name}
    lines = [
        _("Wie kan er helpen bij %(location)s? Open plekken in de komende twee weken:")
        % {"location": location.name}
    ]
    for shift in shifts:
        lines.append(
            "- "
            + _("%(day)s, %(start)s–%(end)s, %(task)s: nog %(needed)s nodig")
            % {
                "day": capfirst(day_long(shift.date)),
                "start": shift.starts_at.strftime("%H:%M"),
                "end": shift.ends_at.strftime("%H:%M"),
                "task": shift.get_task_display() + (f" ({shift.title})" if shift.title else ""),
                "needed": shift.places_needed,
            }
        )
    lines.append("")
    lines.append(_("Kun je? Zet jezelf op het rooster: %(link)s") % {"link": link})
    return "\n".join(lines)


def whatsapp_link(text: str) -> str:
    """A link that opens WhatsApp (app or web) with `text` ready to send to a chat of choice."""
    from urllib.parse import quote

    return "https://wa.me/?text=" + quote(text, safe="")
