"""Which questions an attempt gets, and in what order: a pure function of the attempt's seed."""

import random
from collections.abc import Collection, Mapping, Sequence


def deal(
    question_ids: Sequence[int],
    choice_ids: Mapping[int, Sequence[int]],
    *,
    seed: int,
    draw: int | None = None,
    shuffle_questions: bool = False,
    shuffle_choices: bool = False,
    keep_order: Collection[int] = (),
) -> list[tuple[int, list[int]]]:
    """(question id, choice ids) in the order this attempt shows them.

    `question_ids` and each choice list come in the author's order. With `draw`, that many
    questions are picked at random (kept in the author's order unless shuffled). The same seed
    always deals the same hand, so reloading the page never reorders anything. The choices of
    the questions in `keep_order` (true/false: "True" first, as Moodle shows them) are never
    shuffled.
    """
    rng = random.Random(seed)
    dealt = list(question_ids)
    if draw is not None and draw < len(dealt):
        picked = set(rng.sample(dealt, draw))
        dealt = [question for question in dealt if question in picked]
    if shuffle_questions:
        rng.shuffle(dealt)
    hand = []
    for question in dealt:
        choices = list(choice_ids[question])
        if shuffle_choices and question not in keep_order:
            rng.shuffle(choices)
        hand.append((question, choices))
    return hand
