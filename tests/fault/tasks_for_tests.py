"""Task functions the fault tests queue for a real worker (the worker imports them by name:
the repository root is on its path). They only touch files the test names, so a test sees
what ran, and how often, without reading django-q2's tables."""

import time
from pathlib import Path


def sleep_on_first_run(marker: str, seconds: float) -> str:
    """Write ``marker`` and sleep ``seconds`` the first time; when handed out again (the
    marker exists), write ``<marker>.finished`` and return at once."""
    path = Path(marker)
    if path.exists():
        path.with_name(path.name + ".finished").write_text("finished")
        return "finished"
    path.write_text("started")
    time.sleep(seconds)
    return "slept"
