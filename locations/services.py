"""Team changes at a location (invite a person, change a role, end a membership), opening
hours, closures, house rules and the logbook."""

import datetime
import logging
from dataclasses import dataclass
from smtplib import SMTPException

from allauth.account.models import EmailAddress
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

from buurtkamer.dates import day_long, months_before
from buurtkamer.emails import send_templated_email
from buurtkamer.errors import DomainError
from buurtkamer.languages import language_of, valid_language
from buurtkamer.models import AuditEvent, log_action
from buurtkamer.versions import VersionConflict, claim_version

from .models import Closure, Location, LogEntry, Membership, OpeningHours, Role

logger = logging.getLogger(__name__)


class TeamError(DomainError):
    """A team change that cannot be made; `message` is shown to the coordinator."""


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


class MembershipInvitationTokenGenerator(PasswordResetTokenGenerator):
    """The accept / decline links of an invitation to someone who already has an account.

    The hash covers the membership's state: once it is accepted, declined or sent again, the
    old links stop working. They expire after settings.PASSWORD_RESET_TIMEOUT, like the links
    to set a first password.
    """

    key_salt = "buurtkamer.locations.membership_invitation"

    def _make_hash_value(self, membership, timestamp):
        ended = membership.ended_at.timestamp() if membership.ended_at else ""
        return (
            f"{membership.pk}:{membership.user_id}:{membership.location_id}:{membership.role}:"
            f"{membership.pending}:{membership.started_at.timestamp()}:{ended}:{timestamp}"
        )


membership_invitation_tokens = MembershipInvitationTokenGenerator()


def membership_invitation_paths(membership: Membership) -> dict[str, str]:
    kwargs = {"pk": membership.pk, "code": membership_invitation_tokens.make_token(membership)}
    return {
        "accept": reverse("locations:accept-membership", kwargs=kwargs),
        "decline": reverse("locations:decline-membership", kwargs=kwargs),
    }


def _already_member(email, location):
    return TeamError(
        "already_member",
        _("%(email)s hoort al bij %(location)s.") % {"email": email, "location": location},
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
    language: str = "",
) -> tuple[Membership, bool]:
    """Invite a person to a role at a location. Returns (membership, whether the e-mail could be
    sent).

    Nobody becomes a member without saying yes: the membership stays *pending* (no access
    anywhere, see MembershipQuerySet.current) until the person accepts. Someone without an
    account (or who never set a password) gets the link to set a password: setting it is the
    yes. Someone with an account gets a link to accept or decline; the name given in the form
    is then ignored, and the coordinator sees nothing of the account until they accept. For the
    coordinator both answer alike, so the form does not tell whether an address has an
    account. Inviting again while the invitation is open sends it again (with the new role).

    AanZet staff add an existing account directly (audited as MEMBER_ADDED_BY_STAFF); that
    person gets a notice.
    """
    email = email.strip().lower()
    now = timezone.now()
    # The language of someone who has chosen none yet (see _account_for): the inviter's choice.
    language = valid_language(language) or language_of(invited_by)
    with transaction.atomic():
        user, is_new = _account_for(email, first_name, last_name, language)
        add_directly = (
            getattr(invited_by, "is_aanzet_staff", False)
            and not is_new
            and user.has_usable_password()
        )
        membership = _invited_membership(user, location, role, now, pending=not add_directly)
        log_action(
            actor=invited_by,
            action=(
                AuditEvent.Action.MEMBER_ADDED_BY_STAFF
                if add_directly
                else AuditEvent.Action.INVITED
            ),
            location=location,
            subject=email,
            role=membership.role,
        )
    return membership, _send_invitation(membership, invited_by, base_url)


