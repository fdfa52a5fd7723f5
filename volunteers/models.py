"""Volunteers: their profile and onboarding, shift templates, shifts and who takes them.

A shift is one task (host, shift lead, kitchen, activity support) at one location on one date and
day-part, with a minimum and a maximum number of volunteers. Regular shifts come from the shift
templates and the opening hours; extra ones (activity support, added by hand) may sit beside them.
An assignment is one person on one shift; cancelling keeps the row (with the reason and whether it
was late), so the history's numbers stay.
"""

import datetime
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from locations.models import DayPart, Location, Weekday


class Status(models.TextChoices):
    ASPIRANT = "aspirant", _("aspirant")
    INTAKE = "intake", _("intake")
    ACTIVE = "active", _("actief")
    PAUSED = "paused", _("gepauzeerd")
    STOPPED = "stopped", _("gestopt")


class Task(models.TextChoices):
    SHIFT_LEAD = "lead", _("dagverantwoordelijke")
    HOST = "host", _("gastvrouw/gastheer")
    KITCHEN = "kitchen", _("keuken")
    ACTIVITY = "activity", _("activiteitbegeleiding")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class VolunteerProfile(models.Model):
    """What is the person's own, one per person: their phone, their preferences and the secret of
    their personal calendar feed. What a coordinator records about them (status and its history,
    VOG date, buddy, notes) belongs to their membership of a location: MemberRecord."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persoon"),
        on_delete=models.CASCADE,
        related_name="volunteer_profile",
    )
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    # Lists of Task, Weekday and DayPart values.
    preferred_tasks = models.JSONField(_("taken die ik graag doe"), default=list, blank=True)
    preferred_weekdays = models.JSONField(_("voorkeursdagen"), default=list, blank=True)
    preferred_day_parts = models.JSONField(_("voorkeursdagdelen"), default=list, blank=True)
    calendar_token = models.CharField(
        _("agendasleutel"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    anonymised_at = models.DateTimeField(_("geanonimiseerd op"), null=True, blank=True)
    # Bumped by the person's own saves of their profile (buurtkamer/versions.py): two
    # tabs or devices saving at once cannot silently undo each other's change.
    version = models.PositiveIntegerField(_("versie"), default=0, editable=False)

    class Meta:
        verbose_name = _("vrijwilligersprofiel")
        verbose_name_plural = _("vrijwilligersprofielen")

    def __str__(self):
        return str(self.user)


class MemberRecord(models.Model):
    """What the coordinators of one location record about one of their members: the onboarding
    status (with its history in StatusChange), VOG date, buddy and notes. One per membership, so
    Dokkum's coordinators see and change only Dokkum's; stopping at Dokkum leaves Burgum alone.
    A membership without a record yet counts as aspirant since the membership began."""

    membership = models.OneToOneField(
        "locations.Membership",
        verbose_name=_("lidmaatschap"),
        on_delete=models.CASCADE,
        related_name="volunteer_record",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ASPIRANT)
    status_since = models.DateField(_("status sinds"), default=timezone.localdate)
    vog_received_on = models.DateField(_("VOG ontvangen op"), null=True, blank=True)
    buddy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buddy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buddy_in_records",
    )
    notes = models.TextField(_("notities (alleen coördinatoren van deze locatie)"), blank=True)
    # Raised by every save of the VOG date, buddy or notes: two coordinators editing at once
    # cannot overwrite each other (profiles.save_details).
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("gegevens per locatie")
        verbose_name_plural = _("gegevens per locatie")

    def __str__(self):
        return str(self.membership)


class StatusChange(models.Model):
    """The status history at one location: aspirant since, intake on, active from, paused,
    stopped. `since` is the date the coordinator chose; `changed_at` when it was recorded."""

    record = models.ForeignKey(
        MemberRecord,
        verbose_name=_("gegevens per locatie"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    since = models.DateField(_("sinds"), default=timezone.localdate)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gewijzigd door"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("gewijzigd op"), default=timezone.now)

    class Meta:
        verbose_name = _("statuswijziging")
        verbose_name_plural = _("statuswijzigingen")
        ordering = ["record", "-since", "-changed_at"]

    def __str__(self):
        return f"{self.record} {self.get_status_display()} {self.since}"


class Training(models.Model):
    """A training the person followed. It is the person's (a first-aid course counts at every
    location): coordinators of every location where they are a current member see it; only the
    location that recorded it (`location`) may remove it (older ones, without a location: any
    of their locations)."""

    profile = models.ForeignKey(
        VolunteerProfile,
        verbose_name=_("vrijwilliger"),
        on_delete=models.CASCADE,
        related_name="trainings",
    )
    name = models.CharField(_("training"), max_length=120)
    followed_on = models.DateField(_("gevolgd op"))
    location = models.ForeignKey(
        Location,
        verbose_name=_("vastgelegd bij"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainingen")
        ordering = ["profile", "-followed_on"]

    def __str__(self):
        return f"{self.name} ({self.followed_on})"


class RosterFeedToken(models.Model):
    """The secret of one person's calendar feed of one location's roster: its own secret, not the
    person's personal one, so a personal link never opens a roster. Only works while the person
    may manage the location (buurtkamer.permissions)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persoon"),
        on_delete=models.CASCADE,
        related_name="roster_feed_tokens",
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("locatie"),
        on_delete=models.CASCADE,
        related_name="roster_feed_tokens",
    )
    token = models.CharField(
        _("agendasleutel"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    class Meta:
        verbose_name = _("agendasleutel rooster")
        verbose_name_plural = _("agendasleutels rooster")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "location"], name="rosterfeedtoken_one_per_user_location"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.location}"


