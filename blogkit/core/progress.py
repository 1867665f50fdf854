"""How far a long build has got, for whoever shows it (the command line, on a terminal).

Stages report `start(what, total)` and then `advance(count)` as items are done; the default,
`SILENT`, shows nothing. The engine never prints: it only tells.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, what: str, total: int) -> None: ...

    def advance(self, count: int) -> None: ...

    def finish(self) -> None: ...


class Silent:
    def start(self, what: str, total: int) -> None:
        pass

    def advance(self, count: int) -> None:
        pass

    def finish(self) -> None:
        pass


SILENT: Progress = Silent()
