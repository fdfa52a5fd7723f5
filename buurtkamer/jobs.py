"""The scheduled jobs, in one place: what each runs, when, and how old its last success may be.

deploy/systemd/ has one timer per job with the same OnCalendar (tests/test_deploy.py keeps them
in step); each timer starts `manage.py run_job NAME`, which runs the command with the arguments
below and records the success in JobRun. /healthz answers 503 when a job's last success is older
than its `max_age` (its period plus two hours: 26 hours for a daily job) or missing.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
SLACK = 2 * HOUR  # a run may take a while, and Persistent=true catches up after a reboot


@dataclass(frozen=True)
class Job:
    name: str
    command: tuple[str, ...]  # manage.py arguments
    on_calendar: str  # systemd OnCalendar, in Europe/Amsterdam
    period: datetime.timedelta

    @property
    def max_age(self) -> datetime.timedelta:
        return self.period + SLACK


JOBS = {
    job.name: job
    for job in [
        Job("backup", ("backup",), "*-*-* 01:30:00 Europe/Amsterdam", DAY),
        Job(
            "generate_occurrences",
            ("generate_occurrences",),
            "*-*-* 02:30:00 Europe/Amsterdam",
            DAY,
        ),
        Job(
            "anonymise_stopped_volunteers",
            ("anonymise_stopped_volunteers",),
            "*-*-01 03:00:00 Europe/Amsterdam",
            31 * DAY,
        ),
        Job("settle_visits", ("settle_visits",), "*-*-* 03:30:00 Europe/Amsterdam", DAY),
        Job(
            "generate_shifts",
            ("generate_shifts", "--weeks", "8"),
            "Mon *-*-* 06:00:00 Europe/Amsterdam",
            7 * DAY,
        ),
        Job(
            "send_monthly_report",
            ("send_monthly_report",),
            "*-*-01 07:15:00 Europe/Amsterdam",
            31 * DAY,
        ),
        Job("send_roster_alerts", ("send_roster_alerts",), "*-*-* 07:30:00 Europe/Amsterdam", DAY),
        Job(
            "send_shift_reminders",
            ("send_shift_reminders",),
            "*-*-* 18:00:00 Europe/Amsterdam",
            DAY,
        ),
    ]
}


def record_success(name: str, duration: datetime.timedelta | None = None) -> None:
    from .models import JobRun

    JobRun.objects.update_or_create(
        name=name, defaults={"last_success": timezone.now(), "last_duration": duration}
    )


def overdue(now: datetime.datetime | None = None) -> dict[str, str]:
    """The jobs without a recent enough success: {name: "never" | "late"} (empty when all ran)."""
    from .models import JobRun

    now = now or timezone.now()
    last = dict(JobRun.objects.filter(name__in=JOBS).values_list("name", "last_success"))
    problems = {}
    for name, job in JOBS.items():
        if name not in last:
            problems[name] = "never"
        elif now - last[name] > job.max_age:
            problems[name] = "late"
    return problems
