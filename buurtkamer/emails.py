"""E-mails as template triplets: `<name>_subject.txt`, `<name>.txt` and `<name>.html`."""

import os

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


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


def send_templated_email(template: str, context: dict, to: list[str]) -> None:
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(html, "text/html")
    message.send()
