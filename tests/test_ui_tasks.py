"""ui.tasks, the one way off the GUI thread: answers come back on the GUI thread through
one path, never to an owner that is gone; a newer request replaces an older one; a
recurring read runs one call at a time; a stuck pool holds up only its own purpose."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from snapasset_desktop.errors import Canceled, InvalidInput
from snapasset_desktop.ui import tasks

WAIT_S = 10  # a bound on every wait for a worker thread, never reached when all is well


@pytest.fixture
def owner(qtbot: QtBot) -> Iterator[QObject]:
    obj = QObject()
    yield obj
    if shiboken6.isValid(obj):
        assert tasks.wait(obj)


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """Work that waits on this holds its thread until the test opens it."""
    opened = threading.Event()
    yield opened
    opened.set()  # never leave a pool thread waiting


def held(gate: threading.Event, value: object = None):
    def work() -> object:
        assert gate.wait(WAIT_S)
        return value

    return work


def test_the_answer_comes_back_on_the_gui_thread(owner: QObject, qtbot: QtBot) -> None:
    gui = threading.current_thread()
    ran_on: list[threading.Thread] = []
    answers: list[tuple[str, object, threading.Thread]] = []

    def work() -> int:
        ran_on.append(threading.current_thread())
        return 42

    tasks.run(
        work,
        owner=owner,
        done=lambda value: answers.append(("done", value, threading.current_thread())),
        finished=lambda: answers.append(("finished", None, threading.current_thread())),
    )
    qtbot.waitUntil(lambda: len(answers) == 2)
    assert ran_on[0] is not gui
    assert answers == [("done", 42, gui), ("finished", None, gui)]


def test_a_failure_is_an_answer_too(owner: QObject, qtbot: QtBot) -> None:
    answers: list[object] = []

    def work() -> None:
        raise InvalidInput("That prompt is empty.")

    tasks.run(work, owner=owner, failed=answers.append, finished=lambda: answers.append("end"))
    qtbot.waitUntil(lambda: len(answers) == 2)
    assert isinstance(answers[0], InvalidInput) and answers[1] == "end"
    assert tasks.error_message(answers[0]) == "That prompt is empty."
    assert "The log has the details" in tasks.error_message(RuntimeError("boom"))


def test_an_owner_that_is_gone_gets_no_answer(
    owner: QObject, gate: threading.Event, qtbot: QtBot
) -> None:
    answers: list[object] = []
    task = tasks.run(held(gate, "late"), owner=owner, done=answers.append)
    witness = QObject()
    tasks.run(held(gate, "kept"), owner=witness, done=answers.append)
    shiboken6.delete(owner)  # the dialog closed while its work was running
    gate.set()
    qtbot.waitUntil(lambda: answers == ["kept"])
    assert task.wait(WAIT_S * 1000)  # it ran to the end, and nobody was told
    assert tasks.wait(witness)


def test_the_latest_request_wins(owner: QObject, gate: threading.Event, qtbot: QtBot) -> None:
    blocker = QObject()
    tasks.run(held(gate), owner=blocker, pool=tasks.ACTIONS)  # the one thread is busy
    ran: list[str] = []
    answers: list[str] = []

    def request(name: str) -> tasks.Task:
        def work() -> str:
            ran.append(name)
            return name

        return tasks.run(
            work, owner=owner, pool=tasks.ACTIONS, latest="details", done=answers.append
        )

    first, second, third = request("first"), request("second"), request("third")
    gate.set()
    qtbot.waitUntil(lambda: answers == ["third"])
    assert ran == ["third"]  # the older ones never started: nobody wanted their answer
    assert first.is_canceled() and second.is_canceled() and not third.is_canceled()
    assert tasks.wait(blocker, owner)


def test_an_answer_on_its_way_is_dropped_for_a_newer_request(
    owner: QObject, gate: threading.Event, qtbot: QtBot
) -> None:
    answers: list[str] = []
    tasks.run(held(gate, "old"), owner=owner, latest="check", done=answers.append)
    tasks.run(lambda: "new", owner=owner, latest="check", done=answers.append)
    qtbot.waitUntil(lambda: answers == ["new"])
    gate.set()  # the old one ends now, with nobody to tell
    assert tasks.wait(owner)
    tasks.run(lambda: "after", owner=owner, done=answers.append)  # answers come in order
    qtbot.waitUntil(lambda: answers == ["new", "after"])


def test_canceled_before_it_starts_it_fails_with_canceled(
    owner: QObject, gate: threading.Event, qtbot: QtBot
) -> None:
    blocker = QObject()
    tasks.run(held(gate), owner=blocker, pool=tasks.ACTIONS)
    ran: list[bool] = []
    answers: list[object] = []
    task = tasks.run(
        lambda: ran.append(True), owner=owner, pool=tasks.ACTIONS, failed=answers.append
    )
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: len(answers) == 1)
    assert isinstance(answers[0], Canceled) and ran == []
    assert tasks.wait(blocker)


def test_progress_comes_back_and_ends_with_the_last_figures(owner: QObject, qtbot: QtBot) -> None:
    seen: list[tuple[int, int]] = []
    finished = threading.Event()
    task = tasks.Task(owner, tasks.LONG)

    def work() -> str:
        for done in range(1, 201):
            task.report(done, 200)
        return "exported"

    task.start(work, progress=lambda d, t: seen.append((d, t)), finished=finished.set)
    qtbot.waitUntil(finished.is_set)
    assert seen[-1] == (200, 200) and 1 <= len(seen) <= 200
    assert seen == sorted(seen)  # in order, never an older figure after a newer one


def test_a_refresh_runs_one_call_at_a_time_and_once_more_after(
    owner: QObject, qtbot: QtBot
) -> None:
    gates = [threading.Event(), threading.Event()]
    calls: list[int] = []
    answers: list[int] = []

    def read() -> int:
        number = len(calls)
        calls.append(number)
        assert gates[min(number, 1)].wait(WAIT_S)
        return number

    refresh = tasks.Refresh(owner, read, done=answers.append, pool=tasks.FILES)
    refresh.request()
    qtbot.waitUntil(lambda: calls == [0])
    for _ in range(5):  # asked again and again while the first call runs
        refresh.request()
    assert refresh.running() and calls == [0]
    gates[0].set()
    qtbot.waitUntil(lambda: calls == [0, 1])  # exactly once more
    gates[1].set()
    qtbot.waitUntil(lambda: answers == [0, 1] and not refresh.running())
    assert calls == [0, 1]


def test_a_stuck_pool_holds_up_only_its_own_purpose(
    owner: QObject, gate: threading.Event, qtbot: QtBot
) -> None:
    stuck = QObject()
    for _ in range(tasks.THREADS[tasks.QUEUE] + 1):  # every queue thread, and one waiting
        tasks.run(held(gate), owner=stuck, pool=tasks.QUEUE)
    answers: list[str] = []
    for purpose in (tasks.ACTIONS, tasks.FILES, tasks.THUMBNAILS, tasks.LONG):
        tasks.run(lambda p=purpose: p, owner=owner, pool=purpose, done=answers.append)
    qtbot.waitUntil(lambda: len(answers) == 4)
    assert not gate.is_set()
    gate.set()
    assert tasks.wait(stuck)


def test_a_faulty_callback_does_not_hold_back_the_others(owner: QObject, qtbot: QtBot) -> None:
    answers: list[str] = []

    def faulty(_: object) -> None:
        raise RuntimeError("a bug in a slot")

    with qtbot.captureExceptions() as caught:
        tasks.run(lambda: None, owner=owner, done=faulty)
        tasks.run(lambda: "after", owner=owner, done=answers.append)
        qtbot.waitUntil(lambda: answers == ["after"])
    assert [type(exc) for _, exc, _ in caught] == [RuntimeError]


def test_an_answered_task_holds_nothing_of_the_window(qtbot: QtBot) -> None:
    """A pool thread may let go of its task after the GUI thread handled the answer; by
    then the task must hold neither its owner nor its work, or a widget whose last
    reference it was would be deleted on that thread (a crash, seen in the tests)."""
    owner = QObject()  # the GUI's own, as a top-level panel in a test is
    owner_gone = weakref.ref(owner)

    class Work:
        def __call__(self) -> int:
            return 1

    work = Work()
    work_gone = weakref.ref(work)
    answers: list[object] = []
    task = tasks.run(work, owner=owner, done=answers.append)  # the test holds the task
    qtbot.waitUntil(lambda: answers == [1])
    del owner, work
    assert owner_gone() is None and work_gone() is None
    assert task is not None
