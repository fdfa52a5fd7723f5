"""The tablet page's weight and speed (issue 17): what a first visit transfers, and LCP and INP
in Chromium on a slow tablet.

1. Bytes: the page over HTTP from gunicorn with `Accept-Encoding: gzip, br`, then every file it
   refers to (stylesheets, scripts, icon, images, and what the stylesheets refer to with url()),
   the service worker it registers and the files that worker stores for offline use, each
   once. Static files come as WhiteNoise serves them (precompressed by the manifest storage,
   as nginx serves the same .gz files in production). The HTML is dynamic: gunicorn sends it
   uncompressed and nginx in front compresses it (Debian's `gzip on`, level 1), so it counts
   as gzip level 1 of what gunicorn sent. `tablet_bytes` is the sum of the bodies,
   `tablet_js_bytes` that of the scripts; the headers are given apart.
2. Browser: Chromium (Playwright, /usr/bin/chromium) with 4x CPU slowdown and "Fast 3G"
   (150 ms latency, 1.6 Mbps down, 750 kbps up) opens the page cold as the paired tablet
   (LCP: the last 'largest-contentful-paint' entry before the first tap), then taps "+1" five
   times as a finger would, 0.7 s apart (INP: the longest 'event' / 'first-input' entry of an
   interaction, durationThreshold 16 ms). Three cold runs; the medians are reported.

Without Playwright or Chromium the byte count still runs and the browser figures are None
with the reason (`make bench` installs the test extras, which bring Playwright).
"""

import gzip
import json
import re
import statistics
import urllib.parse
from html.parser import HTMLParser

from bench.client import Browser

TARGET_BYTES = 50 * 1024
TARGET_JS_BYTES = 20 * 1024
TARGET_LCP_MS = 2500
TARGET_INP_MS = 200

ACCEPT = {"Accept-Encoding": "gzip, br"}
# The HTML as nginx compresses it (Debian's `gzip on`, default level 1); the static files as
# WhiteNoise's manifest storage stores their .gz (level 9), which both WhiteNoise and nginx
# (gzip_static) send. tests/test_tablet_weight.py counts with the same levels.
HTML_GZIP_LEVEL = 1
STATIC_GZIP_LEVEL = 9
RUNS = 3
TAPS = 5
CPU_SLOWDOWN = 4
FAST_3G = {
    "offline": False,
    "latency": 150,  # ms
    "downloadThroughput": 1_600_000 / 8,  # bytes per second
    "uploadThroughput": 750_000 / 8,
}


# What the page refers to -------------------------------------------------------------------


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            rel = set((attrs.get("rel") or "").lower().split())
            if rel & {"stylesheet", "icon", "preload", "modulepreload", "manifest"}:
                self.found.append(attrs["href"])
        elif tag in {"script", "img", "source", "audio", "video"} and attrs.get("src"):
            self.found.append(attrs["src"])
        elif tag == "div" and attrs.get("data-service-worker"):
            self.found.append(attrs["data-service-worker"])  # the tablet registers it


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
SW_ASSETS = re.compile(r"const ASSETS = \[(.*?)\];", re.S)


def page_references(html: str) -> list[str]:
    """The stylesheets, scripts, icons, images and service worker an HTML page loads."""
    parser = _References()
    parser.feed(html)
    return parser.found


def stylesheet_references(css: str) -> list[str]:
    """url(...) in a stylesheet, without data: URLs."""
    return [url for url in CSS_URL.findall(css) if not url.startswith("data:")]


def service_worker_assets(script: str) -> list[str]:
    """The paths in the tablet service worker's ASSETS list (templates/visitors/sw.js)."""
    match = SW_ASSETS.search(script)
    if match is None:
        return []
    return [json.loads(literal) for literal in re.findall(r'"(?:[^"\\]|\\.)*"', match.group(1))]


def is_script(path: str, content_type: str = "") -> bool:
    return "javascript" in content_type or path.split("?")[0].endswith((".js", ".mjs"))


# 1. Bytes over HTTP ------------------------------------------------------------------------


def _header_bytes(response) -> int:
    return len("HTTP/1.1 200 OK\r\n\r\n") + sum(
        len(f"{name}: {value}\r\n") for name, value in response.headers.items()
    )


