from django.core.management.base import BaseCommand, CommandError

from buurtkamer.two_factor import UnknownKeyError, reencrypt_mfa_secrets


class Command(BaseCommand):
    help = (
        "Encrypt every two-step verification secret (TOTP, recovery codes) with the current "
        "MFA_ENCRYPTION_KEY. After a key change: run it with the old key in "
        "MFA_ENCRYPTION_OLD_KEYS, then drop the old key."
    )

    def handle(self, *args, **options):
        try:
            changed = reencrypt_mfa_secrets()
        except UnknownKeyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{changed} authenticator(s) re-encrypted with the current key.")
