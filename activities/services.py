"""The rules of activities: generating occurrences, support shifts, conflicts, the week's
programme. Views, the management command, the demo data and the tests all go through these."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext

from buurtkamer.dates import monday_of, parse_date
from buurtkamer.errors import DomainError
from buurtkamer.models import AuditEvent, log_action
from buurtkamer.versions import claim_version
from locations.models import Closure, DayPart, Location, OpeningHours
from volunteers.models import Shift, Task

from .models import Activity, Occurrence, OccurrenceStatus

HORIZON = datetime.timedelta(weeks=12)


# Generating occurrences ------------------------------------------------------------------------


@dataclass
class GenerationResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept_shifts: list = field(default_factory=list)  # occurrences whose shift has people on it


def create_activity(form, *, user) -> Activity:
    """Save a new activity (a series) from its validated form; audited. Its dates are made
    by generate_occurrences afterwards."""
    with transaction.atomic():
        activity = form.save()
        log_action(
            actor=user,
            action=AuditEvent.Action.ACTIVITY_CREATED,
            location=activity.location,
            subject=activity.title,
        )
    return activity


def change_activity(form, *, user) -> Activity:
    """Save an edited series from its validated form (a VersionedFormMixin ModelForm) if nobody
    saved it since the form was loaded (VersionConflict otherwise: nothing is overwritten);
    audited."""
    with transaction.atomic():
        claim_version(Activity, form.instance.pk, form.loaded_version)
        form.instance.version = Activity.objects.values_list("version", flat=True).get(
            pk=form.instance.pk
        )
        activity = form.save()
        log_action(
            actor=user,
            action=AuditEvent.Action.ACTIVITY_CHANGED,
            location=activity.location,
            subject=activity.title,
        )
    return activity


def generate_occurrences(
    activity: Activity, *, today: datetime.date | None = None, horizon=HORIZON
) -> GenerationResult:
    """Bring the activity's future occurrences (from today to today + horizon) in line with the
    series, idempotently. Occurrences changed by hand (moved, cancelled, attendance recorded)
    are left alone, and so is the past.

    A date that no longer fits the series is only deleted when nothing hangs on it: today's
    date stays as it was, and a coming date with attendance, notes or check-ins is cancelled
    instead (`holds_data`), so no figures or notes are lost and no visit loses its activity."""
    today = today or timezone.localdate()
    wanted = set(activity.dates_between(today, today + horizon))
    # A date the location is closed is made cancelled (by that closure), never planned.
    closed = Closure.objects.closed_dates([activity.location_id], today, today + horizon)
    result = GenerationResult()
    with transaction.atomic():
        existing = {
            occurrence.date: occurrence
            for occurrence in Occurrence.objects.select_for_update(of=("self",))
            .filter(activity=activity, date__gte=today)
            .select_related("support_shift")
        }
        with_data = holds_data([o for day, o in existing.items() if day not in wanted])
        for day, occurrence in existing.items():
            if occurrence.changed_by_hand or (day not in wanted and day <= today):
                continue  # changed by hand, or today (or earlier) off the series: as it was
            if day not in wanted:
                _take_off_the_series(occurrence, occurrence.pk in with_data, result)
            elif _follow_the_series(occurrence, activity, closed.get((activity.location_id, day))):
                result.updated += 1
        new = [
            _new_occurrence(activity, day, closed.get((activity.location_id, day)))
            for day in sorted(wanted - set(existing))
        ]
        # A concurrent run may have made the same date: the unique constraint decides.
        Occurrence.objects.bulk_create(new, ignore_conflicts=True)
        result.created = len(new)
        for occurrence in (
            Occurrence.objects.filter(activity=activity, date__gte=today)
            .select_related("support_shift")
            .order_by("date")
        ):
            if not sync_support_shift(occurrence, activity=activity, today=today):
                result.kept_shifts.append(occurrence)
    return result


def _take_off_the_series(occurrence: Occurrence, holds_data: bool, result) -> None:
    """A coming date the series no longer has: deleted, or cancelled when something hangs on it
    (its data, or people on its support shift)."""
    if holds_data:  # its shift is settled by sync_support_shift
        _cancel_off_the_series(occurrence)
    elif _remove_support_shift(occurrence):
        occurrence.delete()
        result.removed += 1
    else:  # people are on its shift: keep it, but as cancelled
        _cancel_off_the_series(occurrence)
        result.kept_shifts.append(occurrence)


def _follow_the_series(occurrence: Occurrence, activity: Activity, closure) -> bool:
    """The series' times and room on a date it has, cancelled by a closure of that day if it
    was planned. Whether anything changed (then it is saved)."""
    changed = (
        occurrence.starts_at != activity.starts_at
        or occurrence.ends_at != activity.ends_at
        or occurrence.room_id != activity.room_id
    )
    if closure is not None and occurrence.status == OccurrenceStatus.PLANNED:
        _cancel_by(occurrence, closure)
        changed = True
    if changed:
        occurrence.starts_at = activity.starts_at
        occurrence.ends_at = activity.ends_at
        occurrence.room_id = activity.room_id
        occurrence.save(
            update_fields=[
                "starts_at",
                "ends_at",
                "room",
                "status",
                "cancel_reason",
                "cancelled_by_closure",
            ]
        )
    return changed


def _new_occurrence(activity: Activity, day, closure) -> Occurrence:
    """An unsaved date of the series; cancelled by the closure if the location is closed then."""
    occurrence = Occurrence(
        activity=activity,
        date=day,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        room_id=activity.room_id,
    )
    if closure is not None:
        _cancel_by(occurrence, closure)
    return occurrence


def _cancel_off_the_series(occurrence: Occurrence) -> None:
    """A date the series no longer has, kept (as cancelled) for what hangs on it. The series
    cancels it now, not a closure: removing a closure that also covered it must not plan it
    again (restore_after_closure plans only what a closure cancelled)."""
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.cancelled_by_closure = None
    occurrence.save(update_fields=["status", "cancelled_by_closure"])


def holds_data(occurrences) -> set[int]:
    """The ids of these occurrences that hold something worth keeping: attendance, notes or
    check-ins (visits that came for it, through Visit.occurrence's related name). One query
    for the check-ins."""
    kept = {o.pk for o in occurrences if o.attendance is not None or o.notes.strip()}
    rest = [o.pk for o in occurrences if o.pk not in kept]
    if rest:
        kept |= set(
            Occurrence.objects.filter(pk__in=rest, visits__isnull=False)
            .order_by()
            .values_list("pk", flat=True)
            .distinct()
        )
    return kept


def generate_all(*, today=None, horizon=HORIZON) -> int:
    """All activities of active locations: for the nightly cron. Returns occurrences created."""
    today = today or timezone.localdate()
    created = 0
    activities = Activity.objects.filter(location__active=True).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    for activity in activities.select_related("location").order_by("pk"):
        created += generate_occurrences(activity, today=today, horizon=horizon).created
    return created


# Activity-support shifts ----------------------------------------------------------------------


def _remove_support_shift(occurrence: Occurrence) -> bool:
    """Remove the occurrence's support shift if nobody ever signed up for it. False when
    someone is (or was) on it: then the shift stays, so nobody's sign-up silently vanishes
    and the coordinator can tell them."""
    shift = occurrence.support_shift
    if shift is None:
        return True
    if shift.assignments.exists():
        return False
    occurrence.support_shift = None
    occurrence.save(update_fields=["support_shift"])
    shift.delete()
    return True


def sync_support_shift(occurrence: Occurrence, *, activity=None, today=None) -> bool:
    """Make the occurrence's activity-support shift match it: there for a planned, coming
    occurrence of an activity that needs volunteers, gone otherwise (if nobody is on it).
    False when a shift that should go was kept because people are on it."""
    activity = activity or occurrence.activity
    today = today or timezone.localdate()
    needed = activity.volunteers_needed
    wants_shift = (
        needed > 0 and occurrence.status == OccurrenceStatus.PLANNED and occurrence.date >= today
    )
    shift = occurrence.support_shift
    if not wants_shift:
        if occurrence.date < today:
            return True  # the past stays as it was
        return _remove_support_shift(occurrence)
    values = {
        "location_id": activity.location_id,
        "date": occurrence.date,
        "day_part": DayPart.at(occurrence.starts_at),
        "task": Task.ACTIVITY,
        "starts_at": occurrence.starts_at,
        "ends_at": occurrence.ends_at,
        "minimum": needed,
        "maximum": needed,
        "regular": False,
        "title": activity.title[:120],
    }
    if shift is not None and needed < shift.maximum:
        # Fewer volunteers needed than before: nobody already on it is taken off, so the
        # maximum never drops below the people standing on it (no shift over its maximum).
        # The shift's row is locked first, as take_place does, so no one slips in between.
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        values["maximum"] = max(needed, shift.assignments.active().count())
    if shift is None:
        shift = Shift.objects.create(**values)
        occurrence.support_shift = shift
        occurrence.save(update_fields=["support_shift"])
    elif any(getattr(shift, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(shift, name, value)
        shift.save()
    return True


# Closures --------------------------------------------------------------------------------------


def closure_reason(closure) -> str:
    return gettext("Gesloten: %(reason)s") % {"reason": closure.reason}


def _cancel_by(occurrence: Occurrence, closure) -> None:
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.cancel_reason = closure_reason(closure)[:200]
    occurrence.cancelled_by_closure = closure


def cancel_for_closure(closure) -> list[Occurrence]:
    """Cancel the planned occurrences of the closure's location on its dates ("Gesloten:
    <reason>"), remembering the closure, and remove their support shifts where nobody is on
    them. Called by locations.services.add_closure inside its transaction; returns the
    occurrences it cancelled."""
    occurrences = list(
        Occurrence.objects.planned()
        .select_for_update(of=("self",))
        .filter(
            activity__location_id=closure.location_id,
            date__gte=closure.starts_on,
            date__lte=closure.ends_on,
        )
        .select_related("activity", "support_shift")
        .order_by("date", "starts_at")
    )
    for occurrence in occurrences:
        _cancel_by(occurrence, closure)
        occurrence.save(update_fields=["status", "cancel_reason", "cancelled_by_closure"])
        sync_support_shift(occurrence)
    return occurrences


def restore_after_closure(closure) -> list[Occurrence]:
    """Plan again the occurrences this closure cancelled and nothing else did (one cancelled
    by hand stays cancelled), with their support shifts. Called by delete_closure."""
    occurrences = list(
        Occurrence.objects.select_for_update(of=("self",))
        .filter(cancelled_by_closure=closure, status=OccurrenceStatus.CANCELLED)
        .select_related("activity", "support_shift")
        .order_by("date", "starts_at")
    )
    for occurrence in occurrences:
        occurrence.status = OccurrenceStatus.PLANNED
        occurrence.cancel_reason = ""
        occurrence.cancelled_by_closure = None
        occurrence.save(update_fields=["status", "cancel_reason", "cancelled_by_closure"])
        sync_support_shift(occurrence)
    return occurrences


# Changing one occurrence ----------------------------------------------------------------------


def cancel_occurrence(occurrence: Occurrence, *, reason: str, user) -> bool:
    """Cancel one date; the series is left alone. Returns False when its support shift was
    kept because volunteers are on it (they need to hear it from the coordinator)."""
    with transaction.atomic():
        occurrence.status = OccurrenceStatus.CANCELLED
        occurrence.cancel_reason = reason
        occurrence.cancelled_by_closure = None  # cancelled by hand now: a closure's end keeps it
        occurrence.changed_by_hand = True
        occurrence.save(
            update_fields=["status", "cancel_reason", "cancelled_by_closure", "changed_by_hand"]
        )
        shift_gone = sync_support_shift(occurrence)
        log_action(
            actor=user,
            action=AuditEvent.Action.ACTIVITY_CANCELLED,
            location=occurrence.activity.location,
            subject=str(occurrence),
            # No reason: it may hold personal details, and the audit log is for all staff.
        )
    return shift_gone


class OccurrenceError(DomainError):
    """A change to an occurrence that cannot be made; `message` is shown."""


def restore_occurrence(occurrence: Occurrence, *, user) -> None:
    """Plan a cancelled date again; refused while the location is closed that day."""
    closure = occurrence.activity.location.closure_on(occurrence.date)
    if closure is not None:
        raise OccurrenceError(
            "closed",
            gettext("De buurtkamer is die dag dicht (%(reason)s): dit kan niet doorgaan.")
            % {"reason": closure.reason},
        )
    with transaction.atomic():
        occurrence.status = OccurrenceStatus.PLANNED
        occurrence.cancel_reason = ""
        occurrence.cancelled_by_closure = None
        occurrence.save(update_fields=["status", "cancel_reason", "cancelled_by_closure"])
        sync_support_shift(occurrence)
        log_action(
            actor=user,
            action=AuditEvent.Action.ACTIVITY_RESTORED,
            location=occurrence.activity.location,
            subject=str(occurrence),
        )


def _differs(occurrence: Occurrence, name: str, value) -> bool:
    field = Occurrence._meta.get_field(name)
    if field.is_relation:
        return getattr(occurrence, field.attname) != (value.pk if value is not None else None)
    return getattr(occurrence, name) != value


def change_occurrence(occurrence: Occurrence, *, user, **changes) -> bool:
    """An edit by hand (times, room, notes): from now on the series leaves this date be.

    Saving without a real change leaves the date as it was (still following the series);
    returns whether anything changed.
    """
    changes = {name: value for name, value in changes.items() if _differs(occurrence, name, value)}
    if not changes:
        return False
    with transaction.atomic():
        for name, value in changes.items():
            setattr(occurrence, name, value)
        occurrence.changed_by_hand = True
        occurrence.save()
        sync_support_shift(occurrence)
        log_action(
            actor=user,
            action=AuditEvent.Action.ACTIVITY_CHANGED,
            location=occurrence.activity.location,
            subject=str(occurrence),
        )
    return True


def record_attendance(occurrence: Occurrence, *, attendance, notes, user) -> None:
    """The number of participants and notes of a date: from then on it counts as changed by
    hand, so a series edit leaves it (and its figures) alone. Refused before the day itself."""
    if not occurrence.participants_can_be_counted():
        raise OccurrenceError(
            "not_yet",
            gettext("Het aantal deelnemers vul je in op de dag zelf of daarna, niet vooraf."),
        )
    with transaction.atomic():
        occurrence.attendance = attendance
        occurrence.notes = notes
        occurrence.changed_by_hand = True
        occurrence.save(update_fields=["attendance", "notes", "changed_by_hand"])
        log_action(
            actor=user,
            action=AuditEvent.Action.ACTIVITY_ATTENDANCE,
            location=occurrence.activity.location,
            subject=str(occurrence),
            attendance=attendance,
        )


# Conflicts and opening hours ------------------------------------------------------------------


def room_conflicts(occurrences) -> dict[int, list[Occurrence]]:
    """{occurrence id: the planned occurrences in the same room at overlapping times}, for a
    list of occurrences, with one query."""
    occurrences = [o for o in occurrences if o.room_id and o.status == OccurrenceStatus.PLANNED]
    if not occurrences:
        return {}
    dates = {o.date for o in occurrences}
    rooms = {o.room_id for o in occurrences}
    others = defaultdict(list)
    for other in (
        Occurrence.objects.planned()
        .filter(room_id__in=rooms, date__gte=min(dates), date__lte=max(dates))
        .select_related("activity")
        .order_by("date", "starts_at")
    ):
        others[(other.room_id, other.date)].append(other)
    conflicts = {}
    for occurrence in occurrences:
        clashing = [
            other
            for other in others[(occurrence.room_id, occurrence.date)]
            if other.pk != occurrence.pk and occurrence.overlaps(other)
        ]
        if clashing:
            conflicts[occurrence.pk] = clashing
    return conflicts


def opening_slots(location_ids, hours=None) -> dict[tuple[int, int], list[tuple]]:
    """{(location id, weekday): [(opens_at, closes_at), ...]} with adjacent slots merged.
    `hours`: the locations' OpeningHours objects when already fetched (no query then)."""
    if hours is None:
        rows = (
            OpeningHours.objects.filter(location_id__in=location_ids)
            .order_by("location_id", "weekday", "opens_at")
            .values_list("location_id", "weekday", "opens_at", "closes_at")
        )
    else:
        wanted = set(location_ids)
        rows = sorted(
            (row.location_id, row.weekday, row.opens_at, row.closes_at)
            for row in hours
            if row.location_id in wanted
        )
    slots = defaultdict(list)
    for location_id, weekday, opens_at, closes_at in rows:
        merged = slots[(location_id, weekday)]
        if merged and opens_at <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(closes_at, merged[-1][1]))
        else:
            merged.append((opens_at, closes_at))
    return slots


