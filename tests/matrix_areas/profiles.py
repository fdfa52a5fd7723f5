"""Rows of the authorization matrix for one area; see tests/test_authorization_matrix.py.

ROWS: {url name: Row(get=..., post=...)}, the outcome per role as in the main MATRIX.
PK_KIND: {url name: kind} for URLs with a `pk`; objects() makes one object of each kind.
"""

from tests.matrix_common import (  # noqa: F401 - the vocabulary of the rows
    ALL_LOGGED_IN,
    EVERYONE,
    MANAGERS,
    MANAGERS_POST,
    MANAGERS_POST_INVALID,
    MEMBERS_ONLY,
    NOBODY,
    REDIRECT,
    L,
    Row,
)

ROWS = {}
PK_KIND = {}
NOT_HTML = set()  # answers that are not HTML on purpose (an .ics feed, a CSV)


def objects(location, coordinator, personas):
    """{kind: object} of this location, one of each kind in PK_KIND."""
    return {}


def sample(url_name, argument, objects):
    """A value for a URL argument other than slug and pk (a token), or None."""
    return None


def unchanged(kind, before, fresh):
    """After a refused request on another location's object: is it as it was?"""
    return True
