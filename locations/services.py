"""Team changes at a location (invite a person, change a role, end a membership), opening
hours, closures, house rules and the logbook."""

import datetime
import logging
from dataclasses import dataclass
from smtplib import SMTPException

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from buurtkamer.emails import send_templated_email
from buurtkamer.models import AuditEvent, log_action
from buurtkamer.versions import VersionConflict, claim_version

from .models import Closure, Location, LogEntry, Membership, OpeningHours, Role

logger = logging.getLogger(__name__)


class TeamError(Exception):
    """A team change that cannot be made; `message` is shown to the coordinator."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """One-use link to set a first password; it stops working once a password is set."""

    key_salt = "buurtkamer.locations.invitation"


invitation_tokens = InvitationTokenGenerator()


def invitation_path(user) -> str:
    return reverse(
        "accept-invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )


def invite_person(
    *,
    location: Location,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    invited_by,
    base_url: str,
) -> tuple[Membership, bool]:
    """Give a person a role at a location, creating their account when it is new.

    A new person (or one who never set a password) gets an e-mail with a link to set a
    password; inviting such a person again sends the link again. A person who already has an
    account gets a short notice. Returns (membership, whether the e-mail could be sent).
    """
    User = get_user_model()
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, first_name=first_name, last_name=last_name)
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        membership = Membership.objects.current().filter(user=user, location=location).first()
        if membership is not None and user.has_usable_password():
            raise TeamError(
                "already_member",
                _("%(email)s hoort al bij %(location)s.") % {"email": email, "location": location},
            )
        if membership is None:
            try:
                with transaction.atomic():
                    membership = Membership.objects.create(user=user, location=location, role=role)
            except IntegrityError as error:
                raise TeamError(
                    "already_member",
                    _("%(email)s hoort al bij %(location)s.")
                    % {"email": email, "location": location},
                ) from error
        log_action(
            actor=invited_by,
            action=AuditEvent.Action.INVITED,
            location=location,
            subject=email,
            role=membership.role,
        )

    context = {
        "user": user,
        "location": location,
        "role": Role(membership.role).label,
        "invited_by": invited_by,
    }
    if user.has_usable_password():
        context["login_url"] = base_url + reverse("account_login")
        template = "locations/email/added_to_location"
    else:
        context["invitation_url"] = base_url + invitation_path(user)
        template = "locations/email/invitation"
    try:
        send_templated_email(template, context, [user.email])
    except (OSError, SMTPException):
        logger.exception("Could not send the invitation to %s", user.email)
        return membership, False
    return membership, True


def change_role(*, membership: Membership, role: Role, changed_by) -> Membership:
    if not membership.is_current:
        raise TeamError("ended", _("Dit lidmaatschap is al beëindigd."))
    if membership.role == role:
        return membership
    old_role = membership.role
    with transaction.atomic():
        membership.role = role
        membership.save(update_fields=["role"])
        log_action(
            actor=changed_by,
            action=AuditEvent.Action.ROLE_CHANGED,
            location=membership.location,
            subject=membership.user.email,
            old=old_role,
            new=role,
        )
    return membership


def end_membership(*, membership: Membership, ended_by) -> Membership:
    if not membership.is_current:
        raise TeamError("ended", _("Dit lidmaatschap is al beëindigd."))
    with transaction.atomic():
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        log_action(
            actor=ended_by,
            action=AuditEvent.Action.MEMBERSHIP_ENDED,
            location=membership.location,
            subject=membership.user.email,
            role=membership.role,
        )
    return membership


def set_opening_hours(
    *, location: Location, slots: list[dict], changed_by, version: int | None = None
) -> bool:
    """Make a location's opening hours the open slots given; returns whether anything changed.

    Each slot: {"weekday", "day_part", "opens_at", "closes_at"}. Under a lock on the location,
    only the slots that differ are written (deleted, changed, added), so two saves at once
    never collide on the one-slot-per-day-part constraint. `version` is the
    opening_hours_version the form was loaded at: when the hours have changed since, the save
    is refused with VersionConflict, unless it asks for exactly what is stored now.
    """
    wanted = {(slot["weekday"], slot["day_part"]): slot for slot in slots}
    with transaction.atomic():
        locked = Location.objects.select_for_update().get(pk=location.pk)
        existing = {
            (row.weekday, row.day_part): row
            for row in OpeningHours.objects.filter(location=location)
        }
        gone = [row.pk for key, row in existing.items() if key not in wanted]
        changed, added = [], []
        for key, slot in wanted.items():
            row = existing.get(key)
            if row is None:
                added.append(OpeningHours(location=location, **slot))
            elif (row.opens_at, row.closes_at) != (slot["opens_at"], slot["closes_at"]):
                row.opens_at, row.closes_at = slot["opens_at"], slot["closes_at"]
                changed.append(row)
        if not (gone or changed or added):
            return False
        if version is not None and locked.opening_hours_version != version:
            raise VersionConflict
        OpeningHours.objects.filter(pk__in=gone).delete()
        OpeningHours.objects.bulk_update(changed, ["opens_at", "closes_at"])
        OpeningHours.objects.bulk_create(added)
        Location.objects.filter(pk=location.pk).update(
            opening_hours_version=F("opening_hours_version") + 1
        )
        location.opening_hours_version = locked.opening_hours_version + 1
        log_action(
            actor=changed_by,
            action=AuditEvent.Action.OPENING_HOURS_CHANGED,
            location=location,
            subject=str(location),
            open_slots=len(slots),
        )
    return True


# Audit actions of this area (log_action takes AuditEvent.Action members only).
AUDIT_CLOSURE_ADDED = AuditEvent.Action.CLOSURE_ADDED
AUDIT_CLOSURE_DELETED = AuditEvent.Action.CLOSURE_DELETED
AUDIT_HOUSE_RULES_CHANGED = AuditEvent.Action.HOUSE_RULES_CHANGED
AUDIT_FOLLOW_UP_CLOSED = AuditEvent.Action.FOLLOW_UP_CLOSED


class LocationError(Exception):
    """A change to a location's closures or logbook that cannot be made; `message` is shown."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


