"""Demo data of the volunteers area, loaded by `manage.py demo` after the locations and people:
profiles in every status (VOG dates, a buddy, trainings), a few more volunteers, shift templates
for each location's opening hours, four weeks of shifts with some gaps, a few cancellations (one
late) and last week's shifts marked attended or no-show."""

import datetime
import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from locations.models import Location, Membership, Role

from . import profiles
from .models import (
    Assignment,
    Attendance,
    MemberRecord,
    Shift,
    ShiftTemplate,
    Status,
    StatusChange,
    Task,
    Training,
    VolunteerProfile,
)
from .services import generate_shifts

# More volunteers, so each location has a team to fill its roster. They have no password.
# email, first name, last name, location slug
EXTRA_VOLUNTEERS = [
    ("wiebe.dokkum@example.org", "Wiebe", "Bakker", "dokkum"),
    ("sjoukje.dokkum@example.org", "Sjoukje", "de Boer", "dokkum"),
    ("geeske.dokkum@example.org", "Geeske", "Mulder", "dokkum"),
    ("bauke.dokkum@example.org", "Bauke", "Hofstra", "dokkum"),
    ("jelle.burgum@example.org", "Jelle", "Smit", "burgum"),
    ("marije.burgum@example.org", "Marije", "Kok", "burgum"),
    ("tsjerk.kollum@example.org", "Tsjerk", "Bos", "kollum"),
    ("ytje.kollum@example.org", "Ytje", "Dam", "kollum"),
    ("rinse.westereen@example.org", "Rinse", "Veenstra", "de-westereen"),
    ("sytske.westereen@example.org", "Sytske", "de Haan", "de-westereen"),
]

YEAR = 365
# email: status, days in that status, VOG days ago (None: none), phone, buddy's email, tasks
PROFILES = {
    "vrijwilliger.dokkum@example.org": (
        Status.ACTIVE,
        2 * YEAR,
        400,
        "06 1234 5678",
        None,
        [Task.HOST, Task.KITCHEN],
    ),
    "tjitske.dokkum@example.org": (
        Status.ACTIVE,
        60,
        None,
        "06 2345 6789",
        "vrijwilliger.dokkum@example.org",
        [Task.HOST],
    ),
    "hendrik.dokkum@example.org": (
        Status.ACTIVE,
        5 * YEAR,
        4 * YEAR,
        "0519 123 456",
        None,
        [Task.SHIFT_LEAD],
    ),
    "wiebe.dokkum@example.org": (Status.ACTIVE, 3 * YEAR, 200, "", None, [Task.SHIFT_LEAD]),
    "sjoukje.dokkum@example.org": (Status.INTAKE, 10, None, "06 3456 7890", None, []),
    "geeske.dokkum@example.org": (Status.STOPPED, 40, 2 * YEAR, "", None, []),
    "bauke.dokkum@example.org": (Status.PAUSED, 90, YEAR, "", None, [Task.KITCHEN]),
    "coordinator.dokkum@example.org": (Status.ACTIVE, 4 * YEAR, 300, "06 1122 3344", None, []),
    "vrijwilliger.burgum@example.org": (Status.ACTIVE, YEAR, 100, "06 4567 8901", None, []),
    "wytske.burgum@example.org": (Status.ASPIRANT, 12, None, "", None, []),
    "jelle.burgum@example.org": (Status.ACTIVE, 2 * YEAR, 500, "", None, [Task.SHIFT_LEAD]),
    "marije.burgum@example.org": (Status.ACTIVE, 30, 20, "", None, [Task.KITCHEN]),
    "coordinator.burgum@example.org": (Status.ACTIVE, 3 * YEAR, 700, "", None, []),
    "klaas.kollum@example.org": (Status.INTAKE, 5, None, "", None, []),
    "tsjerk.kollum@example.org": (Status.ACTIVE, YEAR, 250, "", None, [Task.SHIFT_LEAD]),
    "ytje.kollum@example.org": (Status.ACTIVE, 2 * YEAR, 600, "", None, [Task.HOST]),
    "coordinator.kollum@example.org": (Status.ACTIVE, 2 * YEAR, 150, "", None, []),
    "froukje.westereen@example.org": (Status.PAUSED, 45, 800, "", None, []),
    "rinse.westereen@example.org": (Status.ACTIVE, YEAR, 90, "", None, [Task.SHIFT_LEAD]),
    "sytske.westereen@example.org": (Status.ACTIVE, 2 * YEAR, 365, "", None, [Task.HOST]),
    "coordinator.westereen@example.org": (Status.ACTIVE, YEAR, 30, "", None, []),
}

