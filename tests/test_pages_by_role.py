"""Every page of the foundation, for every role, with the status each one must get.

Dokkum is the personas' own location: the Burgum volunteer and coordinator are outsiders there
and get 404 (the location's existence stays private); a Dokkum volunteer may look but not manage
(403); anonymous visitors are sent to the login page.
"""

import pytest
from django.urls import reverse

ROLES = ["anonymous", "volunteer", "other_volunteer", "coordinator", "other_coordinator", "staff"]
LOGIN = "login"  # a redirect to the login page

# page name → url → expected status per role, in the order of ROLES
PAGES = {
    "dashboard": (reverse("dashboard"), [LOGIN, 200, 200, 200, 200, 200]),
    "location list": (reverse("locations:list"), [LOGIN, 200, 200, 200, 200, 200]),
    "location detail": (
        reverse("locations:detail", kwargs={"slug": "dokkum"}),
        [LOGIN, 200, 404, 200, 404, 200],
    ),
    "team": (
        reverse("locations:team", kwargs={"slug": "dokkum"}),
        [LOGIN, 403, 404, 200, 404, 200],
    ),
    "opening hours": (
        reverse("locations:opening-hours", kwargs={"slug": "dokkum"}),
        [LOGIN, 403, 404, 200, 404, 200],
    ),
    "unknown location": (
        reverse("locations:detail", kwargs={"slug": "bestaat-niet"}),
        [LOGIN, 404, 404, 404, 404, 404],
    ),
    "login page": (reverse("account_login"), [200, 302, 302, 302, 302, 302]),
    "healthz": (reverse("healthz"), [200, 200, 200, 200, 200, 200]),
    "admin": (reverse("admin:index"), [302, 302, 302, 302, 302, 302]),
}

CASES = [
    pytest.param(url, role, expected, id=f"{name}-{role}")
    for name, (url, statuses) in PAGES.items()
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("url", "role", "expected"), CASES)
def test_page_answers_each_role_as_expected(personas, login, url, role, expected):
    client = login(personas[role])
    response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


def test_forbidden_and_not_found_pages_are_dutch_and_in_the_layout(personas, login):
    client = login(personas["volunteer"])
    forbidden = client.get(reverse("locations:team", kwargs={"slug": "dokkum"}))
    assert forbidden.status_code == 403
    assert "Geen toegang" in forbidden.text
    assert 'class="navbar' in forbidden.text

    not_found = client.get(reverse("locations:detail", kwargs={"slug": "burgum"}))
    assert not_found.status_code == 404
    assert "Pagina niet gevonden" in not_found.text
    assert "Buurtkamer Burgum" not in not_found.text


def test_admin_is_for_administrators_only(client, staff, db):
    from tests.factories import administrator, force_login

    admin = administrator()
    force_login(client, staff)
    assert client.get(reverse("admin:index")).status_code == 302
    force_login(client, admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Buurtkamer beheer" in response.text
    for path in [
        "admin:buurtkamer_user_changelist",
        "admin:buurtkamer_auditevent_changelist",
        "admin:locations_location_changelist",
        "admin:locations_membership_changelist",
        "admin:locations_openinghours_changelist",
    ]:
        assert client.get(reverse(path)).status_code == 200, path


def test_an_administrator_adds_a_person_in_the_admin(client, db):
    from buurtkamer.models import User
    from tests.factories import administrator, force_login

    admin = administrator()
    force_login(client, admin)
    assert client.get(reverse("admin:buurtkamer_user_add")).status_code == 200

    response = client.post(
        reverse("admin:buurtkamer_user_add"),
        {
            "email": "nieuw@example.org",
            "usable_password": "true",
            "password1": "Zeer-geheim-wachtwoord-99",
            "password2": "Zeer-geheim-wachtwoord-99",
        },
    )

    assert response.status_code == 302
    person = User.objects.get(email="nieuw@example.org")
    assert person.check_password("Zeer-geheim-wachtwoord-99")
    change_url = reverse("admin:buurtkamer_user_change", args=[person.pk])
    assert client.get(change_url).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "visitors_visit",
        "visitors_tablet",
        "visitors_manualtally",
        "visitors_referral",
        "visitors_camevia",
        "visitors_referraltarget",
    ],
)
def test_the_admin_lists_every_visitors_model(client, db, name):
    from tests.factories import administrator, force_login

    admin = administrator()
    force_login(client, admin)
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_the_coordinator_dashboard_shows_todays_counted_visitors(personas, login, dokkum):
    import uuid

    from visitors import services

    for _ in range(3):
        services.record_visit(location=dokkum, client_id=uuid.uuid4())
    voided, _ = services.record_visit(location=dokkum, client_id=uuid.uuid4())
    services.undo_visit(location=dokkum, client_id=voided.client_id)

    page = login(personas["coordinator"]).get(reverse("dashboard")).text
    assert "Vandaag 3 bezoekers" in page
    # A volunteer gets no figures (the card's "Vandaag" is the way into the location).
    assert "bezoekers" not in login(personas["volunteer"]).get(reverse("dashboard")).text
