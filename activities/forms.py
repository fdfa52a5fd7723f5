from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtkamer.dates import BoundedDateField, parse_date
from buurtkamer.forms import FieldsetsMixin
from buurtkamer.once import OnceFormMixin
from buurtkamer.translated import NAME_FIELDS, label_name_fields
from buurtkamer.versions import VersionedFormMixin
from volunteers.members import available_members, member_label

from .models import Activity, Category, Occurrence, Partner, Recurrence, Room


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ActivityForm(FieldsetsMixin, VersionedFormMixin, forms.ModelForm):
    """An activity (a series). Changing one carries the version it was loaded at."""

    fieldsets = [
        (_("Wat is het?"), ["title", "description", "category"]),
        (
            _("Wanneer?"),
            [
                "recurrence",
                "week_of_month",
                ("starts_on", "ends_on"),
                "confirm_past",
                ("starts_at", "ends_at"),
            ],
        ),
        (_("Waar en voor hoeveel mensen?"), ["room", ("price", "capacity")]),
        (_("Wie helpen er mee?"), ["volunteers_needed", "organisers", "partners"]),
    ]

    # Only on the form when the first date lies in the past: "are you sure?" (see __init__).
    confirm_past = forms.BooleanField(
        label=_("Ja, de eerste keer ligt echt in het verleden"),
        required=False,
    )
    field_order = [
        "title",
        "description",
        "category",
        "room",
        "recurrence",
        "week_of_month",
        "starts_on",
        "confirm_past",
    ]

    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "category",
            "room",
            "recurrence",
            "week_of_month",
            "starts_on",
            "ends_on",
            "starts_at",
            "ends_at",
            "price",
            "capacity",
            "volunteers_needed",
            "partners",
            "organisers",
        ]
        field_classes = {"starts_on": BoundedDateField, "ends_on": BoundedDateField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "starts_at": TimeInput(),
            "ends_at": TimeInput(),
            "partners": forms.CheckboxSelectMultiple,
            "organisers": forms.CheckboxSelectMultiple,
            "recurrence": forms.RadioSelect,
        }
        help_texts = {
            "description": _(
                "Een of twee zinnen voor het programma: wat ga je doen en voor wie is het? "
                "Iedereen kan dit lezen."
            ),
            "starts_on": _(
                "De eerste keer. Bij 'elke week' of 'om de week' is dit ook de vaste dag, "
                "bijvoorbeeld dinsdag."
            ),
            "ends_on": _("Laat leeg als de activiteit gewoon blijft doorgaan."),
            "week_of_month": _(
                "Alleen nodig bij 'elke maand': bijvoorbeeld de eerste dinsdag van de maand."
            ),
            "price": _("In euro's, bijvoorbeeld 2,50. Laat leeg als het gratis is."),
            "capacity": _("Laat leeg als er geen grens is."),
            "volunteers_needed": _(
                "Hoeveel vrijwilligers helpen elke keer? Voor hen komt er een dienst "
                "'activiteitbegeleiding' in het rooster. Bij 0 komt er geen dienst."
            ),
        }

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = location
        self.fields["category"].queryset = Category.objects.filter(active=True)
        self.fields["room"].queryset = Room.objects.filter(location=location, active=True)
        self.fields["room"].empty_label = _("Geen vaste ruimte")
        self.fields["category"].empty_label = _("Kies een soort")
        weeks = list(self.fields["week_of_month"].choices)[1:]
        self.fields["week_of_month"].choices = [("", _("Niet van toepassing")), *weeks]
        self.fields["partners"].queryset = Partner.objects.filter(locations=location)
        # The location's available members (volunteers.members: intake and aspirant marked,
        # never paused or stopped).
        self.fields["organisers"].queryset = available_members(location)
        self.fields["organisers"].label_from_instance = member_label
        # "0,50" as Dutch people write it: a text box (a number box cannot show a comma).
        self.fields["price"].localize = True
        self.fields["price"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
        self.fields["price"].widget.is_localized = True
        if not self._starts_in_the_past():
            del self.fields["confirm_past"]

    def _starts_in_the_past(self) -> bool:
        """The first date sent lies before today and is not the one already saved."""
        if not self.is_bound:
            return False
        day = parse_date(self.data.get(self.add_prefix("starts_on")))
        return (
            day is not None
            and day < timezone.localdate()
            and (self.instance.pk is None or day != self.instance.starts_on)
        )

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and starts_at >= ends_at:
            self.add_error("ends_at", _("De eindtijd moet na de begintijd liggen."))
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("De laatste keer kan niet voor de eerste keer liggen."))
        if data.get("recurrence") == Recurrence.MONTHLY and not data.get("week_of_month"):
            self.add_error("week_of_month", _("Kies welke week van de maand."))
        if data.get("recurrence") != Recurrence.MONTHLY:
            data["week_of_month"] = None
        price = data.get("price")
        if price is not None and price < 0:
            self.add_error("price", _("Een prijs kan niet negatief zijn."))
        if "confirm_past" in self.fields and starts_on and not data.get("confirm_past"):
            self.add_error(
                "starts_on",
                _(
                    "De eerste keer ligt in het verleden. Weet je het zeker? Vink dan hieronder "
                    "'Ja, de eerste keer ligt echt in het verleden' aan en sla opnieuw op."
                ),
            )
        return data

    def save(self, commit=True):
        self.instance.location = self.location
        return super().save(commit)