TRAININGS = {
    "vrijwilliger.dokkum@example.org": [("Basistraining gastvrouw/gastheer", 600)],
    "hendrik.dokkum@example.org": [("EHBO", 900), ("Sleutelbeheer en afsluiten", 800)],
    "wiebe.dokkum@example.org": [("Omgaan met agressie", 300)],
    "jelle.burgum@example.org": [("EHBO", 400)],
    "coordinator.dokkum@example.org": [("Signaleren van eenzaamheid", 200)],
}


def load(*, today, stdout):
    """Add this area's demo data; safe to run again (nothing doubled)."""
    _extra_volunteers()
    made = _profiles(today)
    templates = _templates()
    shifts, assignments = _rosters(today, stdout)
    stdout.write(
        f"Volunteers: {made} profile(s), {templates} shift template(s), {shifts} shift(s) and "
        f"{assignments} assignment(s) added."
    )


def _extra_volunteers():
    User = get_user_model()
    for email, first_name, last_name, slug in EXTRA_VOLUNTEERS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"primary": True, "verified": True}
            )
        Membership.objects.current().get_or_create(
            user=user, location=Location.objects.get(slug=slug), defaults={"role": Role.VOLUNTEER}
        )


def _profiles(today):
    users = {user.email: user for user in get_user_model().objects.filter(email__in=PROFILES)}
    existing = set(
        VolunteerProfile.objects.filter(user__in=users.values()).values_list("user_id", flat=True)
    )
    made = 0
    for email, (status, days, vog_days, phone, buddy, tasks) in PROFILES.items():
        user = users.get(email)
        if user is None or user.pk in existing:
            continue
        profile = VolunteerProfile.objects.create(
            user=user,
            phone=phone,
            preferred_tasks=tasks,
            preferred_weekdays=[2, 4] if tasks else [],
            preferred_day_parts=["morning"] if tasks else [],
        )
        for membership in Membership.objects.current().filter(user=user):
            # What the location's coordinators recorded: status history, VOG and buddy.
            record, _created = MemberRecord.objects.get_or_create(
                membership=membership,
                defaults={
                    "status": Status.ASPIRANT,
                    "status_since": today - datetime.timedelta(days=days + 30),
                    "vog_received_on": (
                        today - datetime.timedelta(days=vog_days) if vog_days else None
                    ),
                    "buddy": users.get(buddy),
                },
            )
            if not _created:
                continue
            StatusChange.objects.create(
                record=record, status=Status.ASPIRANT, since=record.status_since
            )
            if status != Status.ASPIRANT:
                # The way in: an intake a week or two before becoming active (or what came next).
                intake_on = today - datetime.timedelta(days=days + 14)
                if status != Status.INTAKE:
                    profiles.change_status(
                        membership=membership,
                        status=Status.INTAKE,
                        since=intake_on,
                        changed_by=None,
                    )
                if status in (Status.PAUSED, Status.STOPPED):
                    profiles.change_status(
                        membership=membership,
                        status=Status.ACTIVE,
                        since=today - datetime.timedelta(days=days + 7),
                        changed_by=None,
                    )
                profiles.change_status(
                    membership=membership,
                    status=status,
                    since=today - datetime.timedelta(days=days),
                    changed_by=None,
                )
        for name, days_ago in TRAININGS.get(email, []):
            Training.objects.create(
                profile=profile, name=name, followed_on=today - datetime.timedelta(days=days_ago)
            )
        made += 1
    return made


def _tasks_for(opens_at, closes_at):
    """Which tasks a day-part needs: a shift lead and hosts always; the kitchen when it spans
    lunch or dinner."""
    tasks = [(Task.SHIFT_LEAD, 1, 1), (Task.HOST, 1, 2)]
    if closes_at >= datetime.time(12, 0) and opens_at <= datetime.time(12, 0):
        tasks.append((Task.KITCHEN, 1, 1))
    if opens_at >= datetime.time(17, 0):
        tasks.append((Task.KITCHEN, 1, 2))
    return tasks


