from django.conf import settings

from .permissions import Action, can


def navigation(request):
    """What the menu shows: only links the person may follow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_staff": user.is_aanzet_staff,
        "nav_manages_a_location": can(user, Action.MANAGE_LOCATION),
    }


def site(request):
    """The site's name from settings (never the host's): the allauth pages and e-mails."""
    return {"site_name": settings.SITE_NAME}
