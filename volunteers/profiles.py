"""Volunteer profiles: the profile itself, status changes, onboarding to-dos, a person's own data
and the anonymisation of people who stopped long ago.

Views, the dashboard and the retention command call these functions; none of them is a view.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buurtkamer.dates import years_before
from buurtkamer.exports import csv_text
from locations.models import LogEntry, Membership, Role, current_membership_q

from .models import Assignment, Status, StatusChange, VolunteerProfile

# A VOG is renewed every three years (the usual term); older ones are flagged.
VOG_VALID_YEARS = 3
# Someone who became active less than this long ago is still "new" and should have a buddy.
NEW_VOLUNTEER_DAYS = 183
ANONYMISED_FIRST_NAME = "Oud-vrijwilliger"
ANONYMISED_EMAIL_DOMAIN = "geanonimiseerd.invalid"


class ProfileError(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


# The profile ----------------------------------------------------------------------------------


def get_profile(user) -> VolunteerProfile:
    """The person's profile, made (as aspirant, with that first status in the history) when it
    does not exist yet."""
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        with transaction.atomic():
            profile, created = VolunteerProfile.objects.get_or_create(user=user)
            if created:
                StatusChange.objects.create(
                    profile=profile, status=profile.status, since=profile.status_since
                )
    return profile


def profile_or_default(user) -> VolunteerProfile:
    """The profile fetched with the person (select_related), or an unsaved default one: for lists,
    without a query per person."""
    try:
        return user.volunteer_profile
    except VolunteerProfile.DoesNotExist:
        return VolunteerProfile(user=user)


def vog_outdated(vog_received_on, today=None) -> bool:
    if vog_received_on is None:
        return False
    today = today or timezone.localdate()
    return vog_received_on < years_before(today, VOG_VALID_YEARS)


def change_status(*, profile, status, since, changed_by) -> StatusChange | None:
    """Give a volunteer a new status from a date on, and record it in the history.

    The same status again changes nothing (None). Stopping ends no membership: the person stays
    in the team's list as stopped until the retention period has passed.
    """
    if status not in Status.values:
        raise ProfileError(_("Kies een geldige status."), "invalid_status")
    if since > timezone.localdate() + datetime.timedelta(days=366):
        raise ProfileError(_("Die datum ligt te ver in de toekomst."), "far_future")
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.status == status and profile.status_since == since:
            return None
        profile.status, profile.status_since = status, since
        profile.save(update_fields=["status", "status_since"])
        return StatusChange.objects.create(
            profile=profile, status=status, since=since, changed_by=changed_by
        )


# Who belongs to a location --------------------------------------------------------------------


def volunteers_of(location):
    """The current volunteers of a location (memberships with role volunteer), with their
    profile and buddy in the same query, and the date of their first shift there."""
    User = get_user_model()
    first_shift = (
        Assignment.objects.active()
        .filter(volunteer=OuterRef("pk"), shift__location=location)
        .order_by("shift__date")
        .values("shift__date")[:1]
    )
    return (
        User.objects.filter(
            current_membership_q("memberships__"),
            memberships__location=location,
            memberships__role=Role.VOLUNTEER,
        )
        .select_related("volunteer_profile", "volunteer_profile__buddy")
        .annotate(first_shift_on=models.Subquery(first_shift))
        .order_by("first_name", "last_name", "email")
    )


def member_of(location, pk):
    """A current member of the location (any role), or None."""
    User = get_user_model()
    return (
        User.objects.filter(
            current_membership_q("memberships__"),
            pk=pk,
            memberships__location=location,
        )
        .select_related("volunteer_profile", "volunteer_profile__buddy")
        .first()
    )


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


TODO_TEXTS = {
    "intake": _("Aspirant: kennismakingsgesprek (intake) plannen"),
    "vog_missing": _("Actief zonder VOG: VOG aanvragen"),
    "vog_outdated": _("VOG ouder dan drie jaar: VOG vernieuwen"),
    "buddy": _("Nieuw zonder buddy: buddy koppelen"),
}


def onboarding_todos(locations, *, today=None) -> list[Todo]:
    """What a coordinator still has to arrange for the volunteers of these locations, in one
    query: aspirants without an intake, active volunteers without a VOG or with one older than
    three years, new volunteers (aspirant, intake, or active less than half a year) without a
    buddy. Someone of two locations appears under each."""
    today = today or timezone.localdate()
    location_ids = [location.pk for location in locations]
    by_id = {location.pk: location for location in locations}
    if not location_ids:
        return []
    memberships = (
        Membership.objects.current()
        .filter(location_id__in=location_ids, role=Role.VOLUNTEER)
        .select_related("user", "user__volunteer_profile")
        .order_by("location__name", "user__first_name", "user__last_name")
    )
    todos = []
    for membership in memberships:
        person = membership.user
        todos += todos_of(person, profile_or_default(person), by_id[membership.location_id], today)
    return todos


def todos_of(person, profile, location, today=None) -> list[Todo]:
    """The onboarding to-dos of one volunteer at one location (see onboarding_todos)."""
    today = today or timezone.localdate()
    todos = []
    if profile.status == Status.ASPIRANT:
        todos.append(Todo("intake", person, location, profile.status_since))
    if profile.status == Status.ACTIVE:
        if profile.vog_received_on is None:
            todos.append(Todo("vog_missing", person, location))
        elif vog_outdated(profile.vog_received_on, today):
            todos.append(Todo("vog_outdated", person, location, profile.vog_received_on))
    new_since = today - datetime.timedelta(days=NEW_VOLUNTEER_DAYS)
    is_new = profile.status in (Status.ASPIRANT, Status.INTAKE) or (
        profile.status == Status.ACTIVE and profile.status_since >= new_since
    )
    if is_new and profile.buddy_id is None:
        todos.append(Todo("buddy", person, location, profile.status_since))
    return todos


# A person's own data --------------------------------------------------------------------------


def _iso(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    return value


def export_data(user) -> dict:
    """Everything held about a person, for them to download: account, profile, status history,
    trainings, memberships, every assignment (cancellations and attendance included) and the
    logbook entries they wrote. Of other people only the first name of their buddy."""
    profile = VolunteerProfile.objects.filter(user=user).select_related("buddy").first()
    data = {
        "exported_at": timezone.localtime().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(timezone.localtime(user.date_joined)),
            "last_login": _iso(user.last_login and timezone.localtime(user.last_login)),
        },
        "profile": None,
        "status_history": [],
        "trainings": [],
        "memberships": [
            {
                "location": membership.location.name,
                "role": membership.role,
                "started_at": _iso(timezone.localtime(membership.started_at)),
                "ended_at": _iso(membership.ended_at and timezone.localtime(membership.ended_at)),
            }
            for membership in Membership.objects.filter(user=user)
            .select_related("location")
            .order_by("started_at")
        ],
        "assignments": [
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
        ],
        "logbook_entries": _logbook_entries_of(user),
    }
    if profile is not None:
        data["profile"] = {
            "phone": profile.phone,
            "status": profile.status,
            "status_since": _iso(profile.status_since),
            "vog_received_on": _iso(profile.vog_received_on),
            "buddy": profile.buddy.first_name if profile.buddy else "",
            "preferred_tasks": list(profile.preferred_tasks),
            "preferred_weekdays": list(profile.preferred_weekdays),
            "preferred_day_parts": list(profile.preferred_day_parts),
            "notes": profile.notes,
            "anonymised_at": _iso(profile.anonymised_at),
        }
        data["status_history"] = [
            {
                "status": change.status,
                "since": _iso(change.since),
                "changed_at": _iso(timezone.localtime(change.changed_at)),
            }
            for change in profile.status_changes.order_by("since", "changed_at")
        ]
        data["trainings"] = [
            {"name": training.name, "followed_on": _iso(training.followed_on)}
            for training in profile.trainings.order_by("followed_on")
        ]
    return data


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


def months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def due_for_anonymisation(*, months=None, today=None):
    """Profiles stopped longer than the retention period and not yet anonymised."""
    months = retention_months() if months is None else months
    today = today or timezone.localdate()
    cutoff = months_before(today, months)
    return VolunteerProfile.objects.filter(
        status=Status.STOPPED, status_since__lt=cutoff, anonymised_at__isnull=True
    ).select_related("user")


def anonymise(profile, *, now=None) -> None:
    """Remove a stopped volunteer's personal data and keep the numbers.

    Name, e-mail, phone, notes, preferences, VOG date, buddy and trainings go; the account can
    no longer log in (unusable password, inactive, e-mail addresses and two-step keys removed);
    current memberships and open invitations end. The assignments stay (their cancel reasons
    emptied), so the roster's history still counts them.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    now = now or timezone.now()
    with transaction.atomic():
        profile = (
            VolunteerProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        )
        if profile.anonymised_at is not None:
            return
        user = profile.user
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
        profile.notes = ""
        profile.vog_received_on = None
        profile.buddy = None
        profile.preferred_tasks = []
        profile.preferred_weekdays = []
        profile.preferred_day_parts = []
        profile.anonymised_at = now
        profile.save()
        profile.trainings.all().delete()
        VolunteerProfile.objects.filter(buddy=user).update(buddy=None)
        Assignment.objects.filter(volunteer=user).exclude(cancel_reason="").update(cancel_reason="")
        # Current memberships and invitations not answered yet.
        Membership.objects.filter(user=user, ended_at__isnull=True).update(ended_at=now)


def anonymise_due(*, months=None, today=None, dry_run=False) -> list[int]:
    """Anonymise every profile due; the ids of those (that would be) anonymised."""
    due = list(due_for_anonymisation(months=months, today=today).values_list("pk", flat=True))
    if not dry_run:
        for profile in VolunteerProfile.objects.filter(pk__in=due):
            anonymise(profile)
    return due
