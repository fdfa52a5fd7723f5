"""Issue 17: the tablet page stays light, and keeps working offline.

What the counting page loads, as a first visit transfers it: the static files gzip-compressed
at level 9 (the .gz files WhiteNoise's manifest storage writes, which WhiteNoise and nginx
serve), the HTML at level 1 (nginx compresses it), the service worker as sent. At most 50 KB in
all and 20 KB of scripts. A size budget, not a timing: `make bench` measures the same over HTTP
from gunicorn, and LCP and INP in Chromium (bench/weight.py).
"""

import datetime
import gzip
import uuid
from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from bench.weight import (
    HTML_GZIP_LEVEL,
    STATIC_GZIP_LEVEL,
    TARGET_BYTES,
    TARGET_JS_BYTES,
    is_script,
    page_references,
    service_worker_assets,
    stylesheet_references,
)
from loneliness.models import Round
from visitors import services as visit_services
from visitors.models import Tablet

from .factories import ActivityFactory
from .support import tablet_url

pytestmark = pytest.mark.django_db

LOGBOOK = reverse("visitors:tablet-logbook", kwargs={"slug": "dokkum"})
QUESTIONNAIRE = reverse("loneliness:tablet", kwargs={"slug": "dokkum"})
SERVICE_WORKER = reverse("visitors:service-worker")


@pytest.fixture
def busy_day(paired_client, dokkum):
    """Dokkum on a day with something on every part of the page: taps in the last minutes, two
    activities (their "komt voor" tags), a loneliness round (its button)."""
    tablet = Tablet.objects.get(location=dokkum)
    for _ in range(5):
        visit_services.record_visit(location=dokkum, client_id=uuid.uuid4(), tablet=tablet)
    today = timezone.localdate()
    for title, hour in (("Samen eten", 12), ("Spelletjesmiddag", 14)):
        activity = ActivityFactory(
            location=dokkum,
            title=title,
            starts_at=datetime.time(hour),
            ends_at=datetime.time(hour + 1, 30),
        )
        activity_services.generate_occurrences(activity, today=today)
    round_ = Round.objects.create(
        name="Najaar",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=10),
    )
    round_.locations.set([dokkum])
    return paired_client


def static_file(address):
    """The bytes of a file under STATIC_URL, found as the live server finds it."""
    found = finders.find(address.removeprefix("/" + settings.STATIC_URL.lstrip("/")))
    assert found, f"{address} is referred to but does not exist"
    with open(found, "rb") as file:
        return file.read()


def first_visit(client, path):
    """(address, kind, bytes transferred) of the page and of every file it loads, each once:
    also what its stylesheets refer to, and the service worker with the files it keeps."""
    page = client.get(path)
    assert page.status_code == 200
    files = [(path, "html", len(gzip.compress(page.content, compresslevel=HTML_GZIP_LEVEL)))]
    queue = [urljoin(path, ref) for ref in page_references(page.text)]
    seen = {path}
    while queue:
        address = queue.pop(0)
        if address in seen:
            continue
        seen.add(address)
        if address.startswith("/" + settings.STATIC_URL.lstrip("/")):
            body = static_file(address)
            size = len(gzip.compress(body, compresslevel=STATIC_GZIP_LEVEL))
        else:  # the service worker: a view, sent as it is
            response = client.get(address)
            assert response.status_code == 200, address
            body = response.content
            size = len(body)
        text = body.decode("utf-8", errors="replace")
        if address.endswith(".css"):
            queue += [urljoin(address, ref) for ref in stylesheet_references(text)]
        if is_script(address) and "ASSETS" in text:
            queue += service_worker_assets(text)
        files.append((address, "js" if is_script(address) else "other", size))
    return files


def test_the_tablet_page_with_everything_it_loads_stays_under_50_kb_and_20_kb_of_script(
    busy_day,
):
    files = first_visit(busy_day, tablet_url())

    listing = "\n".join(f"{size:>7} {address}" for address, _kind, size in files)
    total = sum(size for _address, _kind, size in files)
    scripts = sum(size for _address, kind, size in files if kind == "js")
    assert "komt voor: Samen eten" in busy_day.get(tablet_url()).text  # the busy page
    assert total <= TARGET_BYTES, f"{total} bytes (gzip):\n{listing}"
    assert scripts <= TARGET_JS_BYTES, f"{scripts} bytes of script (gzip):\n{listing}"
    # What it takes: the page's own script, the service worker, and no Bootstrap bundle.
    addresses = [address for address, _kind, _size in files]
    assert any("js/tablet." in address for address in addresses)
    assert SERVICE_WORKER in addresses
    assert not any("bootstrap.bundle" in address for address in addresses)
    assert not any("bootstrap.min.css" in address for address in addresses)


def test_the_tablet_pages_load_no_bootstrap_script_and_pages_with_the_menu_do(
    busy_day, client, coordinator
):
    for path in (tablet_url(), LOGBOOK, QUESTIONNAIRE):
        page = busy_day.get(path)
        assert page.status_code == 200, path
        assert "bootstrap.bundle" not in page.text, path
        assert "bootstrap-reboot" in page.text and "css/tablet-base." in page.text, path

    client.force_login(coordinator)
    dashboard = client.get(reverse("dashboard"))
    assert 'data-bs-toggle="collapse"' in dashboard.text
    assert "bootstrap/js/bootstrap.bundle.min" in dashboard.text
    assert "bootstrap/css/bootstrap.min" in dashboard.text


def test_every_file_a_tablet_page_loads_is_kept_for_offline_use(busy_day):
    kept = set(service_worker_assets(busy_day.get(SERVICE_WORKER).text))
    for path in (tablet_url(), LOGBOOK, QUESTIONNAIRE):
        loaded = {
            urljoin(path, ref)
            for ref in page_references(busy_day.get(path).text)
            if ref != SERVICE_WORKER
        }
        assert loaded <= kept, f"{path} loads {sorted(loaded - kept)}, not kept offline"
