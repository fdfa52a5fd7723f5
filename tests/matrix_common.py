"""What the authorization matrix is made of, shared by tests/test_authorization_matrix.py and
the rows of each area in tests/matrix_areas/."""

from dataclasses import dataclass

ROLES = (
    "anonymous",
    "tablet",
    "volunteer",
    "other_volunteer",
    "coordinator",
    "other_coordinator",
    "staff",
)
LOGIN = "login"  # a 302 to the login page, /accounts/login/?next=<this page>
REDIRECT = 302  # a 302 somewhere else than the login page (back to a page, with a message)
L = LOGIN


@dataclass(frozen=True)
class Row:
    """Expected outcome per role (in the order of ROLES) for GET and for POST with empty data."""

    get: tuple
    post: tuple

    def expected(self, method: str, role: str):
        return getattr(self, method.lower())[ROLES.index(role)]


ALL_LOGGED_IN = (L, L, 200, 200, 200, 200, 200)
MEMBERS_ONLY = (L, L, 200, 404, 200, 404, 200)  # the location's own people and staff
MANAGERS = (L, L, 403, 404, 200, 404, 200)  # its coordinators and staff; a volunteer 403
MANAGERS_POST = (L, L, 403, 404, REDIRECT, 404, REDIRECT)
MANAGERS_POST_INVALID = (L, L, 403, 404, 400, 404, 400)
EVERYONE = (200,) * 7
NOBODY = (405,) * 7