def outside_opening_hours(occurrence, location_id, slots) -> bool:
    return not any(
        opens_at <= occurrence.starts_at and occurrence.ends_at <= closes_at
        for opens_at, closes_at in slots.get((location_id, occurrence.date.isoweekday()), [])
    )


# Weeks and days -------------------------------------------------------------------------------


@dataclass
class Day:
    date: datetime.date
    occurrences: list = field(default_factory=list)
    closures: list = field(default_factory=list)
    in_month: bool = True


# The poster can be printed for this week or the next (on Friday for the coming week); its
# ?week= is "deze", "volgende" or a date in one of those two weeks.
POSTER_WEEKS = {"deze": 0, "volgende": 1}


def poster_week(asked, today=None) -> tuple[datetime.date, bool]:
    """(the Monday of the poster's week, whether the asked week was refused). Absent: this
    week; anything outside this week and the next (or not a week at all): this week, refused."""
    this_monday = monday_of(today or timezone.localdate())
    if not asked:
        return this_monday, False
    if asked in POSTER_WEEKS:
        return this_monday + datetime.timedelta(weeks=POSTER_WEEKS[asked]), False
    day = parse_date(asked)
    if day is not None and 0 <= (monday_of(day) - this_monday).days // 7 < len(POSTER_WEEKS):
        return monday_of(day), False
    return this_monday, True


