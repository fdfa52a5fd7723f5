"""Retention: `manage.py anonymise_stopped_volunteers` removes the personal data of volunteers
stopped longer than the retention period and keeps the roster history's numbers."""

import datetime
import functools
import io

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from locations.models import DayPart, LogEntry, Membership, Role
from volunteers import profiles
from volunteers.models import (
    Assignment,
    Attendance,
    MemberRecord,
    Status,
    StatusChange,
    Task,
    Training,
    VolunteerProfile,
)

from . import support
from .factories import MembershipFactory, with_totp


def run(*args):
    out = io.StringIO()
    call_command("anonymise_stopped_volunteers", *args, stdout=out)
    return out.getvalue()


make_shift = functools.partial(support.make_shift, maximum=3)  # room for three


def stopped_volunteer(location, first_name, stopped_days_ago, **fields):
    """Stopped at the location `stopped_days_ago` days ago: the date chosen and the moment it was
    recorded (the retention command goes by the latter)."""
    membership = MembershipFactory(
        location=location,
        role=Role.VOLUNTEER,
        user__first_name=first_name,
        user__last_name="Achternaam-" + first_name,
    )
    user = membership.user
    profile = profiles.get_profile(user)
    record = profiles.get_record(membership)
    long_ago = timezone.localdate() - datetime.timedelta(days=stopped_days_ago + 30)
    MemberRecord.objects.filter(pk=record.pk).update(status_since=long_ago)
    StatusChange.objects.filter(record=record).update(since=long_ago)
    profiles.change_status(
        membership=membership,
        status=Status.STOPPED,
        since=timezone.localdate() - datetime.timedelta(days=stopped_days_ago),
        changed_by=None,
    )
    StatusChange.objects.filter(record=record).update(
        changed_at=timezone.now() - datetime.timedelta(days=stopped_days_ago)
    )
    VolunteerProfile.objects.filter(pk=profile.pk).update(
        phone="0612121212",
        preferred_tasks=[Task.KITCHEN],
        preferred_weekdays=[2],
        preferred_day_parts=[DayPart.MORNING],
        **fields,
    )
    MemberRecord.objects.filter(pk=record.pk).update(
        notes="Privé", vog_received_on=datetime.date(2022, 1, 1)
    )
    profile.refresh_from_db()
    Training.objects.create(profile=profile, name="EHBO", followed_on=datetime.date(2023, 1, 1))
    return user


@pytest.fixture
def long_gone(dokkum, coordinator):
    """Stopped 400 days ago, with shifts (one cancelled late, one attended) and an authenticator."""
    user = stopped_volunteer(dokkum, "Sjoerd", 400)
    with_totp(user)
    past = dokkum, timezone.localdate() - datetime.timedelta(days=500)
    Assignment.objects.create(
        shift=make_shift(*past), volunteer=user, attendance=Attendance.ATTENDED
    )
    Assignment.objects.create(
        shift=make_shift(*past, task=Task.KITCHEN),
        volunteer=user,
        cancelled_at=timezone.now() - datetime.timedelta(days=501),
        cancelled_late=True,
        cancel_reason="Mijn moeder was ziek",
    )
    return user


def test_a_volunteer_stopped_long_ago_loses_their_personal_data_but_not_their_shifts(
    dokkum, long_gone, client
):
    email_before = long_gone.email
    assignments_before = list(
        Assignment.objects.filter(volunteer=long_gone).values_list(
            "shift_id", "cancelled_late", "attendance"
        )
    )
    counts_before = Assignment.objects.filter(shift__location=dokkum).count()

    output = run()

    assert "Anonymised 1 volunteer(s)" in output
    user = get_user_model().objects.get(pk=long_gone.pk)
    assert user.first_name == "Oud-vrijwilliger" and user.last_name == ""
    assert user.email != email_before and user.email.endswith(".invalid")
    assert not user.is_active and not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not Membership.objects.current().filter(user=user).exists()
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.anonymised_at is not None
    assert profile.phone == ""
    record = MemberRecord.objects.get(membership__user=user)
    assert (record.notes, record.vog_received_on) == ("", None)
    assert (
        profile.preferred_tasks == profile.preferred_weekdays == profile.preferred_day_parts == []
    )
    assert not Training.objects.filter(profile=profile).exists()
    # The numbers stay: the same assignments, lateness and attendance; the reason is gone.
    assert Assignment.objects.filter(shift__location=dokkum).count() == counts_before
    assert (
        list(
            Assignment.objects.filter(volunteer=user).values_list(
                "shift_id", "cancelled_late", "attendance"
            )
        )
        == assignments_before
    )
    assert not Assignment.objects.filter(volunteer=user).exclude(cancel_reason="").exists()
    # The old password no longer opens anything.
    assert not client.login(email=email_before, password="een-goed-wachtwoord-42")


