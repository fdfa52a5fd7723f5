import datetime

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from .models import DayPart, OpeningHours, Role, Weekday

DEFAULT_TIMES = {
    DayPart.MORNING: (datetime.time(9, 30), datetime.time(12, 0)),
    DayPart.AFTERNOON: (datetime.time(13, 30), datetime.time(16, 30)),
    DayPart.EVENING: (datetime.time(19, 0), datetime.time(21, 0)),
}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"))
    first_name = forms.CharField(label=_("Voornaam"), max_length=100)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices, initial=Role.VOLUNTEER)


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


OpeningHoursFormSet = formset_factory(
    OpeningSlotForm, formset=BaseOpeningHoursFormSet, extra=0, max_num=21, validate_max=True
)


def opening_hours_initial(existing: list[OpeningHours]) -> list[dict]:
    by_slot = {(row.weekday, row.day_part): row for row in existing}
    initial = []
    for weekday, part in BaseOpeningHoursFormSet.SLOTS:
        row = by_slot.get((weekday, part))
        opens_at, closes_at = (row.opens_at, row.closes_at) if row else DEFAULT_TIMES[part]
        initial.append({"is_open": row is not None, "opens_at": opens_at, "closes_at": closes_at})
    return initial