def _templates():
    made = 0
    for location in Location.objects.prefetch_related("opening_hours", "shift_templates"):
        have = {(t.weekday, t.day_part, t.task) for t in location.shift_templates.all()}
        new = [
            ShiftTemplate(
                location=location,
                weekday=slot.weekday,
                day_part=slot.day_part,
                task=task,
                minimum=minimum,
                maximum=maximum,
            )
            for slot in location.opening_hours.all()
            for task, minimum, maximum in _tasks_for(slot.opens_at, slot.closes_at)
            if (slot.weekday, slot.day_part, task) not in have
        ]
        ShiftTemplate.objects.bulk_create(new)
        made += len(new)
    return made


def _rosters(today, stdout):
    shifts_before = Shift.objects.count()
    start = today - datetime.timedelta(days=7)  # last week too: attended and no-show
    for location in Location.objects.active():
        generate_shifts(location, start=start, weeks=5)
    shifts_made = Shift.objects.count() - shifts_before
    assignments = 0
    for location in Location.objects.active():
        assignments += _fill(location, start, today)
    return shifts_made, assignments


def _fill(location, start, today):
    """Put the location's active people on its shifts, leaving some gaps; once per location
    (a second run adds nothing)."""
    if Assignment.objects.filter(shift__location=location).exists():
        return 0
    people = list(
        get_user_model()
        .objects.filter(
            pk__in=Membership.objects.current()
            .filter(location=location, volunteer_record__status=Status.ACTIVE)
            .values("user_id")
        )
        .order_by("pk")
    )
    if not people:
        return 0
    shifts = Shift.objects.filter(location=location, date__gte=start).order_by(
        "date", "starts_at", "task"
    )
    slots = itertools.groupby(shifts, key=lambda shift: (shift.date, shift.day_part))
    rotation = itertools.cycle(range(len(people)))
    now = timezone.now()
    new = []
    for number, ((date, _part), slot_shifts) in enumerate(slots):
        order = {Task.SHIFT_LEAD: 0, Task.HOST: 1, Task.KITCHEN: 2, Task.ACTIVITY: 3}
        slot_shifts = sorted(slot_shifts, key=lambda shift: order[shift.task])
        offset = next(rotation)
        free = people[offset:] + people[:offset]
        for shift in slot_shifts:
            wanted = shift.minimum
            if shift.task == Task.SHIFT_LEAD and number % 6 == 4:
                wanted = 0  # a day-part without a shift lead
            elif shift.task == Task.HOST and number % 4 == 2:
                wanted = shift.minimum - 1  # a host short
            elif shift.task == Task.HOST and number % 5 == 0:
                wanted = shift.maximum  # fully staffed
            for _ in range(min(wanted, shift.maximum)):
                if not free:
                    break
                person = free.pop(0)
                past = date < today
                attendance = ""
                if past:
                    attendance = Attendance.NO_SHOW if number % 7 == 3 else Attendance.ATTENDED
                new.append(
                    Assignment(
                        shift=shift,
                        volunteer=person,
                        created_at=now - datetime.timedelta(days=21),
                        attendance=attendance,
                    )
                )
    Assignment.objects.bulk_create(new)
    _cancellations(location, today, now)
    return len(new)


def _cancellations(location, today, now):
    """Two cancellations in the coming weeks: one in time, one late (the day before)."""
    coming = list(
        Assignment.objects.filter(shift__location=location, shift__date__gt=today)
        .exclude(shift__task=Task.SHIFT_LEAD)
        .select_related("shift")
        .order_by("shift__date", "shift__starts_at")
    )
    soon = [a for a in coming if a.shift.date <= today + datetime.timedelta(days=2)]
    later = [a for a in coming if a.shift.date > today + datetime.timedelta(days=7)]
    cancellations = []
    if soon:
        cancellations.append((soon[0], "Mijn kleinzoon is ziek, ik moet oppassen.", True, now))
    if later:
        cancellations.append(
            (later[0], "Ik ben die week op vakantie.", False, now - datetime.timedelta(days=3))
        )
    for assignment, reason, is_late, when in cancellations:
        assignment.cancelled_at = when
        assignment.cancelled_by = assignment.volunteer
        assignment.cancel_reason = reason
        assignment.cancelled_late = is_late
        assignment.save(
            update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "cancelled_late"]
        )
