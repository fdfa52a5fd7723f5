from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: coordinators and staff invite people."""

    def is_open_for_signup(self, request):
        return False