def poster_density(days) -> str:
    """How full the poster's week is, for its type size: a quiet week in large type fills the
    A4 as well as a busy week in smaller type (static/css/poster.css)."""
    lines = sum(
        len(day.occurrences) + len(day.closures) + 1  # its heading
        for day in days
        if day.occurrences or day.closures
    )
    if lines <= 12:
        return "quiet"
    if lines <= 20:
        return "normal"
    if lines <= 30:
        return "busy"
    return "crowded"


def mark_problems(occurrences, location_ids, *, hours, closed) -> None:
    """Give each occurrence `.conflicts` (same room, overlapping), `.outside_hours` and
    `.closed` (a Closure or None). `hours`: OpeningHours objects or None (then read: one query);
    `closed`: {(location id, date): Closure} covering the occurrences' dates. An occurrence
    needs `pk`, `date`, `starts_at`, `ends_at`, `room_id`, `activity.location_id` and the
    model's `overlaps` (a model object or the dashboard's tuple, activities/dashboard.py)."""
    slots = opening_slots(location_ids, hours)
    conflicts = room_conflicts(occurrences)
    for occurrence in occurrences:
        location_id = occurrence.activity.location_id
        occurrence.conflicts = conflicts.get(occurrence.pk, [])
        occurrence.outside_hours = outside_opening_hours(occurrence, location_id, slots)
        occurrence.closed = closed.get((location_id, occurrence.date))


