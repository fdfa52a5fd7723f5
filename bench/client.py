"""A small HTTP client for the benchmark: one keep-alive connection (http.client) with a
cookie jar, timed from sending the request to the last byte of the answer.

Cookies are kept whatever their Secure flag says: the benchmark talks plain HTTP to
gunicorn on 127.0.0.1, the way a TLS-terminating proxy in front of it would.
"""

import http.client
import re
import time
import urllib.parse
from http.cookies import CookieError, SimpleCookie

TIMEOUT = 15  # seconds for connecting and for each answer


class Response:
    __slots__ = ("body", "headers", "seconds", "status")

    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds


class Browser:
    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None) -> Response:
        """One request. A GET on a keep-alive connection the server closed meanwhile is sent
        again on a new one; anything else that fails raises (the caller decides)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2 or method != "GET":
                    raise
                continue
            except Exception:
                self.close()
                raise
            seconds = time.perf_counter() - start
            if response.will_close:
                self.close()
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            return Response(response.status, response.headers, data, seconds)
        raise AssertionError("unreachable")

    def _keep_cookies(self, set_cookies) -> None:
        for header in set_cookies:
            jar = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            for morsel in jar.values():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(morsel.key, None)
                else:
                    self.cookies[morsel.key] = morsel.value

    def get(self, path) -> Response:
        return self.request("GET", path)

    def post_json(self, path, payload: bytes) -> Response:
        return self.request("POST", path, payload, {"Content-Type": "application/json"})

    def post_form(self, path, fields: dict) -> Response:
        return self.request(
            "POST",
            path,
            urllib.parse.urlencode(fields),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _submit(browser: Browser, path: str, fields: dict) -> Response | None:
    """GET a form for its CSRF token (and cookie), then POST it with `fields`."""
    page = browser.get(path)
    match = CSRF_FIELD.search(page.body)
    if page.status != 200 or match is None:
        return None
    return browser.post_form(path, {"csrfmiddlewaretoken": match.group(1).decode(), **fields})


def log_in(port, email, password, session_cookie, totp_code=None) -> Browser | None:
    """Log in through allauth's login form, and its TOTP step when it asks for one
    (`totp_code()` gives the current code); None when that did not end in a session."""
    browser = Browser(port)
    answer = _submit(browser, "/accounts/login/", {"login": email, "password": password})
    if answer is None or answer.status != 302:
        return None
    location = urllib.parse.urlsplit(answer.headers.get("Location", "")).path
    if location.startswith("/accounts/2fa/authenticate") and totp_code is not None:
        answer = _submit(browser, location, {"code": totp_code()})
        if answer is None or answer.status != 302:
            return None
        location = urllib.parse.urlsplit(answer.headers.get("Location", "")).path
    if location.startswith("/accounts/") or session_cookie not in browser.cookies:
        return None
    return browser
