"""Let Python sleep under Debian's libfaketime (0.9.10).

With FAKETIME_DONT_FAKE_MONOTONIC=1, libfaketime 0.9.10 still rewrites the deadline of an
absolute CLOCK_MONOTONIC clock_nanosleep, which is what time.sleep is on Python 3.11, and the
call fails with EINVAL (fixed upstream in 0.9.11: wolfcw/libfaketime#426). tests/conftest.py
puts this folder on PYTHONPATH only when that is so, so the suite and every Python it starts
(RQ workers, scripts) sleep on select(), which libfaketime passes through untouched.
"""

import select
import time


def _select_sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


def sleep_is_broken() -> bool:
    try:
        time.sleep(0)
    except OSError:
        return True
    return False


REPAIRED = sleep_is_broken()
if REPAIRED:
    time.sleep = _select_sleep
