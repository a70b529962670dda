"""A shelf (store/shelf.py) keeps answers by key within its bounds, the least recently used out first."""

from __future__ import annotations

import threading

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
