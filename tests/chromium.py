"""Debian's headless Chromium driven by Playwright, for the browser tests.

`playwright install` cannot download browsers here, so the tests launch the distribution's
``/usr/bin/chromium`` through ``executable_path``. A module imports :func:`require_chromium`
at its top (it skips the module cleanly where Playwright or Chromium is missing) and
uses the ``browser`` fixture of conftest.py, built on :func:`launched_chromium`.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: No background requests of Chromium's own (updates, sync): the tests count every request.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> Any:
    """Playwright's sync API, or skip the calling test module."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
        )
    return sync_api


@contextlib.contextmanager
def launched_chromium() -> Iterator[Any]:
    """A running headless Chromium, closed afterwards."""
    sync_api = require_chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
