"""Browser journeys: Playwright driving Debian's Chromium (no browser download exists here)."""

import shutil

import pytest

from tests.second_factor import code_for, device_for, needs_second_factor

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct horse battery staple"  # tests.partners.factories.UserFactory

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if not shutil.which(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the real login form, on the test's page or on another one (`on`, a second browser
    context for two people at once); returns that page. The one sign-in helper of the browser journeys."""

    def sign_in_as(user, on=None):
        target = on or page
        device = device_for(user) if needs_second_factor(user) else None
        target.context.clear_cookies()
        target.goto(f"{live_server.url}/accounts/login/")
        target.get_by_label("Email").fill(user.email)
        target.get_by_label("Password").fill(PASSWORD)
        target.get_by_role("button", name="Sign in").click()
        if device is not None:
            # A privileged persona types the code its authenticator app shows now.
            target.wait_for_url(f"{live_server.url}/accounts/second-factor/verify/**")
            target.get_by_label("Code").fill(code_for(device))
            target.get_by_role("button", name="Verify").click()
        target.wait_for_url(f"{live_server.url}/")
        return target

    return sign_in_as
