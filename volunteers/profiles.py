"""Volunteer profiles: the profile itself, what each location records about its members (status
and its history, VOG, buddy, notes, trainings), onboarding to-dos, a person's own data and the
anonymisation of people who stopped long ago.

The person's own data (name, e-mail, phone, preferences) lives on the user and VolunteerProfile;
what a coordinator records lives on the MemberRecord of one membership, so the coordinators of
one location never see or change what another location recorded. Every change is audited.

Views, the dashboard and the retention command call these functions; none of them is a view.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buurtkamer.dates import day_long, months_before, years_before
from buurtkamer.errors import DomainError
from buurtkamer.exports import csv_text
from buurtkamer.models import AuditEvent, log_action
from buurtkamer.versions import VersionConflict
from locations.models import LogEntry, Membership, Role

from .models import Assignment, MemberRecord, Status, StatusChange, Training, VolunteerProfile

# A VOG is renewed every three years (the usual term); older ones are flagged.
VOG_VALID_YEARS = 3
# Someone who became active less than this long ago is still "new" and should have a buddy.
NEW_VOLUNTEER_DAYS = 183
ANONYMISED_FIRST_NAME = "Oud-vrijwilliger"
ANONYMISED_EMAIL_DOMAIN = "geanonimiseerd.invalid"


class ProfileError(DomainError):
    """A status change or anonymisation that cannot be made; `message` is shown."""


# The profile ----------------------------------------------------------------------------------


def get_profile(user) -> VolunteerProfile:
    """The person's profile (their own data), made when it does not exist yet."""
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        profile, _created = VolunteerProfile.objects.get_or_create(user=user)
    return profile


def profile_or_default(user) -> VolunteerProfile:
    """The profile fetched with the person (select_related), or an unsaved default one: for lists,
    without a query per person."""
    try:
        return user.volunteer_profile
    except VolunteerProfile.DoesNotExist:
        return VolunteerProfile(user=user)


def _started_on(membership) -> datetime.date:
    return timezone.localdate(membership.started_at)


def record_or_default(membership) -> MemberRecord:
    """The membership's record fetched with it (select_related "volunteer_record"), or an unsaved
    default one (aspirant since the membership began): for lists, without a query per person."""
    try:
        return membership.volunteer_record
    except MemberRecord.DoesNotExist:
        return MemberRecord(
            membership=membership,
            status=Status.ASPIRANT,
            status_since=min(_started_on(membership), timezone.localdate()),
        )


def get_record(membership) -> MemberRecord:
    """The membership's record, made (as aspirant since the membership began, with that first
    status in its history) when it does not exist yet."""
    record = MemberRecord.objects.filter(membership=membership).first()
    if record is None:
        with transaction.atomic():
            since = min(_started_on(membership), timezone.localdate())
            record, created = MemberRecord.objects.get_or_create(
                membership_id=membership.pk,
                defaults={"status": Status.ASPIRANT, "status_since": since},
            )
            if created:
                StatusChange.objects.create(
                    record=record, status=record.status, since=record.status_since
                )
    return record


def vog_outdated(vog_received_on, today=None) -> bool:
    if vog_received_on is None:
        return False
    today = today or timezone.localdate()
    return vog_received_on < years_before(today, VOG_VALID_YEARS)


def status_date_error(since, *, earliest, today=None):
    """Why a status date cannot be used, or None: it must lie between the previous status change
    (`earliest`, that change's date) and today, both included."""
    today = today or timezone.localdate()
    if since > today:
        return ProfileError(
            "future",
            _("Een status kan niet in de toekomst ingaan. Kies vandaag of een eerdere datum."),
        )
    if earliest is not None and since < earliest:
        return ProfileError(
            "before_previous",
            _(
                "Die datum ligt vóór de vorige statuswijziging (%(date)s). Kies een datum vanaf "
                "%(date)s."
            )
            % {"date": day_long(earliest)},
        )
    return None


def _person_label(user) -> str:
    return str(user)


