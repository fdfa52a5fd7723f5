"""Rounds of the anonymous De Jong Gierveld loneliness scale (the 6-item short form), and the
answers given on the tablet or on paper.

What is stored of an answer is only: the round, the location, the six answers (an unanswered
statement stays empty), how often the person comes ("Hoe vaak kom je hier?", optional) and
whether it came from the tablet or from paper. No time of day, no date beyond the round, no
tablet, no person, no link to any visit (tests/test_loneliness.py checks the fields). The
`client_id` is a random id the tablet (or the paper form) makes per questionnaire, only so that
a retried request is stored once.

The scale and its scoring live in `scoring.py`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from locations.models import Location


class Answer(models.TextChoices):
    YES = "ja", pgettext_lazy("eenzaamheid", "ja")
    MORE_OR_LESS = "min_of_meer", _("min of meer")
    NO = "nee", pgettext_lazy("eenzaamheid", "nee")


class Frequency(models.TextChoices):
    FIRST_TIME = "eerste_keer", _("eerste keer")
    SOMETIMES = "soms", _("soms")
    EVERY_WEEK = "elke_week", _("elke week")


class Source(models.TextChoices):
    TABLET = "tablet", _("tablet")
    PAPER = "papier", _("papier")


class RoundQuerySet(models.QuerySet):
    def running_at(self, location, day):
        """The rounds at this location whose period holds `day`."""
        return self.filter(locations=location, starts_on__lte=day, ends_on__gte=day)

    def accepting_at(self, location, day):
        """The rounds at this location that still take answers on `day`: from the first day
        to LATE_DAYS after the last (answers queued offline on the last day arrive later)."""
        return self.filter(
            locations=location,
            starts_on__lte=day,
            ends_on__gte=day - datetime.timedelta(days=Round.LATE_DAYS),
        )

    def closed_between(self, start, end):
        """The rounds whose last day of taking answers (LATE_DAYS after the end, see
        `accepting_at`) lies from `start` to `end`: their figures no longer change."""
        late = datetime.timedelta(days=Round.LATE_DAYS)
        return self.filter(ends_on__range=(start - late, end - late))


class Round(models.Model):
    """A measurement round planned by AanZet staff: a name, a period and the locations."""

    LATE_DAYS = 7  # answers that waited offline are still taken this many days after the end

    name = models.CharField(_("naam"), max_length=100)
    starts_on = models.DateField(_("eerste dag"))
    ends_on = models.DateField(_("laatste dag"))
    locations = models.ManyToManyField(Location, verbose_name=_("locaties"), related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gepland door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("versie"), default=0, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("meetronde eenzaamheid")
        verbose_name_plural = _("meetrondes eenzaamheid")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="round_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name


def _answer_field(label):
    return models.CharField(
        label,
        max_length=12,
        choices=Answer,
        null=True,
        blank=True,
    )


class Response(models.Model):
    """One filled-in questionnaire: nothing about who, when in the round, or on which device."""

    round = models.ForeignKey(
        Round, verbose_name=_("ronde"), on_delete=models.PROTECT, related_name="responses"
    )
    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), on_delete=models.PROTECT, related_name="+"
    )
    answer_1 = _answer_field(_("uitspraak 1"))
    answer_2 = _answer_field(_("uitspraak 2"))
    answer_3 = _answer_field(_("uitspraak 3"))
    answer_4 = _answer_field(_("uitspraak 4"))
    answer_5 = _answer_field(_("uitspraak 5"))
    answer_6 = _answer_field(_("uitspraak 6"))
    # Not answered is NULL (not ""), like the six answers: "unanswered stays empty".
    frequency = models.CharField(  # noqa: DJ001
        _("hoe vaak hier"), max_length=12, choices=Frequency, null=True, blank=True
    )
    source = models.CharField(_("bron"), max_length=10, choices=Source)
    client_id = models.UUIDField(_("kenmerk"), unique=True, editable=False)

    class Meta:
        verbose_name = _("ingevulde vragenlijst")
        verbose_name_plural = _("ingevulde vragenlijsten")
        indexes = [models.Index(fields=["round", "location"], name="response_round_location_idx")]

    def __str__(self):
        return f"{self.round} · {self.location}"

    @property
    def answers(self) -> tuple:
        return tuple(getattr(self, f"answer_{n}") for n in range(1, 7))

    @property
    def score(self):
        from .scoring import score

        return score(self.answers)
