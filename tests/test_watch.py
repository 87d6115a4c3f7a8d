"""The one loop every facilitator's page uses to follow a room (widgets.capture.watch)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from safercare.errors import DataError, Problem
from safercare.widgets.capture import export_beside, watch


def _run(coroutine: object) -> None:
    with ThreadPoolExecutor(1) as pool:  # never inside another test's running loop
        pool.submit(asyncio.run, coroutine).result()


def test_watch_reports_a_data_problem_once_and_keeps_watching() -> None:
    calls, said = [], []

    def refresh() -> None:
        calls.append(1)
        if len(calls) in (2, 3):
            raise DataError(Problem(None, "file", "the room's file went away", "start again"))
        if len(calls) == 4:
            raise RuntimeError("a bug")  # goes to the terminal; watching goes on
        if len(calls) == 6:
            raise asyncio.CancelledError

    async def follow() -> None:
        try:
            await watch(refresh, 0.001, said.append)
        except asyncio.CancelledError:
            pass

    _run(follow())
    assert len(calls) == 6 and len(said) == 1 and "went away" in said[0]


def test_export_beside_says_where_or_why_not(tmp_path) -> None:
    class Store:
        path = tmp_path / "room.sqlite3"

        def export_csv(self, folder):
            folder.mkdir()
            return [folder / "a.csv", folder / "b.csv"]

    done = export_beside(Store())
    assert done.ok and "Saved 2 files" in done.message and "room-export" in done.message

    class Broken(Store):
        def export_csv(self, folder):
            raise PermissionError(13, "Permission denied")

    failed = export_beside(Broken())
    assert not failed.ok and "could not be written" in failed.message
