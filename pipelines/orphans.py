"""Worker processes that leave when the process that started them is gone.

A parent killed with kill -9 cannot stop its process pool: the workers hold both ends of their task queue,
never see it close, and would wait for work forever (crawl extraction workers, reclean workers).
"""

from __future__ import annotations

import os
import threading
import time

PARENT_CHECK = 1.0  # seconds between a worker's looks at whether its parent is still there


def leave_with(parent: int) -> None:
    """End this worker process once `parent` is gone. `parent` is the pid the parent passed in, not
    os.getppid() at start-up: a parent killed while the worker was starting is gone already, and the worker's
    parent is then whoever adopted it."""
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(0)
