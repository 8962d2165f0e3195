"""Real-browser tests: Debian's headless Chromium driven by Playwright against a live server.

Playwright's own browser download does not work on these machines, so the suite launches the
system Chromium (`CHROMIUM`, default /usr/bin/chromium; `apt-get install chromium`). Every page
a test visits is checked with axe-core (the engine shipped by axe-playwright-python): zero
violations at any impact level.
"""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data are still plain synchronous calls. (test_settings runs `check --deploy` without it.)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "correct horse battery staple"  # the factories' password


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. Install it with `apt-get install chromium` "
            "(`.ci/run` does), or set CHROMIUM to its path."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request):
    return request.param


@pytest.fixture
def page(browser, viewport):
    context = browser.new_context(viewport=viewport, accept_downloads=True, locale="en-GB")
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    yield page
    context.close()


_axe = Axe()


def assert_accessible(page, label=""):
    """axe-core finds no violation of any impact on the page as it is now."""
    results = _axe.run(page)
    violations = results.response["violations"]
    report = "\n".join(
        f"{v['impact']}: {v['id']} – {v['help']} ({len(v['nodes'])}×: {v['nodes'][0]['target']})"
        for v in violations
    )
    assert not violations, f"axe violations on {label or page.url}:\n{report}"


def sign_in(page, base, username, *, check_accessible=False):
    """Sign in through the sign-in page, as a person would."""
    page.goto(f"{base}/en/accounts/login/")
    if check_accessible:
        assert_accessible(page, "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/en/")


def tab_to(page, text, limit=80):
    """Press Tab until the focused element's text or label contains `text`; return it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate(
            """() => { const e = document.activeElement;
            if (!e || e === document.body || e.tagName === 'MAIN') return '';
            const l = e.labels && e.labels[0] ? e.labels[0].innerText : '';
            const own = e.tagName === 'INPUT' ? '' : (e.innerText || '');
            return own + ' ' + l + ' ' + (e.getAttribute('aria-label') || ''); }"""
        )
        if text in label:
            return label
    raise AssertionError(f"could not reach {text!r} with the Tab key")