def transfer(port: int, cookies: dict, path: str) -> dict:
    """Every file of a first visit to `path`, each once: bytes as transferred."""
    browser = Browser(port, cookies)
    try:
        page = browser.request("GET", path, headers=ACCEPT)
        if page.status != 200:
            raise RuntimeError(f"GET {path}: {page.status}")
        html = page.body
        encoding = page.headers.get("Content-Encoding", "")
        files = [
            {
                "path": path,
                "kind": "html",
                "bytes": len(html)
                if encoding
                else len(gzip.compress(html, compresslevel=HTML_GZIP_LEVEL)),
                "bytes_uncompressed": len(gzip.decompress(html)) if encoding == "gzip" else None,
                "encoding": encoding or "gzip -1 (nginx; gunicorn sent it plain)",
                "header_bytes": _header_bytes(page),
            }
        ]
        queue = [urllib.parse.urljoin(path, ref) for ref in page_references(html.decode())]
        seen = {path}
        while queue:
            address = queue.pop(0)
            parts = urllib.parse.urlsplit(address)
            if parts.netloc or address in seen:
                continue  # another site (none expected) or already fetched
            seen.add(address)
            answer = browser.request("GET", address, headers=ACCEPT)
            if answer.status != 200:
                raise RuntimeError(f"GET {address}: {answer.status}")
            content_type = answer.headers.get("Content-Type", "")
            encoding = answer.headers.get("Content-Encoding", "")
            body = answer.body
            text = _decoded(body, encoding)
            if "css" in content_type:
                queue += [urllib.parse.urljoin(address, ref) for ref in stylesheet_references(text)]
            if is_script(address, content_type) and "ASSETS" in text:
                queue += service_worker_assets(text)
            kind = "js" if is_script(address, content_type) else content_type.split(";")[0]
            files.append(
                {
                    "path": address,
                    "kind": kind,
                    "bytes": len(body),
                    "encoding": encoding or "identity",
                    "header_bytes": _header_bytes(answer),
                }
            )
    finally:
        browser.close()
    return {
        "tablet_bytes": sum(f["bytes"] for f in files),
        "tablet_js_bytes": sum(f["bytes"] for f in files if f["kind"] == "js"),
        "tablet_header_bytes": sum(f["header_bytes"] for f in files),
        "tablet_files": files,
    }


def _decoded(body: bytes, encoding: str) -> str:
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "br":
        import brotli  # only when the server sent br, i.e. the Brotli package is installed

        body = brotli.decompress(body)
    return body.decode("utf-8", errors="replace")


# 2. LCP and INP in Chromium ----------------------------------------------------------------

OBSERVERS = """
window.__vitals = {lcp: null, inp: null, interactions: 0};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__vitals.lcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
const seen = (list) => {
  for (const entry of list.getEntries()) {
    if (!entry.interactionId) continue;
    window.__vitals.interactions += 1;
    window.__vitals.inp = Math.max(window.__vitals.inp || 0, entry.duration);
  }
};
new PerformanceObserver(seen).observe({type: "event", buffered: true, durationThreshold: 16});
new PerformanceObserver(seen).observe({type: "first-input", buffered: true});
"""


