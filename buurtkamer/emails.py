"""E-mails as template triplets: `<name>_subject.txt`, `<name>.txt` and `<name>.html`."""

import os

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .languages import language_of


def site_url() -> str:
    """Where the site lives, for links in e-mails sent outside a request (cron): the SITE_URL
    setting or environment variable, else https:// and the first allowed host."""
    url = getattr(settings, "SITE_URL", "") or os.environ.get("SITE_URL", "")
    if url:
        return url.rstrip("/")
    hosts = [host for host in settings.ALLOWED_HOSTS if host not in ("*", "")]
    host = hosts[0].lstrip(".") if hosts else "localhost"
    scheme = "http" if host in ("localhost", "127.0.0.1") else "https"
    return f"{scheme}://{host}"


def templated_message(template: str, context: dict, recipient) -> EmailMultiAlternatives:
    """The e-mail `template` to one person, written in THEIR language (User.language), whoever
    caused it: subject, text and HTML are rendered under translation.override, so texts, names
    of days and months and date formats are theirs. `recipient` is a user (it becomes `user` in
    the context) or a bare address (written in the active language)."""
    if isinstance(recipient, str):
        address, language = recipient, translation.get_language()
    else:
        address, language = recipient.email, language_of(recipient)
        context = context | {"user": recipient}
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    message.attach_alternative(html, "text/html")
    message.extra_headers["Content-Language"] = language
    return message


def send_templated_email(template: str, context: dict, recipients) -> int:
    """One e-mail per recipient (users, or bare addresses), each in the recipient's own
    language (templated_message). Returns how many went out; a failing mail server raises."""
    sent = 0
    for recipient in recipients:
        templated_message(template, context, recipient).send()
        sent += 1
    return sent
