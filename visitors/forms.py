import uuid
from typing import ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from buurtkamer.dates import day_long
from buurtkamer.once import OnceFormMixin
from locations.models import DayPart

from . import services
from .models import AgeBand, FirstVisit, ReferralTarget

# Tablet forms --------------------------------------------------------------------------------


class LenientCharField(forms.CharField):
    """Text read leniently: no field-level refusals (of a NUL character, say); the form's
    rules keep what they can read and leave the rest out."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = []


class Reading:
    """What a RuledForm's is_valid() and cleaned_data give, read without a form instance."""

    __slots__ = ("cleaned_data", "data", "errors")

    def __init__(self, data, cleaned_data, errors):
        self.data, self.cleaned_data, self.errors = data, cleaned_data, errors

    def is_valid(self) -> bool:
        return not self.errors


class RuledForm(forms.Form):
    """A form whose own rules are functions of one field's cleaned value (`rules`, applied in
    clean()), so that its data can also be read without an instance: read(data).

    The tablet's JSON taps come many a second, and a Django form instance deep-copies all its
    fields first: with the bound fields and the error dict, a third of a tap's time in Python
    (issue 17). read() runs the same fields' clean() (they keep no state between calls) and the
    same rules, and gives what is_valid() and cleaned_data would; the page without JavaScript
    uses the form itself. For forms without prefix, files, initial or disabled fields and with
    rules that never refuse (no form-wide clean of their own)."""

    rules: ClassVar[dict] = {}

    def clean(self):
        cleaned_data = super().clean()
        return self._apply_rules(cleaned_data)

    @classmethod
    def _apply_rules(cls, cleaned_data: dict) -> dict:
        for name, rule in cls.rules.items():
            if name in cleaned_data:
                cleaned_data[name] = rule(cleaned_data[name])
        return cleaned_data

    @classmethod
    def read(cls, data) -> Reading:
        cleaned_data, errors = {}, {}
        for name, field in cls.base_fields.items():
            try:
                cleaned_data[name] = field.clean(field.widget.value_from_datadict(data, {}, name))
            except ValidationError as error:
                errors[name] = error.messages
        return Reading(data, cls._apply_rules(cleaned_data), errors)


def parse_datetime_leniently(value: str):
    try:
        moment = parse_datetime(value.strip()[:40]) if value else None
    except ValueError:
        return None
    return moment


def choice_or(default, choices):
    """A rule: the value if it is one of `choices` (a TextChoices), else `default`."""
    allowed = frozenset(choices.values)
    return lambda value: value if value in allowed else default


def id_or_none(value: str) -> int | None:
    """A rule: the row id the text spells (at most 18 digits: any id fits), else None."""
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return int(value)


class CheckinForm(RuledForm):
    """One tap. The same form reads the plain POST (no JavaScript) and the queued JSON tap
    (CheckinForm.read, without an instance).

    Only the client id can make a tap invalid. The optional facts are read leniently: a fact
    that no longer fits (an option switched off while the tap waited in the queue, a garbled
    time) is left out, and the visitor is still counted.
    """

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    tapped_at = LenientCharField(required=False, widget=forms.HiddenInput)
    first_visit = LenientCharField(required=False)
    age_band = LenientCharField(required=False)
    # An option's id; also one switched off since the tap (it was on the screen when it was
    # chosen); one that no longer exists is left out when the visit is stored (record_visit).
    came_via = LenientCharField(required=False)
    # The activity the visitor came for (an occurrence id); checked against the location and
    # the day in services.record_visit, where a wrong one is left out.
    occurrence = LenientCharField(required=False)

    rules = {
        "tapped_at": parse_datetime_leniently,
        "first_visit": choice_or(FirstVisit.UNKNOWN, FirstVisit),
        "age_band": choice_or("", AgeBand),
        "came_via": id_or_none,
        "occurrence": id_or_none,
    }

    @staticmethod
    def visit_facts(cleaned_data) -> "services.VisitFacts":
        return services.VisitFacts(
            first_visit=cleaned_data["first_visit"],
            age_band=cleaned_data["age_band"],
            came_via=cleaned_data["came_via"],
        )

    @classmethod
    def fresh(cls):
        """An empty form with a new client id, for the page without JavaScript."""
        return cls(initial={"client_id": uuid.uuid4()})