def change_status(*, membership, status, since, changed_by, today=None) -> StatusChange | None:
    """Give a member a new status at this membership's location from a date on, recorded in that
    location's history and in the audit log. Other locations keep their own status.

    The date must lie between the previous status change and today (ProfileError otherwise).
    The same status from the same date again changes nothing (None). Stopping ends no
    membership: the person stays in the team's list as stopped until the retention period has
    passed (see due_for_anonymisation).
    """
    if status not in Status.values:
        raise ProfileError("invalid_status", _("Kies een geldige status."))
    record = get_record(membership)
    with transaction.atomic():
        record = (
            MemberRecord.objects.select_for_update()
            .select_related("membership__user", "membership__location")
            .get(pk=record.pk)
        )
        error = status_date_error(since, earliest=record.status_since, today=today)
        if error is not None:
            raise error
        if record.status == status and record.status_since == since:
            return None
        previous = record.status
        record.status, record.status_since = status, since
        record.save(update_fields=["status", "status_since"])
        change = StatusChange.objects.create(
            record=record, status=status, since=since, changed_by=changed_by
        )
        log_action(
            actor=changed_by,
            action=AuditEvent.Action.VOLUNTEER_STATUS_CHANGED,
            location=record.membership.location,
            subject=_person_label(record.membership.user),
            volunteer=record.membership.user_id,
            previous=previous,
            status=status,
            since=since.isoformat(),
        )
    return change


def save_details(
    *, membership, vog_received_on, buddy, notes, changed_by, version=None
) -> list[str]:
    """Save what this location's coordinators record about a member (VOG date, buddy, notes);
    audited with the names of the fields that changed, never their content. Returns those
    names (empty: nothing changed). `version` is the record's version the form was loaded at:
    when someone saved in between, VersionConflict (nothing is overwritten)."""
    record = get_record(membership)
    with transaction.atomic():
        record = (
            MemberRecord.objects.select_for_update()
            .select_related("membership__user", "membership__location")
            .get(pk=record.pk)
        )
        new = {"vog_received_on": vog_received_on, "buddy_id": buddy.pk if buddy else None}
        new["notes"] = notes
        changed = [name for name, value in new.items() if getattr(record, name) != value]
        if not changed:
            return []
        if version is not None and record.version != version:
            raise VersionConflict
        for name, value in new.items():
            setattr(record, name, value)
        record.version += 1
        record.save(update_fields=["vog_received_on", "buddy", "notes", "version"])
        fields = [name.removesuffix("_id") for name in changed]
        log_action(
            actor=changed_by,
            action=AuditEvent.Action.VOLUNTEER_DETAILS_CHANGED,
            location=record.membership.location,
            subject=_person_label(record.membership.user),
            volunteer=record.membership.user_id,
            fields=fields,
        )
    return fields


def trainings_of(person):
    """The person's trainings, newest first (visible at each location where they are a member)."""
    return Training.objects.filter(profile__user=person).order_by("-followed_on", "-pk")


def add_training(*, person, location, name, followed_on, by) -> Training:
    with transaction.atomic():
        training = Training.objects.create(
            profile=get_profile(person), location=location, name=name, followed_on=followed_on
        )
        log_action(
            actor=by,
            action=AuditEvent.Action.TRAINING_ADDED,
            location=location,
            subject=_person_label(person),
            volunteer=person.pk,
            training=name,
            followed_on=followed_on.isoformat(),
        )
    return training


def removable_trainings(person, location):
    """The trainings of the person this location may remove: the ones it recorded (and older
    ones recorded before trainings kept their location)."""
    return trainings_of(person).filter(Q(location=location) | Q(location__isnull=True))


def remove_training(*, training, location, by) -> None:
    with transaction.atomic():
        person = training.profile.user
        log_action(
            actor=by,
            action=AuditEvent.Action.TRAINING_REMOVED,
            location=location,
            subject=_person_label(person),
            volunteer=person.pk,
            training=training.name,
            followed_on=training.followed_on.isoformat(),
        )
        training.delete()


# Who belongs to a location --------------------------------------------------------------------


