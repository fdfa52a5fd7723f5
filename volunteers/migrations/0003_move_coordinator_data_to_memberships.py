"""Move what coordinators record about a volunteer from the person to their memberships.

Until now status (with its history), VOG date, buddy and notes sat on the VolunteerProfile, one
set per person, seen and changed by the coordinators of every location the person belonged to.
From now on each membership has its own MemberRecord. This migration, for every profile:

- copies status, status since, VOG date and notes to a new MemberRecord of each of the person's
  current memberships (ended_at empty), and the buddy too where the buddy is a current member of
  that location (elsewhere the buddy is left empty: a buddy belongs to the same location);
- copies the whole status history (since, status, who, and when it was recorded) to each of
  those records;
- for a person without any current membership: the same onto their most recently ended
  membership, so nothing is lost and the retention command still sees when they stopped;
- a person who never had a membership keeps no status: there is no location to keep it at.

The old profile fields and the history rows on the profile are removed by the next migration.
Backwards: each profile gets the data of its newest record back (the history of that record).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    VolunteerProfile = apps.get_model("volunteers", "VolunteerProfile")
    MemberRecord = apps.get_model("volunteers", "MemberRecord")
    StatusChange = apps.get_model("volunteers", "StatusChange")
    Membership = apps.get_model("locations", "Membership")

    for profile in VolunteerProfile.objects.order_by("pk").iterator():
        memberships = list(
            Membership.objects.filter(user_id=profile.user_id, ended_at__isnull=True).order_by("pk")
        )
        if not memberships:
            last = (
                Membership.objects.filter(user_id=profile.user_id)
                .order_by("-ended_at", "-pk")
                .first()
            )
            memberships = [last] if last else []
        history = list(StatusChange.objects.filter(profile_id=profile.pk, record__isnull=True))
        for membership in memberships:
            if MemberRecord.objects.filter(membership_id=membership.pk).exists():
                continue
            buddy_there = (
                profile.buddy_id is not None
                and Membership.objects.filter(
                    user_id=profile.buddy_id,
                    location_id=membership.location_id,
                    ended_at__isnull=True,
                ).exists()
            )
            record = MemberRecord.objects.create(
                membership_id=membership.pk,
                status=profile.status,
                status_since=profile.status_since,
                vog_received_on=profile.vog_received_on,
                buddy_id=profile.buddy_id if buddy_there else None,
                notes=profile.notes,
            )
            StatusChange.objects.bulk_create(
                StatusChange(
                    record_id=record.pk,
                    status=change.status,
                    since=change.since,
                    changed_by_id=change.changed_by_id,
                    changed_at=change.changed_at,
                )
                for change in history
            )
    StatusChange.objects.filter(record__isnull=True).delete()


def backwards(apps, schema_editor):
    VolunteerProfile = apps.get_model("volunteers", "VolunteerProfile")
    MemberRecord = apps.get_model("volunteers", "MemberRecord")
    StatusChange = apps.get_model("volunteers", "StatusChange")

    for profile in VolunteerProfile.objects.order_by("pk").iterator():
        record = (
            MemberRecord.objects.filter(membership__user_id=profile.user_id)
            .order_by("-membership__started_at", "-pk")
            .first()
        )
        if record is None:
            continue
        profile.status = record.status
        profile.status_since = record.status_since
        profile.vog_received_on = record.vog_received_on
        profile.buddy_id = record.buddy_id
        profile.notes = record.notes
        profile.save()
        StatusChange.objects.filter(record_id=record.pk).update(profile_id=profile.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0002_member_records_and_roster_feed_tokens"),
        ("locations", "0004_logbook_and_house_rules"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
