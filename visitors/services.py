"""Recording visits: one tap, never lost, never doubled. The tablet views, the form views and
the tests all go through these functions."""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.services import occurrence_for_visit
from buurtkamer.dates import years_before
from buurtkamer.errors import DomainError
from buurtkamer.models import AuditEvent, log_action
from buurtkamer.translated import name_in_active_language
from locations.models import Closure, DayPart, Location

from .models import (
    CameVia,
    FirstVisit,
    ManualTally,
    Referral,
    ReferralTarget,
    Source,
    Tablet,
    Visit,
    hash_token,
)
from .rollup import recount

UNDO_WINDOW = datetime.timedelta(minutes=10)
# An undo that waited in the tablet's queue (the wifi dropped) still counts from the moment it
# was tapped when it arrives within this time; later it is refused (the coordinator can void).
UNDO_MAX_WAIT = datetime.timedelta(hours=1)
# A queued tap keeps the moment it was tapped when the device's clock is plausible.
DEVICE_TIME_MAX_AGE = datetime.timedelta(hours=48)
DEVICE_TIME_MAX_AHEAD = datetime.timedelta(minutes=5)
# Writing "last seen" once a minute is enough, and spares a write per tap.
LAST_SEEN_RESOLUTION = datetime.timedelta(minutes=1)


class VisitError(DomainError):
    """A visit that cannot be recorded or undone; `message` is for the volunteer."""


@dataclass(frozen=True)
class VisitFacts:
    """The optional, anonymous facts a volunteer may add to a tap. came_via: the option or its
    id; one that no longer exists when the tap is stored is left out (record_visit)."""

    first_visit: str = FirstVisit.UNKNOWN
    age_band: str = ""
    came_via: CameVia | int | None = None


def _person(user):
    """The user to store as "who", or None for a tablet or an anonymous request."""
    return user if user is not None and user.is_authenticated else None


def moment_of_tap(
    tapped_at: datetime.datetime | None, now: datetime.datetime, *, device_sent_time=False
):
    """(moment, from_server): the device's moment when plausible, otherwise the server's."""
    if tapped_at is None or timezone.is_naive(tapped_at):
        # Marked when the device sent a time we could not use (unreadable, no time zone).
        return now, tapped_at is not None or device_sent_time
    if now - DEVICE_TIME_MAX_AGE <= tapped_at <= now + DEVICE_TIME_MAX_AHEAD:
        return tapped_at, False
    return now, True


def record_visit(
    *,
    location: Location,
    client_id: uuid.UUID,
    facts: VisitFacts = VisitFacts(),
    tapped_at: datetime.datetime | None = None,
    device_sent_time: bool = False,
    tablet: Tablet | None = None,
    user=None,
    occurrence=None,
) -> tuple[Visit, bool]:
    """Record one visitor; (visit, created). The same client_id again returns the first visit.

    occurrence: the id of the activity the visitor came for (the tablet's "komt voor" tag).
    Only a planned occurrence of this location on the tap's day is kept; anything else is
    left out, and the visitor is still counted; so is a "came via" option that is no longer
    there (removed while the tap waited in the tablet's queue; one switched off since still
    counts: it was on the screen when it was chosen), checked by the INSERT itself.

    The database's unique constraint on client_id decides between concurrent retries: the
    INSERT skips a client_id that is already there (ON CONFLICT DO NOTHING) and returns the
    new row's id only when this request stored it (Visit.objects.insert_unless_known). A new
    tap is one query (two when it names an activity); only a retry reads the first visit.
    """
    now = timezone.now()
    moment, from_server = moment_of_tap(tapped_at, now, device_sent_time=device_sent_time)
    local_time = timezone.localtime(moment)
    came_via = facts.came_via if facts.first_visit == FirstVisit.YES else None
    came_via_id = getattr(came_via, "pk", came_via)
    occurrence_id = getattr(occurrence, "pk", occurrence)
    named = occurrence_for_visit(location, occurrence_id, local_time.date())
    new_visit = Visit(
        client_id=client_id,
        location=location,
        recorded_at=moment,
        day_part=location.day_part_at(local_time),
        first_visit=facts.first_visit,
        age_band=facts.age_band,
        came_via_id=came_via_id,
        source=Source.TABLET,
        time_from_server=from_server,
        received_at=now,
        recorded_by_tablet=tablet,
        recorded_by=_person(user),
        occurrence=named,
    )
    if Visit.objects.insert_unless_known(new_visit, if_exists=("came_via",)):
        return new_visit, True
    visit = Visit.objects.get(client_id=client_id)
    if visit.location_id != location.pk:
        raise VisitError("other_location", _("Deze tik hoort bij een andere locatie."))
    return visit, False