class NewActivityForm(OnceFormMixin, ActivityForm):
    """A new activity: sent once (buurtkamer/once.py)."""


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Waarom gaat het niet door?"),
        max_length=200,
        help_text=_(
            "Alleen voor het team; op het openbare programma staat alleen 'gaat niet door'. "
            "Geen medische of persoonlijke details."
        ),
        error_messages={"required": _("Schrijf kort op waarom het niet doorgaat.")},
    )


class OccurrenceForm(FieldsetsMixin, forms.ModelForm):
    """Changing one date by hand: from then on the series leaves it alone."""

    fieldsets = [(None, [("starts_at", "ends_at"), "room", "notes"])]

    class Meta:
        model = Occurrence
        fields = ["starts_at", "ends_at", "room", "notes"]
        widgets = {
            "starts_at": TimeInput(),
            "ends_at": TimeInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(location=location, active=True)
        self.fields["room"].empty_label = _("Geen vaste ruimte")

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and starts_at >= ends_at:
            self.add_error("ends_at", _("De eindtijd moet na de begintijd liggen."))
        return data


class AttendanceForm(forms.Form):
    attendance = forms.IntegerField(
        label=_("Hoeveel deelnemers waren er?"),
        min_value=0,
        max_value=10000,
        error_messages={"required": _("Vul het aantal deelnemers in.")},
    )
    notes = forms.CharField(
        label=_("Notities (geen namen van bezoekers)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CategoryForm(FieldsetsMixin, forms.ModelForm):
    """Dutch name required; English and Frisian may stay empty (then the Dutch one shows)."""

    class Meta:
        model = Category
        fields = [*NAME_FIELDS, "position", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_name_fields(self.fields)


class RoomForm(FieldsetsMixin, forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "active"]

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = location

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Room.objects.filter(location=self.location, name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(_("Deze locatie heeft al een ruimte met deze naam."))
        return name

    def save(self, commit=True):
        self.instance.location = self.location
        return super().save(commit)


class PartnerForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = [
        (_("Wie is het?"), ["name", "kind", "locations"]),
        (_("Contact"), ["contact_person", ("phone", "email"), "website"]),
        (_("Voor het team"), ["notes"]),
    ]

    class Meta:
        model = Partner
        fields = [
            "name",
            "kind",
            "contact_person",
            "phone",
            "email",
            "website",
            "notes",
            "locations",
        ]
        widgets = {
            "locations": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = locations
        self.fields["locations"].required = True
        self.fields["locations"].error_messages["required"] = _(
            "Kies met welke locatie(s) deze partner samenwerkt."
        )
        self.outside_scope = []
        if self.instance.pk:  # links to locations this person does not manage stay as they are
            self.outside_scope = list(self.instance.locations.exclude(pk__in=locations))

    def save(self, commit=True):
        partner = super().save(commit)
        if commit and self.outside_scope:
            partner.locations.add(*self.outside_scope)
        return partner