# Closures ---------------------------------------------------------------------------------------


def add_closure(
    *, location: Location, starts_on: datetime.date, ends_on: datetime.date, reason: str, created_by
) -> Closure:
    """Close a location from starts_on to ends_on (both included). The form checks the dates;
    the database refuses an end before the start."""
    with transaction.atomic():
        closure = Closure.objects.create(
            location=location,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip(),
            created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        )
        log_action(
            actor=created_by,
            action=AUDIT_CLOSURE_ADDED,
            location=location,
            subject=str(closure),
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
        )
    return closure


def delete_closure(*, closure: Closure, deleted_by, today: datetime.date | None = None) -> None:
    """Remove a closure that has not begun yet; past and current ones stay (reports use them)."""
    today = today or timezone.localdate()
    if closure.starts_on <= today:
        raise LocationError(
            "started", _("Deze sluiting is al begonnen of voorbij en blijft daarom staan.")
        )
    with transaction.atomic():
        log_action(
            actor=deleted_by,
            action=AUDIT_CLOSURE_DELETED,
            location=closure.location,
            subject=str(closure),
            starts_on=closure.starts_on.isoformat(),
            ends_on=closure.ends_on.isoformat(),
        )
        closure.delete()


@dataclass(frozen=True)
class ClosurePreset:
    key: str
    reason: str
    starts_on: datetime.date
    ends_on: datetime.date


def _koningsdag(year: int) -> datetime.date:
    day = datetime.date(year, 4, 27)
    return day - datetime.timedelta(days=1) if day.isoweekday() == 7 else day


def _presets_of(year: int) -> list[ClosurePreset]:
    summer = datetime.date(year, 7, 20)
    summer += datetime.timedelta(days=(7 - summer.weekday()) % 7)  # the Monday on or after
    return [
        ClosurePreset("koningsdag", str(_("Koningsdag")), _koningsdag(year), _koningsdag(year)),
        ClosurePreset(
            "zomerstop", str(_("Zomerstop")), summer, summer + datetime.timedelta(days=20)
        ),
        ClosurePreset(
            "kerst",
            str(_("Kerstvakantie")),
            datetime.date(year, 12, 24),
            datetime.date(year + 1, 1, 1),
        ),
    ]