def test_recently_stopped_and_others_are_left_alone(dokkum, long_gone, volunteer):
    recent = stopped_volunteer(dokkum, "Lolke", 100)
    paused_membership = MembershipFactory(location=dokkum, user__first_name="Pier")
    paused = paused_membership.user
    MemberRecord.objects.create(
        membership=paused_membership, status_since=datetime.date(2019, 1, 1)
    )
    profiles.change_status(
        membership=paused_membership,
        status=Status.PAUSED,
        since=datetime.date(2020, 1, 1),
        changed_by=None,
    )

    run()

    for person, name in ((recent, "Lolke"), (paused, "Pier"), (volunteer, "Anneke")):
        person.refresh_from_db()
        assert person.first_name == name and person.is_active
    assert VolunteerProfile.objects.get(user=recent).phone == "0612121212"


def test_running_it_twice_changes_nothing_the_second_time(long_gone):
    run()
    user = get_user_model().objects.get(pk=long_gone.pk)
    email, anonymised_at = user.email, user.volunteer_profile.anonymised_at

    output = run()

    assert "Anonymised 0 volunteer(s)" in output
    user.refresh_from_db()
    assert user.email == email
    assert VolunteerProfile.objects.get(user=user).anonymised_at == anonymised_at


def test_dry_run_changes_nothing(long_gone):
    output = run("--dry-run")
    assert "Would anonymise 1 volunteer(s)" in output
    long_gone.refresh_from_db()
    assert long_gone.first_name == "Sjoerd"
    assert VolunteerProfile.objects.get(user=long_gone).anonymised_at is None


def test_months_option_and_setting(dokkum, settings):
    person = stopped_volunteer(dokkum, "Minne", 100)
    assert "Anonymised 0" in run()
    settings.VOLUNTEER_RETENTION_MONTHS = 2
    assert "Anonymised 1" in run()
    person.refresh_from_db()
    assert person.first_name == "Oud-vrijwilliger"


def test_months_option(dokkum):
    stopped_volunteer(dokkum, "Minne", 100)
    assert "Would anonymise 1" in run("--months", "3", "--dry-run")
    assert "Would anonymise 0" in run("--months", "4", "--dry-run")


def test_an_anonymised_buddy_is_nobodys_buddy_any_more(dokkum, long_gone, volunteer):
    record = profiles.get_record(Membership.objects.current().get(user=volunteer))
    record.buddy = long_gone
    record.save()
    run()
    record.refresh_from_db()
    assert record.buddy is None


def test_old_logbook_entries_are_purged_by_the_same_command(dokkum, volunteer, settings):
    settings.LOGBOOK_RETENTION_MONTHS = 24
    old = LogEntry.objects.create(
        location=dokkum,
        text="Heel oud",
        author=volunteer,
        date=timezone.localdate() - datetime.timedelta(days=800),
        created_at=timezone.now() - datetime.timedelta(days=800),  # purged by when written
    )
    recent = LogEntry.objects.create(location=dokkum, text="Van vandaag", author=volunteer)

    output = run()

    assert "Logbook: deleted 1 entry" in output
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=recent.pk).exists()


def test_the_coordinator_still_sees_the_numbers_without_the_name(
    client, login, coordinator, long_gone
):
    pk = long_gone.pk
    run()
    login(coordinator)
    # No longer a member, so no longer in the list; the shifts still count in the roster.
    page = client.get(reverse("volunteers:list", kwargs={"slug": "dokkum"})).text
    assert "Sjoerd" not in page
    assert Assignment.objects.filter(volunteer_id=pk).count() == 2