def days_with_occurrences(
    locations, start, end, *, with_partners=False, in_month=None, hours=None, closed=None
):
    """[Day] from start to end for these locations: their occurrences (cancelled ones too,
    with category and room) and closures, in a fixed number of queries. Each occurrence gets
    `.conflicts` (same room, overlapping), `.outside_hours` and `.closed` (a Closure or None).
    `hours` (OpeningHours objects) and `closed` (Closure.objects.closed_dates, covering start
    to end) when the caller already has them: a query fewer each."""
    location_ids = [location.pk for location in locations]
    occurrences = (
        Occurrence.objects.filter(activity__location_id__in=location_ids)
        .between(start, end)
        .select_related("activity", "activity__category", "activity__location", "room")
        .order_by("date", "starts_at", "activity__title")
    )
    if with_partners:
        occurrences = occurrences.prefetch_related(
            Prefetch("activity__partners", to_attr="partner_list")
        )
    occurrences = list(occurrences)
    if closed is None:
        closed = Closure.objects.select_related("location").closed_dates(location_ids, start, end)
    mark_problems(occurrences, location_ids, hours=hours, closed=closed)
    days = []
    day = start
    by_date = defaultdict(list)
    for occurrence in occurrences:
        by_date[occurrence.date].append(occurrence)
    while day <= end:
        days.append(
            Day(
                date=day,
                occurrences=by_date[day],
                closures=[closed[(i, day)] for i in location_ids if (i, day) in closed],
                in_month=in_month is None or day.month == in_month,
            )
        )
        day += datetime.timedelta(days=1)
    return days


