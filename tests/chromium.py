"""Headless Chromium for the browser tests (Debian's ``chromium`` package; CI installs it)."""

from __future__ import annotations

import shutil

#: Flags for a headless run as root with no background traffic (this machine has no network).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--allow-file-access-from-files",
]
#: No name resolves: any request for another host fails instead of leaving the machine.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND"


def chromium_binary() -> str | None:
    """Path of the first Chromium-like browser on PATH, or None."""
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


CHROMIUM = chromium_binary()