class UndoForm(RuledForm):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    undone_at = LenientCharField(required=False, widget=forms.HiddenInput)

    rules = {"undone_at": parse_datetime_leniently}


class TabletLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Taal van de tablet"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        help_text=_(
            "Het telscherm, het logboek en de vragenlijst op de tablet zijn in deze taal, "
            "wat de browser ook zegt."
        ),
    )


class PairForm(TabletLanguageForm):
    name = forms.CharField(
        label=_("Naam van deze tablet"),
        max_length=80,
        help_text=_("Bijvoorbeeld: Tablet Dokkum voordeur"),
    )
    field_order = ["name", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False  # not chosen: Dutch

    def clean_language(self):
        return self.cleaned_data.get("language") or settings.LANGUAGE_CODE


# Coordinator forms: manual tallies and referrals ---------------------------------------------


def _count_field(label, minimum, help_text=""):
    message = format_lazy(
        _("Vul een getal van {minimum} tot en met {maximum} in."),
        minimum=minimum,
        maximum=services.TALLY_MAX_VISITORS,
    )
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=services.TALLY_MAX_VISITORS,
        help_text=help_text,
        error_messages={
            "required": _("Vul hier een getal in."),
            "invalid": _("Vul hier een getal in, zonder letters."),
            "min_value": message,
            "max_value": message,
        },
    )


class TallyNumbersForm(forms.Form):
    """How many visitors, and how many of them came for the first time."""

    visitors = _count_field(_("Aantal bezoekers"), 1)
    first_visits = _count_field(
        _("Waarvan voor het eerst"), 0, help_text=_("Weet je het niet? Laat dan 0 staan.")
    )

    def clean(self):
        cleaned = super().clean()
        visitors, first_visits = cleaned.get("visitors"), cleaned.get("first_visits")
        if visitors is not None and first_visits is not None and first_visits > visitors:
            self.add_error(
                "first_visits",
                _("Dit kan niet meer zijn dan het aantal bezoekers (%(visitors)s).")
                % {"visitors": visitors},
            )
        return cleaned


class TallyForm(OnceFormMixin, TallyNumbersForm):
    """A count entered afterwards ("turven achteraf") for one date and day-part.

    `confirm` is shown only when the day was closed or the tablet already counted visitors
    then: the tally is saved after the coordinator ticks it (views.manage.tallies).
    """

    date = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Vul de datum in."),
            "invalid": _("Vul een datum in, bijvoorbeeld 3-11-2026."),
        },
    )
    day_part = forms.ChoiceField(
        label=_("Dagdeel"),
        choices=[("", _("Kies een dagdeel")), *DayPart.choices],
        error_messages={
            "required": _("Kies een dagdeel."),
            "invalid_choice": _("Kies een dagdeel."),
        },
    )

    confirm = forms.BooleanField(
        label=_("Ik heb het nagekeken: toch opslaan"),
        required=False,
    )

    field_order = ["date", "day_part", "visitors", "first_visits"]

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.earliest = services.earliest_tally_date(self.today)
        self.fields["date"].widget.attrs.update(
            min=self.earliest.isoformat(), max=self.today.isoformat()
        )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > self.today:
            raise forms.ValidationError(
                _("Deze datum ligt in de toekomst. Kies vandaag of eerder.")
            )
        if date < self.earliest:
            raise forms.ValidationError(
                _("Turven kan tot een jaar terug. Kies een datum vanaf %(date)s.")
                % {"date": day_long(self.earliest)}
            )
        return date

    def tally_data(self) -> dict:
        """The tally's own values, for services.record_tally."""
        return {
            name: self.cleaned_data[name]
            for name in ("date", "day_part", "visitors", "first_visits")
        }


class ReferralForm(OnceFormMixin, forms.Form):
    target = forms.ModelChoiceField(
        label=_("Doorverwezen naar"),
        queryset=ReferralTarget.objects.active(),
        empty_label=_("Kies waar naartoe"),
        error_messages={
            "required": _("Kies eerst waar je iemand naar hebt doorverwezen."),
            "invalid_choice": _("Kies eerst waar je iemand naar hebt doorverwezen."),
        },
    )