def conflicts_of_activity(activity: Activity, *, today=None) -> list[Occurrence]:
    """The activity's coming planned occurrences that clash with another in the same room or
    fall outside the opening hours (each with .conflicts and .outside_hours)."""
    today = today or timezone.localdate()
    occurrences = list(
        Occurrence.objects.planned()
        .filter(activity=activity, date__gte=today)
        .select_related("activity", "room")
        .order_by("date")[:60]
    )
    conflicts = room_conflicts(occurrences)
    slots = opening_slots([activity.location_id])
    problems = []
    for occurrence in occurrences:
        occurrence.conflicts = conflicts.get(occurrence.pk, [])
        occurrence.outside_hours = outside_opening_hours(occurrence, activity.location_id, slots)
        if occurrence.conflicts or occurrence.outside_hours:
            problems.append(occurrence)
    return problems


def todays_occurrences(location: Location, today=None) -> list[Occurrence]:
    """Today's planned occurrences at a location, for the tablet: one query."""
    today = today or timezone.localdate()
    return list(
        Occurrence.objects.planned()
        .filter(activity__location=location, date=today)
        .select_related("activity", "room")
        .order_by("starts_at", "activity__title")
    )


def occurrence_for_visit(location: Location, occurrence_id, day: datetime.date):
    """The occurrence a tap named, if it is a planned one of this location on that day."""
    if not occurrence_id:
        return None
    return (
        Occurrence.objects.planned()
        .filter(pk=occurrence_id, activity__location=location, date=day)
        .first()
    )