def undo_visit(
    *,
    location: Location,
    client_id: uuid.UUID,
    tablet=None,
    user=None,
    undone_at: datetime.datetime | None = None,
) -> Visit:
    """Void a tap within 10 minutes of it; voiding twice is harmless. Never deletes.

    A tablet undoes only its own taps (not another tablet's, nor one tapped by a coordinator at
    the door). The undo counts from the server's clock, or, for an undo that waited in the
    tablet's queue, from the moment it was tapped (`undone_at`, by the device's clock). That
    moment is believed only within bounds, otherwise the undo is refused:

        undone_at  <=  tap's time + 10 minutes     the tap's own undo window
        undone_at  >=  now - 1 hour                 it waited in the queue at most an hour
        undone_at  <=  now + 5 minutes              not in the future
        undone_at  >=  tap's time - 5 minutes       not before the tap

    The 5 minutes are the clock tolerance a tap's own time already has (DEVICE_TIME_MAX_AHEAD):
    a device's clock may be a little off from the server's, which timed some taps. An undo
    before its tap or from the future is refused as "bad_time", one outside the windows as
    "too_late". An undone_at that cannot be read (or has no time zone), or one for a tap whose
    own time came from the server because the device's clock was off, is ignored: then the
    server's clock counts, and the tap must be at most 10 minutes old.
    """
    with transaction.atomic():
        visit = (
            Visit.objects.select_for_update()
            .filter(location=location, client_id=client_id, source=Source.TABLET)
            .first()
        )
        if visit is None:
            raise VisitError("unknown", _("Deze tik is niet gevonden."))
        if tablet is not None and visit.recorded_by_tablet_id != tablet.pk:
            raise VisitError(
                "not_yours",
                _(
                    "Deze tik is niet met deze tablet gedaan. Vraag je coördinator om hem "
                    "weg te halen."
                ),
            )
        if visit.is_voided:
            return visit
        now = timezone.now()
        _check_undo_moment(visit, undone_at, now)
        visit.voided_at = now
        visit.voided_by = _person(user)
        visit.voided_by_tablet = tablet
        visit.save(update_fields=["voided_at", "voided_by", "voided_by_tablet"])
        log_action(
            actor=user,
            action=AuditEvent.Action.VISIT_VOIDED,
            location=location,
            subject=str(visit.client_id),
            tablet=tablet.name if tablet else "",
        )
    return visit


def _check_undo_moment(visit: Visit, undone_at, now: datetime.datetime) -> None:
    """Raise VisitError unless the undo falls in the bounds undo_visit describes."""
    too_late = VisitError(
        "too_late", _("Ongedaan maken kan tot 10 minuten na de tik. Vraag je coördinator.")
    )
    device_time = (
        undone_at is not None and not timezone.is_naive(undone_at) and not visit.time_from_server
    )
    if not device_time:
        if now - visit.recorded_at > UNDO_WINDOW:
            raise too_late
        return
    tolerance = DEVICE_TIME_MAX_AHEAD
    if undone_at > now + tolerance or undone_at < visit.recorded_at - tolerance:
        raise VisitError(
            "bad_time",
            _(
                "Ongedaan maken lukt niet: de klok van deze tablet klopt niet. Vraag je "
                "coördinator."
            ),
        )
    if undone_at - visit.recorded_at > UNDO_WINDOW or undone_at < now - UNDO_MAX_WAIT:
        raise too_late


def counts_on(location: Location, date: datetime.date) -> dict:
    """{"total": n, "morning": n, "afternoon": n, "evening": n} of counted visits, one query."""
    rows = (
        Visit.objects.counted()
        .at(location)
        .on(date)
        .order_by()
        .values_list("day_part")
        .annotate(n=Count("id"))
    )
    counts = {part.value: 0 for part in DayPart}
    counts.update(dict(rows))
    return {"total": sum(counts.values()), **counts}


def recent_taps(location: Location, *, tablet: Tablet | None = None, limit: int = 5) -> list[Visit]:
    """The latest tablet taps that can still be undone, newest first: on a tablet only its own
    (it may undo no others), at the door for a coordinator all of them. With what each was
    (Visit.summary), in one query."""
    since = timezone.now() - UNDO_WINDOW
    taps = (
        Visit.objects.counted()
        .at(location)
        .filter(source=Source.TABLET, recorded_at__gte=since)
        .select_related("came_via", "occurrence__activity")
    )
    if tablet is not None:
        taps = taps.filter(recorded_by_tablet=tablet)
    return list(taps.order_by("-recorded_at")[:limit])


