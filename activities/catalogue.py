"""Saving rooms (per location), categories and partners (shared): one transaction with its
audit line. The forms check the values; the views only call these."""

from django.db import transaction

from buurtkamer.models import AuditEvent, log_action


def _save(form, *, user, added, changed, location=None):
    adding = form.instance._state.adding
    with transaction.atomic():
        saved = form.save()
        log_action(
            actor=user,
            action=added if adding else changed,
            location=location,
            subject=str(saved),
        )
    return saved


def save_room(form, *, user):
    """A new or changed room of the form's location."""
    return _save(
        form,
        user=user,
        added=AuditEvent.Action.ROOM_ADDED,
        changed=AuditEvent.Action.ROOM_CHANGED,
        location=form.location,
    )


def save_category(form, *, user):
    return _save(
        form,
        user=user,
        added=AuditEvent.Action.CATEGORY_ADDED,
        changed=AuditEvent.Action.CATEGORY_CHANGED,
    )


def save_partner(form, *, user):
    return _save(
        form,
        user=user,
        added=AuditEvent.Action.PARTNER_ADDED,
        changed=AuditEvent.Action.PARTNER_CHANGED,
    )