def _account_for(email: str, first_name: str, last_name: str, language: str):
    """The account of an address, made (without a password) when there is none: (user, new).

    Its language is the one the inviter chose, also for an account that never logged in (no
    password yet: the person has chosen nothing themselves); someone who has logged in keeps
    their own. Two invitations of the same new address at once: the second finds the account
    the first made, instead of failing on the unique address."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if not user.has_usable_password() and user.language != language:
            user.language = language
            user.save(update_fields=["language"])
        return user, False
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, first_name=first_name, last_name=last_name, language=language
            )
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    except IntegrityError:
        return User.objects.get(email__iexact=email), False
    return user, True


def _invited_membership(user, location: Location, role: Role, now, *, pending: bool):
    """The open membership an invitation is about: a pending one is renewed (with the new role),
    a new one is made; refused when the person already is a member."""
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, location=location, ended_at__isnull=True)
        .first()
    )
    if membership is not None and not membership.pending:
        if user.has_usable_password():
            raise _already_member(user.email, location)
        # A member from before invitations needed a yes, who never set a password: the link
        # to set one goes out again.
        return membership
    if membership is not None:
        membership.role = role
        membership.started_at = now  # also makes the links of the earlier e-mail invalid
        membership.pending = pending
        membership.save(update_fields=["role", "started_at", "pending"])
        return membership
    try:
        with transaction.atomic():
            return Membership.objects.create(
                user=user, location=location, role=role, started_at=now, pending=pending
            )
    except IntegrityError as error:
        raise _already_member(user.email, location) from error


def _send_invitation(membership: Membership, invited_by, base_url: str) -> bool:
    """The e-mail that fits: set a password, accept or decline, or you were added. Whether it
    could be sent."""
    user, location = membership.user, membership.location
    context = {
        "user": user,
        "location": location,
        "role": Role(membership.role).label,
        "invited_by": invited_by,
    }
    if not user.has_usable_password():
        context["invitation_url"] = base_url + invitation_path(user)
        template = "locations/email/invitation"
    elif membership.pending:
        paths = membership_invitation_paths(membership)
        context["accept_url"] = base_url + paths["accept"]
        context["decline_url"] = base_url + paths["decline"]
        template = "locations/email/membership_invitation"
    else:
        context["login_url"] = base_url + reverse("account_login")
        template = "locations/email/added_to_location"
    try:
        send_templated_email(template, context, [user])  # in the person's language
    except (OSError, SMTPException):
        logger.exception("Could not send the invitation to %s", user.email)
        return False
    return True


def _accept(membership: Membership, now) -> None:
    membership.pending = False
    membership.started_at = now
    membership.save(update_fields=["pending", "started_at"])
    log_action(
        actor=membership.user,
        action=AuditEvent.Action.INVITATION_ACCEPTED,
        location=membership.location,
        subject=membership.user.email,
        role=membership.role,
    )


def answer_invitation(*, membership: Membership, person, accept: bool) -> Membership:
    """The invited person says yes (the membership becomes current) or no (it ends).

    Only the invited person, only while the invitation is open: a second answer (two tabs, a
    double click) is refused.
    """
    with transaction.atomic():
        locked = (
            Membership.objects.invitations()
            .select_for_update()
            .filter(pk=membership.pk, user=person)
            .select_related("user", "location")
            .first()
        )
        if locked is None:
            raise TeamError("not_open", _("Deze uitnodiging is al beantwoord of ingetrokken."))
        now = timezone.now()
        if accept:
            _accept(locked, now)
        else:
            locked.ended_at = now
            locked.save(update_fields=["ended_at"])
            log_action(
                actor=person,
                action=AuditEvent.Action.INVITATION_DECLINED,
                location=locked.location,
                subject=person.email,
                role=locked.role,
            )
    return locked


def accept_invitations_of_new_person(user, *, password_form) -> int:
    """A person who was invited without an account sets their first password through the link
    in the invitation (`password_form`, a valid SetPasswordForm): that is their yes to the
    invitations open for them, in one transaction with the password. Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        password_form.save()
        open_ones = list(
            Membership.objects.invitations()
            .select_for_update()
            .filter(user=user)
            .select_related("user", "location")
        )
        for membership in open_ones:
            _accept(membership, now)
    return len(open_ones)