# Tablets -------------------------------------------------------------------------------------


def pair_tablet(
    *, location: Location, name: str, paired_by, language: str = settings.LANGUAGE_CODE
) -> tuple[Tablet, str]:
    """A new tablet for a location, speaking `language`; returns it with the token for the
    device's cookie."""
    token = Tablet.new_token()
    with transaction.atomic():
        tablet = Tablet.objects.create(
            location=location,
            name=name,
            token_hash=hash_token(token),
            paired_by=paired_by,
            language=language,
        )
        log_action(
            actor=paired_by,
            action=AuditEvent.Action.TABLET_PAIRED,
            location=location,
            subject=name,
            language=language,
        )
    return tablet, token


def set_tablet_language(*, tablet: Tablet, language: str, changed_by) -> bool:
    """The tablet's pages speak `language` from its next request on, audited. False (nothing
    written) when it already did: a second click changes nothing; the last choice wins."""
    with transaction.atomic():
        changed = (
            Tablet.objects.filter(pk=tablet.pk).exclude(language=language).update(language=language)
        )
        if changed:
            log_action(
                actor=changed_by,
                action=AuditEvent.Action.TABLET_LANGUAGE_CHANGED,
                location=tablet.location,
                subject=tablet.name,
                language=language,
            )
    tablet.language = language
    return bool(changed)


def tablet_of_request(request) -> Tablet | None:
    """The tablet whose cookie this request carries (also a revoked one), looked up once."""
    if not hasattr(request, "_tablet"):
        request._tablet = tablet_for_token(request.COOKIES.get(settings.TABLET_COOKIE_NAME))
    return request._tablet


def tablet_for_token(token: str | None) -> Tablet | None:
    """The tablet a device's cookie belongs to (also a revoked one), or None."""
    if not token:
        return None
    return Tablet.objects.with_location_of_token_hash(hash_token(token))


def mark_seen(tablet: Tablet) -> None:
    now = timezone.now()
    if tablet.last_seen_at is None or now - tablet.last_seen_at >= LAST_SEEN_RESOLUTION:
        Tablet.objects.filter(pk=tablet.pk).update(last_seen_at=now)
        tablet.last_seen_at = now


def revoke_tablet(*, tablet: Tablet, revoked_by) -> Tablet:
    if not tablet.is_paired:
        return tablet
    with transaction.atomic():
        tablet.revoked_at = timezone.now()
        tablet.revoked_by = revoked_by
        tablet.save(update_fields=["revoked_at", "revoked_by"])
        log_action(
            actor=revoked_by,
            action=AuditEvent.Action.TABLET_REVOKED,
            location=tablet.location,
            subject=tablet.name,
        )
    return tablet


# Manual tallies ------------------------------------------------------------------------------

# The moment a tallied visit is filed under: the middle of the day-part's usual hours.
TALLY_TIME = {
    DayPart.MORNING: datetime.time(10, 30),
    DayPart.AFTERNOON: datetime.time(15, 0),
    DayPart.EVENING: datetime.time(20, 0),
}


def tally_visits(tally: ManualTally, user) -> list[Visit]:
    """The (unsaved) visits a tally stands for, filed at the day-part's TALLY_TIME."""
    moment = timezone.make_aware(
        datetime.datetime.combine(tally.date, TALLY_TIME[DayPart(tally.day_part)])
    )
    return [
        Visit(
            location_id=tally.location_id,
            recorded_at=moment,
            recorded_on=tally.date,
            day_part=tally.day_part,
            # The rest are not known to be first visits: "0 first visits" is also what a
            # coordinator enters who does not know.
            first_visit=FirstVisit.YES if number < tally.first_visits else FirstVisit.UNKNOWN,
            source=Source.MANUAL,
            client_id=uuid.uuid4(),
            recorded_by=user,
            tally=tally,
        )
        for number in range(tally.visitors)
    ]


def _void_tally_visits(tally: ManualTally, user) -> None:
    tally.visits.filter(voided_at__isnull=True).update(voided_at=timezone.now(), voided_by=user)


def active_tally(location: Location, date: datetime.date, day_part: str) -> ManualTally | None:
    """The tally that counts for a day-part, if any: there is at most one."""
    return ManualTally.objects.filter(
        location=location, date=date, day_part=day_part, voided_at__isnull=True
    ).first()


@dataclass(frozen=True)
class TallyDoubts:
    """What a coordinator is asked to confirm before a tally is saved."""

    closure: Closure | None = None
    tablet_visits: int = 0

    def __bool__(self):
        return self.closure is not None or self.tablet_visits > 0


