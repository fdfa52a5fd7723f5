"""`python manage.py send_monthly_report`: e-mail every AanZet staff member last month's figures
of all locations, with the CSV and XLSX of the report attached.

Idempotent per month and person: each e-mail sent is recorded as an AuditEvent (action
"monthly_report_sent", subject the month "2026-10", details {"to": address}); running it again
(cron twice, a retry after a failure) sends only to whoever has not had it yet. Meant for cron
on the first of the month, e.g. `15 7 1 * * cd /app && python manage.py send_monthly_report`.

When a loneliness round ended in the reported month, the e-mail has a section with its group
figures (rendered by the `loneliness` template tags, so this app does not import that one).
"""

import datetime
from collections import defaultdict
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from buurtkamer.dates import month_end, previous_month
from buurtkamer.emails import site_url, templated_message
from buurtkamer.exports import XLSX_CONTENT_TYPE
from buurtkamer.languages import language_of
from buurtkamer.models import AuditEvent
from locations.models import Location
from visitors.reports import Filters, build_report
from visitors.reports.exports import report_csv, report_xlsx

ACTION = AuditEvent.Action.MONTHLY_REPORT_SENT


def last_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return previous_month(today)


def send_monthly_report(*, month_start: datetime.date, base_url: str) -> list[str]:
    """Send the report of the month starting on month_start to every active staff member who
    has not had it; returns the addresses sent to."""
    month = month_start.strftime("%Y-%m")
    already = set(
        AuditEvent.objects.filter(action=ACTION, subject=month).values_list(
            "details__to", flat=True
        )
    )
    staff = [
        user
        for user in get_user_model()
        .objects.filter(is_aanzet_staff=True, is_active=True)
        .order_by("pk")
        if user.email not in already
    ]
    if not staff:
        return []
    filters = Filters(
        start=month_start,
        end=month_end(month_start),
        locations=list(Location.objects.order_by("name")),
        grouping="week",
        per="locatie",
        preset="anders",
    )
    # Each person reads it in their own language (User.language): the report, its files and
    # the e-mail are made once per language of the people it goes to.
    by_language = defaultdict(list)
    for user in staff:
        by_language[language_of(user)].append(user)
    sent = []
    for language, users in by_language.items():
        with translation.override(language):
            report = build_report(filters, with_stories=False)
            csv_content, xlsx_content = report_csv(report), report_xlsx(report)
            per_location = report.table("per-eenheid")
            context = {
                "month_label": date_format(month_start, "YEAR_MONTH_FORMAT"),
                "totals": report.totals,
                "rows": [(row[0], row[1]) for row in per_location.rows[:-1]],
                "report_url": base_url.rstrip("/")
                + reverse("visitors:report")
                + f"?{filters.query()}",
                # For the loneliness section (its template tags; rounds that ended this month).
                "site_url": base_url,
                "month_start": filters.start,
                "month_end": filters.end,
                "locations": filters.locations,
            }
        for user in users:
            message = templated_message("visitors/reports/email/monthly_report", context, user)
            message.attach(filters.filename("csv"), csv_content, "text/csv")
            message.attach(filters.filename("xlsx"), xlsx_content, XLSX_CONTENT_TYPE)
            message.send()
            AuditEvent.objects.create(action=ACTION, subject=month, details={"to": user.email})
            sent.append(user.email)
    return sent


class Command(BaseCommand):
    help = "E-mails every staff member last month's visitor figures (CSV and XLSX attached)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="Another month than last month: YYYY-MM.")

    def handle(self, *args, month=None, **options):
        if month:
            try:
                month_start = datetime.date.fromisoformat(f"{month}-01")
            except ValueError as error:
                raise CommandError("--month: YYYY-MM, for example 2026-10.") from error
        else:
            month_start, _end = last_month(timezone.localdate())
        with translation.override(settings.LANGUAGE_CODE):
            try:
                sent = send_monthly_report(month_start=month_start, base_url=site_url())
            except (OSError, SMTPException) as error:
                raise CommandError(
                    f"Sending failed (run again to send the rest): {error}"
                ) from error
        self.stdout.write(f"{month_start:%Y-%m}: sent to {len(sent)} staff member(s).")
