"""Closures and house rules of a location, as its coordinator keeps them.

A closure is a stretch of days the buurtkamer is shut although its opening hours say open
(Koningsdag, Christmas week, the summer break). Coming ones may be deleted; ones that have
begun stay, because reports and the roster rely on them.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buurtkamer.models import AuditEvent
from locations import services
from locations.models import Closure

from .support import fetch_mode_raise

TODAY = timezone.localdate()
CLOSURES_URL = reverse("locations:closures", kwargs={"slug": "dokkum"})
HOUSE_RULES_URL = reverse("locations:house-rules", kwargs={"slug": "dokkum"})


def days(number):
    return TODAY + datetime.timedelta(days=number)


def delete_url(closure, slug="dokkum"):
    return reverse("locations:closure-delete", kwargs={"slug": slug, "pk": closure.pk})


def closure(location, start, end=None, reason="Verbouwing"):
    return Closure.objects.create(
        location=location, starts_on=start, ends_on=end or start, reason=reason
    )


# Adding ------------------------------------------------------------------------------------------


def test_a_coordinator_adds_a_closure_and_sees_it_coming(client, login, coordinator, dokkum):
    login(coordinator)

    response = client.post(
        CLOSURES_URL,
        {"starts_on": days(10).isoformat(), "ends_on": days(12).isoformat(), "reason": "Kermis"},
    )

    assert response.status_code == 302
    assert response["Location"] == CLOSURES_URL
    added = Closure.objects.get()
    assert (added.location, added.starts_on, added.ends_on) == (dokkum, days(10), days(12))
    assert (added.reason, added.created_by) == ("Kermis", coordinator)
    assert Closure.objects.covering(days(11)).get() == added
    event = AuditEvent.objects.get(action=services.AUDIT_CLOSURE_ADDED)
    assert (event.actor, event.location) == (coordinator, dokkum)

    page = client.get(CLOSURES_URL).text
    assert "Kermis" in page
    assert delete_url(added) in page


def test_one_day_is_the_same_date_twice(client, login, coordinator):
    login(coordinator)

    client.post(
        CLOSURES_URL,
        {"starts_on": days(5).isoformat(), "ends_on": days(5).isoformat(), "reason": "Teamuitje"},
    )

    assert Closure.objects.get().covers(days(5))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"starts_on": days(12), "ends_on": days(10), "reason": "Kerst"},
            "De laatste dag ligt vóór de eerste dag. Kijk de datums na.",
        ),
        (
            {"starts_on": days(1), "ends_on": days(400), "reason": "Kerst"},
            "Een sluiting duurt hoogstens een jaar.",
        ),
        ({"starts_on": "", "ends_on": days(3), "reason": "Kerst"}, "Vul in vanaf welke dag"),
        ({"starts_on": days(3), "ends_on": "", "reason": "Kerst"}, "Vul in tot en met welke dag"),
        (
            {"starts_on": "31-02-2027", "ends_on": days(3), "reason": "X"},
            "Vul een geldige datum in",
        ),
        ({"starts_on": days(3), "ends_on": days(3), "reason": "  "}, "Vul een reden in"),
    ],
)
def test_wrong_closures_are_refused_in_plain_dutch_and_keep_what_was_typed(
    client, login, coordinator, data, message
):
    login(coordinator)

    response = client.post(CLOSURES_URL, {key: str(value) for key, value in data.items()})

    assert response.status_code == 400
    assert message in response.text
    if data["reason"].strip():
        assert f'value="{data["reason"]}"' in response.text
    assert not Closure.objects.exists()


def test_an_overlapping_closure_is_refused_and_names_the_existing_one(
    client, login, coordinator, dokkum, burgum
):
    closure(dokkum, days(10), days(14), reason="Zomerstop")
    closure(burgum, days(20))  # another location's closure does not count
    login(coordinator)

    response = client.post(
        CLOSURES_URL,
        {"starts_on": days(14).isoformat(), "ends_on": days(16).isoformat(), "reason": "Kermis"},
    )
    assert response.status_code == 400
    assert "In deze periode is de buurtkamer al dicht" in response.text
    assert "Zomerstop" in response.text

    response = client.post(
        CLOSURES_URL,
        {"starts_on": days(20).isoformat(), "ends_on": days(20).isoformat(), "reason": "Kermis"},
    )
    assert response.status_code == 302
    assert Closure.objects.filter(location=dokkum).count() == 2


def test_the_presets_suggest_the_next_koningsdag_christmas_and_summer_break():
    presets = {p.key: p for p in services.closure_presets(datetime.date(2026, 11, 23))}

    assert presets["kerst"].starts_on == datetime.date(2026, 12, 24)
    assert presets["kerst"].ends_on == datetime.date(2027, 1, 1)
    assert presets["koningsdag"].starts_on == datetime.date(2027, 4, 27)
    assert presets["zomerstop"].starts_on.isoweekday() == 1
    assert presets["zomerstop"].starts_on.year == 2027
    # 27 April 2025 was a Sunday: Koningsdag was on Saturday the 26th.
    spring = {p.key: p for p in services.closure_presets(datetime.date(2025, 3, 1))}
    assert spring["koningsdag"].starts_on == datetime.date(2025, 4, 26)
    # During the Christmas closure it is still the one suggested.
    winter = {p.key: p for p in services.closure_presets(datetime.date(2026, 12, 30))}
    assert winter["kerst"].starts_on == datetime.date(2026, 12, 24)


def test_a_preset_fills_the_form_and_the_reasons_are_offered(client, login, coordinator):
    login(coordinator)
    kerst = next(p for p in services.closure_presets(TODAY) if p.key == "kerst")

    page = client.get(CLOSURES_URL).text
    assert "?voorstel=kerst" in page
    assert 'list="sluiting-redenen"' in page
    assert '<option value="Koningsdag">' in page

    page = client.get(CLOSURES_URL, {"voorstel": "kerst"}).text
    assert f'value="{kerst.starts_on.isoformat()}"' in page
    assert f'value="{kerst.ends_on.isoformat()}"' in page
    assert 'value="Kerstvakantie"' in page


# Listing and deleting ----------------------------------------------------------------------------


def test_coming_and_past_closures_are_listed_apart(client, login, coordinator, dokkum):
    closure(dokkum, days(-30), days(-28), reason="Voorbije verbouwing")
    closure(dokkum, days(-1), days(2), reason="Lopende sluiting")
    closure(dokkum, days(40), reason="Komende sluiting")
    login(coordinator)

    page = client.get(CLOSURES_URL).text

    past = page.index("Geweest")
    assert page.index("Lopende sluiting") < past
    assert page.index("Komende sluiting") < past
    assert page.index("Voorbije verbouwing") > past
    assert "nu dicht" in page


def test_a_coming_closure_is_deleted_and_audited(client, login, coordinator, dokkum):
    coming = closure(dokkum, days(40))
    login(coordinator)

    response = client.post(delete_url(coming))

    assert response.status_code == 302
    assert response["Location"] == CLOSURES_URL
    assert not Closure.objects.exists()
    assert AuditEvent.objects.filter(action=services.AUDIT_CLOSURE_DELETED).count() == 1


@pytest.mark.parametrize("start", [-5, 0])
def test_a_closure_that_has_begun_stays(client, login, coordinator, dokkum, start):
    begun = closure(dokkum, days(start), days(3))
    login(coordinator)

    page = client.get(CLOSURES_URL).text
    assert delete_url(begun) not in page
    response = client.post(delete_url(begun), follow=True)

    assert "al begonnen of voorbij" in response.text
    assert Closure.objects.filter(pk=begun.pk).exists()


def test_delete_is_post_only(client, login, coordinator, dokkum):
    coming = closure(dokkum, days(40))
    login(coordinator)

    assert client.get(delete_url(coming)).status_code == 405
    assert Closure.objects.exists()


def test_volunteers_may_not_change_closures_and_outsiders_do_not_find_them(
    client, login, volunteer, other_coordinator, dokkum
):
    coming = closure(dokkum, days(40))
    data = {"starts_on": days(10).isoformat(), "ends_on": days(10).isoformat(), "reason": "X"}

    login(volunteer)
    assert client.get(CLOSURES_URL).status_code == 403
    assert client.post(CLOSURES_URL, data).status_code == 403
    assert client.post(delete_url(coming)).status_code == 403
    login(other_coordinator)
    assert client.get(CLOSURES_URL).status_code == 404
    assert client.post(CLOSURES_URL, data).status_code == 404
    assert client.post(delete_url(coming)).status_code == 404
    assert client.post(delete_url(coming, "burgum")).status_code == 404

    assert list(Closure.objects.all()) == [coming]


def test_the_closures_page_runs_the_same_queries_for_many_more_closures(
    client, login, coordinator, dokkum, django_assert_max_num_queries
):
    closure(dokkum, days(-20))
    closure(dokkum, days(20))
    login(coordinator)
    client.get(CLOSURES_URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(CLOSURES_URL)
    few = len(queries)

    for number in range(30):
        added = closure(dokkum, days(100 + 3 * number))
        added.created_by = coordinator
        added.save()
        closure(dokkum, days(-100 - 3 * number))

    with django_assert_max_num_queries(few), fetch_mode_raise():
        response = client.get(CLOSURES_URL)
    assert response.status_code == 200
    assert response.text.count("list-group-item") == 31 + 20  # the past: the latest 20


# House rules -------------------------------------------------------------------------------------


def test_a_coordinator_edits_the_house_rules_and_address(client, login, coordinator, dokkum):
    login(coordinator)
    assert client.get(HOUSE_RULES_URL).status_code == 200

    response = client.post(
        HOUSE_RULES_URL,
        {
            "house_rules": "Iedereen is welkom.\nNiet roken.",
            "address": "Harddraversweg 3",
            "postal_code": "9101 xa",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == dokkum.get_absolute_url()
    dokkum.refresh_from_db()
    assert dokkum.house_rules == "Iedereen is welkom.\nNiet roken."
    assert (dokkum.address, dokkum.postal_code) == ("Harddraversweg 3", "9101 XA")
    assert AuditEvent.objects.filter(action=services.AUDIT_HOUSE_RULES_CHANGED).exists()
    page = client.get(HOUSE_RULES_URL).text
    assert "Niet roken." in page


def test_a_too_long_postal_code_is_refused(client, login, coordinator, dokkum):
    login(coordinator)

    response = client.post(
        HOUSE_RULES_URL, {"house_rules": "Welkom", "address": "", "postal_code": "9101 XA EN MEER"}
    )

    assert response.status_code == 400
    assert "Welkom" in response.text
    dokkum.refresh_from_db()
    assert dokkum.house_rules == ""


def test_volunteers_and_outsiders_do_not_edit_the_house_rules(
    client, login, volunteer, other_coordinator, dokkum
):
    for person, status in ((volunteer, 403), (other_coordinator, 404)):
        login(person)
        assert client.get(HOUSE_RULES_URL).status_code == status
        assert client.post(HOUSE_RULES_URL, {"house_rules": "Weg ermee"}).status_code == status
    dokkum.refresh_from_db()
    assert dokkum.house_rules == ""
