"""Forms that create something are handled once: a double click, a replay or two parallel
requests with the same form create one record, and the later ones see the result of the first.

The form carries a key made when it is shown (`OnceFormMixin`, rendered with
templates/includes/submission_key.html or `{{ form|crispy }}`). The view wraps the create in
`submitted_once`: the key's row is inserted in the same transaction as the record, so the
database's unique constraint decides between two requests, also in parallel (the second
INSERT waits for the first transaction and then fails).

A post without a key (another client than the browser form) is handled as before, without this
protection; a key that is not a key at all is a form error, never a 500.
"""

import datetime
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import SubmissionKey

# Keys older than this are deleted by the nightly retention command
# (anonymise_stopped_volunteers): nobody sends the same form again after two weeks.
SUBMISSION_KEY_DAYS = 14


class OnceFormMixin:
    """Adds the hidden one-time key to a Form or ModelForm (put it first among the bases);
    an unbound form gets a new key each time it is shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_key"] = forms.UUIDField(
            required=False,
            widget=forms.HiddenInput,
            initial=None if self.is_bound else uuid.uuid4(),
            error_messages={
                "invalid": gettext_lazy("Dit formulier is verlopen. Laad de pagina opnieuw.")
            },
        )

    def full_clean(self):
        super().full_clean()
        # A hidden field's error is shown at the top of the form, where people see it.
        if self._errors and "submission_key" in self._errors:
            errors = self._errors.pop("submission_key")
            self._errors.setdefault(
                NON_FIELD_ERRORS, self.error_class(error_class="nonfield")
            ).extend(errors)
            self.cleaned_data.pop("submission_key", None)

    @property
    def submission_key_value(self):
        return (getattr(self, "cleaned_data", None) or {}).get("submission_key")

    def typed(self) -> dict:
        """The cleaned values without the hidden key (and version): for a service call."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("submission_key", "version")
        }


@dataclass
class Claim:
    """What `submitted_once` yields: `earlier` is the first use of the key when this is a
    repeat (create nothing then); otherwise call `made()` with where the result is."""

    row: SubmissionKey | None = None
    earlier: SubmissionKey | None = None
    done: bool = False

    def made(self, url: str, what="") -> None:
        self.done = True
        if self.row is not None:
            self.row.result_url = str(url)[:300]
            self.row.made = str(what)[:200]


@contextmanager
def submitted_once(request, key):
    """`with submitted_once(request, form.submission_key_value) as claim:` around the create.

    Everything inside runs in one transaction with the key's row. When the key was used
    before, `claim.earlier` is set and the body must create nothing (see `repeat_response`).
    """
    if not key:
        yield Claim()
        return
    user = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = SubmissionKey.objects.create(key=key, user=user)
        except IntegrityError:
            earlier = SubmissionKey.objects.filter(key=key).first()
            yield Claim(earlier=earlier or SubmissionKey(key=key))
            return
        claim = Claim(row=row)
        yield claim
        if claim.done:
            row.save(update_fields=["result_url", "made"])
        else:
            # Nothing was made (the body refused, e.g. a rule said no): the key may be used
            # again once the person has corrected the form.
            row.delete()


def already_sent(request) -> SubmissionKey | None:
    """The first use of the key a POST carries, if it was used before: for forms whose checks
    depend on what is stored (a closure refuses an overlap with itself), asked before the
    form is validated. Parallel sends are still decided by `submitted_once`."""
    value = request.POST.get("submission_key", "")
    try:
        key = uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None
    return SubmissionKey.objects.filter(key=key).first()


def repeat_response(request, earlier: SubmissionKey, fallback_url):
    """Where a repeated form goes: the result of its first use (only to the person who sent
    it), with a word that nothing was saved twice."""
    messages.info(request, _("Dit was al opgeslagen. Er is niets dubbel opgeslagen."))
    mine = request.user.is_authenticated and earlier.user_id == request.user.pk
    if mine and earlier.result_url.startswith("/"):
        return redirect(earlier.result_url)
    return redirect(fallback_url)


def purge_old_keys(*, now=None) -> int:
    """Delete the keys older than SUBMISSION_KEY_DAYS; returns how many."""
    since = (now or timezone.now()) - datetime.timedelta(days=SUBMISSION_KEY_DAYS)
    deleted, _per_model = SubmissionKey.objects.filter(created_at__lt=since).delete()
    return deleted
