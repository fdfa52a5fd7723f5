"""Anonymous visits (check-ins), the tablets that record them, manual tallies and referrals.

A visit holds no personal data at all: a location, a moment, and a few coarse, optional facts.
No name, no free text, nothing that links two visits of the same person.
"""

import functools
import hashlib
import secrets

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buurtkamer.translated import DutchOriginalName
from locations.models import DayPart, Location


class FirstVisit(models.TextChoices):
    UNKNOWN = "unknown", _("weet niet")
    YES = "yes", pgettext_lazy("eerste bezoek", "ja")
    NO = "no", pgettext_lazy("eerste bezoek", "nee")


# How a tap is described in the tablet's "Net geteld" list ("eerste bezoek · 65 en ouder ·
# komt voor Samen eten"): Visit.summary() on the page, tablet.js from the same words (data-label).
FIRST_VISIT_SUMMARY = {
    "yes": _("eerste bezoek"),
    "no": _("niet voor het eerst"),
}


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("onder 18")
    ADULT = "18_64", _("18–64")
    SENIOR = "65_plus", _("65 en ouder")


class Source(models.TextChoices):
    TABLET = "tablet", _("tablet")
    MANUAL = "manual", _("achteraf geturfd")


class ChoiceListQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class ChoiceList(DutchOriginalName, models.Model):
    """An entry of a short list that coordinators and staff edit in the admin; its name in
    nl, en and fy (buurtkamer/translated.py)."""

    name = models.CharField(_("naam"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    active = models.BooleanField(_("actief"), default=True)

    objects = ChoiceListQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class CameVia(ChoiceList):
    """How a first-time visitor found the buurtkamer."""

    class Meta(ChoiceList.Meta):
        verbose_name = _("hoe binnengekomen")
        verbose_name_plural = _("hoe binnengekomen (keuzelijst)")


class ReferralTarget(ChoiceList):
    """Where a visitor can be referred onward (district team, GP, debt help, ...)."""

    class Meta(ChoiceList.Meta):
        verbose_name = _("doorverwijzing naar")
        verbose_name_plural = _("doorverwijzing naar (keuzelijst)")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TabletQuerySet(models.QuerySet):
    def paired(self):
        return self.filter(revoked_at__isnull=True)

    def with_location_of_token_hash(self, token_hash: str) -> "Tablet | None":
        """The tablet with this token hash (also a revoked one) and its location, or None.

        What `select_related("location").filter(token_hash=...).first()` gives, as one
        statement written out: every tap of every tablet asks it, and composing it through
        the ORM cost more than half of a tap's time in Python (issue 17). The columns are the
        models' own fields; each value goes through the database's converters and
        Model.from_db, as the ORM's would."""
        connection = connections[router.db_for_read(self.model)]
        statement, tablet_row, location_row = _tablet_lookup(connection.alias, connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(statement, [token_hash])
            row = cursor.fetchone()
        if row is None:
            return None
        split = len(tablet_row.fields)
        tablet = tablet_row.instance(row[:split], connection)
        tablet.location = location_row.instance(row[split:], connection)
        return tablet


class _RowOf:
    """A model's columns in a hand-written SELECT, and its instance from such a row, with the
    converters the ORM would apply."""

    def __init__(self, model, connection):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.converters = []
        for field in self.fields:
            column = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(column)
            self.converters.append((column, converters + column.get_db_converters(connection)))

    def select_list(self, alias: str, connection) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)

    def instance(self, values, connection):
        converted = []
        for value, (column, converters) in zip(values, self.converters, strict=True):
            for converter in converters:
                value = converter(value, column, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.attnames, converted)


@functools.cache
def _tablet_lookup(alias: str, vendor: str) -> tuple[str, _RowOf, _RowOf]:
    """The statement of TabletQuerySet.with_location_of_token_hash, made once per database."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    tablet_row, location_row = _RowOf(Tablet, connection), _RowOf(Location, connection)

    def column(name):
        return Tablet._meta.get_field(name).column

    statement = (
        f"SELECT {tablet_row.select_list('t', connection)}, "  # noqa: S608 - names from the models
        f"{location_row.select_list('l', connection)} "
        f"FROM {quote(Tablet._meta.db_table)} t JOIN {quote(Location._meta.db_table)} l "
        f"ON l.{quote(Location._meta.pk.column)} = t.{quote(column('location'))} "
        f"WHERE t.{quote(column('token_hash'))} = %s"
    )
    return statement, tablet_row, location_row


class Tablet(models.Model):
    """A shared device paired to one location: it may record visits there and nothing else.

    The device holds a random token in an HttpOnly cookie; only its SHA-256 hash is stored.
    """

    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="tablets"
    )
    name = models.CharField(_("naam"), max_length=80)
    # The device's own language: its pages are in it, whatever the browser or a cookie says.
    language = models.CharField(
        _("taal"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="nl",
        help_text=_("De taal van het telscherm, het logboek en de vragenlijst op deze tablet."),
    )
    token_hash = models.CharField(_("sleutel (hash)"), max_length=64, unique=True, editable=False)
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gekoppeld door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paired_at = models.DateTimeField(_("gekoppeld op"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("laatst gezien"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ontkoppeld op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ontkoppeld door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TabletQuerySet.as_manager()

    class Meta:
        verbose_name = _("tablet")
        verbose_name_plural = _("tablets")
        ordering = ["location", "name"]

    def __str__(self):
        return self.name

    @property
    def is_paired(self):
        return self.revoked_at is None

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class ManualTally(models.Model):
    """A count entered afterwards for a day-part the tablet was not used ("turven achteraf")."""

    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="tallies"
    )
    date = models.DateField(_("datum"))
    day_part = models.CharField(_("dagdeel"), max_length=10, choices=DayPart)
    visitors = models.PositiveIntegerField(_("aantal bezoekers"))
    first_visits = models.PositiveIntegerField(_("waarvan voor het eerst"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingevoerd door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ingevoerd op"), default=timezone.now)
    voided_at = models.DateTimeField(_("vervallen op"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vervallen door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("turflijst")
        verbose_name_plural = _("turflijsten")
        ordering = ["-date", "day_part"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_visits__lte=models.F("visitors")),
                name="manualtally_first_visits_within_visitors",
            ),
            # One count per day-part: a second one would count the same visitors twice. A
            # different number is a correction of the first (services.correct_tally).
            models.UniqueConstraint(
                fields=["location", "date", "day_part"],
                condition=Q(voided_at__isnull=True),
                name="manualtally_one_active_per_daypart",
            ),
        ]

    def __str__(self):
        return f"{self.location} {self.date} {self.get_day_part_display()}: {self.visitors}"


class VisitQuerySet(models.QuerySet):
    def counted(self):
        """Visits that count: everything not voided (tablet taps and manual tallies alike)."""
        return self.filter(voided_at__isnull=True)

    def at(self, location):
        return self.filter(location=location)

    def on(self, date):
        return self.filter(recorded_on=date)

    def insert_unless_known(self, visit: "Visit", *, if_exists: tuple[str, ...] = ()) -> bool:
        """Store a new visit unless its client_id is already stored; whether it was stored.

        One statement: INSERT ... ON CONFLICT (client_id) DO NOTHING RETURNING id, on
        PostgreSQL and SQLite alike. The ORM cannot say this (bulk_create with ignore_conflicts
        does not tell whether the row went in), so the statement is written here, with every
        column and value from the model's own fields. The unique index on client_id decides
        between two requests at once: the second waits for the first and then stores nothing.
        A stored visit gets its primary key; nothing else is read back.

        if_exists: foreign keys (names) that point where they were told only if that row is
        still there when the visit is stored, and are NULL otherwise: a sub-select in the same
        statement (a "came via" option removed while the tap waited in the tablet's queue).
        What was stored for them is set on the visit."""
        connection = connections[router.db_for_write(self.model)]
        statement, fields = _visit_insert(connection.alias, connection.vendor, if_exists)
        visit.set_recorded_on()
        values = [
            field.get_db_prep_save(field.pre_save(visit, add=True), connection) for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(statement, values)
            row = cursor.fetchone()
        if row is None:
            return False
        visit.pk = row[0]
        for name, stored in zip(if_exists, row[1:], strict=True):
            setattr(visit, Visit._meta.get_field(name).attname, stored)
        visit._state.adding, visit._state.db = False, connection.alias
        return True


@functools.cache
def _visit_insert(alias: str, vendor: str, if_exists: tuple[str, ...] = ()) -> tuple[str, list]:
    """The statement of VisitQuerySet.insert_unless_known and its fields, once per database."""
    quote = connections[alias].ops.quote_name
    meta = Visit._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    checked = [meta.get_field(name) for name in if_exists]

    def placeholder(field):
        if field not in checked:
            return "%s"
        target = field.target_field
        return (
            f"(SELECT {quote(target.column)} FROM {quote(target.model._meta.db_table)} "  # noqa: S608
            f"WHERE {quote(target.column)} = %s)"
        )

    returning = ", ".join(quote(field.column) for field in [meta.pk, *checked])
    statement = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(placeholder(field) for field in fields)}) "
        f"ON CONFLICT ({quote(meta.get_field('client_id').column)}) DO NOTHING "
        f"RETURNING {returning}"
    )
    return statement, fields


class Visit(models.Model):
    """One visitor walking in. Anonymous by design: see the module docstring."""

    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.PROTECT, related_name="visits"
    )
    recorded_at = models.DateTimeField(_("tijdstip"))
    recorded_on = models.DateField(_("datum"), editable=False)  # local date of recorded_at
    day_part = models.CharField(_("dagdeel"), max_length=10, choices=DayPart)
    first_visit = models.CharField(
        _("eerste bezoek"), max_length=10, choices=FirstVisit, default=FirstVisit.UNKNOWN
    )
    age_band = models.CharField(_("leeftijd"), max_length=10, choices=AgeBand, blank=True)
    came_via = models.ForeignKey(
        CameVia,
        verbose_name=_("hoe binnengekomen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("bron"), max_length=10, choices=Source, default=Source.TABLET)
    client_id = models.UUIDField(_("tik-id"), unique=True, editable=False)
    time_from_server = models.BooleanField(
        _("tijd van de server"),
        default=False,
        help_text=_("De tijd van het apparaat was onwaarschijnlijk; de servertijd is gebruikt."),
    )
    received_at = models.DateTimeField(_("ontvangen op"), default=timezone.now)
    recorded_by_tablet = models.ForeignKey(
        Tablet,
        verbose_name=_("vastgelegd door tablet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tally = models.ForeignKey(
        ManualTally,
        verbose_name=_("turflijst"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    # The activity the visitor came for, when the tablet's tag was tapped ("komt voor: ...").
    occurrence = models.ForeignKey(
        "activities.Occurrence",
        verbose_name=_("komt voor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    voided_at = models.DateTimeField(_("ongedaan gemaakt op"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ongedaan gemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    voided_by_tablet = models.ForeignKey(
        Tablet,
        verbose_name=_("ongedaan gemaakt door tablet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("bezoek")
        verbose_name_plural = _("bezoeken")
        ordering = ["-recorded_at"]
        indexes = [
            # Today's count per location (tablet page, coordinator's today page) and the
            # reports' per-location date ranges.
            models.Index(fields=["location", "recorded_on"], name="visit_location_day_idx"),
            # Reports over all locations: a range of days first, then per location.
            models.Index(fields=["recorded_on", "location"], name="visit_day_location_idx"),
        ]

    def __str__(self):
        return f"{self.location} {timezone.localtime(self.recorded_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.set_recorded_on()
        super().save(*args, **kwargs)

    def set_recorded_on(self):
        self.recorded_on = timezone.localdate(self.recorded_at)

    @property
    def is_voided(self):
        return self.voided_at is not None

    def summary(self) -> str:
        """What this tap was, in a few words; "bezoeker" when nothing was chosen. Needs
        came_via and occurrence__activity selected with it."""
        parts = []
        if self.first_visit in FIRST_VISIT_SUMMARY:
            parts.append(str(FIRST_VISIT_SUMMARY[self.first_visit]))
        if self.came_via_id is not None:
            parts.append(self.came_via.name)
        if self.age_band:
            parts.append(str(self.get_age_band_display()))
        if self.occurrence_id is not None:
            parts.append(_("komt voor %(title)s") % {"title": self.occurrence.activity.title})
        return " · ".join(parts) or str(_("bezoeker"))


class ReferralQuerySet(models.QuerySet):
    def counted(self):
        """Referrals that count: not undone."""
        return self.filter(voided_at__isnull=True)


class Referral(models.Model):
    """One visitor referred onward, counted anonymously: where to, where from, which day.

    A "+1" can be undone for 10 minutes, like a tap: it is then kept, not counted."""

    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.PROTECT, related_name="referrals"
    )
    date = models.DateField(_("datum"))
    target = models.ForeignKey(
        ReferralTarget,
        verbose_name=_("doorverwezen naar"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingevoerd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ingevoerd op"), default=timezone.now)
    voided_at = models.DateTimeField(_("ongedaan gemaakt op"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ongedaan gemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("doorverwijzing")
        verbose_name_plural = _("doorverwijzingen")
        ordering = ["-date", "-created_at"]
        indexes = [
            # The coordinator's today page and the reports count referrals per location and day.
            models.Index(fields=["location", "date"], name="referral_location_day_idx"),
        ]

    def __str__(self):
        return f"{self.location} {self.date} → {self.target}"


class StoryKind(models.TextChoices):
    STORY = "story", _("verhaal")
    QUOTE = "quote", _("uitspraak")


class Story(models.Model):
    """A short anonymous story or quote for a location, printed beside the figures of the
    period it falls in. Never a visitor's name."""

    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="stories"
    )
    date = models.DateField(_("datum"))
    kind = models.CharField(_("soort"), max_length=10, choices=StoryKind, default=StoryKind.STORY)
    text = models.TextField(_("tekst"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingevoerd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ingevoerd op"), default=timezone.now)

    class Meta:
        verbose_name = _("verhaal")
        verbose_name_plural = _("verhalen")
        ordering = ["location", "-date", "-created_at"]
        indexes = [models.Index(fields=["location", "date"], name="story_location_day_idx")]

    def __str__(self):
        return f"{self.location} {self.date}: {self.text[:40]}"


class DailyCount(models.Model):
    """The roll-up of the counted visits of one settled day: per location, day-part, how they
    came (first visits) and the activity they came for, how many visits and how many of them
    first visits. Kept by visitors.rollup, which says when a day is settled and how these rows
    stay equal to counting the visits; the reports read them for the settled days."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    day_part = models.CharField(max_length=10, choices=DayPart)
    came_via = models.ForeignKey(CameVia, null=True, on_delete=models.PROTECT, related_name="+")
    # Like Visit.occurrence: a deleted occurrence leaves its visits counted, without it.
    occurrence = models.ForeignKey(
        "activities.Occurrence", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visits = models.PositiveIntegerField()
    first_visits = models.PositiveIntegerField()

    class Meta:
        # And (location, date): made by the migration (0007), on PostgreSQL with the counted
        # columns included, so the reports read a location's days from the index alone (an
        # index-only scan); Django would warn that SQLite cannot include columns.
        indexes = [
            models.Index(fields=["date", "location"], name="dailycount_day_location_idx"),
        ]

    def __str__(self):
        return f"{self.location_id} {self.date} {self.day_part}: {self.visits}"


class MonthlyCount(models.Model):
    """The daily roll-up summed per location, month (and per calendar year), weekday and
    day-part, for the reports over long periods (over ten years a sixth of DailyCount's rows
    per month, a sixtieth per year). Always the sum of the DailyCount rows of its month or year:
    visitors.rollup writes both in the same functions."""

    # Indexed by (months, location, month) with the counted columns included: made by the
    # migrations (0011, 0012), as DailyCount's; an index of its own would only add to each write.
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    month = models.DateField()  # its first day
    months = models.PositiveSmallIntegerField()  # 1: that month; 12: that calendar year
    weekday = models.PositiveSmallIntegerField()  # ISO: 1 Monday ... 7 Sunday
    day_part = models.CharField(max_length=10, choices=DayPart)
    visits = models.PositiveIntegerField()
    first_visits = models.PositiveIntegerField()

    def __str__(self):
        slot = f"{self.month:%Y-%m} ({self.months}) {self.weekday} {self.day_part}"
        return f"{self.location_id} {slot}: {self.visits}"


class MonthlyTotal(models.Model):
    """The daily roll-up summed per location and month (and per calendar year) alone: what
    MonthlyCount holds without the weekday and day-part, a fourth of its rows, for the report's
    visits per month and the periods before (over ten years and 250 locations 30,000 rows
    instead of 115,000). Kept as MonthlyCount."""

    # Indexed by (months, location, month) with the counted columns included: made by the
    # migration (0012), as MonthlyCount's.
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    month = models.DateField()  # its first day
    months = models.PositiveSmallIntegerField()  # 1: that month; 12: that calendar year
    visits = models.PositiveIntegerField()
    first_visits = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.location_id} {self.month:%Y-%m} ({self.months}): {self.visits}"


class MonthlyCameVia(models.Model):
    """The first visits of the daily roll-up summed per location, month (and per calendar year)
    and how they came (the rows with first visits only), for the reports over long periods.
    Kept as MonthlyCount."""

    # Indexed by (months, location, month) with the counted columns included: made by the
    # migrations (0011, 0012), as DailyCount's; an index of its own would only add to each write.
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    month = models.DateField()  # its first day
    months = models.PositiveSmallIntegerField()  # 1: that month; 12: that calendar year
    came_via = models.ForeignKey(CameVia, null=True, on_delete=models.PROTECT, related_name="+")
    first_visits = models.PositiveIntegerField()

    def __str__(self):
        when = f"{self.month:%Y-%m} ({self.months})"
        return f"{self.location_id} {when} {self.came_via_id}: {self.first_visits}"


class SettledDays(models.Model):
    """One row: the last day whose visits are in DailyCount (None: none yet). A day after it
    is counted from the visits themselves."""

    through = models.DateField(null=True)

    def __str__(self):
        return f"{self.through}"