def volunteers_of(location):
    """The current volunteer memberships of a location, with the person, their profile, the
    location's record (and buddy) in the same query, and the date of their first shift there
    (`first_shift_on`)."""
    first_shift = (
        Assignment.objects.active()
        .filter(volunteer=OuterRef("user_id"), shift__location=location)
        .order_by("shift__date")
        .values("shift__date")[:1]
    )
    return (
        Membership.objects.current()
        .filter(location=location)
        .with_role(Role.VOLUNTEER)
        .select_related(
            "user", "user__volunteer_profile", "volunteer_record", "volunteer_record__buddy"
        )
        .annotate(first_shift_on=models.Subquery(first_shift))
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def membership_of(location, pk):
    """The current membership (any role) of person `pk` at the location, with the person, their
    profile and the location's record; or None."""
    return (
        Membership.objects.current()
        .filter(location=location, user_id=pk)
        .select_related(
            "user", "user__volunteer_profile", "volunteer_record", "volunteer_record__buddy"
        )
        .first()
    )


def member_of(location, pk):
    """A current member of the location (any role), or None."""
    membership = membership_of(location, pk)
    return membership.user if membership else None


# Onboarding to-dos ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Todo:
    kind: str  # "intake", "vog_missing", "vog_outdated", "buddy"
    person: object
    location: object
    since: datetime.date | None = None

    @property
    def text(self):
        return TODO_TEXTS[self.kind]


# The statuses that need a valid VOG: active, and intake too (someone in their intake is about
# to start and may already stand on the roster, members.MARKED). An aspirant has not had the
# intake yet; paused and stopped people are not on the roster.
NEEDS_VOG = (Status.ACTIVE, Status.INTAKE)

TODO_TEXTS = {
    "intake": _("Aspirant: kennismakingsgesprek (intake) plannen"),
    "vog_missing": _("Nog geen VOG: VOG aanvragen"),
    "vog_outdated": _("VOG ouder dan drie jaar: VOG vernieuwen"),
    "buddy": _("Nieuw zonder buddy: buddy koppelen"),
}


def onboarding_todos(locations, *, today=None) -> list[Todo]:
    """What a coordinator still has to arrange for the volunteers of these locations, in one
    query, by todos_of: aspirants without an intake, volunteers in intake or active (NEEDS_VOG)
    without a VOG or with one older than three years, new volunteers (aspirant, intake, or
    active less than half a year) without a buddy. Someone of two locations appears under
    each."""
    today = today or timezone.localdate()
    location_ids = [location.pk for location in locations]
    by_id = {location.pk: location for location in locations}
    if not location_ids:
        return []
    memberships = (
        Membership.objects.current()
        .filter(location_id__in=location_ids)
        .with_role(Role.VOLUNTEER)
        .select_related("user", "volunteer_record")
        .order_by("location__name", "user__first_name", "user__last_name")
    )
    todos = []
    for membership in memberships:
        todos += todos_of(
            membership.user, record_or_default(membership), by_id[membership.location_id], today
        )
    return todos


def todos_of(person, record, location, today=None) -> list[Todo]:
    """The onboarding to-dos of one volunteer at one location, from that location's record: the
    one rule the dashboard (onboarding_todos), the volunteers list and the profile page show.

    - "intake": an aspirant, whose intake is still to be planned;
    - "vog_missing" / "vog_outdated": intake or active (NEEDS_VOG) without a VOG, or with one
      older than VOG_VALID_YEARS (three) years;
    - "buddy": new (aspirant, intake, or active less than NEW_VOLUNTEER_DAYS) without a buddy.
    Paused and stopped people have none."""
    today = today or timezone.localdate()
    todos = []
    if record.status == Status.ASPIRANT:
        todos.append(Todo("intake", person, location, record.status_since))
    if record.status in NEEDS_VOG:
        if record.vog_received_on is None:
            todos.append(Todo("vog_missing", person, location))
        elif vog_outdated(record.vog_received_on, today):
            todos.append(Todo("vog_outdated", person, location, record.vog_received_on))
    new_since = today - datetime.timedelta(days=NEW_VOLUNTEER_DAYS)
    is_new = record.status in (Status.ASPIRANT, Status.INTAKE) or (
        record.status == Status.ACTIVE and record.status_since >= new_since
    )
    if is_new and record.buddy_id is None:
        todos.append(Todo("buddy", person, location, record.status_since))
    return todos


# A person's own data --------------------------------------------------------------------------


def _iso(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    return value


def export_data(user) -> dict:
    """Everything held about a person, for them to download: account, profile, per location what
    its coordinators recorded (status and its history, VOG date, buddy, notes), trainings,
    memberships, every assignment (cancellations and attendance included) and the logbook
    entries they wrote. Of other people only the first name of their buddy."""
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("location", "volunteer_record", "volunteer_record__buddy")
        .order_by("started_at", "pk")
    )
    return {
        "exported_at": timezone.localtime().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(timezone.localtime(user.date_joined)),
            "last_login": _iso(user.last_login and timezone.localtime(user.last_login)),
        },
        "profile": _profile_data(user),
        "per_location": _records_data(user, memberships),
        "trainings": [
            {"name": training.name, "followed_on": _iso(training.followed_on)}
            for training in Training.objects.filter(profile__user=user).order_by("followed_on")
        ],
        "memberships": [
            {
                "location": membership.location.name,
                "role": membership.role,
                "started_at": _iso(timezone.localtime(membership.started_at)),
                "ended_at": _iso(membership.ended_at and timezone.localtime(membership.ended_at)),
            }
            for membership in memberships
        ],
        "assignments": _assignments_data(user),
        "logbook_entries": _logbook_entries_of(user),
    }