def _one_run(chromium, base_url: str, cookie: dict, path: str) -> dict:
    context = chromium.new_context(
        base_url=base_url,
        viewport={"width": 1024, "height": 768},
        has_touch=True,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    context.set_default_timeout(60_000)
    # Production's cookies are Secure (__Host-): Chromium keeps and sends them on 127.0.0.1.
    context.add_cookies([{**cookie, "domain": "127.0.0.1", "path": "/", "secure": True}])
    context.add_init_script(OBSERVERS)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", FAST_3G)
        page.goto(path, wait_until="load")
        page.wait_for_timeout(1000)  # LCP entries of late paints
        lcp = page.evaluate("window.__vitals.lcp")
        button = page.locator("#tik-knop")
        for _ in range(TAPS):
            button.tap()
            page.wait_for_timeout(700)  # the next visitor, not a double tap
        page.wait_for_function("document.getElementById('wachtrij').hidden === true")
        page.wait_for_timeout(500)  # the last entries are delivered
        vitals = page.evaluate("window.__vitals")
        counted = page.locator("#teller").inner_text()
    finally:
        context.close()
    return {
        "lcp_ms": lcp,
        "inp_ms": vitals["inp"],
        "event_entries": vitals["interactions"],
        "counter_after_taps": counted,
    }


def browser_vitals(port: int, cookie: dict, path: str) -> dict:
    """LCP and INP of `path` (median of RUNS cold runs), or None with the reason."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        from tests.browser_support import CHROMIUM_ARGS, chromium_path
    except ImportError as error:
        return {"lcp_ms": None, "inp_ms": None, "vitals_note": f"not measured: {error}"}
    executable = chromium_path()
    if executable is None:
        return {"lcp_ms": None, "inp_ms": None, "vitals_note": "not measured: no Chromium"}
    base_url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                runs = [_one_run(chromium, base_url, cookie, path) for _ in range(RUNS)]
            finally:
                chromium.close()
    except PlaywrightError as error:
        return {"lcp_ms": None, "inp_ms": None, "vitals_note": f"not measured: {error}"}
    lcps = [run["lcp_ms"] for run in runs if run["lcp_ms"] is not None]
    inps = [run["inp_ms"] for run in runs if run["inp_ms"] is not None]
    return {
        "lcp_ms": round(statistics.median(lcps), 1) if lcps else None,
        "inp_ms": round(statistics.median(inps), 1) if inps else None,
        "vitals_runs": runs,
        "vitals_profile": {
            "cpu_slowdown": CPU_SLOWDOWN,
            "network": FAST_3G,
            "viewport": "1024x768, touch",
            "taps": TAPS,
            "runs": RUNS,
        },
    }


# The bench's part --------------------------------------------------------------------------


def measure(port: int, cookie_name: str, token: str, path: str) -> dict:
    """The figures for bench/results.json: bytes, then LCP and INP."""
    weight = transfer(port, {cookie_name: token}, path)
    vitals = browser_vitals(port, {"name": cookie_name, "value": token}, path)
    met = {
        "tablet_bytes": weight["tablet_bytes"] <= TARGET_BYTES,
        "tablet_js_bytes": weight["tablet_js_bytes"] <= TARGET_JS_BYTES,
        "lcp_ms": vitals["lcp_ms"] is not None and vitals["lcp_ms"] <= TARGET_LCP_MS,
        "inp_ms": vitals["inp_ms"] is not None and vitals["inp_ms"] <= TARGET_INP_MS,
    }
    return {**weight, **vitals, "tablet_path": path, "tablet_targets_met": met}


def report(results: dict) -> list[str]:
    def verdict(ok):
        return "OK" if ok else "MISSED"

    met = results["tablet_targets_met"]
    lines = [f"Tablet page {results['tablet_path']}: first visit, Accept-Encoding: gzip, br"]
    for file in results["tablet_files"]:
        lines.append(f"  {file['bytes']:>7,} B  {file['encoding']:<10.10} {file['path']}")
    lines.append(
        f"  total {results['tablet_bytes'] / 1024:.1f} KB (target <= {TARGET_BYTES // 1024} KB) "
        f"{verdict(met['tablet_bytes'])};  JS {results['tablet_js_bytes'] / 1024:.1f} KB "
        f"(<= {TARGET_JS_BYTES // 1024} KB) {verdict(met['tablet_js_bytes'])};  "
        f"+ {results['tablet_header_bytes'] / 1024:.1f} KB of headers"
    )
    if results["lcp_ms"] is None:
        lines.append(f"  LCP / INP {results.get('vitals_note', 'not measured')}")
    else:
        lines.append(
            f"  Chromium, {CPU_SLOWDOWN}x CPU slowdown, Fast 3G, median of {RUNS} cold runs: "
            f"LCP {results['lcp_ms']:.0f} ms (<= {TARGET_LCP_MS}) {verdict(met['lcp_ms'])};  "
            f"INP {results['inp_ms']:.0f} ms (<= {TARGET_INP_MS}) {verdict(met['inp_ms'])}"
        )
    return lines
