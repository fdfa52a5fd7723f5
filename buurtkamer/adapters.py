from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.utils import translation

from .languages import language_of


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: coordinators and staff invite people."""

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        """allauth's e-mails (login code, password reset, ...) in the language of the person
        with the address (User.language), whoever asks for them; for an address without an
        account (allauth answers those alike, to tell nobody who has an account) the language
        of the page it was asked on."""
        user = context.get("user")
        if getattr(user, "pk", None) is None:
            user = get_user_model().objects.filter(email__iexact=email).first()
        language = language_of(user) if user is not None else translation.get_language()
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)