def check_a_coordinator_stays(
    membership: Membership, *, new_role: Role | None = None, changed_by, confirmed: bool = False
) -> None:
    """The one rule: a location keeps at least one current coordinator.

    Raise TeamError when demoting (new_role given) or ending (new_role None) this membership
    would leave its location without a coordinator: "last_coordinator" for everyone but AanZet
    staff; staff get "confirm_last_coordinator" until they confirm (confirmed=True). Call it
    inside the transaction of the change, after locking the location (lock_team), so that two
    coordinators who demote each other at the same moment cannot both succeed.
    """
    if not membership.is_current or membership.role != Role.COORDINATOR:
        return
    if new_role is not None and new_role == Role.COORDINATOR:
        return
    others = (
        Membership.objects.coordinators()
        .filter(location_id=membership.location_id)
        .exclude(pk=membership.pk)
    )
    if others.exists():
        return
    details = {"name": membership.user, "location": membership.location}
    if getattr(changed_by, "is_aanzet_staff", False):
        if confirmed:
            return
        raise TeamError(
            "confirm_last_coordinator",
            _(
                "%(name)s is de enige coördinator van %(location)s. Daarna heeft deze "
                "buurtkamer geen coördinator meer."
            )
            % details,
        )
    raise TeamError(
        "last_coordinator",
        _(
            "%(name)s is de enige coördinator van %(location)s. Maak eerst iemand anders "
            "coördinator; daarna kan dit wel. Er is niets veranderd."
        )
        % details,
    )


def lock_team(location_id: int) -> None:
    """Lock the location's row: team changes at one location happen one after the other."""
    Location.objects.select_for_update().filter(pk=location_id).values_list("pk").first()


def _locked_open_membership(membership: Membership) -> Membership:
    lock_team(membership.location_id)
    fresh = (
        Membership.objects.filter(pk=membership.pk, ended_at__isnull=True)
        .select_related("user", "location")
        .first()
    )
    if fresh is None:
        raise TeamError("ended", _("Dit lidmaatschap is al beëindigd."))
    return fresh


def change_role(
    *, membership: Membership, role: Role, changed_by, confirmed: bool = False
) -> Membership:
    with transaction.atomic():
        fresh = _locked_open_membership(membership)
        if fresh.pending:
            raise TeamError("pending", _("Deze persoon heeft de uitnodiging nog niet beantwoord."))
        if fresh.role == role:
            return fresh
        check_a_coordinator_stays(fresh, new_role=role, changed_by=changed_by, confirmed=confirmed)
        old_role = fresh.role
        fresh.role = role
        fresh.save(update_fields=["role"])
        log_action(
            actor=changed_by,
            action=AuditEvent.Action.ROLE_CHANGED,
            location=fresh.location,
            subject=fresh.user.email,
            old=old_role,
            new=role,
        )
    membership.role = fresh.role
    return fresh


def end_membership(*, membership: Membership, ended_by, confirmed: bool = False) -> Membership:
    """End a membership, or withdraw an invitation not answered yet (audited as such)."""
    with transaction.atomic():
        fresh = _locked_open_membership(membership)
        check_a_coordinator_stays(fresh, changed_by=ended_by, confirmed=confirmed)
        fresh.ended_at = timezone.now()
        fresh.save(update_fields=["ended_at"])
        log_action(
            actor=ended_by,
            action=(
                AuditEvent.Action.INVITATION_WITHDRAWN
                if fresh.pending
                else AuditEvent.Action.MEMBERSHIP_ENDED
            ),
            location=fresh.location,
            subject=fresh.user.email,
            role=fresh.role,
        )
    membership.ended_at = fresh.ended_at
    return fresh


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
    from volunteers.services import sync_regular_shift_times

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
        sync_regular_shift_times(location)  # a regular shift's times are its opening slot's
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


class LocationError(DomainError):
    """A change to a location's closures or logbook that cannot be made; `message` is shown."""


# Closures ---------------------------------------------------------------------------------------

# Only a test switches this off: its control run must then see two identical closures made at
# once, which proves that the concurrency test can see what the lock prevents.
CLOSURE_LOCK = True


