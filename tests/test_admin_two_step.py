"""Two-step verification for staff and administrators, all the way (security issue 11).

- The admin has no login of its own: /admin/login/ hands over to the site's login (allauth),
  with its rate limits and the code from the authenticator app.
- Having the app is not enough: the session must have passed the second step.
- The app's secret and the recovery codes' seed are encrypted in the database, and the admin
  never shows them.
- Nobody adds e-mail addresses to their account; no e-mail goes to an address without one.
- Secret links (calendar feeds, invitations, password reset) never reach a log line.
"""

import datetime
import importlib
import io
import logging
import re
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from buurtkamer.log_filters import GunicornLogger
from volunteers.profiles import get_profile

from .factories import PASSWORD, UserFactory, administrator, force_login
from .support import totp_code

ADMIN = reverse("admin:index")
ADMIN_LOGIN = reverse("admin:login")
LOGIN = reverse("account_login")
REAUTHENTICATE = reverse("mfa_reauthenticate")
WRONG_PASSWORD = "Dit-is-het-niet-42"


def with_known_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def password_only(client, user):
    """A session of the password alone: from before the app was set up, or made another way."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def logged_in_user_id(client):
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


# The admin's login is the site's login -------------------------------------------------------


def test_a_password_posted_to_the_admin_login_does_not_open_the_admin(client, db):
    admin = administrator()

    response = client.post(
        ADMIN_LOGIN + "?next=/admin/", {"username": admin.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=/admin/"
    assert logged_in_user_id(client) is None
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"] == ADMIN_LOGIN + "?next=/admin/"


def test_the_admin_sends_everyone_to_the_site_login_and_back(client, db):
    response = client.get(ADMIN, follow=True)

    assert response.redirect_chain == [
        (ADMIN_LOGIN + "?next=/admin/", 302),
        (LOGIN + "?next=/admin/", 302),
    ]
    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_the_admin_login_does_not_send_anyone_to_another_site(client, db):
    response = client.get(ADMIN_LOGIN + "?next=https://kwaad.example.org/")

    assert response["Location"] == LOGIN + "?next=/admin/"


def test_an_administrator_logs_into_the_admin_with_password_and_code(client, db):
    """The whole way through the forms, with the secret stored encrypted: TOTP still works."""
    admin = administrator()
    Authenticator.objects.filter(user=admin).delete()
    secret = with_known_totp(admin)

    login_page = client.get(ADMIN, follow=True).redirect_chain[-1][0]
    response = client.post(login_page, {"login": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None  # the password alone is not enough

    response = client.post(response["Location"], {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == ADMIN
    assert logged_in_user_id(client) == admin.pk
    assert client.get(ADMIN).status_code == 200


def test_forty_wrong_passwords_through_the_admin_login_are_throttled(client, db):
    """Through /admin/ the guesses meet allauth's rate limits ("login_failed": 5 per 5 minutes
    per address, "login": 30 a minute per IP): the form refuses, then 429."""
    admin = administrator()
    login_page = client.get(ADMIN, follow=True).redirect_chain[-1][0]
    assert login_page == LOGIN + "?next=/admin/"

    answers = [
        client.post(login_page, {"login": admin.email, "password": f"{WRONG_PASSWORD}-{n}"})
        for n in range(40)
    ]

    assert all("e-mailadres en/of wachtwoord is niet correct" in a.text for a in answers[:5])
    assert all(a.status_code == 200 for a in answers[:30])
    assert all("Te veel inlogpogingen" in a.text for a in answers[5:30])
    assert [a.status_code for a in answers[30:]] == [429] * 10
    # Even the right password gets nowhere now.
    response = client.post(login_page, {"login": admin.email, "password": PASSWORD})
    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def test_someone_logged_in_who_is_no_administrator_is_refused_at_the_admin_login(
    client, login, volunteer
):
    login(volunteer)

    assert client.get(ADMIN_LOGIN + "?next=/admin/").status_code == 403


def test_an_administrator_who_passed_both_steps_goes_from_the_admin_login_to_the_admin(client, db):
    force_login(client, administrator())

    response = client.get(ADMIN_LOGIN + "?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == ADMIN


# The session must have passed the second step ------------------------------------------------

STAFF_PAGES = [
    reverse("dashboard"),
    reverse("audit-log"),
    reverse("locations:list"),
    reverse("locations:team", kwargs={"slug": "dokkum"}),
    reverse("visitors:today", kwargs={"slug": "dokkum"}),
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_with_the_app_but_only_a_password_session_are_asked_for_the_code(client, staff, url):
    password_only(client, staff)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{REAUTHENTICATE}?next={url.replace('/', '%2F')}"


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_who_passed_the_second_step_open_their_pages(client, staff, url):
    force_login(client, staff)

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [ADMIN, reverse("admin:buurtkamer_user_changelist")])
def test_an_administrator_with_only_a_password_session_cannot_open_the_admin(client, db, url):
    password_only(client, administrator())

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE + "?next=")


def test_an_administrator_who_passed_the_second_step_opens_the_admin(client, db):
    force_login(client, administrator())

    assert client.get(ADMIN).status_code == 200
    assert client.get(reverse("admin:buurtkamer_user_changelist")).status_code == 200


def test_a_post_of_a_password_only_session_changes_nothing(client, staff, dokkum):
    from locations.models import Membership

    password_only(client, staff)
    before = Membership.objects.count()

    response = client.post(
        reverse("locations:team", kwargs={"slug": "dokkum"}),
        {"email": "nieuw@example.org", "first_name": "Nieuw", "role": "volunteer"},
    )

    assert response.status_code == 302
    assert response["Location"] == REAUTHENTICATE
    assert Membership.objects.count() == before
    assert mail.outbox == []


def test_a_script_of_a_password_only_session_gets_json(client, staff):
    password_only(client, staff)

    response = client.post("/tablet/dokkum/api/bezoek/", data="{}", content_type="application/json")

    assert response.status_code == 403
    assert response.json()["status"] == "two_factor_required"


def test_an_htmx_request_of_a_password_only_session_goes_back_to_its_page_after_the_code(
    client, staff
):
    password_only(client, staff)

    response = client.get(
        reverse("visitors:today", kwargs={"slug": "dokkum"}),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/locaties/"},
    )

    assert response["HX-Redirect"] == f"{REAUTHENTICATE}?next=%2Flocaties%2F"


def test_the_code_from_the_app_lets_a_password_only_session_go_on(client, db):
    staff = UserFactory(is_aanzet_staff=True)
    secret = with_known_totp(staff)
    password_only(client, staff)
    audit = reverse("audit-log")
    page = client.get(audit, follow=True)
    assert page.redirect_chain == [(f"{REAUTHENTICATE}?next=%2Faudit%2F", 302)]
    assert "Vul de code uit je authenticator-app in" in page.text

    response = client.post(f"{REAUTHENTICATE}?next=%2Faudit%2F", {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == audit
    assert client.get(audit).status_code == 200


def test_a_wrong_code_does_not(client, db):
    staff = UserFactory(is_aanzet_staff=True)
    with_known_totp(staff)
    password_only(client, staff)

    response = client.post(f"{REAUTHENTICATE}?next=%2Faudit%2F", {"code": "000000"})

    assert response.status_code == 200
    assert client.get(reverse("audit-log")).status_code == 302


@pytest.mark.django_db(transaction=True)  # allauth records the new app once it is committed
def test_setting_up_the_app_counts_as_the_second_step(client):
    """Staff without the app set it up (which takes a code from it) and go on at once."""
    staff = UserFactory(is_aanzet_staff=True)
    password_only(client, staff)
    activate = reverse("mfa_activate_totp")
    assert client.get(reverse("dashboard"))["Location"] == activate
    response = client.get(activate)
    client.post(response["Location"], {"password": PASSWORD})  # allauth asks for it first
    page = client.get(activate)
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.text)
    secret = secret or re.search(r'value="([A-Z2-7]+)"[^>]*id="authenticator_secret"', page.text)

    response = client.post(activate, {"code": totp_code(secret.group(1))})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("dashboard")).status_code == 200


def test_people_who_are_not_staff_are_never_asked_for_a_code(client, volunteer):
    password_only(client, volunteer)

    assert client.get(reverse("dashboard")).status_code == 200


# Secrets encrypted at rest -------------------------------------------------------------------


def test_the_totp_secret_is_not_in_the_database_in_plain_text(db):
    user = UserFactory(is_aanzet_staff=True)
    secret = with_known_totp(user)

    data = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data

    assert secret not in str(data)
    assert data["secret"].startswith("gAAAAA")  # a Fernet token
    assert TOTP(Authenticator.objects.get(user=user)).validate_code(totp_code(secret))


def test_the_seed_of_the_recovery_codes_is_encrypted_and_the_codes_still_work(db):
    user = UserFactory(is_aanzet_staff=True)
    with_known_totp(user)
    codes = RecoveryCodes.activate(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    seed = codes.instance.data["seed"]

    assert seed.startswith("gAAAAA")
    unused = RecoveryCodes(authenticator).get_unused_codes()
    assert len(unused) == 10
    assert not any(code in str(authenticator.data) for code in unused)
    assert RecoveryCodes(authenticator).validate_code(unused[0])


def test_the_admin_shows_who_has_which_method_but_never_the_secret(client, db):
    admin = administrator()
    staff = UserFactory(is_aanzet_staff=True, email="sietske@example.org")
    secret = with_known_totp(staff)
    stored = Authenticator.objects.get(user=staff)
    force_login(client, admin)

    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    page = client.get(reverse("admin:mfa_authenticator_change", args=[stored.pk]))

    assert listing.status_code == page.status_code == 200
    assert str(staff) in listing.text
    for text in (listing.text, page.text):
        assert secret not in text
        assert stored.data["secret"] not in text
        assert '"secret"' not in text and "&quot;secret&quot;" not in text
    # Nothing to change or add by hand; deleting one (a lost phone) is possible.
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    assert 'name="data"' not in page.text
    delete = client.get(reverse("admin:mfa_authenticator_delete", args=[stored.pk]))
    assert delete.status_code == 200


def test_the_migration_encrypts_secrets_stored_in_plain_text_and_its_reverse_decrypts(db):
    migration = importlib.import_module("buurtkamer.migrations.0007_encrypt_mfa_secrets")
    user = UserFactory(is_aanzet_staff=True)
    secret = generate_totp_secret()
    plain = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    seed = RecoveryCodes.generate_seed()
    codes = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": seed, "used_mask": 0, "migrated_codes": ["12345678"]},
    )

    migration.encrypt(apps, None)
    migration.encrypt(apps, None)  # twice: what is encrypted stays as it is

    plain.refresh_from_db()
    codes.refresh_from_db()
    assert secret not in str(plain.data) and seed not in str(codes.data)
    assert "12345678" not in str(codes.data) and codes.data["used_mask"] == 0
    assert TOTP(plain).validate_code(totp_code(secret))
    assert RecoveryCodes(codes).get_unused_codes() == ["12345678"]

    migration.decrypt(apps, None)

    plain.refresh_from_db()
    codes.refresh_from_db()
    assert plain.data == {"secret": secret}
    assert codes.data == {"seed": seed, "used_mask": 0, "migrated_codes": ["12345678"]}


NEW_KEY = "bmV3LWtleS1hZnRlci1yb3RhdGlvbi0wMTIzNDU2Nzg="


def test_after_a_key_change_the_command_re_encrypts_everything_with_the_new_key(db, settings):
    user = UserFactory(is_aanzet_staff=True)
    secret = with_known_totp(user)
    RecoveryCodes.activate(user)
    codes_before = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).generate_codes()
    old_key = settings.MFA_ENCRYPTION_KEY
    settings.MFA_ENCRYPTION_KEY, settings.MFA_ENCRYPTION_OLD_KEYS = NEW_KEY, [old_key]
    out = io.StringIO()

    call_command("reencrypt_mfa_secrets", stdout=out)

    assert "2 authenticator(s)" in out.getvalue()
    settings.MFA_ENCRYPTION_OLD_KEYS = []  # the old key can go now
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert TOTP(totp).validate_code(totp_code(secret))
    assert RecoveryCodes(codes).generate_codes() == codes_before


def test_the_command_refuses_when_the_old_key_is_missing_and_changes_nothing(db, settings):
    from django.core.management.base import CommandError

    user = UserFactory(is_aanzet_staff=True)
    secret = with_known_totp(user)
    before = Authenticator.objects.get(user=user).data
    old_key = settings.MFA_ENCRYPTION_KEY
    settings.MFA_ENCRYPTION_KEY, settings.MFA_ENCRYPTION_OLD_KEYS = NEW_KEY, []  # forgotten

    with pytest.raises(CommandError, match="MFA_ENCRYPTION_OLD_KEYS"):
        call_command("reencrypt_mfa_secrets", stdout=io.StringIO())

    assert Authenticator.objects.get(user=user).data == before
    settings.MFA_ENCRYPTION_OLD_KEYS = [old_key]
    assert TOTP(Authenticator.objects.get(user=user)).validate_code(totp_code(secret))


def test_without_the_key_the_secrets_cannot_be_read(db, settings):
    from cryptography.fernet import InvalidToken

    user = UserFactory(is_aanzet_staff=True)
    secret = with_known_totp(user)
    settings.MFA_ENCRYPTION_KEY, settings.MFA_ENCRYPTION_OLD_KEYS = NEW_KEY, []

    with pytest.raises(InvalidToken):
        TOTP(Authenticator.objects.get(user=user)).validate_code(totp_code(secret))


# E-mail addresses ----------------------------------------------------------------------------


def test_nobody_adds_an_address_to_their_account(client, login, volunteer, coordinator):
    login(volunteer)

    page = client.get(reverse("account_email"), follow=True)
    posted = client.post(
        reverse("account_email"), {"action_add": "", "email": coordinator.email}, follow=True
    )

    for response in (page, posted):
        assert response.redirect_chain == [(reverse("dashboard"), 302)]
        assert "Je e-mailadres kun je hier niet wijzigen" in response.text
        assert 'name="email"' not in response.text
    assert list(EmailAddress.objects.filter(user=volunteer).values_list("email", flat=True)) == [
        volunteer.email
    ]
    assert mail.outbox == []


def test_the_closed_email_page_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("account_email"))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")


def test_no_mail_goes_to_an_address_without_an_account(client, db):
    reset = client.post(reverse("account_reset_password"), {"email": "niemand@example.org"})
    code = client.post(reverse("account_request_login_code"), {"email": "niemand@example.org"})

    assert reset["Location"] == reverse("account_reset_password_done")
    assert code["Location"] == reverse("account_confirm_login_code")
    assert mail.outbox == []


# Secret links stay out of the logs -----------------------------------------------------------

TOKEN = "Geheim-Agenda_Token-1234567890abcdef"


@pytest.fixture
def console_log():
    """What the console handlers of settings.LOGGING write (root and runserver's log)."""
    stream = io.StringIO()
    handlers = [
        handler
        for name in ("", "django.server")
        for handler in logging.getLogger(name).handlers
        if handler.get_name() in ("console", "django.server")
    ]
    assert len(handlers) == 2
    old_streams = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, old in zip(handlers, old_streams, strict=True):
        handler.setStream(old)


def test_a_feed_link_in_djangos_request_log_is_masked(client, db, console_log):
    response = client.get(f"/agenda/{TOKEN}.ics")
    client.get(f"/agenda/{TOKEN}/dokkum.ics")

    assert response.status_code == 404  # an unknown (or replaced) link: logged as a warning
    logged = console_log.getvalue()
    assert "Not Found: /agenda/[token].ics" in logged
    assert "Not Found: /agenda/[token]/dokkum.ics" in logged
    assert TOKEN not in logged


def test_a_real_feed_link_is_masked_in_runservers_access_log(client, login, volunteer, console_log):
    token = get_profile(volunteer).calendar_token
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /agenda/{token}.ics HTTP/1.1", "200", "512"
    )
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /uitnodiging/MTI/c2x0-4f7a9e1b2c3d/ HTTP/1.1", "200", "512"
    )

    logged = console_log.getvalue()
    assert token not in logged and "c2x0-4f7a9e1b2c3d" not in logged
    assert '"GET /agenda/[token].ics HTTP/1.1" 200 512' in logged
    assert "/uitnodiging/MTI/[token]/" in logged


