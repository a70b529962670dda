"""The ids a load has taken (repeats.py): the same answers as a set of every id, in memory that does not grow."""

from __future__ import annotations

import random

from local_data_app.repeats import Repeats


def test_repeats_are_found_across_batches_in_memory_and_on_disk() -> None:
    """Batches of ids, some repeating an id of the same batch, the last batch or one long moved to disk."""
    generator = random.Random(7)  # noqa: S311 (test data, not secrets)
    pool = [f"T{number}" for number in range(3000)] + ["", "\x00", "a\x00b", "\udc80", "Caerdydd ✓", "T1 "]
    repeats, every = Repeats(in_memory=50), set()
    for _ in range(200):
        batch = [generator.choice(pool) for _ in range(generator.randint(0, 40))]
        expected = []
        for feature_id in batch:
            expected.append(feature_id not in every)
            every.add(feature_id)
        assert repeats.firsts(batch) == expected
        assert len(repeats.recent) < 50  # the rest are on disk
    repeats.close()
    assert repeats.firsts(["T1", "T1"]) == [True, False]  # closed, it starts again


def test_a_source_under_the_memory_s_size_never_opens_the_disk() -> None:
    repeats = Repeats(in_memory=100)
    assert repeats.firsts([str(number) for number in range(99)] + ["0"]) == [True] * 99 + [False]
    assert repeats._disk is None
    repeats.close()
