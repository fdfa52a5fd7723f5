"""Forms of the profile pages: a volunteer's own data, and what a coordinator records."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtkamer.models import AuditEvent, log_action
from buurtkamer.versions import VersionedFormMixin, claim_version
from locations.models import DayPart, Weekday

from .models import Status, Task, VolunteerProfile

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{5,24}$",
    _("Vul een telefoonnummer in met alleen cijfers, spaties of een + vooraan."),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MyProfileForm(VersionedFormMixin, forms.Form):
    """What a volunteer changes about themselves: name, phone, what they like to do when.

    It carries the profile's version (buurtkamer/versions.py): a save from a page loaded
    before another save (a second tab, a phone) is refused instead of undoing that one.
    """

    first_name = forms.CharField(label=_("Voornaam"), max_length=100)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Telefoonnummer"),
        max_length=30,
        required=False,
        validators=[phone_validator],
        help_text=_("Alleen coördinatoren zien je nummer, andere vrijwilligers niet."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    preferred_tasks = forms.MultipleChoiceField(
        label=_("Taken die ik graag doe"),
        choices=Task.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_weekdays = forms.TypedMultipleChoiceField(
        label=_("Dagen die mij goed uitkomen"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_day_parts = forms.MultipleChoiceField(
        label=_("Dagdelen die mij goed uitkomen"),
        choices=DayPart.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def initial_for(cls, user, profile):
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": profile.phone,
            "preferred_tasks": profile.preferred_tasks,
            "preferred_weekdays": profile.preferred_weekdays,
            "preferred_day_parts": profile.preferred_day_parts,
        }

    def newer_values(self, user, profile) -> list[tuple[str, object]]:
        """[(label, stored value)] of the fields where the stored value differs from what was
        typed: empty when the same was sent twice."""
        stored = self.initial_for(user, profile)
        typed = self._normalised()
        rows = []
        for name, value in stored.items():
            if typed[name] != value:
                field = self.fields[name]
                if hasattr(field, "choices") and isinstance(value, list):
                    labels = dict(field.choices)
                    value = ", ".join(str(labels.get(item, item)) for item in value)
                rows.append((field.label, value))
        return rows

    def _normalised(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "phone": data["phone"].strip(),
            "preferred_tasks": [task for task in Task.values if task in data["preferred_tasks"]],
            "preferred_weekdays": sorted(set(data["preferred_weekdays"])),
            "preferred_day_parts": [
                part for part in DayPart.values if part in data["preferred_day_parts"]
            ],
        }

    def save(self, user, profile):
        """Save, audited; raises VersionConflict when the profile changed since the page was
        loaded."""
        with transaction.atomic():
            claim_version(VolunteerProfile, profile.pk, self.loaded_version)
            self._save(user, profile)
            profile.version = VolunteerProfile.objects.values_list("version", flat=True).get(
                pk=profile.pk
            )
            log_action(actor=user, action=AuditEvent.Action.PROFILE_CHANGED, subject=user.email)

    def _save(self, user, profile):
        data = self.cleaned_data
        user.first_name = data["first_name"].strip()
        user.last_name = data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])
        profile.phone = data["phone"].strip()
        profile.preferred_tasks = [task for task in Task.values if task in data["preferred_tasks"]]
        profile.preferred_weekdays = sorted(set(data["preferred_weekdays"]))
        profile.preferred_day_parts = [
            part for part in DayPart.values if part in data["preferred_day_parts"]
        ]
        profile.save(
            update_fields=[
                "phone",
                "preferred_tasks",
                "preferred_weekdays",
                "preferred_day_parts",
            ]
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nieuwe status"), choices=Status.choices)
    since = forms.DateField(label=_("Vanaf"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"since": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("Die datum ligt te ver in de toekomst."))
        return since


class OnboardingForm(forms.Form):
    """VOG date, buddy (another member of the same location) and the coordinators' notes."""

    vog_received_on = forms.DateField(
        label=_("VOG ontvangen op"), required=False, widget=DateInput()
    )
    buddy = forms.ModelChoiceField(
        label=_("Buddy"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("(geen buddy)"),
    )
    notes = forms.CharField(
        label=_("Notities"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Alleen coördinatoren en medewerkers zien deze notities hier; de vrijwilliger "
            "krijgt ze wel mee bij het downloaden van de eigen gegevens."
        ),
    )

    def __init__(self, *args, location, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buddy"].queryset = (
            get_user_model()
            .objects.filter(memberships__location=location, memberships__ended_at__isnull=True)
            .exclude(pk=person.pk)
            .order_by("first_name", "last_name")
            .distinct()
        )

    def clean_vog_received_on(self):
        day = self.cleaned_data["vog_received_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("De VOG kan niet in de toekomst ontvangen zijn."))
        return day


class TrainingForm(forms.Form):
    name = forms.CharField(label=_("Training"), max_length=120)
    followed_on = forms.DateField(label=_("Gevolgd op"), widget=DateInput())