def _profile_data(user) -> dict | None:
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "phone": profile.phone,
        "preferred_tasks": list(profile.preferred_tasks),
        "preferred_weekdays": list(profile.preferred_weekdays),
        "preferred_day_parts": list(profile.preferred_day_parts),
        "anonymised_at": _iso(profile.anonymised_at),
    }


def _records_data(user, memberships) -> list[dict]:
    """What each location's coordinators recorded, with the status history."""
    histories = {}
    for change in StatusChange.objects.filter(record__membership__user=user).order_by(
        "since", "changed_at"
    ):
        histories.setdefault(change.record_id, []).append(
            {
                "status": change.status,
                "since": _iso(change.since),
                "changed_at": _iso(timezone.localtime(change.changed_at)),
            }
        )
    return [
        {
            "location": membership.location.name,
            "status": record.status,
            "status_since": _iso(record.status_since),
            "vog_received_on": _iso(record.vog_received_on),
            "buddy": record.buddy.first_name if record.buddy else "",
            "notes": record.notes,
            "status_history": histories.get(record.pk, []),
        }
        for membership in memberships
        if (record := getattr(membership, "volunteer_record", None)) is not None
    ]


def _assignments_data(user) -> list[dict]:
    return [
        {
            "location": assignment.shift.location.name,
            "date": _iso(assignment.shift.date),
            "day_part": assignment.shift.day_part,
            "task": assignment.shift.task,
            "starts_at": _iso(assignment.shift.starts_at),
            "ends_at": _iso(assignment.shift.ends_at),
            "signed_up_at": _iso(timezone.localtime(assignment.created_at)),
            "assigned_by_coordinator": bool(
                assignment.assigned_by_id and assignment.assigned_by_id != user.pk
            ),
            "cancelled_at": _iso(
                assignment.cancelled_at and timezone.localtime(assignment.cancelled_at)
            ),
            "cancel_reason": assignment.cancel_reason,
            "cancelled_late": assignment.cancelled_late,
            "attendance": assignment.attendance,
        }
        for assignment in Assignment.objects.filter(volunteer=user)
        .select_related("shift__location")
        .order_by("shift__date", "shift__starts_at")
    ]


def log_export(user, wanted: str) -> None:
    """Audit that the person downloaded their own data (the format; never the data)."""
    log_action(
        actor=user,
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED,
        subject=_person_label(user),
        volunteer=user.pk,
        format=wanted,
    )


# Fields of a log entry written by someone else than its author: not theirs to download.
WRITTEN_BY_OTHERS = {"closing_note"}


def _logbook_entries_of(user) -> list[dict]:
    """The log entries the person wrote, with the location by name."""
    fields = [
        field
        for field in LogEntry._meta.concrete_fields
        if not field.is_relation and not field.primary_key and field.name not in WRITTEN_BY_OTHERS
    ]
    entries = []
    for entry in LogEntry.objects.filter(author=user).select_related("location").order_by("pk"):
        row = {"location": entry.location.name}
        for field in fields:
            value = getattr(entry, field.attname)
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value) if timezone.is_aware(value) else value
            row[field.name] = _iso(value)
        entries.append(row)
    return entries


