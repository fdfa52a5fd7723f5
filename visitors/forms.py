import uuid

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from buurtkamer.dates import day_long
from buurtkamer.once import OnceFormMixin
from locations.models import DayPart

from . import services
from .models import AgeBand, CameVia, FirstVisit, ReferralTarget

# Tablet forms --------------------------------------------------------------------------------


class CheckinForm(forms.Form):
    """One tap. The same form reads the plain POST (no JavaScript) and the queued JSON tap.

    Only the client id can make a tap invalid. The optional facts are read leniently: a fact
    that no longer fits (an option switched off while the tap waited in the queue, a garbled
    time) is left out, and the visitor is still counted.
    """

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    tapped_at = forms.CharField(required=False, widget=forms.HiddenInput)
    first_visit = forms.CharField(required=False)
    age_band = forms.CharField(required=False)
    came_via = forms.CharField(required=False)
    # The activity the visitor came for (an occurrence id); checked against the location and
    # the day in services.record_visit, where a wrong one is left out.
    occurrence = forms.CharField(required=False)

    OPTIONAL_FACTS = ("tapped_at", "first_visit", "age_band", "came_via", "occurrence")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.OPTIONAL_FACTS:
            # No field-level refusals (e.g. of a NUL character): the clean_ methods below
            # keep what they can read and leave the rest out.
            self.fields[name].validators = []

    def clean_tapped_at(self):
        value = self.cleaned_data.get("tapped_at") or ""
        return parse_datetime_leniently(value)

    def clean_first_visit(self):
        value = self.cleaned_data.get("first_visit")
        return value if value in FirstVisit.values else FirstVisit.UNKNOWN

    def clean_age_band(self):
        value = self.cleaned_data.get("age_band")
        return value if value in AgeBand.values else ""

    def clean_came_via(self):
        value = self.cleaned_data.get("came_via") or ""
        if not (value.isascii() and value.isdigit()) or len(value) > 20:  # no id is that long
            return None
        # Also an option switched off since the tap: it was on the screen when it was chosen.
        return CameVia.objects.filter(pk=int(value)).first()

    def clean_occurrence(self):
        value = str(self.cleaned_data.get("occurrence") or "")
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            return None
        return int(value)

    def visit_facts(self):
        return services.VisitFacts(
            first_visit=self.cleaned_data["first_visit"],
            age_band=self.cleaned_data["age_band"],
            came_via=self.cleaned_data["came_via"],
        )

    @classmethod
    def fresh(cls):
        """An empty form with a new client id, for the page without JavaScript."""
        return cls(initial={"client_id": uuid.uuid4()})


def parse_datetime_leniently(value: str):
    try:
        moment = parse_datetime(value.strip()[:40]) if value else None
    except ValueError:
        return None
    return moment


class UndoForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    undone_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["undone_at"].validators = []

    def clean_undone_at(self):
        return parse_datetime_leniently(self.cleaned_data.get("undone_at") or "")


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