def tally_doubts(location: Location, date: datetime.date, day_part: str) -> TallyDoubts:
    """Was the location closed that day, or did the tablet already count visitors then?"""
    closure = Closure.objects.filter(location=location).covering(date).order_by("starts_on")
    tablet = (
        Visit.objects.counted()
        .at(location)
        .on(date)
        .filter(day_part=day_part, source=Source.TABLET)
        .count()
    )
    return TallyDoubts(closure=closure.first(), tablet_visits=tablet)


def record_tally(
    *,
    location: Location,
    date: datetime.date,
    day_part: str,
    visitors: int,
    first_visits: int,
    user,
) -> ManualTally:
    """A count entered afterwards: one manual visit per visitor.

    A day-part has at most one active tally (the database's constraint decides, also between
    two requests at once): a second one raises VisitError("already_tallied"); the earlier
    tally is on the error as `tally`, to be corrected instead.
    """
    try:
        with transaction.atomic():
            tally = ManualTally.objects.create(
                location=location,
                date=date,
                day_part=day_part,
                visitors=visitors,
                first_visits=first_visits,
                created_by=user,
            )
            Visit.objects.bulk_create(tally_visits(tally, user))
            recount(location.pk, date)  # a settled day's roll-up (visitors/rollup.py)
            log_action(
                actor=user,
                action=AuditEvent.Action.TALLY_RECORDED,
                location=location,
                subject=str(tally),
            )
    except IntegrityError:
        error = VisitError(
            "already_tallied",
            _("Voor dit dagdeel is al een turflijst. Corrigeer die in plaats van een nieuwe."),
        )
        error.tally = active_tally(location, date, day_part)
        if error.tally is None:  # not the one-per-day-part rule: let it be seen
            raise
        raise error from None
    return tally


def correct_tally(*, tally: ManualTally, visitors: int, first_visits: int, user) -> ManualTally:
    """Replace a tally's numbers: its old visits are voided (kept), new ones recorded."""
    with transaction.atomic():
        tally = ManualTally.objects.select_for_update().get(pk=tally.pk)
        if tally.voided_at is not None:
            raise VisitError(
                "voided", _("Deze turflijst is vervallen en kan niet meer worden gewijzigd.")
            )
        old = (tally.visitors, tally.first_visits)
        _void_tally_visits(tally, user)
        tally.visitors, tally.first_visits = visitors, first_visits
        tally.save(update_fields=["visitors", "first_visits"])
        Visit.objects.bulk_create(tally_visits(tally, user))
        recount(tally.location_id, tally.date)
        log_action(
            actor=user,
            action=AuditEvent.Action.TALLY_CORRECTED,
            location=tally.location,
            subject=str(tally),
            old=list(old),
            new=[visitors, first_visits],
        )
    return tally


def void_tally(*, tally: ManualTally, user) -> ManualTally:
    with transaction.atomic():
        tally = ManualTally.objects.select_for_update().get(pk=tally.pk)
        if tally.voided_at is not None:
            return tally
        tally.voided_at = timezone.now()
        tally.voided_by = user
        tally.save(update_fields=["voided_at", "voided_by"])
        _void_tally_visits(tally, user)
        recount(tally.location_id, tally.date)
        log_action(
            actor=user,
            action=AuditEvent.Action.TALLY_VOIDED,
            location=tally.location,
            subject=str(tally),
        )
    return tally


# Referrals -----------------------------------------------------------------------------------


def record_referral(*, location: Location, target: ReferralTarget, user=None) -> Referral:
    with transaction.atomic():
        referral = Referral.objects.create(
            location=location,
            date=timezone.localdate(),
            target=target,
            created_by=_person(user),
        )
        log_action(
            actor=user,
            action=AuditEvent.Action.REFERRAL_RECORDED,
            location=location,
            subject=str(referral),
        )
    return referral


def undo_referral(*, referral: Referral, user) -> Referral:
    """Void a "+1" within 10 minutes of it, like a tap (UNDO_WINDOW); twice is harmless."""
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update().select_related("location").get(pk=referral.pk)
        )
        if referral.voided_at is not None:
            return referral
        now = timezone.now()
        if now - referral.created_at > UNDO_WINDOW:
            raise VisitError("too_late", _("Ongedaan maken kan tot 10 minuten na het tellen."))
        referral.voided_at, referral.voided_by = now, _person(user)
        referral.save(update_fields=["voided_at", "voided_by"])
        log_action(
            actor=user,
            action=AuditEvent.Action.REFERRAL_VOIDED,
            location=referral.location,
            subject=str(referral),
        )
    return referral


