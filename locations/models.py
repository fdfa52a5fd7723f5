"""Locations (the buurtkamers), their opening hours, and who works where in which role."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Weekday(models.IntegerChoices):
    """ISO weekday numbers, as `date.isoweekday()` gives them."""

    MONDAY = 1, _("maandag")
    TUESDAY = 2, _("dinsdag")
    WEDNESDAY = 3, _("woensdag")
    THURSDAY = 4, _("donderdag")
    FRIDAY = 5, _("vrijdag")
    SATURDAY = 6, _("zaterdag")
    SUNDAY = 7, _("zondag")


class DayPart(models.TextChoices):
    MORNING = "morning", pgettext_lazy("dagdeel", "ochtend")
    AFTERNOON = "afternoon", pgettext_lazy("dagdeel", "middag")
    EVENING = "evening", pgettext_lazy("dagdeel", "avond")

    @classmethod
    def at(cls, moment: datetime.time) -> "DayPart":
        """The day-part a time of day falls in: before 12:00, before 18:00, or later."""
        if moment.hour < 12:
            return cls.MORNING
        if moment.hour < 18:
            return cls.AFTERNOON
        return cls.EVENING


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("vrijwilliger")
    COORDINATOR = "coordinator", _("coördinator")


class LocationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def search(self, text: str):
        """The locations whose name, town or municipality contains `text` (any case); all of
        them for an empty text."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(town__icontains=text) | Q(municipality__icontains=text)
        )

    def with_counts(self, **rows):
        """Each name annotated with how many rows of its queryset (of a model with a `location`
        foreign key) belong to the location, 0 when none: counts in the same query as the
        locations, e.g. `.with_counts(team_size=Membership.objects.current())`. The rule of
        which rows count stays with the queryset passed in."""
        return self.annotate(
            **{
                name: Coalesce(
                    models.Subquery(
                        queryset.filter(location=models.OuterRef("pk"))
                        .order_by()
                        .values("location")
                        .annotate(n=models.Count("pk"))
                        .values("n")
                    ),
                    0,
                )
                for name, queryset in rows.items()
            }
        )


class Location(models.Model):
    name = models.CharField(_("naam"), max_length=100)
    slug = models.SlugField(_("korte naam in de URL"), max_length=60, unique=True)
    town = models.CharField(_("plaats"), max_length=100)
    municipality = models.CharField(_("gemeente"), max_length=100)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    postal_code = models.CharField(_("postcode"), max_length=10, blank=True)
    active = models.BooleanField(_("actief"), default=True)
    house_rules = models.TextField(
        _("huisregels"),
        blank=True,
        help_text=_("Korte zinnen, één afspraak per regel."),
    )

    # Bumped by the saves of the house rules and address, and of the opening hours
    # (buurtkamer/versions.py): two people editing at once cannot undo each other's change.
    version = models.PositiveIntegerField(_("versie"), default=0, editable=False)
    opening_hours_version = models.PositiveIntegerField(
        _("versie van de openingstijden"), default=0, editable=False
    )

    objects = LocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("locations:detail", kwargs={"slug": self.slug})

    def closure_on(self, day: datetime.date) -> "Closure | None":
        """The closure covering `day` here, or None when the location is not closed then."""
        return Closure.objects.on(self, day).first()

    def opening_slots(self) -> dict[tuple[int, str], "OpeningHours"]:
        """{(weekday, day-part): OpeningHours}: the one source of a regular shift's times."""
        return {(row.weekday, row.day_part): row for row in self.opening_hours.all()}

    def day_part_at(self, moment: datetime.datetime) -> "DayPart":
        """The day-part a local moment belongs to here: the opening slot it falls in, or else
        the clock's (before 12:00, before 18:00, later)."""
        slots = self.opening_hours.filter(weekday=moment.isoweekday()).order_by()
        for day_part, opens_at, closes_at in slots.values_list("day_part", "opens_at", "closes_at"):
            if opens_at <= moment.time() <= closes_at:
                return DayPart(day_part)
        return DayPart.at(moment.time())


