"""The forms of the loneliness rounds: planning a round, the tablet's answers, paper sheets."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtkamer.dates import BoundedDateField
from buurtkamer.once import OnceFormMixin
from buurtkamer.versions import VersionedFormMixin
from locations.models import Location

from .models import Answer, Frequency, Round
from .scoring import STATEMENTS


class RoundForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Round
        fields = ["name", "starts_on", "ends_on", "locations"]
        field_classes = {"starts_on": BoundedDateField, "ends_on": BoundedDateField}
        labels = {
            "name": gettext_lazy("Naam"),
            "starts_on": gettext_lazy("Eerste dag"),
            "ends_on": gettext_lazy("Laatste dag"),
            "locations": gettext_lazy("Locaties"),
        }
        help_texts = {
            "name": gettext_lazy("Bijvoorbeeld: Voorjaar 2027."),
            "ends_on": gettext_lazy("Twee weken is meestal genoeg."),
        }
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "locations": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "name": {"required": gettext_lazy("Geef de ronde een naam.")},
            "starts_on": {"required": gettext_lazy("Vul de eerste dag in.")},
            "ends_on": {"required": gettext_lazy("Vul de laatste dag in.")},
            "locations": {"required": gettext_lazy("Kies minstens één locatie.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = Location.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("De laatste dag ligt voor de eerste dag."))
        return cleaned


class NewRoundForm(OnceFormMixin, RoundForm):
    """Planning a round: sent once (buurtkamer/once.py)."""


def _answer_field(label):
    return forms.ChoiceField(
        label=label,
        choices=Answer.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class QuestionnaireForm(forms.Form):
    """One questionnaire as the tablet sends it (JSON, or the plain form without JavaScript).
    Every answer may stay empty."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    # The round the questionnaire was shown for (answers may arrive after midnight from the
    # offline queue); without it, the round running at the location today.
    round = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, widget=forms.HiddenInput
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Hoe vaak kom je hier?"),
        choices=Frequency.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, text, _subscale, _lonely in STATEMENTS:
            self.fields[f"answer_{number}"] = _answer_field(text)

    def answers(self) -> list:
        return [self.cleaned_data.get(f"answer_{n}") or None for n in range(1, 7)]


class PaperSheetForm(forms.Form):
    """One paper questionnaire: a row of the coordinator's form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, text, _subscale, _lonely in STATEMENTS:
            self.fields[f"answer_{number}"] = forms.ChoiceField(
                label=text, choices=[("", "–"), *Answer.choices], required=False
            )
        self.fields["frequency"] = forms.ChoiceField(
            label=_("Hoe vaak kom je hier?"),
            choices=[("", "–"), *Frequency.choices],
            required=False,
        )

    def sheet(self) -> dict:
        return {
            "answers": [self.cleaned_data.get(f"answer_{n}") or None for n in range(1, 7)],
            "frequency": self.cleaned_data.get("frequency") or None,
        }


PaperSheetFormSet = forms.formset_factory(PaperSheetForm, extra=10, max_num=40, absolute_max=40)


class PaperKeyForm(OnceFormMixin, forms.Form):
    """Only the one-time key of the paper entry page: a double click stores the sheets once."""