class ShiftTemplate(models.Model):
    """How many volunteers a task needs on a weekday and day-part at a location."""

    location = models.ForeignKey(
        Location,
        verbose_name=_("locatie"),
        on_delete=models.CASCADE,
        related_name="shift_templates",
    )
    weekday = models.PositiveSmallIntegerField(_("dag"), choices=Weekday)
    day_part = models.CharField(_("dagdeel"), max_length=10, choices=DayPart)
    task = models.CharField(_("taak"), max_length=10, choices=Task)
    minimum = models.PositiveSmallIntegerField(_("minimaal"), default=1)
    maximum = models.PositiveSmallIntegerField(_("maximaal"), default=1)

    class Meta:
        verbose_name = _("roostersjabloon")
        verbose_name_plural = _("roostersjablonen")
        ordering = ["location", "weekday", "day_part", "task"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "weekday", "day_part", "task"],
                name="shifttemplate_one_per_slot_task",
            ),
            models.CheckConstraint(
                condition=Q(minimum__lte=models.F("maximum")) & Q(maximum__gte=1),
                name="shifttemplate_minimum_within_maximum",
            ),
        ]

    def __str__(self):
        return (
            f"{self.location} {self.get_weekday_display()} {self.get_day_part_display()} "
            f"{self.get_task_display()} {self.minimum}–{self.maximum}"
        )


def understaffed_q() -> Q:
    """Shift.is_understaffed as a condition on shifts annotated by ShiftQuerySet.with_state()
    (ShiftQuerySet.understaffed)."""
    return Q(closed=False, taken__lt=models.F("minimum"))


def _closed_here():
    from locations.models import Closure

    return models.Exists(Closure.objects.on(OuterRef("location"), OuterRef("date")))


class ShiftQuerySet(models.QuerySet):
    def with_taken(self):
        """Annotate `taken`: how many assignments still stand."""
        return self.annotate(taken=models.Count("assignments", filter=standing_q("assignments__")))

    def with_state(self):
        """Annotate `taken` and `closed` (its location is closed on its date): what
        Shift.is_understaffed and Shift.places_left read."""
        return self.with_taken().annotate(closed=_closed_here())

    def on_open_days(self):
        """Shifts whose location is not closed on their date."""
        return self.exclude(_closed_here())

    def on_closed_days(self):
        return self.filter(_closed_here())

    def understaffed(self):
        """Shifts below their minimum on a day their location is open (the rule of
        Shift.is_understaffed, in SQL)."""
        return self.with_state().filter(understaffed_q())

    def with_open_places(self):
        """Shifts with places left on a day their location is open (the rule of
        Shift.places_left, in SQL), annotated with `taken` and `closed`."""
        return self.with_state().filter(closed=False, taken__lt=models.F("maximum"))