class OpeningHours(models.Model):
    """One day-part a location is open on a weekday, from one time to another."""

    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("dag"), choices=Weekday)
    day_part = models.CharField(_("dagdeel"), max_length=10, choices=DayPart)
    opens_at = models.TimeField(_("open vanaf"))
    closes_at = models.TimeField(_("open tot"))

    class Meta:
        verbose_name = _("openingstijd")
        verbose_name_plural = _("openingstijden")
        ordering = ["location", "weekday", "opens_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "weekday", "day_part"],
                name="openinghours_one_per_location_weekday_daypart",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")),
                name="openinghours_opens_before_closing",
            ),
        ]

    def __str__(self):
        return (
            f"{self.location} {self.get_weekday_display()} {self.get_day_part_display()} "
            f"{self.opens_at:%H:%M}–{self.closes_at:%H:%M}"
        )


def current_membership_q(prefix: str = "") -> Q:
    """The one condition for a current membership: not ended and not an invitation that waits
    for the person's consent. `prefix` for a join, e.g. "memberships__" from the user."""
    return Q(**{f"{prefix}ended_at__isnull": True, f"{prefix}pending": False})


class MembershipQuerySet(models.QuerySet):
    def current(self):
        """Memberships that give access: never an invitation that is not accepted yet."""
        return self.filter(current_membership_q())

    def invitations(self):
        """Invitations that wait for the person's yes or no (they give no access at all)."""
        return self.filter(ended_at__isnull=True, pending=True)

    def with_role(self, role):
        """Those in one role (Role.VOLUNTEER or Role.COORDINATOR); after current(): the
        current members of that role, e.g. `.current().filter(location=x).with_role(...)`."""
        return self.filter(role=role)

    def coordinators(self):
        """The current coordinators (of every location; filter on location for one)."""
        return self.current().with_role(Role.COORDINATOR)