def closure_presets(today: datetime.date) -> list[ClosurePreset]:
    """The usual closures (Koningsdag, the summer break, Christmas week) at their next dates
    from today on, soonest first, as suggestions for the closure form."""
    coming = {}
    for year in (today.year, today.year + 1):
        for preset in _presets_of(year):
            if preset.ends_on >= today and preset.key not in coming:
                coming[preset.key] = preset
    return sorted(coming.values(), key=lambda preset: preset.starts_on)


# House rules ------------------------------------------------------------------------------------


def set_house_rules(
    *,
    location: Location,
    house_rules: str,
    address: str,
    postal_code: str,
    changed_by,
    version: int | None = None,
) -> Location:
    """Save the house rules and the address (both shown on the public programme).

    `version` is the location's version the form was loaded at: a save over a newer one
    raises VersionConflict (buurtkamer/versions.py)."""
    with transaction.atomic():
        claim_version(Location, location.pk, version)
        location.house_rules = house_rules.strip()
        location.address = address.strip()
        location.postal_code = postal_code.strip().upper()
        location.save(update_fields=["house_rules", "address", "postal_code"])
        location.version = Location.objects.values_list("version", flat=True).get(pk=location.pk)
        log_action(
            actor=changed_by,
            action=AUDIT_HOUSE_RULES_CHANGED,
            location=location,
            subject=str(location),
        )
    return location


# The logbook ------------------------------------------------------------------------------------


def write_log_entry(
    *,
    location: Location,
    author,
    text: str,
    kind: str = LogEntry.Kind.GENERAL,
    date: datetime.date | None = None,
    day_part: str = "",
    needs_follow_up: bool = False,
) -> LogEntry:
    with transaction.atomic():
        entry = LogEntry.objects.create(
            location=location,
            author=author if getattr(author, "is_authenticated", False) else None,
            text=text.strip(),
            kind=kind,
            date=date or timezone.localdate(),
            day_part=day_part or "",
            needs_follow_up=needs_follow_up,
        )
        # The subject names the kind and day, not the text: that stays in the logbook, which
        # is purged after its retention period.
        log_action(
            actor=author,
            action=AuditEvent.Action.LOGBOOK_ENTRY_ADDED,
            location=location,
            subject=f"{entry.get_kind_display()} {entry.date:%d-%m-%Y}",
            entry=entry.pk,
        )
    return entry


def close_follow_up(*, entry: LogEntry, closed_by, note: str) -> LogEntry:
    """A coordinator closes an open follow-up with a note on what was done. Closing it twice
    (two coordinators at once) is refused the second time."""
    note = note.strip()
    if not note:
        raise LocationError("no_note", _("Schrijf kort op wat er mee gedaan is."))
    now = timezone.now()
    with transaction.atomic():
        closed = (
            LogEntry.objects.open_follow_ups()
            .filter(pk=entry.pk)
            .update(closed_at=now, closed_by=closed_by, closing_note=note)
        )
        if not closed:
            raise LocationError(
                "not_open", _("Deze melding is al afgehandeld of vraagt geen actie.")
            )
        log_action(
            actor=closed_by,
            action=AUDIT_FOLLOW_UP_CLOSED,
            location=entry.location,
            subject=str(entry),
            entry=entry.pk,
        )
    entry.closed_at, entry.closed_by, entry.closing_note = now, closed_by, note
    return entry


def open_follow_up_counts(location_ids=None) -> dict[int, int]:
    """{location id: number of open follow-ups}, in one query (all locations when None)."""
    entries = LogEntry.objects.open_follow_ups()
    if location_ids is not None:
        entries = entries.filter(location_id__in=list(location_ids))
    rows = entries.order_by().values("location_id").annotate(open=models.Count("id"))
    return {row["location_id"]: row["open"] for row in rows}


def logbook_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The first date still kept: entries dated before it are past the retention period."""
    today = today or timezone.localdate()
    return today - relativedelta(months=settings.LOGBOOK_RETENTION_MONTHS)


def purge_old_logbook_entries(*, now: datetime.datetime | None = None) -> int:
    """Delete the logbook entries older than settings.LOGBOOK_RETENTION_MONTHS (by their
    date); returns how many were deleted. Called by the retention command."""
    today = timezone.localdate(now) if now is not None else timezone.localdate()
    deleted, _per_model = LogEntry.objects.filter(date__lt=logbook_cutoff(today)).delete()
    return deleted
