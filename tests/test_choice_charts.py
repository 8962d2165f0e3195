"""The dashboard's per-question charts: a bar per choice, the key marked by text and pattern,
and the same numbers in a table, drawn on the server (no script)."""

import re

import pytest
from django.urls import reverse

from quizzes.teaching.dashboard import ChoiceCount, choice_chart

from .conftest import enrol
from .factories import QuizFactory, UserFactory, question_with_choices
from .test_dashboard import finished

pytestmark = pytest.mark.django_db


def test_bars_are_scaled_to_the_share_of_answers():
    chart = choice_chart(
        [
            ChoiceCount("Right", True, "", count=3, percent=75.0),
            ChoiceCount("Wrong", False, "", count=1, percent=25.0),
            ChoiceCount("Never", False, "", count=0, percent=0.0),
        ]
    )
    assert [row["width"] for row in chart["rows"]] == [330.0, 110.0, 0.0]
    assert [row["letter"] for row in chart["rows"]] == ["A", "B", "C"]
    assert [row["y"] for row in chart["rows"]] == [6, 40, 74]
    assert chart["rows"][0]["count_x"] == 402.0 and chart["height"] == 106


def test_each_question_has_a_chart_and_a_table_with_the_key_marked(teacher_client, classroom):
    quiz = QuizFactory()
    question = question_with_choices(quiz, correct=1, wrong=2, text="Who may ask?")
    right, wrong, _other = question.choices.all()
    for pick in (right, right, right, wrong):
        learner = UserFactory()
        enrol(classroom, learner)
        finished(learner, quiz, [1 if pick == right else 0], selected={1: [pick.id]})
    page = teacher_client.get(reverse("quizzes:quiz-results", args=[quiz.slug])).content.decode()
    section = page.split('id="choices-heading"')[1].split("</section>")[0]
    assert section.count('class="choice-chart"') == 1
    assert '<text class="choice-letter" x="4" y="23">A ✓</text>' in section
    assert (
        'class="choice-bar choice-bar-key" x="64" y="6" width="330.0" height="22" '
        'fill="url(#correct-hatch)"' in section
    )
    assert re.search(r'class="choice-bar" x="64" y="40" width="110.0"', section)
    assert "3 (75%)" in section and "1 (25%)" in section
    assert f"A.</span> {right.text}" in section and "✓ correct" in section
    assert "<script" not in page
    # In Polish too the drawings' numbers are SVG's own (330.0): "330,0" draws no bar.
    polish = teacher_client.get(
        reverse("quizzes:quiz-results", args=[quiz.slug]).replace("/en/", "/pl/")
    )
    drawings = re.findall(r"<svg.*?</svg>", polish.content.decode(), re.S)
    assert len(drawings) == 3  # the histogram, the pattern's definitions, the one question
    assert 'width="330.0"' in drawings[2] and 'class="histogram-bar" x="4.0"' in drawings[0]
    assert not [n for d in drawings for n in re.findall(r'="[0-9]+,[0-9]+"', d)]
