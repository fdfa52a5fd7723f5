"""What the browser tests share: one headless Debian Chromium per test run, driven by Playwright.

Never `playwright install`: it downloads a browser, which this machine cannot. Without Chromium
the browser tests are skipped with a clear message, except on CI (CI=true), where they fail.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason, remedy="Install Chromium (apt install chromium)"):
    """Skip when the browser cannot run here, but fail on CI, where it must."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason} CI=true, so the browser tests must run: {remedy}.")
    pytest.skip(f"{reason} {remedy} to run the browser tests.")


def chromium_path():
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test run (started by the first test that needs it)."""
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium was not found at /usr/bin/chromium or on the PATH.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install '.[test]').")
    # Playwright's sync API keeps an event loop running in this thread; Django would then refuse
    # the database calls these tests make, before and after each test, without this switch.
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
