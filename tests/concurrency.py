"""Running actions at the same moment from several threads, each on its own connection."""

import threading
import time
from collections.abc import Callable

from django.db import OperationalError, connection


def serialised(action: Callable[[], object]) -> object:
    """On the SQLite test database (in memory, shared cache) a second writer is refused at
    once instead of waiting as it does on a file with a busy timeout; waiting is emulated by
    running the whole transaction again. PostgreSQL waits on the lock by itself."""
    for _attempt in range(500):
        try:
            return action()
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.01)
    raise AssertionError("the other transaction never finished")


def at_once(*actions: Callable[[], object]) -> list[object]:
    """Runs the actions in threads released together; each outcome is what its action
    returned, or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = serialised(action)
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
