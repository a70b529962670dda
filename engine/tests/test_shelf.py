"""A shelf (store/shelf.py) keeps answers by key within its bounds, the least recently used out first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from local_data_app.store.shelf import Shelf


def test_an_answer_is_made_once_and_kept() -> None:
    made: list[str] = []
    shelf: Shelf[str] = Shelf(10)

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert [shelf.get(key, lambda key=key: make(key)) for key in ["a", "b", "a", "a", "b"]] == list("ABAAB")
    assert made == ["a", "b"]


def test_the_least_recently_used_go_first_once_the_answers_weigh_too_much() -> None:
    shelf: Shelf[str] = Shelf(6, weight=len)
    for key in ["ab", "cd", "ef"]:
        shelf.get(key, lambda key=key: key)
    shelf.get("ab", lambda: "made again")  # used again: now the most recent
    assert shelf.get("gh", lambda: "gh") == "gh"  # 8 in all: the least recently used, "cd", goes
    assert (len(shelf), shelf.weighs) == (3, 6)
    assert shelf.get("cd", lambda: "CD") == "CD"  # made again, and now "ef" goes
    assert shelf.get("ab", lambda: "made again") == "ab"
    assert shelf.get("ef", lambda: "EF") == "EF"


def test_an_answer_heavier_than_the_shelf_is_given_but_not_kept() -> None:
    shelf: Shelf[str] = Shelf(3, weight=len)
    shelf.get("a", lambda: "a")
    assert shelf.get("big", lambda: "heavy answer") == "heavy answer"
    assert (len(shelf), shelf.weighs) == (0, 0)
    assert shelf.get("big", lambda: "made again") == "made again"


def test_answers_that_weigh_nothing_are_bounded_by_their_number() -> None:
    shelf: Shelf[None] = Shelf(100, weight=lambda _: 0, most_keys=2)
    for key in range(5):
        shelf.get(key, lambda: None)
    assert (len(shelf), shelf.weighs) == (2, 0)


def test_threads_share_a_shelf_and_its_bounds_hold() -> None:
    shelf: Shelf[int] = Shelf(50)
    wrong: list[tuple[int, int]] = []

    def read(offset: int) -> None:
        for number in range(2000):
            key = (number * 7 + offset) % 120
            if (answer := shelf.get(key, lambda key=key: key * 3)) != key * 3:
                wrong.append((key, answer))

    threads = [threading.Thread(target=read, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert len(shelf) <= 50
    assert shelf.weighs == len(shelf)


def test_a_look_at_what_is_kept_makes_nothing() -> None:
    shelf: Shelf[str] = Shelf(2)
    assert shelf.kept("a") is None
    shelf.get("a", lambda: "A")
    assert (shelf.kept("a"), shelf.kept("b"), len(shelf)) == ("A", None, 1)


def burst(shelf: Shelf[str], make: Callable[[], str], threads: int = 6) -> list[str | BaseException]:
    """``threads`` threads asking ``shelf`` for one key at once; what each got (an answer or what it raised)."""
    got: list[str | BaseException] = []
    start = threading.Barrier(threads)

    def ask() -> None:
        start.wait()
        try:
            got.append(shelf.get("key", make))
        except RuntimeError as error:
            got.append(error)

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return got


def test_with_patience_a_burst_of_the_same_first_question_makes_its_answer_once() -> None:
    made: list[int] = []

    def make() -> str:
        made.append(1)
        time.sleep(0.3)  # long enough for every thread to arrive while it is made
        return "answer"

    assert burst(Shelf(10, patience=lambda: None), make) == ["answer"] * 6
    assert len(made) == 1
    made.clear()
    assert burst(Shelf(10), make) == ["answer"] * 6  # without patience, each thread makes its own
    assert len(made) == 6


def test_with_patience_a_failed_answer_is_made_again_by_the_threads_that_waited() -> None:
    tries: list[int] = []

    def make() -> str:
        tries.append(1)
        time.sleep(0.2)
        if len(tries) == 1:
            raise RuntimeError("the first try failed")
        return "answer"

    got = burst(Shelf(10, patience=lambda: None), make, threads=4)
    assert sorted(map(str, got)) == ["answer", "answer", "answer", "the first try failed"]
    assert len(tries) == 2  # one of the waiters made it again, and the others waited for that


def test_with_patience_a_thread_waits_no_longer_than_it_may() -> None:
    shelf: Shelf[str] = Shelf(10, patience=lambda: 0.05)
    slow = threading.Event()

    def make_slowly() -> str:
        slow.wait(5)
        return "slow answer"

    maker = threading.Thread(target=lambda: shelf.get("key", make_slowly))
    maker.start()
    time.sleep(0.1)  # the maker is making it
    started = time.perf_counter()
    assert shelf.get("key", lambda: "its own") == "its own"  # waited 0.05 s, then made its own
    assert time.perf_counter() - started < 1
    slow.set()
    maker.join()
