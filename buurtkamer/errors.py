"""One kind of refusal: a change the rules do not allow.

A service raises a DomainError (or an area's subclass, such as RosterError) with a `code` and a
`message`, always in that order. The code is a short, stable string for code and tests
("full", "last_coordinator"); the message is the Dutch text for the person, shown as it is:
`messages.error(request, error.message)` or `form.add_error(None, error.message)`.

Access ("may this person see this page") is not a domain error: that is a 403 or 404 from
buurtkamer/permissions.py.
"""


class DomainError(Exception):
    """A change the rules refuse; `code` says which rule, `message` tells the person."""

    def __init__(self, code: str, message):
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