def test_other_paths_are_logged_as_they_are(console_log):
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /agenda/nieuwe-link/ HTTP/1.1", "405", "0"
    )
    logging.getLogger("django.request").warning("Not Found: %s", "/locaties/dokkum/agenda/")

    logged = console_log.getvalue()
    assert "/agenda/nieuwe-link/" in logged
    assert "Not Found: /locaties/dokkum/agenda/" in logged


def test_gunicorns_access_log_masks_the_token(tmp_path):
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = GunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/agenda/{TOKEN}.ics?x=1",
        "PATH_INFO": f"/agenda/{TOKEN}.ics",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[])

    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()

    logged = (tmp_path / "access.log").read_text()
    assert '"GET /agenda/[token].ics?x=1 HTTP/1.1" 200 512' in logged
    assert TOKEN not in logged


# Moved from tests/test_pages_by_role.py (its page-by-role cases are rows of the authorization
# matrix now) -------------------------------------------------------------------------------------


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


def test_not_even_an_administrator_deletes_an_audit_event(client, db):
    from buurtkamer.models import AuditEvent, log_action
    from tests.factories import administrator, force_login

    admin = administrator()
    log_action(actor=admin, action=next(iter(AuditEvent.Action)), subject="iets dat gebeurde")
    event = AuditEvent.objects.get()
    force_login(client, admin)

    delete = reverse("admin:buurtkamer_auditevent_delete", args=[event.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:buurtkamer_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


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
