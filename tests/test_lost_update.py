"""Nothing lost (issue 12): two people editing the same thing cannot silently undo each other.

An activity, the opening hours, the house rules and a volunteer's own profile carry a version
(buurtkamer/versions.py). The second save over a newer version is refused with "Iemand anders
heeft dit intussen gewijzigd", keeps what that person typed and shows the newer values; saving
again then is a choice. The same values sent twice (a double click) are no conflict. Opening
hours saved twice at once on PostgreSQL give no 500.
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Activity, Category
from buurtkamer.models import AuditEvent
from locations.forms import BaseOpeningHoursFormSet
from locations.models import Location, OpeningHours, Role
from volunteers.models import MemberRecord, VolunteerProfile

from .factories import LocationFactory, MembershipFactory
from .support import require_postgresql, run_at_once

REFUSED = "Iemand anders heeft dit intussen gewijzigd"
THREADS = 4


@pytest.fixture
def place(db):
    return LocationFactory(name="Buurtkamer Proef", slug="proef")


@pytest.fixture
def boss(place):
    return MembershipFactory(location=place, role=Role.COORDINATOR, user__first_name="Jan").user


@pytest.fixture
def colleague(place):
    return MembershipFactory(location=place, role=Role.COORDINATOR, user__first_name="Ria").user


def signed_in(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def version_on(client, url, name="version"):
    response = client.get(url)
    assert response.status_code == 200
    found = re.findall(rf'name="{name}" value="(\d+)"', response.text)
    assert found, f"no {name} on {url}"
    return found[0]


# An activity -------------------------------------------------------------------------------------


@pytest.fixture
def activity(place):
    category = Category.objects.get_or_create(name="Proefsoort")[0]
    return Activity.objects.create(
        location=place,
        title="Koffieochtend",
        description="",
        category=category,
        recurrence="once",
        starts_on=datetime.date(2030, 3, 5),
        starts_at=datetime.time(10),
        ends_at=datetime.time(11, 30),
    )


def activity_body(activity, version, **changes):
    return {
        "title": activity.title,
        "description": activity.description,
        "category": activity.category_id,
        "recurrence": activity.recurrence,
        "starts_on": activity.starts_on.isoformat(),
        "starts_at": "10:00",
        "ends_at": "11:30",
        "volunteers_needed": "0",
        "version": version,
        **changes,
    }


def test_the_second_of_two_activity_edits_is_refused_and_nothing_is_overwritten(
    activity, boss, colleague
):
    url = reverse("activities:activity-edit", kwargs={"slug": "proef", "pk": activity.pk})
    first, second = signed_in(boss), signed_in(colleague)
    loaded = version_on(first, url)
    assert version_on(second, url) == loaded

    saved = first.post(url, activity_body(activity, loaded, title="Koffie met koek"))
    refused = second.post(url, activity_body(activity, loaded, description="Met taart erbij."))

    assert saved.status_code == 302
    assert refused.status_code == 409
    assert REFUSED in refused.text
    assert "Met taart erbij." in refused.text  # what the second person typed
    assert "Koffie met koek" in refused.text  # the newer value
    activity.refresh_from_db()
    assert (activity.title, activity.description, activity.version) == ("Koffie met koek", "", 1)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACTIVITY_CHANGED).count() == 1

    # The refused form now stands at the newer version: saving it again is a choice.
    newer = re.findall(r'name="version" value="(\d+)"', refused.text)[0]
    assert newer == "1"
    again = second.post(
        url, activity_body(activity, newer, title="Koffie met koek", description="Met taart.")
    )
    assert again.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.description) == ("Koffie met koek", "Met taart.")


def test_the_same_activity_edit_sent_twice_is_no_conflict(activity, boss):
    url = reverse("activities:activity-edit", kwargs={"slug": "proef", "pk": activity.pk})
    client = signed_in(boss)
    body = activity_body(activity, version_on(client, url), title="Koffie met koek")

    assert client.post(url, body).status_code == 302
    second = client.post(url, body, follow=True)

    assert REFUSED not in second.text
    activity.refresh_from_db()
    assert activity.title == "Koffie met koek"


# Opening hours ----------------------------------------------------------------------------------

SLOTS = BaseOpeningHoursFormSet.SLOTS  # (weekday, day-part), 21 of them in the form's order


def hours_body(version, open_slots):
    """The opening-hours form with the given rows ({index: (opens, closes)}) open."""
    body = {
        "form-TOTAL_FORMS": "21",
        "form-INITIAL_FORMS": "21",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "21",
        "opening_hours_version": version,
    }
    for index in range(len(SLOTS)):
        opens, closes = open_slots.get(index, ("09:30", "12:00"))
        body[f"form-{index}-opens_at"] = opens
        body[f"form-{index}-closes_at"] = closes
        if index in open_slots:
            body[f"form-{index}-is_open"] = "on"
    return body


def stored_hours(place):
    return sorted(
        (row.weekday, row.day_part, f"{row.opens_at:%H:%M}")
        for row in OpeningHours.objects.filter(location=place)
    )


def test_the_second_of_two_opening_hours_edits_is_refused(place, boss, colleague):
    url = reverse("locations:opening-hours", kwargs={"slug": "proef"})
    first, second = signed_in(boss), signed_in(colleague)
    loaded = version_on(first, url, "opening_hours_version")

    saved = first.post(url, hours_body(loaded, {0: ("09:00", "12:00")}))
    refused = second.post(url, hours_body(loaded, {5: ("19:00", "21:00")}))

    assert saved.status_code == 302
    assert refused.status_code == 409
    assert REFUSED in refused.text
    assert re.search(r'name="form-5-is_open" id="[^"]+" checked', refused.text)  # typed
    assert "09:00–12:00" in refused.text  # the newer hours
    assert stored_hours(place) == [(SLOTS[0][0], SLOTS[0][1], "09:00")]


def test_opening_hours_write_only_the_slots_that_changed(place, boss):
    url = reverse("locations:opening-hours", kwargs={"slug": "proef"})
    client = signed_in(boss)
    client.post(url, hours_body("0", {0: ("09:00", "12:00"), 1: ("13:30", "16:30")}))
    kept = OpeningHours.objects.get(location=place, weekday=SLOTS[1][0], day_part=SLOTS[1][1])

    client.post(url, hours_body("1", {0: ("09:30", "12:00"), 1: ("13:30", "16:30")}))

    # The unchanged afternoon is the same row; the morning got its new time.
    assert OpeningHours.objects.filter(pk=kept.pk).exists()
    assert (SLOTS[0][0], SLOTS[0][1], "09:30") in stored_hours(place)
    assert Location.objects.get(pk=place.pk).opening_hours_version == 2


@pytest.mark.django_db(transaction=True)
def test_opening_hours_saved_twice_at_once_give_no_500(place, boss):
    require_postgresql()
    url = reverse("locations:opening-hours", kwargs={"slug": "proef"})
    clients = [signed_in(boss) for _ in range(THREADS)]
    body = hours_body("0", {0: ("09:00", "12:00"), 4: ("13:30", "16:30")})

    results = run_at_once([lambda client=client: client.post(url, body) for client in clients])

    assert [error for _response, error in results if error] == []
    assert {response.status_code for response, _error in results} == {302}
    assert len(stored_hours(place)) == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.OPENING_HOURS_CHANGED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_different_opening_hours_saved_at_once_keep_one_and_refuse_the_rest(place, boss):
    require_postgresql()
    url = reverse("locations:opening-hours", kwargs={"slug": "proef"})
    clients = [signed_in(boss) for _ in range(THREADS)]

    results = run_at_once(
        [
            lambda client=client, index=index: client.post(
                url, hours_body("0", {index: ("09:00", "12:00")})
            )
            for index, client in enumerate(clients)
        ]
    )

    assert [error for _response, error in results if error] == []
    statuses = sorted(response.status_code for response, _error in results)
    assert statuses == [302] + [409] * (THREADS - 1)
    assert len(stored_hours(place)) == 1


# House rules ------------------------------------------------------------------------------------


def rules_body(version, **changes):
    return {
        "house_rules": "Wees welkom.",
        "address": "Markt 1",
        "postal_code": "9101 AA",
        "version": version,
        **changes,
    }


def test_the_second_of_two_house_rules_edits_is_refused(place, boss, colleague):
    url = reverse("locations:house-rules", kwargs={"slug": "proef"})
    first, second = signed_in(boss), signed_in(colleague)
    loaded = version_on(first, url)

    saved = first.post(url, rules_body(loaded, house_rules="Geen alcohol."))
    refused = second.post(url, rules_body(loaded, address="Kerkstraat 2"))

    assert saved.status_code == 302
    assert refused.status_code == 409
    assert REFUSED in refused.text
    assert 'value="Kerkstraat 2"' in refused.text
    assert "Geen alcohol." in refused.text
    place.refresh_from_db()
    assert (place.house_rules, place.address) == ("Geen alcohol.", "Markt 1")


# A volunteer's own profile ----------------------------------------------------------------------


def test_a_profile_saved_from_an_older_page_is_refused(place):
    volunteer = MembershipFactory(location=place, role=Role.VOLUNTEER).user
    url = reverse("volunteers:my-profile")
    phone, laptop = signed_in(volunteer), signed_in(volunteer)
    loaded = version_on(phone, url)
    body = {"first_name": "Anneke", "last_name": "", "phone": "", "version": loaded}

    assert phone.post(url, {**body, "phone": "0612345678"}).status_code == 302
    refused = laptop.post(url, {**body, "last_name": "de Vries"})

    assert refused.status_code == 409
    assert REFUSED in refused.text
    assert 'value="de Vries"' in refused.text
    profile = VolunteerProfile.objects.get(user=volunteer)
    volunteer.refresh_from_db()
    assert (profile.phone, volunteer.last_name) == ("0612345678", "")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PROFILE_CHANGED).count() == 1


# What a location's coordinators record about a volunteer ------------------------------------------


def test_the_second_of_two_coordinators_saving_notes_is_refused(place, boss, colleague):
    membership = MembershipFactory(location=place, role=Role.VOLUNTEER, user__first_name="Ids")
    detail = reverse("volunteers:detail", kwargs={"slug": "proef", "pk": membership.user_id})
    url = reverse("volunteers:edit-onboarding", kwargs={"slug": "proef", "pk": membership.user_id})
    first, second = signed_in(boss), signed_in(colleague)
    loaded = version_on(first, detail)
    assert version_on(second, detail) == loaded

    saved = first.post(url, {"notes": "Wil graag in de keuken.", "version": loaded})
    refused = second.post(url, {"notes": "Komt op dinsdag.", "version": loaded})

    assert saved.status_code == 302
    assert refused.status_code == 409
    assert REFUSED in refused.text
    assert "Komt op dinsdag." in refused.text  # what the second typed stays in the form
    assert "Wil graag in de keuken." in refused.text  # and the newer notes are shown
    record = MemberRecord.objects.get(membership=membership)
    assert record.notes == "Wil graag in de keuken."
    # Saving again from the refused form is a deliberate choice: it now goes through.
    again = re.search(r'name="version" value="(\d+)"', refused.text).group(1)
    assert second.post(url, {"notes": "Komt op dinsdag.", "version": again}).status_code == 302
    record.refresh_from_db()
    assert record.notes == "Komt op dinsdag."