# The CSV speaks Dutch: the parts and fields by name, codes as the words people see.
CSV_PARTS = {
    "exported_at": _("Gedownload op"),
    "account": _("Account"),
    "profile": _("Profiel"),
    "status_history": _("Statusgeschiedenis"),
    "per_location": _("Per locatie"),
    "trainings": _("Trainingen"),
    "memberships": _("Lidmaatschappen"),
    "assignments": _("Diensten"),
    "logbook_entries": _("Logboek"),
}
CSV_FIELDS = {
    "email": _("E-mailadres"),
    "first_name": _("Voornaam"),
    "last_name": _("Achternaam"),
    "date_joined": _("Account aangemaakt op"),
    "last_login": _("Laatst ingelogd op"),
    "phone": _("Telefoon"),
    "status": _("Status"),
    "status_since": _("Status sinds"),
    "vog_received_on": _("VOG ontvangen op"),
    "buddy": _("Buddy"),
    "preferred_tasks": _("Taken die ik graag doe"),
    "preferred_weekdays": _("Voorkeursdagen"),
    "preferred_day_parts": _("Voorkeursdagdelen"),
    "notes": _("Notities"),
    "status_history": _("Statusgeschiedenis"),
    "anonymised_at": _("Geanonimiseerd op"),
    "since": _("Sinds"),
    "changed_at": _("Gewijzigd op"),
    "name": _("Training"),
    "followed_on": _("Gevolgd op"),
    "location": _("Locatie"),
    "role": _("Rol"),
    "started_at": _("Begonnen op"),
    "ended_at": _("Gestopt op"),
    "date": _("Datum"),
    "day_part": _("Dagdeel"),
    "task": _("Taak"),
    "starts_at": _("Begint om"),
    "ends_at": _("Eindigt om"),
    "signed_up_at": _("Aangemeld op"),
    "assigned_by_coordinator": _("Ingeroosterd door de coördinator"),
    "cancelled_at": _("Afgemeld op"),
    "cancel_reason": _("Reden van afmelden"),
    "cancelled_late": _("Laat afgemeld"),
    "attendance": _("Aanwezigheid"),
}


def _choice_labels():
    from locations.models import DayPart, Weekday

    from .models import Attendance, Task

    return {
        "status": Status,
        "role": Role,
        "day_part": DayPart,
        "task": Task,
        "attendance": Attendance,
        "kind": LogEntry.Kind,
        "preferred_tasks": Task,
        "preferred_weekdays": Weekday,
        "preferred_day_parts": DayPart,
    }


def _field_label(field: str) -> str:
    if field in CSV_FIELDS:
        return str(CSV_FIELDS[field])
    try:  # the logbook's own fields: by their name in the model
        return capfirst(str(LogEntry._meta.get_field(field).verbose_name))
    except FieldDoesNotExist:
        return field


