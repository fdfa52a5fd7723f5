"""Two-step verification (allauth's MFA): secrets encrypted at rest, and "did this session pass it".

Secrets. allauth keeps a TOTP secret (`data["secret"]`) and the seed of the recovery codes
(`data["seed"]`, and `data["migrated_codes"]` when there are any) in the database. They go
through `MFAAdapter.encrypt` / `decrypt` (settings.MFA_ADAPTER): here Fernet with the key
MFA_ENCRYPTION_KEY, so neither a database backup nor the admin shows them. Old keys
(MFA_ENCRYPTION_OLD_KEYS) still decrypt; `manage.py reencrypt_mfa_secrets` re-encrypts every
secret with the current key, after which the old ones can go.

Sessions. Having an authenticator app is not enough for staff and administrators: this session
must have passed the second step. allauth records every authentication step of a session
(`allauth.account.authentication.get_authentication_records`); the login's TOTP step, the
"confirm with your code" page (mfa_reauthenticate) and, here, setting up the app (which also
takes a code from it) each leave a record with method "mfa".
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.forms import GenerateRecoveryCodesForm as AllauthGenerateForm
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# Secrets at rest ------------------------------------------------------------------------------


def _fernet():
    keys = [settings.MFA_ENCRYPTION_KEY, *settings.MFA_ENCRYPTION_OLD_KEYS]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_secret(text):
    return _fernet().encrypt(text.encode()).decode()


def decrypt_secret(token):
    return _fernet().decrypt(token.encode()).decode()


def is_encrypted(value):
    """Whether `value` is a secret encrypted with one of the configured keys."""
    try:
        _fernet().decrypt(value.encode())
    except (InvalidToken, AttributeError, TypeError):
        return False
    return True


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter with the secrets encrypted in the database."""

    def encrypt(self, text):
        return encrypt_secret(text)

    def decrypt(self, encrypted_text):
        return decrypt_secret(encrypted_text)


def _convert_secrets(data, convert):
    """`data` of a TOTP or recovery-codes authenticator with its secrets passed through `convert`
    (a function of one value that returns the new value)."""
    data = dict(data)
    for field in ("secret", "seed"):
        if isinstance(data.get(field), str):
            data[field] = convert(data[field])
    if isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [convert(code) for code in data["migrated_codes"]]
    return data


class UnknownKeyError(Exception):
    """A secret is encrypted with a key that is neither MFA_ENCRYPTION_KEY nor an old key."""


def _plain(value):
    """Whether `value` is a secret in plain text: a TOTP secret (base32), a seed (hex) or a
    recovery code (digits). A Fernet token starts with "gAAAAA", which none of those can."""
    if value.startswith("gAAAAA"):
        raise UnknownKeyError(
            "A two-step verification secret is encrypted with a key that is not configured: "
            "put the key it was encrypted with in MFA_ENCRYPTION_OLD_KEYS."
        )
    return True


def encrypted_data(data):
    """`data` with every plain secret encrypted (ones already encrypted are left alone)."""
    return _convert_secrets(
        data,
        lambda value: value if is_encrypted(value) else _plain(value) and encrypt_secret(value),
    )


def decrypted_data(data):
    """`data` with every encrypted secret in plain text again (for the migration's reverse)."""
    return _convert_secrets(
        data, lambda value: decrypt_secret(value) if is_encrypted(value) else value
    )


SECRET_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES)


def reencrypt_mfa_secrets():
    """Encrypt every TOTP secret and recovery-code seed with the current key (after a key
    rotation, or for a secret still in plain text); returns how many authenticators changed.
    Raises UnknownKeyError, and changes nothing, when a secret is encrypted with a key that is
    not configured (rather than encrypting it once more, which would lose it for good)."""
    fernet = _fernet()

    def rotate(value):
        if is_encrypted(value):
            return fernet.rotate(value.encode()).decode()
        return _plain(value) and encrypt_secret(value)

    changed = 0
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().filter(
            type__in=SECRET_TYPES
        ):
            data = _convert_secrets(authenticator.data, rotate)
            if data != authenticator.data:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                changed += 1
    return changed


# Did this session pass the second step? -------------------------------------------------------


def session_passed_two_factor(request):
    """Whether the logged-in person of `request` gave a code from their authenticator app (or a
    recovery code) in this session."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def record_two_factor_in_session(session, user, authenticator):
    """Write into `session` that `user` passed the second step with `authenticator`, through
    allauth's own record (as its login form does).

    For sessions made without the login form: the tests' logged-in personas and the benchmark's
    in-process clients (Django's `Client.force_login`), which would otherwise count as "password
    only". The app itself never calls this for a request; see remember_two_factor_on_activation.
    """
    from allauth.account.internal.flows.login import record_authentication

    request = HttpRequest()
    request.session = session
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    session.save()


def remember_two_factor_on_activation(sender, request, user, authenticator, **kwargs):
    """Setting up the authenticator app takes a code from it: that session has passed the second
    step (allauth does not record it), so staff go on without being asked for a code again."""
    from allauth.account.internal.flows.login import record_authentication

    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    if getattr(request, "user", None) is None or request.user.pk != user.pk:
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


# New recovery codes ---------------------------------------------------------------------------


class GenerateRecoveryCodesForm(AllauthGenerateForm):
    """allauth's form for new recovery codes (settings.MFA_FORMS), with a tick first: the old
    codes stop working, and someone who printed them must know before, not after."""

    understood = forms.BooleanField(
        label=_("Ik begrijp dat mijn oude codes dan niet meer werken"),
        error_messages={"required": _("Vink eerst aan dat je dit begrijpt.")},
    )