def overlap_message(closure: Closure) -> str:
    if closure.starts_on == closure.ends_on:
        dates = day_long(closure.starts_on)
    else:
        dates = _("%(start)s t/m %(end)s") % {
            "start": day_long(closure.starts_on),
            "end": day_long(closure.ends_on),
        }
    return _("In deze periode is de buurtkamer al dicht: %(closure)s.") % {
        "closure": f"{dates} ({closure.reason})"
    }


def add_closure(
    *, location: Location, starts_on: datetime.date, ends_on: datetime.date, reason: str, created_by
) -> Closure:
    """Close a location from starts_on to ends_on (both included).

    Closures are authoritative: the planned activity dates in it are cancelled ("Gesloten:
    <reason>", remembering this closure) and their support shifts go where nobody is on them;
    shifts on those days have no open places and no gaps (volunteers.models.Shift). The
    location's row is locked first, so two identical closures posted at once are checked for
    overlap one after the other: the second is refused (LocationError "overlap")."""
    from activities.services import cancel_for_closure

    with transaction.atomic():
        if CLOSURE_LOCK:
            Location.objects.select_for_update().filter(pk=location.pk).values_list("pk").first()
        overlapping = Closure.objects.filter(location=location).covering(starts_on, ends_on).first()
        if overlapping is not None:
            raise LocationError("overlap", overlap_message(overlapping))
        closure = Closure.objects.create(
            location=location,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip(),
            created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        )
        cancelled = cancel_for_closure(closure)
        log_action(
            actor=created_by,
            action=AUDIT_CLOSURE_ADDED,
            location=location,
            subject=str(closure),
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
            cancelled_occurrences=len(cancelled),
        )
    return closure


def delete_closure(*, closure: Closure, deleted_by, today: datetime.date | None = None) -> None:
    """Remove a closure that has not begun yet; past and current ones stay (reports use them).
    The activity dates it cancelled (and nothing else did) are planned again."""
    from activities.services import restore_after_closure

    today = today or timezone.localdate()
    if closure.starts_on <= today:
        raise LocationError(
            "started", _("Deze sluiting is al begonnen of voorbij en blijft daarom staan.")
        )
    with transaction.atomic():
        restored = restore_after_closure(closure)
        log_action(
            actor=deleted_by,
            action=AUDIT_CLOSURE_DELETED,
            location=closure.location,
            subject=str(closure),
            starts_on=closure.starts_on.isoformat(),
            ends_on=closure.ends_on.isoformat(),
            restored_occurrences=len(restored),
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
    tablet=None,
    author_name: str = "",
) -> LogEntry:
    """One entry in a location's logbook, by a logged-in person (`author`) or by the location's
    paired tablet (`tablet`, with the first name the writer gave, if any); audited."""
    with transaction.atomic():
        entry = LogEntry.objects.create(
            location=location,
            author=author if getattr(author, "is_authenticated", False) else None,
            tablet=tablet,
            author_name=author_name.strip(),
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
            action=AuditEvent.Action.LOG_ENTRY_WRITTEN,
            location=location,
            subject=f"{entry.get_kind_display()} {entry.date:%d-%m-%Y}",
            entry=entry.pk,
            tablet=tablet.name if tablet is not None else "",
            author_name=entry.author_name,
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
    """The first day still kept: entries written before it are past the retention period."""
    today = today or timezone.localdate()
    return months_before(today, settings.LOGBOOK_RETENTION_MONTHS)


def purge_old_logbook_entries(*, now: datetime.datetime | None = None) -> int:
    """Delete the logbook entries written (created_at) more than
    settings.LOGBOOK_RETENTION_MONTHS ago; returns how many were deleted. Called by the
    retention command. By when they were written, not by the date they are about (a typo in
    that date must not delete a fresh entry), and an open follow-up is never deleted: it
    waits for the coordinator."""
    now = now or timezone.now()
    cutoff_day = logbook_cutoff(timezone.localdate(now))
    cutoff = timezone.make_aware(datetime.datetime.combine(cutoff_day, datetime.time.min))
    deleted, _per_model = (
        LogEntry.objects.filter(created_at__lt=cutoff)
        .exclude(pk__in=LogEntry.objects.open_follow_ups().values("pk"))
        .delete()
    )
    return deleted
