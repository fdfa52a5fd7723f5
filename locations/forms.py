import datetime

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from buurtkamer.dates import BoundedDateField, not_after_today, years_before
from buurtkamer.languages import language_of
from buurtkamer.once import OnceFormMixin
from buurtkamer.versions import VersionedFormMixin

from .models import Closure, DayPart, Location, LogEntry, OpeningHours, Role, Weekday
from .services import overlap_message

DEFAULT_TIMES = {
    DayPart.MORNING: (datetime.time(9, 30), datetime.time(12, 0)),
    DayPart.AFTERNOON: (datetime.time(13, 30), datetime.time(16, 30)),
    DayPart.EVENING: (datetime.time(19, 0), datetime.time(21, 0)),
}


class LocationSearchForm(forms.Form):
    """The one search for a location by name, town or municipality (URL parameter "zoek"): the
    location list, the public programme index and the staff dashboard. What matches is
    Location.matches / LocationQuerySet.search."""

    MAX_LENGTH = 100

    zoek = forms.CharField(
        label=_("Zoek op naam, plaats of gemeente"),
        max_length=MAX_LENGTH,
        required=False,
        error_messages={"max_length": _("Zoek met hoogstens %(limit_value)d tekens.")},
    )

    def text_and_problem(self) -> tuple[str, str]:
        """(what was typed, spaces tidied; "" when unusable, with the Dutch message why)."""
        if self.is_valid():
            return " ".join(self.cleaned_data["zoek"].split()), ""
        return "", " ".join(self.errors.get("zoek", []))


class InviteForm(forms.Form):
    # 254: the length of the address column (and the longest address that can be delivered).
    email = forms.EmailField(label=_("E-mailadres"), max_length=254)
    first_name = forms.CharField(label=_("Voornaam"), max_length=100)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices, initial=Role.VOLUNTEER)
    # Someone without an account has chosen no language yet: the inviter chooses the one of the
    # invitation (and of the new account); without a choice, the inviter's own.
    language = forms.ChoiceField(
        label=_("Taal van de uitnodiging"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_(
            "Voor iemand zonder account: de uitnodiging en de site zijn in deze taal (die kan "
            "de persoon later zelf wijzigen). Wie al een account heeft, krijgt de uitnodiging "
            "in de eigen taal."
        ),
    )

    def __init__(self, *args, inviter=None, **kwargs):
        super().__init__(*args, **kwargs)
        if inviter is not None:
            self.fields["language"].initial = language_of(inviter)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices)


