"""Activities: what happens in a buurtkamer besides walking in, and when.

An Activity is a series (or a one-off) at one location: a title, a category, a room, partners,
and a recurrence rule. Its Occurrences are the single dates, generated a few weeks ahead
(activities/services.py). Times are kept as local wall-clock times (date + time), so 10:00 stays
10:00 in Dokkum on both sides of a daylight-saving change.
"""

import datetime
from decimal import Decimal

from dateutil import rrule
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buurtkamer.dates import day_long
from buurtkamer.translated import DutchOriginalName
from locations.models import Location


class Category(DutchOriginalName, models.Model):
    """Coffee/drop-in, games, creative, ...: an editable list shared by all locations; its
    name in nl, en and fy (buurtkamer/translated.py)."""

    name = models.CharField(_("naam"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("soort activiteit")
        verbose_name_plural = _("soorten activiteiten")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Room(models.Model):
    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("naam"), max_length=80)
    active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        verbose_name = _("ruimte")
        verbose_name_plural = _("ruimtes")
        ordering = ["location", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="room_unique_name_per_location"
            )
        ]

    def __str__(self):
        return self.name


class PartnerKind(models.TextChoices):
    ENTREPRENEUR = "entrepreneur", _("ondernemer")
    WELFARE = "welfare", _("welzijnsorganisatie")
    CARE = "care", _("zorgorganisatie")
    MUNICIPALITY = "municipality", _("gemeente")
    HOUSING = "housing", _("woningcorporatie")
    ASSOCIATION = "association", _("vereniging")


class PartnerQuerySet(models.QuerySet):
    def for_locations(self, location_ids):
        return self.filter(locations__in=location_ids).distinct()


class Partner(models.Model):
    """An organisation or entrepreneur that works with one or more locations."""

    name = models.CharField(_("naam"), max_length=120)
    kind = models.CharField(_("soort"), max_length=20, choices=PartnerKind)
    contact_person = models.CharField(_("contactpersoon"), max_length=120, blank=True)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notities"), blank=True)
    locations = models.ManyToManyField(
        Location, verbose_name=_("werkt samen met"), related_name="partners", blank=True
    )

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Recurrence(models.TextChoices):
    ONCE = "once", _("eenmalig")
    WEEKLY = "weekly", _("elke week")
    FORTNIGHTLY = "fortnightly", _("om de week")
    MONTHLY = "monthly", _("elke maand op een vaste weekdag")


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, _("eerste")
    SECOND = 2, _("tweede")
    THIRD = 3, _("derde")
    FOURTH = 4, _("vierde")
    LAST = -1, _("laatste")


WEEKDAY_NAMES = {
    1: _("maandag"),
    2: _("dinsdag"),
    3: _("woensdag"),
    4: _("donderdag"),
    5: _("vrijdag"),
    6: _("zaterdag"),
    7: _("zondag"),
}


def _midnight(day: datetime.date) -> datetime.datetime:
    """A date as the naive datetime rrule counts in (wall-clock dates, so no DST effects)."""
    return datetime.datetime.combine(day, datetime.time.min)


