"""E-mails as template triplets: `<name>_subject.txt`, `<name>.txt` and `<name>.html`."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


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
