"""Roster forms: shift templates, making shifts, assigning, cancelling, attendance."""

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtkamer.once import OnceFormMixin
from locations.models import DayPart, Weekday

from .members import member_label
from .models import Attendance, Task

MAX_PER_TASK = 20


class TemplatesForm(forms.Form):
    """Minimum and maximum per weekday × day-part × task, for the open day-parts (and any day-part
    that has templates already). A maximum of 0 (or empty) means: this task is not needed."""

    TASKS = [Task.SHIFT_LEAD, Task.HOST, Task.KITCHEN, Task.ACTIVITY]

    def __init__(self, *args, slots, templates, **kwargs):
        """slots: [(weekday, day_part, opening hours or None)]; templates: existing ones."""
        super().__init__(*args, **kwargs)
        existing = {(t.weekday, t.day_part, t.task): t for t in templates}
        self.rows = []
        for weekday, part, hours in slots:
            cells = []
            for task in self.TASKS:
                template = existing.get((weekday, part, task))
                prefix = f"{weekday}_{part}_{task}"
                for bound, value in (
                    ("min", template.minimum if template else 0),
                    ("max", template.maximum if template else 0),
                ):
                    self.fields[f"{bound}_{prefix}"] = forms.IntegerField(
                        label=f"{Weekday(weekday).label} {DayPart(part).label} "
                        f"{Task(task).label} {_('minimaal') if bound == 'min' else _('maximaal')}",
                        min_value=0,
                        max_value=MAX_PER_TASK,
                        required=False,
                        initial=value,
                        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                    )
                cells.append((task, prefix))
            self.rows.append(
                {
                    "weekday": Weekday(weekday),
                    "day_part": DayPart(part),
                    "hours": hours,
                    "cells": cells,
                }
            )

    def clean(self):
        cleaned = super().clean()
        for row in self.rows:
            for _task, prefix in row["cells"]:
                low = cleaned.get(f"min_{prefix}") or 0
                high = cleaned.get(f"max_{prefix}") or 0
                if high and low > high:
                    self.add_error(
                        f"min_{prefix}", _("Het minimum mag niet hoger zijn dan het maximum.")
                    )
                elif low and not high:
                    self.add_error(f"max_{prefix}", _("Vul een maximum in (minstens het minimum)."))
        return cleaned

    def bound_rows(self):
        """The rows with their bound fields, for the template."""
        for row in self.rows:
            yield {
                **row,
                "cells": [
                    (Task(task), self[f"min_{prefix}"], self[f"max_{prefix}"])
                    for task, prefix in row["cells"]
                ],
            }

    def templates(self):
        """The cleaned rows as dicts for services.save_templates."""
        result = []
        for row in self.rows:
            for task, prefix in row["cells"]:
                high = self.cleaned_data.get(f"max_{prefix}") or 0
                if high:
                    result.append(
                        {
                            "weekday": int(row["weekday"]),
                            "day_part": str(row["day_part"]),
                            "task": str(task),
                            "minimum": self.cleaned_data.get(f"min_{prefix}") or 0,
                            "maximum": high,
                        }
                    )
        return result


class GenerateForm(forms.Form):
    weeks = forms.IntegerField(
        label=_("Aantal weken"),
        min_value=1,
        max_value=26,
        initial=4,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden (mag je leeg laten)"),
        max_length=300,
        required=False,
        help_text=_("Geen medische of persoonlijke details."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(forms.Form):
    """`members`: services.assignable_for(shift) to choose from; members.current_members when
    posted (take_place then refuses whoever is not assignable, with its reason)."""

    volunteer = forms.ModelChoiceField(
        label=_("Vrijwilliger"), queryset=None, empty_label=_("Kies een vrijwilliger")
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = members
        self.fields["volunteer"].label_from_instance = member_label


class FillGapForm(OnceFormMixin, AssignForm):
    """One suggestion's button on a gap: the person, and a one-time key per button (a double
    click or a replay assigns once; buurtkamer/once.py)."""


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        label=_("Aanwezigheid"), choices=[("", _("nog niet aangegeven")), *Attendance.choices]
    )