class Activity(models.Model):
    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("titel"), max_length=120)
    description = models.TextField(_("omschrijving"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("soort"), on_delete=models.PROTECT, related_name="activities"
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("ruimte"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    partners = models.ManyToManyField(
        Partner, verbose_name=_("partners"), related_name="activities", blank=True
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisatoren"),
        related_name="organised_activities",
        blank=True,
    )
    capacity = models.PositiveSmallIntegerField(
        _("maximaal aantal deelnemers"), null=True, blank=True
    )
    volunteers_needed = models.PositiveSmallIntegerField(_("vrijwilligers nodig"), default=0)
    price = models.DecimalField(
        _("prijs voor bezoekers"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    recurrence = models.CharField(
        _("hoe vaak"), max_length=12, choices=Recurrence, default=Recurrence.WEEKLY
    )
    week_of_month = models.SmallIntegerField(
        _("welke week van de maand"), choices=WeekOfMonth, null=True, blank=True
    )
    starts_on = models.DateField(_("eerste keer op"))
    ends_on = models.DateField(_("laatste keer op of voor"), null=True, blank=True)
    starts_at = models.TimeField(_("begint om"))
    ends_at = models.TimeField(_("eindigt om"))
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    # Bumped by every save through the pages (buurtkamer/versions.py): two people editing at
    # once cannot silently undo each other's change.
    version = models.PositiveIntegerField(_("versie"), default=0, editable=False)

    class Meta:
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")
        ordering = ["location", "title"]
        indexes = [models.Index(fields=["location", "title"], name="activity_location_title")]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="activity_starts_before_it_ends",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__lte=models.F("ends_on")),
                name="activity_series_starts_before_it_ends",
            ),
            models.CheckConstraint(
                condition=~Q(recurrence="monthly") | Q(week_of_month__isnull=False),
                name="activity_monthly_has_week",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "activities:activity-detail", kwargs={"slug": self.location.slug, "pk": self.pk}
        )

    @property
    def weekday(self) -> int:
        return self.starts_on.isoweekday()

    def dates_between(self, start: datetime.date, end: datetime.date):
        """The dates of the series from start to end (both included), in order."""
        first = max(start, self.starts_on)
        last = min(end, self.ends_on) if self.ends_on else end
        if first > last:
            return []
        if self.recurrence == Recurrence.ONCE:
            return [self.starts_on] if first <= self.starts_on <= last else []
        return [
            moment.date()
            for moment in self.rule.between(_midnight(first), _midnight(last), inc=True)
        ]

    @property
    def rule(self) -> rrule.rrule:
        """The (repeating) series as a dateutil rrule, from its start date up to and including
        its end date: weekly and fortnightly counted from the start date, monthly on the n-th
        (or last) weekday of the start date."""
        until = _midnight(self.ends_on) if self.ends_on else None
        if self.recurrence == Recurrence.MONTHLY:
            weekday = rrule.weekdays[self.starts_on.weekday()]
            return rrule.rrule(
                rrule.MONTHLY,
                byweekday=weekday(self.week_of_month or WeekOfMonth.FIRST),
                dtstart=_midnight(self.starts_on),
                until=until,
            )
        return rrule.rrule(
            rrule.WEEKLY,
            interval=2 if self.recurrence == Recurrence.FORTNIGHTLY else 1,
            dtstart=_midnight(self.starts_on),
            until=until,
        )

    @property
    def recurrence_text(self) -> str:
        """The rule in plain Dutch: "elke eerste dinsdag van de maand"."""
        weekday = WEEKDAY_NAMES[self.weekday]
        if self.recurrence == Recurrence.ONCE:
            return gettext("eenmalig, op %(date)s") % {"date": day_long(self.starts_on)}
        if self.recurrence == Recurrence.WEEKLY:
            return gettext("elke %(weekday)s") % {"weekday": weekday}
        if self.recurrence == Recurrence.FORTNIGHTLY:
            return gettext("om de week op %(weekday)s") % {"weekday": weekday}
        week = WeekOfMonth(self.week_of_month or 1).label
        return gettext("elke %(week)s %(weekday)s van de maand") % {
            "week": week,
            "weekday": weekday,
        }

    @property
    def price_text(self) -> str:
        return format_price(self.price)


def format_price(price: Decimal | None) -> str:
    """€ 2,50 (or an empty string when free)."""
    if price is None:
        return ""
    if price == 0:
        return gettext("gratis")
    return "€ " + f"{price:.2f}".replace(".", ",")


class OccurrenceStatus(models.TextChoices):
    PLANNED = "planned", _("gaat door")
    CANCELLED = "cancelled", _("gaat niet door")


class OccurrenceQuerySet(models.QuerySet):
    def planned(self):
        return self.filter(status=OccurrenceStatus.PLANNED)

    def at(self, location):
        return self.filter(activity__location=location)

    def between(self, start, end):
        return self.filter(date__gte=start, date__lte=end)


class Occurrence(models.Model):
    """One date of an activity. Changed by hand (moved, cancelled): the series leaves it be."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activiteit"),
        on_delete=models.CASCADE,
        related_name="occurrences",
    )
    date = models.DateField(_("datum"))
    starts_at = models.TimeField(_("begint om"))
    ends_at = models.TimeField(_("eindigt om"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("ruimte"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OccurrenceStatus, default=OccurrenceStatus.PLANNED
    )
    cancel_reason = models.CharField(_("reden"), max_length=200, blank=True)
    # Cancelled because the location is closed that day: removing this closure restores it.
    cancelled_by_closure = models.ForeignKey(
        "locations.Closure",
        verbose_name=_("niet door vanwege sluiting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cancelled_occurrences",
    )
    attendance = models.PositiveIntegerField(_("aantal deelnemers"), null=True, blank=True)
    notes = models.TextField(_("notities"), blank=True)
    changed_by_hand = models.BooleanField(_("met de hand aangepast"), default=False)
    support_shift = models.OneToOneField(
        "volunteers.Shift",
        verbose_name=_("dienst activiteitbegeleiding"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrence",
    )

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("keer")
        verbose_name_plural = _("keren")
        ordering = ["date", "starts_at"]
        indexes = [
            models.Index(fields=["date", "starts_at"], name="occurrence_date"),
            models.Index(fields=["room", "date"], name="occurrence_room_date"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["activity", "date"], name="occurrence_one_per_day"),
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="occurrence_starts_before_it_ends",
            ),
        ]

    def __str__(self):
        return f"{self.activity} {self.date:%d-%m-%Y}"

    def get_absolute_url(self):
        return reverse(
            "activities:occurrence",
            kwargs={"slug": self.activity.location.slug, "pk": self.pk},
        )

    @property
    def is_cancelled(self):
        return self.status == OccurrenceStatus.CANCELLED

    def participants_can_be_counted(self, today=None) -> bool:
        """The number of participants is filled in on the day itself or afterwards, never
        ahead of it."""
        return self.date <= (today or timezone.localdate())

    def overlaps(self, other) -> bool:
        return (
            self.date == other.date
            and self.starts_at < other.ends_at
            and other.starts_at < self.ends_at
        )