class Membership(models.Model):
    """A person's role at one location. Ending it keeps the row for the history.

    While `pending`, it is only an invitation (the person has not said yes yet): it grants
    nothing anywhere and `current()` leaves it out. At most one open (not ended) row per person
    and location, pending or not."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persoon"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role, default=Role.VOLUNTEER)
    started_at = models.DateTimeField(_("begonnen op"), default=timezone.now)
    ended_at = models.DateTimeField(_("beëindigd op"), null=True, blank=True)
    # An invitation of someone who already had an account: it gives no access until that
    # person accepts it (then pending becomes False), and ends when they decline it.
    pending = models.BooleanField(
        _("wacht op akkoord"),
        default=False,
        help_text=_("Uitgenodigd, maar nog niet geaccepteerd: geeft nog geen toegang."),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        ordering = ["location", "role", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "location"],
                condition=Q(ended_at__isnull=True),
                name="membership_one_current_per_user_location",
            ),  # also the index behind every permission check
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.location}"

    @property
    def is_current(self):
        return self.ended_at is None and not self.pending

    @property
    def is_open_invitation(self):
        return self.ended_at is None and self.pending


class ClosureQuerySet(models.QuerySet):
    def covering(self, start: datetime.date, end: datetime.date | None = None):
        """Closures that overlap the days from start to end (inclusive; end defaults to start)."""
        end = end or start
        return self.filter(starts_on__lte=end, ends_on__gte=start)

    def on(self, location, day):
        """The closure(s) of `location` covering `day`: "is this date closed for this location".

        Both may be values or expressions (OuterRef("location"), OuterRef("date")), so a
        queryset of shifts, occurrences or assignments asks the same question in SQL with
        Exists(Closure.objects.on(...)) instead of a query per row."""
        return self.filter(location=location, starts_on__lte=day, ends_on__gte=day)

    def closed_dates(self, location_ids, start: datetime.date, end: datetime.date):
        """{(location id, date): Closure} of every closed date from start to end (inclusive)
        at these locations, from one query: for lists (grid, programme, generators)."""
        return closed_dates_of(
            self.filter(location_id__in=list(location_ids)).covering(start, end), start, end
        )


def closed_dates_of(closures, start: datetime.date, end: datetime.date):
    """{(location id, date): Closure} of the closed dates from start to end (inclusive) that
    these closures (already fetched, e.g. prefetched on the locations) cover."""
    closed = {}
    for closure in closures:
        day = max(closure.starts_on, start)
        while day <= min(closure.ends_on, end):
            closed[(closure.location_id, day)] = closure
            day += datetime.timedelta(days=1)
    return closed


class Closure(models.Model):
    """Days a location is closed although its opening hours say open: Koningsdag, Christmas,
    the summer break. From starts_on to ends_on, both included."""

    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("dicht vanaf"))
    ends_on = models.DateField(_("dicht tot en met"))
    reason = models.CharField(_("reden"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingevoerd door"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ingevoerd op"), default=timezone.now)

    objects = ClosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("sluiting")
        verbose_name_plural = _("sluitingen")
        ordering = ["location", "starts_on"]
        indexes = [models.Index(fields=["location", "starts_on"], name="closure_location_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")),
                name="closure_starts_before_it_ends",
            ),
        ]

    def __str__(self):
        if self.starts_on == self.ends_on:
            return f"{self.location} {self.starts_on:%d-%m-%Y}: {self.reason}"
        return f"{self.location} {self.starts_on:%d-%m-%Y}–{self.ends_on:%d-%m-%Y}: {self.reason}"

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class LogEntryKind(models.TextChoices):
    GENERAL = "general", _("algemeen")
    INCIDENT = "incident", _("incident of overlast")
    MAINTENANCE = "maintenance", _("onderhoud")
    SIGNAL = "signal", _("signaal voor de coördinator")


class LogEntryQuerySet(models.QuerySet):
    def open_follow_ups(self):
        """Entries that ask for a follow-up nobody has closed yet."""
        return self.filter(needs_follow_up=True, closed_at__isnull=True)

    def newest_first(self):
        return self.order_by("-date", "-created_at", "-id")


class LogEntry(models.Model):
    """One note in a location's logbook: what happened on a day, and whether a coordinator
    should follow it up. Never about a visitor by name (the form says so)."""

    Kind = LogEntryKind

    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="log_entries"
    )
    date = models.DateField(_("datum"), default=timezone.localdate)
    day_part = models.CharField(_("dagdeel"), max_length=10, choices=DayPart, blank=True)
    kind = models.CharField(
        _("soort"), max_length=20, choices=LogEntryKind, default=LogEntryKind.GENERAL
    )
    text = models.TextField(_("wat er gebeurde"))
    needs_follow_up = models.BooleanField(_("coördinator moet hier iets mee"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geschreven door"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Written on the location's paired tablet, without logging in: which tablet, and the first
    # name the writer gave (optional). Shown as "via tablet <name> (<first name>)".
    tablet = models.ForeignKey(
        "visitors.Tablet",
        verbose_name=_("geschreven op tablet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_name = models.CharField(_("voornaam van de schrijver"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("geschreven op"), default=timezone.now)
    closed_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("afgehandeld door"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closing_note = models.TextField(_("hoe het is afgehandeld"), blank=True)

    objects = LogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("logboekregel")
        verbose_name_plural = _("logboek")
        ordering = ["-date", "-created_at", "-id"]
        indexes = [
            # The logbook page: one location's entries, newest day first.
            models.Index(
                fields=["location", "-date", "-created_at"], name="logentry_location_date"
            ),
            # The dashboards: open follow-ups per location.
            models.Index(
                fields=["location", "created_at"],
                condition=Q(needs_follow_up=True, closed_at__isnull=True),
                name="logentry_open_follow_ups",
            ),
            # The retention purge: everything before a date.
            models.Index(fields=["date"], name="logentry_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(needs_follow_up=True),
                name="logentry_only_follow_ups_are_closed",
            ),
        ]

    def __str__(self):
        return f"{self.location} {self.date:%d-%m-%Y} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.needs_follow_up and self.closed_at is None

    @property
    def via_tablet(self) -> str:
        """The "via tablet <name> (<first name>)" of an entry written on a paired tablet, or "".
        Needs the tablet selected with the entry."""
        if self.tablet_id is None:
            return ""
        if self.author_name:
            return _("via tablet %(tablet)s (%(name)s)") % {
                "tablet": self.tablet.name,
                "name": self.author_name,
            }
        return _("via tablet %(tablet)s") % {"tablet": self.tablet.name}