def undoable_referrals(location: Location) -> list[Referral]:
    """Today's "+1"s that can still be undone, newest first."""
    since = timezone.now() - UNDO_WINDOW
    return list(
        Referral.objects.counted()
        .filter(location=location, created_at__gte=since)
        .select_related("target")
        .order_by("-created_at")[:10]
    )


# Stories ---------------------------------------------------------------------------------------


def add_story(*, story, location: Location, user):
    """Save a new story (an unsaved Story from the form) for a location."""
    with transaction.atomic():
        story.location = location
        story.created_by = _person(user)
        story.save()
        log_action(
            actor=user,
            action=AuditEvent.Action.STORY_ADDED,
            location=location,
            subject=str(story),
        )
    return story


def change_story(*, story, user):
    with transaction.atomic():
        story.save()
        log_action(
            actor=user,
            action=AuditEvent.Action.STORY_CHANGED,
            location=story.location,
            subject=str(story),
        )
    return story


def delete_story(*, story, user) -> None:
    with transaction.atomic():
        log_action(
            actor=user,
            action=AuditEvent.Action.STORY_DELETED,
            location=story.location,
            subject=str(story),
        )
        story.delete()


# Coordinator pages: a day's figures, referrals, recent tallies (visitors/views/manage.py) -----

TALLY_MAX_VISITORS = 500
TALLY_LIST_WEEKS = 8


def earliest_tally_date(today: datetime.date) -> datetime.date:
    """A tally may be entered for at most one year back: the same day last year."""
    return years_before(today)


@dataclass(frozen=True)
class Figures:
    """Visits of one hour or day-part: those that count, and those undone (kept, not counted)."""

    counted: int = 0
    voided: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(self.counted + other.counted, self.voided + other.voided)


@dataclass(frozen=True)
class DayFigures:
    total: Figures
    day_parts: list[tuple[DayPart, Figures]]  # ochtend, middag, avond, all three
    hours: list[tuple[int, Figures]]  # every hour from the first to the last visit


def day_figures(location: Location, date: datetime.date) -> DayFigures:
    """A location's visits of one day per local hour and per day-part, in one query."""
    rows = (
        Visit.objects.at(location)
        .on(date)
        .annotate(hour=ExtractHour("recorded_at"))
        .values("hour", "day_part")
        .annotate(
            counted=Count("id", filter=Q(voided_at__isnull=True)),
            voided=Count("id", filter=Q(voided_at__isnull=False)),
        )
        .order_by()
    )
    by_hour: dict[int, Figures] = {}
    by_part = {part: Figures() for part in DayPart}
    for row in rows:
        figures = Figures(row["counted"], row["voided"])
        by_hour[row["hour"]] = by_hour.get(row["hour"], Figures()) + figures
        by_part[DayPart(row["day_part"])] += figures
    hours = []
    if by_hour:
        hours = [
            (hour, by_hour.get(hour, Figures())) for hour in range(min(by_hour), max(by_hour) + 1)
        ]
    total = sum(by_part.values(), Figures())
    return DayFigures(total=total, day_parts=list(by_part.items()), hours=hours)


def visits_of_day(location: Location, date: datetime.date):
    """Every visit of one day, also the undone ones, newest first; one query."""
    return (
        Visit.objects.at(location)
        .on(date)
        .select_related("came_via", "recorded_by_tablet")
        .order_by("-recorded_at", "-pk")
    )


def referral_counts(location: Location, date: datetime.date) -> list[dict]:
    """[{"name": target, "count": n}] of one day's referrals, in the list's order; one query."""
    rows = (
        Referral.objects.counted()
        .filter(location=location, date=date)
        .annotate(name=name_in_active_language("target"))
        .values("name", "target__position", "target__name")
        .annotate(count=Count("id"))
        .order_by("target__position", "target__name")
    )
    return [{"name": row["name"], "count": row["count"]} for row in rows]


def recent_tallies(location: Location, today: datetime.date):
    """The tallies of the last weeks, also the voided ones: newest day first, then by day-part."""
    since = today - datetime.timedelta(weeks=TALLY_LIST_WEEKS)
    part_order = Case(
        *(When(day_part=part.value, then=Value(index)) for index, part in enumerate(DayPart)),
        output_field=IntegerField(),
    )
    return (
        ManualTally.objects.filter(location=location, date__gte=since)
        .select_related("created_by", "voided_by")
        .order_by("-date", part_order, "created_at")
    )
