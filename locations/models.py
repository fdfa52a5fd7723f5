"""Locations (the buurtkamers), their opening hours, and who works where in which role."""

import datetime
import functools
import json
import operator

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Coalesce, JSONObject
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
        """The locations whose SEARCHED_FIELDS contain `text` (any case); all of them for an
        empty text. Location.matches is the same rule for locations already fetched."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            functools.reduce(
                operator.or_, (Q(**{f"{field}__icontains": text}) for field in SEARCHED_FIELDS)
            )
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

    def with_calendar(self, start: datetime.date, end: datetime.date):
        """Each location with its opening hours and the closures overlapping start..end, read
        in the same query as the locations (one JSON list per location from a subquery each)
        instead of two prefetch queries: a page that shows many locations (the dashboard) saves
        the round trips. unpack_calendar then puts them on each location as `calendar_hours`
        (OpeningHours) and `calendar_closures` (Closure)."""
        return self.annotate(
            calendar_hours_json=_json_rows(OpeningHours.objects.all(), CALENDAR_HOURS_FIELDS),
            calendar_closures_json=_json_rows(
                Closure.objects.covering(start, end), CALENDAR_CLOSURE_FIELDS
            ),
        )


def _json_rows(queryset, fields):
    """A subquery of a location's rows of `queryset`: their `fields` as a JSON list, without
    the brackets ("" when none), in no particular order (SQLite before 3.44 cannot order an
    aggregate). StringAgg and JSONObject work on every database Django supports."""
    return Coalesce(
        models.Subquery(
            queryset.filter(location=models.OuterRef("pk"))
            .order_by()
            .values("location")
            .annotate(
                rows=models.StringAgg(
                    Cast(JSONObject(**{name: name for name in fields}), models.TextField()),
                    delimiter=models.Value(","),
                )
            )
            .values("rows"),
            output_field=models.TextField(),
        ),
        models.Value(""),
        output_field=models.TextField(),
    )


def unpack_calendar(locations) -> None:
    """Put the opening hours and closures that LocationQuerySet.with_calendar read on each
    location, as `calendar_hours` and `calendar_closures` (model objects; their other fields
    are deferred, read on access)."""
    for location in locations:
        location.calendar_hours = sorted(
            _objects(OpeningHours, location, CALENDAR_HOURS_FIELDS, location.calendar_hours_json),
            key=lambda hours: (hours.weekday, hours.opens_at),  # as OpeningHours.Meta.ordering
        )
        location.calendar_closures = sorted(
            _objects(Closure, location, CALENDAR_CLOSURE_FIELDS, location.calendar_closures_json),
            key=lambda closure: (closure.starts_on, closure.pk),
        )


@functools.cache
def _layout(model, fields) -> tuple[list, list]:
    """The names from_db takes (the fields read and location_id, in the order of the model's
    fields; the rest stays deferred) and each one's conversion from JSON (None: the location's
    id). Worked out once per model: a national dashboard unpacks a thousand rows."""
    names = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname == "location_id" or f.attname in fields
    ]
    converters = [
        None if name == "location_id" else model._meta.get_field(name).to_python for name in names
    ]
    return names, converters


def _objects(model, location, fields, text):
    if not text:
        return []
    names, converters = _layout(model, fields)
    db, pk = location._state.db, location.pk
    objects = []
    for row in json.loads(f"[{text}]"):
        values = [
            pk if convert is None else convert(row[name])
            for name, convert in zip(names, converters, strict=True)
        ]
        instance = model.from_db(db, names, values)
        instance.location = location
        objects.append(instance)
    return objects


# What a search for a location looks in (LocationQuerySet.search, Location.matches).
SEARCHED_FIELDS = ("name", "town", "municipality")


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

    def matches(self, text: str) -> bool:
        """LocationQuerySet.search's rule for a location already fetched (no query): one of
        SEARCHED_FIELDS contains `text`, any case."""
        wanted = text.strip().casefold()
        return any(wanted in getattr(self, field).casefold() for field in SEARCHED_FIELDS)

    def closure_on(self, day: datetime.date) -> "Closure | None":
        """The closure covering `day` here, or None when the location is not closed then."""
        return Closure.objects.on(self, day).first()

    def opening_slots(self) -> dict[tuple[int, str], "OpeningHours"]:
        """{(weekday, day-part): OpeningHours}: the one source of a regular shift's times."""
        return {(row.weekday, row.day_part): row for row in self.opening_hours.all()}

    def day_part_at(self, moment: datetime.datetime) -> "DayPart":
        """The day-part a local moment belongs to here: the opening slot it falls in (the one
        that opens first, should two overlap), or else the clock's (before 12:00, before 18:00,
        later). The slots come from this process's cache (opening_slots_by_weekday): no query
        while the opening hours stay as they are."""
        time = moment.time()
        for opens_at, closes_at, day_part in opening_slots_by_weekday(self).get(
            moment.isoweekday(), ()
        ):
            if opens_at <= time <= closes_at:
                return day_part
        return DayPart.at(time)


# {location pk: (opening_hours_version, {weekday: ((opens_at, closes_at, DayPart), ...)})}
_opening_slots: dict[int, tuple[int, dict]] = {}


def opening_slots_by_weekday(location: Location) -> dict[int, tuple]:
    """A location's opening slots per weekday, earliest first, from a per-process cache.

    An entry holds for the opening_hours_version it was read at: every save of the opening
    hours bumps that version (locations.services.set_opening_hours; also the demo and history
    commands that add hours), so a request that loaded the location after the change reads
    the new hours, in every process. The version is as fresh as `location` (the tablet's
    check-in loads it with the tablet, in the same query). A slot saved or deleted one by one
    (a test, the shell) drops the entry of this process (forget_opening_slots, below)."""
    cached = _opening_slots.get(location.pk)
    if cached is not None and cached[0] == location.opening_hours_version:
        return cached[1]
    slots: dict[int, list] = {}
    rows = (
        OpeningHours.objects.filter(location=location)
        .order_by("weekday", "opens_at")
        .values_list("weekday", "opens_at", "closes_at", "day_part")
    )
    for weekday, opens_at, closes_at, day_part in rows:
        slots.setdefault(weekday, []).append((opens_at, closes_at, DayPart(day_part)))
    by_weekday = {weekday: tuple(day) for weekday, day in slots.items()}
    _opening_slots[location.pk] = (location.opening_hours_version, by_weekday)
    return by_weekday


def forget_opening_slots(location_id: int | None = None) -> None:
    """Drop this process's cached opening slots: of one location, or (None) of all (the
    tests, whose rolled-back database hands out the same ids and versions again)."""
    if location_id is None:
        _opening_slots.clear()
    else:
        _opening_slots.pop(location_id, None)


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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_opening_slots(self.location_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_opening_slots(self.location_id)
        return result


CALENDAR_HOURS_FIELDS = ("id", "weekday", "day_part", "opens_at", "closes_at")
CALENDAR_CLOSURE_FIELDS = ("id", "starts_on", "ends_on", "reason")


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
