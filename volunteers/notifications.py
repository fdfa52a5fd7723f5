"""E-mails about the roster: open places announced, the coordinator told, reminders."""


def after_cancellation(assignment, *, base_url):
    """Called by services.cancel_assignment after a cancellation has been saved (in
    transaction.on_commit): announce the open place to the location's other active volunteers
    who are free then (if the shift is within 14 days) and tell the coordinators of a late
    cancellation. Never raises for a failed send."""