class Shift(models.Model):
    """One task at one location on one date and day-part, from one time to another."""

    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="shifts"
    )
    date = models.DateField(_("datum"))
    day_part = models.CharField(_("dagdeel"), max_length=10, choices=DayPart)
    task = models.CharField(_("taak"), max_length=10, choices=Task)
    starts_at = models.TimeField(_("begint om"))
    ends_at = models.TimeField(_("eindigt om"))
    minimum = models.PositiveSmallIntegerField(_("minimaal"), default=1)
    maximum = models.PositiveSmallIntegerField(_("maximaal"), default=1)
    # Regular: made from a template (at most one per slot and task). Extra: activity support
    # or added by hand.
    regular = models.BooleanField(_("vaste dienst"), default=True)
    title = models.CharField(_("omschrijving"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    # When the coordinator was told it is still below its minimum or without a shift lead.
    understaffed_alert_sent_at = models.DateTimeField(
        _("onderbezetting gemeld op"), null=True, blank=True
    )

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("dienst")
        verbose_name_plural = _("diensten")
        ordering = ["date", "starts_at", "location", "task"]
        indexes = [models.Index(fields=["location", "date"], name="shift_location_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "date", "day_part", "task"],
                condition=Q(regular=True),
                name="shift_one_regular_per_slot_task",
            ),
            models.CheckConstraint(
                condition=Q(minimum__lte=models.F("maximum")) & Q(maximum__gte=1),
                name="shift_minimum_within_maximum",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="shift_starts_before_it_ends",
            ),
        ]

    def __str__(self):
        return (
            f"{self.location} {self.date} {self.get_day_part_display()} {self.get_task_display()}"
        )

    def start_datetime(self) -> datetime.datetime:
        """When the shift starts, as an aware Europe/Amsterdam datetime."""
        return datetime.datetime.combine(
            self.date, self.starts_at, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )

    def end_datetime(self) -> datetime.datetime:
        """When the shift ends, as an aware Europe/Amsterdam datetime."""
        return datetime.datetime.combine(
            self.date, self.ends_at, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )

    def has_started(self, now=None) -> bool:
        return self.start_datetime() <= (now or timezone.now())

    # Staffing: read `taken` and `closed`, from ShiftQuerySet.with_state() or set by a list
    # that counted them itself (the roster grid). One rule for every page, feed and e-mail.

    @property
    def is_understaffed(self) -> bool:
        """Below its minimum, on a day the location is open (a closed day has no gaps)."""
        return not self.closed and self.taken < self.minimum

    @property
    def places_needed(self) -> int:
        """Places still to take before it reaches its minimum (0 when it is not understaffed)."""
        return self.minimum - self.taken if self.is_understaffed else 0

    @property
    def places_left(self) -> int:
        """Places still to take: none on a closed day, none once full."""
        return 0 if self.closed else max(self.maximum - self.taken, 0)

    @property
    def slot_key(self) -> tuple:
        return (self.location_id, self.date, self.day_part)


def day_parts_without_lead(shifts) -> set[tuple]:
    """{(location id, date, day-part)} of the day-parts among `shifts` (with `taken` and
    `closed`) that lack a shift lead.

    A day-part needs a shift lead when it has a shift-lead shift (made from a lead template,
    or added by hand); it lacks one when the location is open that day and nobody stands on
    any of its lead shifts. A day-part without a lead shift - every day-part of a location
    without a lead template - has no lead requirement, so it never lacks one. The grid, the
    wall roster, the dashboards and send_roster_alerts all ask this function."""
    staffed: dict[tuple, bool] = {}
    for shift in shifts:
        if shift.task == Task.SHIFT_LEAD and not shift.closed:
            staffed[shift.slot_key] = staffed.get(shift.slot_key, False) or shift.taken > 0
    return {key for key, has_lead in staffed.items() if not has_lead}


class Attendance(models.TextChoices):
    ATTENDED = "attended", _("aanwezig")
    NO_SHOW = "no_show", _("niet gekomen")


def standing_q(prefix: str = "") -> Q:
    """The one condition for an assignment that still stands (not cancelled); `prefix` for a
    join, e.g. "assignments__" from the shift. Querysets: Assignment.objects.active()."""
    return Q(**{f"{prefix}cancelled_at__isnull": True})


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        """Assignments that still stand (not cancelled)."""
        return self.filter(standing_q())


class Assignment(models.Model):
    """One person on one shift: taken by themselves or assigned by a coordinator."""

    shift = models.ForeignKey(
        Shift, verbose_name=_("dienst"), on_delete=models.CASCADE, related_name="assignments"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vrijwilliger"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingedeeld door"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ingeschreven op"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("afgemeld op"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("afgemeld door"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reden van afmelden"), max_length=300, blank=True)
    cancelled_late = models.BooleanField(_("laat afgemeld"), default=False)
    attendance = models.CharField(_("aanwezigheid"), max_length=10, choices=Attendance, blank=True)
    reminded_at = models.DateTimeField(_("herinnering verstuurd op"), null=True, blank=True)
    # For a cancelled assignment: when the open place was announced to the others.
    gap_announced_at = models.DateTimeField(_("open plek gemeld op"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("indeling")
        verbose_name_plural = _("indelingen")
        ordering = ["shift", "created_at"]
        indexes = [
            models.Index(fields=["volunteer", "shift"], name="assignment_volunteer_shift"),
            # The coordinator's dashboard lists the recent late cancellations: a few among all
            # the assignments of the years (volunteers/dashboard.py), found without a scan.
            models.Index(
                fields=["cancelled_at"],
                condition=Q(cancelled_late=True),
                name="assignment_late_cancelled",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=Q(cancelled_at__isnull=True),
                name="assignment_one_active_per_shift_person",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} – {self.shift}"

    @property
    def is_active(self):
        return self.cancelled_at is None
