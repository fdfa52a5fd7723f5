"""Encrypt the secrets of two-step verification that are still in plain text.

Until now allauth stored every TOTP secret (`data["secret"]`) and recovery-code seed
(`data["seed"]`, `data["migrated_codes"]`) of allauth.mfa's Authenticator as it is. From now on
buurtkamer.two_factor.MFAAdapter encrypts them with MFA_ENCRYPTION_KEY; this migration encrypts
the rows made before (values already encrypted are left alone). The reverse decrypts them again,
for going back to code that reads them in plain text.
"""

from django.db import migrations

SECRET_TYPES = ("totp", "recovery_codes")


def _convert(apps, convert):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_TYPES).iterator():
        data = convert(authenticator.data)
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt(apps, schema_editor):
    from buurtkamer.two_factor import encrypted_data

    _convert(apps, encrypted_data)


def decrypt(apps, schema_editor):
    from buurtkamer.two_factor import decrypted_data

    _convert(apps, decrypted_data)


class Migration(migrations.Migration):
    dependencies = [
        ("buurtkamer", "0006_audit_actions_of_rosters_activities_reports"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