def _dutch_value(field: str, value, choices):
    """A value as people read it: choices by their label, dates as 27-04-2027, yes/no."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nee")
    if isinstance(value, list):
        return ", ".join(str(_dutch_value(field, item, choices)) for item in value)
    if isinstance(value, dict):  # e.g. one step of a status history: "actief 01-03-2026"
        return " ".join(
            str(_dutch_value(key, item, choices)) for key, item in value.items() if item
        )
    enum = choices.get(field)
    if enum is not None:
        try:
            return str(enum(value).label)
        except ValueError:
            return value
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) == 10:
            return moment.strftime("%d-%m-%Y")
        return moment.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, str) and len(value) == 8 and value[2:3] == ":" and value[5:6] == ":":
        return value[:5]  # 09:30:00 → 09:30
    return value


def export_csv(data: dict) -> str:
    """The export as one Dutch CSV table: part, row number, field, value (`;`-separated with a
    byte-order mark, every cell made safe: buurtkamer.exports)."""
    choices = _choice_labels()
    rows = [[gettext("Onderdeel"), gettext("Nummer"), gettext("Veld"), gettext("Waarde")]]
    for part, value in data.items():
        part_label = str(CSV_PARTS.get(part, part))
        if isinstance(value, dict):
            records = [value]
        elif isinstance(value, list):
            records = value
        else:
            rows.append([part_label, "", "", _dutch_value(part, value, choices)])
            continue
        for number, record in enumerate(records, start=1):
            for field, cell in record.items():
                rows.append(
                    [part_label, number, _field_label(field), _dutch_value(field, cell, choices)]
                )
    return csv_text(rows)


# Retention ------------------------------------------------------------------------------------


def retention_months() -> int:
    return getattr(settings, "VOLUNTEER_RETENTION_MONTHS", 12)


def _cutoff_moment(*, months=None, today=None) -> datetime.datetime:
    """The start (local time) of the day `months` months before today: a stop recorded before
    this moment is older than the retention period."""
    months = retention_months() if months is None else months
    today = today or timezone.localdate()
    cutoff = months_before(today, months)
    return timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))


def _still_kept_memberships(cutoff: datetime.datetime):
    """Memberships that keep their person's data: every membership except those stopped (the
    record's status) by a change *recorded* before the cutoff, and those ended before it. When
    a stop was recorded counts, not the date typed with it."""
    last_recorded = (
        StatusChange.objects.filter(record__membership=OuterRef("pk"))
        .order_by("-changed_at", "-pk")
        .values("changed_at")[:1]
    )
    done = Q(volunteer_record__status=Status.STOPPED, last_recorded_at__lt=cutoff) | Q(
        ended_at__lt=cutoff
    )
    return Membership.objects.annotate(last_recorded_at=Subquery(last_recorded)).exclude(done)


def due_for_anonymisation(*, months=None, today=None):
    """The people whose personal data goes, ordered by name: not AanZet staff, not an
    administrator or superuser, not anonymised yet, with at least one membership, and at every
    location they had stopped (or left) longer than the retention period ago, by when that was
    recorded. Someone still a member (not stopped) anywhere is never due."""
    cutoff = _cutoff_moment(months=months, today=today)
    User = get_user_model()
    kept = _still_kept_memberships(cutoff).filter(user=OuterRef("pk"))
    return (
        User.objects.filter(is_aanzet_staff=False, is_admin=False, is_superuser=False)
        .filter(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(kept))
        .exclude(volunteer_profile__anonymised_at__isnull=False)
        .order_by("first_name", "last_name", "pk")
    )


def anonymised_label(user) -> str:
    return f"{ANONYMISED_FIRST_NAME} #{user.pk}"


def anonymise(user, *, actor=None, now=None, only_if_due=None) -> bool:
    """Remove a former volunteer's personal data and keep the numbers; False when already done.

    Name, e-mail, phone, preferences, every location's notes, VOG date and buddy, and trainings
    go; the account can no longer log in (unusable password, inactive, e-mail addresses and
    two-step keys removed); current memberships end. The assignments and status histories stay
    (cancel reasons emptied), so the roster's history still counts them. Audited; earlier audit
    events about the person lose the name. Staff and administrators are refused (ProfileError):
    the retention command never picks them, and this is the last line. `only_if_due` (the
    keyword arguments of due_for_anonymisation) checks again, under the lock, that the person is
    still due: False if not.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    now = now or timezone.now()
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if user.is_aanzet_staff or user.is_admin or user.is_superuser:
            raise ProfileError("staff", _("Medewerkers en beheerders worden niet geanonimiseerd."))
        profile = get_profile(user)
        profile = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.anonymised_at is not None:
            return False
        if only_if_due is not None and not (
            due_for_anonymisation(**only_if_due).filter(pk=user.pk).exists()
        ):
            return False
        label = anonymised_label(user)
        user.first_name = ANONYMISED_FIRST_NAME
        user.last_name = ""
        user.email = f"oud-{uuid.uuid4().hex}@{ANONYMISED_EMAIL_DOMAIN}"
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["first_name", "last_name", "email", "is_active", "password"])
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        # Sessions end by themselves: an inactive account with a new password hash is logged
        # out on its next request.
        profile.phone = ""
        profile.preferred_tasks = []
        profile.preferred_weekdays = []
        profile.preferred_day_parts = []
        profile.anonymised_at = now
        profile.save()
        MemberRecord.objects.filter(membership__user=user).update(
            notes="", vog_received_on=None, buddy=None
        )
        Training.objects.filter(profile=profile).delete()
        MemberRecord.objects.filter(buddy=user).update(buddy=None)
        Assignment.objects.filter(volunteer=user).exclude(cancel_reason="").update(cancel_reason="")
        # Current memberships and invitations not answered yet.
        Membership.objects.filter(user=user, ended_at__isnull=True).update(ended_at=now)
        AuditEvent.objects.filter(details__volunteer=user.pk).update(subject=label)
        log_action(
            actor=actor,
            action=AuditEvent.Action.VOLUNTEER_ANONYMISED,
            subject=label,
            volunteer=user.pk,
        )
    return True


def anonymise_due(*, months=None, today=None, dry_run=False) -> list[str]:
    """Anonymise everyone due; the names of those (that would be) anonymised, as they were."""
    due = list(due_for_anonymisation(months=months, today=today))
    if dry_run:
        return [str(user) for user in due]
    names = []
    for user in due:
        name = str(user)
        if anonymise(user, only_if_due={"months": months, "today": today}):
            names.append(name)
    return names
