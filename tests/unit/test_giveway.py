"""Check points of work that gives way (the preview's search index and data): they raise only inside
``giving_way``, only once its predicate is true, only in the thread that set it."""
from __future__ import annotations

import threading

import pytest

from dossier import giveway
from dossier.giveway import GaveWay, check, each, giving_way


def test_outside_giving_way_nothing_is_asked_and_nothing_raises():
    items = [1, 2, 3]
    assert each(items) is items  # the loop is the caller's own: not wrapped
    check()


def test_check_raises_once_the_predicate_is_true():
    answers = iter([False, False, True])
    with giving_way(lambda: next(answers)):
        check()
        check()
        with pytest.raises(GaveWay):
            check()


def test_each_asks_every_so_many_items_and_stops_there():
    asked: list[int] = []
    seen: list[int] = []
    with giving_way(lambda: asked.append(len(seen)) or len(asked) == 3):
        with pytest.raises(GaveWay):
            for item in each(range(100), every=4):
                seen.append(item)
    assert asked == [3, 7, 11]  # before the 4th, 8th and 12th item
    assert seen == list(range(11))


def test_each_takes_every_from_the_module_at_call_time(monkeypatch):
    monkeypatch.setattr(giveway, "EVERY", 1)
    asked: list[int] = []
    with giving_way(lambda: asked.append(1) or False):
        assert list(each("abc")) == ["a", "b", "c"]
    assert len(asked) == 3


def test_none_never_gives_way_and_the_outer_predicate_comes_back():
    with giving_way(lambda: True):
        with giving_way(None):
            items = [1]
            assert each(items) is items
            check()
        with pytest.raises(GaveWay):
            check()
    check()


def test_another_thread_is_not_asked():
    raised: list[BaseException] = []
    other = threading.Event()

    def run() -> None:
        try:
            check()
            assert list(each(range(100), every=1)) == list(range(100))
        except BaseException as exc:  # noqa: BLE001 - reported to the test's thread
            raised.append(exc)
        finally:
            other.set()

    with giving_way(lambda: True):
        thread = threading.Thread(target=run)
        thread.start()
        assert other.wait(10)
        thread.join(10)
    assert raised == []