class OpeningSlotForm(forms.Form):
    """One weekday × day-part: open or not, and from when to when."""

    is_open = forms.BooleanField(label=_("Open"), required=False)
    opens_at = forms.TimeField(
        label=_("Van"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label=_("Tot"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, weekday: Weekday, day_part: DayPart, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekday = Weekday(weekday)
        self.day_part = DayPart(day_part)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_open"):
            opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
            if opens_at is None or closes_at is None:
                raise forms.ValidationError(_("Vul een begin- en eindtijd in."))
            if opens_at >= closes_at:
                raise forms.ValidationError(_("De begintijd moet vóór de eindtijd liggen."))
        return cleaned


class BaseOpeningHoursFormSet(forms.BaseFormSet):
    """Always 7 weekdays × 3 day-parts, in that order; the rows cannot be added or removed."""

    SLOTS = [(weekday, part) for weekday in Weekday for part in DayPart]

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        weekday, part = self.SLOTS[index]
        return {**kwargs, "weekday": weekday, "day_part": part}

    def total_form_count(self):
        return len(self.SLOTS)

    def initial_form_count(self):
        return len(self.SLOTS)

    def clean(self):
        """Two open day-parts of one weekday may touch (12:00–12:00) but not overlap."""
        super().clean()
        per_weekday = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("is_open") and data.get("opens_at") and data.get("closes_at"):
                per_weekday.setdefault(form.weekday, []).append(form)
        for forms_of_day in per_weekday.values():
            forms_of_day.sort(key=lambda form: form.cleaned_data["opens_at"])
            earlier = None  # the slot so far that closes last
            for later in forms_of_day:
                if earlier and later.cleaned_data["opens_at"] < earlier.cleaned_data["closes_at"]:
                    later.add_error(
                        None,
                        _(
                            "Overlapt met de %(other)s (%(opens)s–%(closes)s). Laat het ene "
                            "dagdeel eindigen voordat het andere begint."
                        )
                        % {
                            "other": earlier.day_part.label,
                            "opens": earlier.cleaned_data["opens_at"].strftime("%H:%M"),
                            "closes": earlier.cleaned_data["closes_at"].strftime("%H:%M"),
                        },
                    )
                if (
                    earlier is None
                    or later.cleaned_data["closes_at"] > earlier.cleaned_data["closes_at"]
                ):
                    earlier = later


OpeningHoursFormSet = formset_factory(
    OpeningSlotForm, formset=BaseOpeningHoursFormSet, extra=0, max_num=21, validate_max=True
)


class OpeningHoursVersionForm(VersionedFormMixin, forms.Form):
    """The opening_hours_version the opening-hours page was loaded at (a hidden field)."""

    version_field_name = "opening_hours_version"


def opening_hours_initial(existing: list[OpeningHours]) -> list[dict]:
    by_slot = {(row.weekday, row.day_part): row for row in existing}
    initial = []
    for weekday, part in BaseOpeningHoursFormSet.SLOTS:
        row = by_slot.get((weekday, part))
        opens_at, closes_at = (row.opens_at, row.closes_at) if row else DEFAULT_TIMES[part]
        initial.append({"is_open": row is not None, "opens_at": opens_at, "closes_at": closes_at})
    return initial


# Closures ---------------------------------------------------------------------------------------

# Offered in the reason field (a datalist): any other text is fine too.
CLOSURE_REASONS = [
    _("Koningsdag"),
    _("Kerstvakantie"),
    _("Oud en nieuw"),
    _("Pasen"),
    _("Hemelvaartsdag"),
    _("Pinksteren"),
    _("Zomerstop"),
    _("Verbouwing"),
    _("Teamuitje"),
]
LONGEST_CLOSURE = datetime.timedelta(days=366)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ClosureForm(OnceFormMixin, forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["starts_on", "ends_on", "reason"]
        field_classes = {"starts_on": BoundedDateField, "ends_on": BoundedDateField}
        labels = {
            "starts_on": _("Dicht vanaf"),
            "ends_on": _("Dicht tot en met"),
            "reason": _("Reden"),
        }
        help_texts = {
            "ends_on": _("Eén dag dicht? Vul twee keer dezelfde datum in."),
            "reason": _("Bijvoorbeeld Koningsdag, Kerstvakantie of Zomerstop."),
        }
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "reason": forms.TextInput(attrs={"list": "sluiting-redenen", "autocomplete": "off"}),
        }
        error_messages = {
            "starts_on": {
                "required": _("Vul in vanaf welke dag de buurtkamer dicht is."),
                "invalid": _("Vul een geldige datum in, bijvoorbeeld 27-04-2027."),
            },
            "ends_on": {
                "required": _("Vul in tot en met welke dag de buurtkamer dicht is."),
                "invalid": _("Vul een geldige datum in, bijvoorbeeld 27-04-2027."),
            },
            "reason": {"required": _("Vul een reden in, bijvoorbeeld Koningsdag.")},
        }

    def __init__(self, *args, location: Location, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = location

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on is None or ends_on is None:
            return cleaned
        if ends_on < starts_on:
            self.add_error(
                "ends_on",
                _("De laatste dag ligt vóór de eerste dag. Kijk de datums na."),
            )
            return cleaned
        if ends_on - starts_on > LONGEST_CLOSURE:
            self.add_error(
                "ends_on", _("Een sluiting duurt hoogstens een jaar. Kijk de datums na.")
            )
            return cleaned
        overlapping = (
            Closure.objects.filter(location=self.location).covering(starts_on, ends_on).first()
        )
        if overlapping is not None:  # checked again, under a lock, by services.add_closure
            raise forms.ValidationError(overlap_message(overlapping), code="overlap")
        return cleaned

    def _post_clean(self):
        # The location is not a field of the form: set it before the model's own checks.
        self.instance.location = self.location
        super()._post_clean()


# House rules ------------------------------------------------------------------------------------


class HouseRulesForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Location
        fields = ["house_rules", "address", "postal_code"]
        labels = {
            "house_rules": _("Huisregels"),
            "address": _("Adres (straat en huisnummer)"),
            "postal_code": _("Postcode"),
        }
        widgets = {"house_rules": forms.Textarea(attrs={"rows": 8})}


# The logbook ------------------------------------------------------------------------------------


class LogEntryForm(OnceFormMixin, forms.ModelForm):
    class Meta:
        model = LogEntry
        fields = ["date", "day_part", "kind", "text", "needs_follow_up"]
        field_classes = {"date": BoundedDateField}
        labels = {
            "date": _("Datum"),
            "day_part": _("Dagdeel"),
            "kind": _("Soort"),
            "text": _("Wat wil je vastleggen?"),
            "needs_follow_up": _("De coördinator moet hier iets mee doen"),
        }
        widgets = {
            "date": DateInput(),
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 6}),
        }
        error_messages = {
            "text": {"required": _("Schrijf op wat er gebeurde.")},
            "date": {"invalid": _("Vul een geldige datum in.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # At most a year back (older would soon fall out of the retention period anyway).
        self.fields["date"].limit(earliest=years_before, latest=not_after_today)
        self.fields["day_part"].choices = [
            ("", _("Hele dag / weet ik niet")),
            *((value, capfirst(label)) for value, label in DayPart.choices),
        ]
        # No empty choice: "general" is already chosen.
        self.fields["kind"].choices = [
            (value, capfirst(label)) for value, label in LogEntry.Kind.choices
        ]


class TabletLogEntryForm(LogEntryForm):
    """The same entry, written on the location's paired tablet without logging in: the writer
    may give their first name."""

    author_name = forms.CharField(
        label=_("Je voornaam (niet verplicht)"),
        max_length=40,
        required=False,
        help_text=_("Dan weet de coördinator wie het schreef."),
    )

    field_order = ["author_name", "date", "day_part", "kind", "text", "needs_follow_up"]


class CloseFollowUpForm(forms.Form):
    closing_note = forms.CharField(
        label=_("Wat is er mee gedaan?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Schrijf kort op wat er mee gedaan is.")},
    )


class LogbookFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Soort"),
        required=False,
        choices=[("", _("Alle soorten")), *LogEntry.Kind.choices],
    )
    open = forms.BooleanField(label=_("Alleen wat nog open staat"), required=False)
