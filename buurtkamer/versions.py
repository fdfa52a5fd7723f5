"""Nothing lost: a record edited by two people at once keeps the first save, and the second is
refused instead of silently undoing it.

An editable record has an integer `version`. The edit form carries the version it was loaded
at (`VersionedFormMixin`, a hidden field); saving bumps it in one UPDATE that only matches the
row while it is still at that version (`claim_version`). The UPDATE locks the row until the
transaction ends, so of two saves at once the second waits and then finds a newer version.
The view shows the person what they typed, the newer values beside it, and a form that can be
saved again on purpose (`refuse_newer`).

A post without a version (another client than the browser form) is saved as before.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F


class VersionConflict(Exception):
    """The record changed since the form was loaded."""


def claim_version(model, pk, version, *, field="version") -> None:
    """Bump the row's version if it is still `version` (call it inside the save's
    transaction, before the save); raises VersionConflict otherwise. Without a version (no
    form field sent) it bumps whatever is there."""
    rows = model.objects.filter(pk=pk)
    if version is not None:
        rows = rows.filter(**{field: version})
    if not rows.update(**{field: F(field) + 1}):
        raise VersionConflict


class VersionedFormMixin:
    """Adds a hidden `version` field (the version the form was loaded at). Put it first among
    the bases; pass `version=` when the form is not a ModelForm of the record."""

    version_field_name = "version"

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is None and getattr(self, "instance", None) is not None:
            version = getattr(self.instance, "version", None)
        self.fields[self.version_field_name] = forms.IntegerField(
            required=False, min_value=0, widget=forms.HiddenInput, initial=version
        )

    def typed(self) -> dict:
        """The cleaned values without the hidden fields: for a service call."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("submission_key", self.version_field_name)
        }

    @property
    def loaded_version(self):
        return (getattr(self, "cleaned_data", None) or {}).get(self.version_field_name)

    def reload_version(self, version) -> None:
        """After a refusal: the form now stands at the newer version, so saving it again
        (on purpose) goes through."""
        data = self.data.copy()
        data[self.add_prefix(self.version_field_name)] = str(version)
        self.data = data


def shown(instance, name):
    """A field's value of a record, as a person reads it."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(instance, name).all())
    if field.choices:
        return getattr(instance, f"get_{name}_display")()
    value = getattr(instance, name)
    return "" if value is None else value


def _same(field, typed, stored) -> bool:
    if field.many_to_many:
        return {item.pk for item in typed or []} == {item.pk for item in stored.all()}
    return typed == stored or (typed in (None, "") and stored in (None, ""))


def newer_values(form, fresh) -> list[tuple[str, object]]:
    """[(label, newer value)] of the form's fields whose stored value differs from what was
    typed; empty when the person typed what is stored now (a double click, say)."""
    rows = []
    for name, bound in ((name, form[name]) for name in form.fields):
        try:
            field = fresh._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if name == "version" or name not in form.cleaned_data:
            continue
        if not _same(field, form.cleaned_data[name], getattr(fresh, name)):
            rows.append((bound.label, shown(fresh, name)))
    return rows


def refuse_newer(form, version) -> None:
    """After a refused save: the form keeps what they typed and now stands at the newer
    `version`, so saving it again (on purpose) goes through. The page says why with
    includes/newer_values.html."""
    form.reload_version(version)
