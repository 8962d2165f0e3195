"""Make `pre_versions.json`: a database written by the code before question versions.

Run once, at the last commit whose answers kept a JSON snapshot each:

    python tests/data/make_pre_versions.py

It builds a small course through the site itself (HTTP client, admin-free services), lets
learners take it in English and Polish (shuffled, drawn, edited, regraded, practised,
unfinished, a question deleted), and writes every row of the quizzes app and the users, each
answer's snapshot, choices and marks, and every finished attempt's result page as its learner
saw it. `tests/test_question_versions.py` loads it into the schema of that time, migrates, and
checks that nothing a learner or teacher sees has changed.
"""

import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["QUIZSITE_VAR_DIR"] = tempfile.mkdtemp(prefix="pre-versions-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import serializers  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import translation  # noqa: E402

settings.DATABASES["default"]["NAME"] = os.path.join(os.environ["QUIZSITE_VAR_DIR"], "db.sqlite3")
setup_test_environment()
call_command("migrate", verbosity=0)

from quizzes import regrading  # noqa: E402
from quizzes.models import Answer, Attempt, Choice, Misconception, Question  # noqa: E402
from tests.factories import (  # noqa: E402
    ChoiceFactory,
    LessonFactory,
    QuestionFactory,
    QuizFactory,
    UserFactory,
)

translation.activate("en")
ALL = Attempt.objects.all()
tag = Misconception.objects.create(
    slug="art5-automatic",
    name_en="Article 5 means automatic war",
    name_pl="Art. 5 oznacza automatyczną wojnę",
)
lesson = LessonFactory(title_en="Consultation", title_pl="Konsultacje")


def question(quiz, text_pl, choices, **fields):
    q = QuestionFactory(quiz=quiz, **fields)
    if text_pl:
        q.text_pl = text_pl
        q.explanation_pl = "Dlaczego tak jest."
        q.save()
    for n, (text, correct, pl, misconception) in enumerate(choices, start=1):
        c = ChoiceFactory(question=q, text=text, is_correct=correct, order=n)
        c.misconception = misconception
        c.feedback_en = f"Feedback on {text}."
        if pl:
            c.text_pl = pl
            c.feedback_pl = f"Uwaga do: {pl}."
        c.save()
    return q


plain = QuizFactory(lesson=lesson, title_en="Article 4 basics", title_pl="Podstawy art. 4")
q1 = question(
    plain,
    "Kto może zażądać konsultacji?",
    [
        ("Any single ally", True, "Każdy sojusznik", None),
        ("Only the Secretary General", False, "Tylko Sekretarz Generalny", None),
        ("Only a majority", False, "Tylko większość", None),
    ],
    text_en="Who may ask for consultations?",
    order=1,
)
q2 = question(
    plain,
    "Które zdania o art. 5 są prawdziwe?",
    [
        ("It covers an armed attack", True, "Dotyczy napaści zbrojnej", None),
        ("Each ally decides its action", True, "Każdy sojusznik decyduje", None),
        ("It means automatic war", False, "Oznacza automatyczną wojnę", tag),
        ("It needs a UN vote first", False, None, None),  # not translated: shown in English
    ],
    text_en="Which statements about Article 5 are true?",
    kind=Question.Kind.MULTIPLE,
    marks=2,
    order=2,
)
q3 = question(
    plain,
    None,  # a question with no Polish at all
    [("1949", True, None, None), ("1955", False, None, None)],
    text_en="When was the treaty signed?",
    order=3,
)
shuffled = QuizFactory(
    lesson=lesson,
    title_en="Shuffled review",
    title_pl="Powtórka w losowej kolejności",
    shuffle_questions=True,
    shuffle_choices=True,
    questions_per_attempt=2,
)
s1 = question(
    shuffled,
    "Gdzie odbywają się konsultacje?",
    [
        ("The North Atlantic Council", True, "Rada Północnoatlantycka", None),
        ("The UN Security Council", False, "Rada Bezpieczeństwa ONZ", None),
        ("The European Parliament", False, "Parlament Europejski", None),
        ("The G7", False, "G7", None),
    ],
    text_en="Where do consultations take place?",
    order=1,
)
s2 = question(
    shuffled,
    "Ile razy powołano się na art. 4 do 2025 r.?",
    [("Nine", True, "Dziewięć", None), ("Two", False, "Dwa", None), ("Once", False, "Raz", None)],
    text_en="How many times was Article 4 invoked by 2025?",
    order=2,
)
s3 = question(
    shuffled,
    "Który art. obejmuje obronę zbiorową?",
    [("Article 5", True, "Art. 5", None), ("Article 4", False, "Art. 4", tag)],
    text_en="Which article covers collective defence?",
    order=3,
)


def take(user, quiz, language, pick, *, finish=True):
    """Open the quiz in `language` and answer with `pick(answer)` (choice ids) each question."""
    client = Client()
    client.force_login(user)
    url = f"/{language}{quiz.get_absolute_url()[3:]}"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    attempt = Attempt.objects.get(learner=user, quiz=quiz, submitted_at__isnull=True)
    data = {"attempt": attempt.pk}
    if not finish:
        data["action"] = "save"
    for answer in attempt.answers.all():
        if values := shown(answer, pick(answer)):
            data[f"q{answer.question_key}"] = values
    response = client.post(url, data)
    assert response.status_code == 302, (response.status_code, response.content[:2000])
    return attempt, client


def shown(answer, ids):
    """The values the quiz page gives these choices: their places in the order dealt."""
    dealt = [c["id"] for c in answer.snapshot["choices"]]
    return [str(dealt.index(i) + 1) for i in ids]


def right(answer):
    correct = [c["id"] for c in answer.snapshot["choices"] if c["is_correct"]]
    return correct[:1] if answer.snapshot["kind"] == "single" else correct


def wrong(answer):
    return [c["id"] for c in answer.snapshot["choices"] if not c["is_correct"]][:1]


def first_two(answer):
    return [c["id"] for c in answer.snapshot["choices"]][
        : 2 if answer.snapshot["kind"] == "multiple" else 1
    ]


clients = {}
learners = [
    UserFactory(username=f"learner{n}", first_name="Ala", last_name=f"Nowak{n}") for n in range(8)
]
for n, user in enumerate(learners):
    language = "pl" if n % 2 else "en"
    pick = (right, wrong, first_two)[n % 3]
    attempt, clients[user.pk] = take(user, plain, language, pick)
    take(user, shuffled, language, (wrong, right, first_two)[n % 3])

# An edit after those attempts: new wording and a new choice; earlier attempts keep theirs.
q1.text_en = "Under Article 4, who may ask for consultations?"
q1.save()
ChoiceFactory(question=q1, text="Any partner country", is_correct=False, order=4)
for n, user in enumerate(learners[:4]):
    take(user, plain, "pl" if n % 2 else "en", (wrong, right)[n % 2])

# A key fix, regraded: the 1955 choice was right after all (for the sake of the data).
q3.choices.update(is_correct=False)
q3.choices.filter(text_en="1955").update(is_correct=True, feedback_en="Right after all.")
regrading.regrade_apply(plain, among=ALL)

# A question deleted after it was answered: its answers keep their copy.
s3.delete()

# A practice round of one learner's mistakes, finished; another left in progress.
practice_client = clients[learners[1].pk]
response = practice_client.post("/pl/practice/", {"lesson": ""})
assert response.status_code == 302, response.status_code
practice = Attempt.objects.get(learner=learners[1], practice=True)
data = {"attempt": practice.pk}
for answer in practice.answers.all():
    data[f"q{answer.question_key}"] = shown(answer, right(answer))
response = practice_client.post(f"/pl/practice/{practice.pk}/", data)
assert response.status_code == 302, response.status_code
take(learners[2], plain, "en", wrong, finish=False)

pages = {}
for attempt in Attempt.objects.submitted().select_related("learner"):
    client = clients.get(attempt.learner_id) or Client()
    client.force_login(attempt.learner)
    response = client.get(f"/{attempt.language}/attempts/{attempt.pk}/")
    assert response.status_code == 200, response.status_code
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    pages[attempt.pk] = {"language": attempt.language, "learner": attempt.learner_id, "main": main}

models = [Misconception, type(lesson), type(plain), Question, Choice, Attempt, Answer]
rows = json.loads(
    serializers.serialize(
        "json",
        [*type(learners[0]).objects.filter(pk__in=[u.pk for u in learners])]
        + [obj for model in models for obj in model.objects.order_by("pk")]
        + list(type(lesson).objects.none()),
    )
)
for row in rows:  # users: no groups, permissions or password worth keeping
    if row["model"] == "auth.user":
        row["fields"].update(groups=[], user_permissions=[], password="!")
    if row["model"] == "quizzes.quiz":
        row["fields"]["draws_from"] = []
answers = {
    a.pk: {"snapshot": a.snapshot, "selected": a.selected, "marks": str(a.marks)}
    for a in Answer.objects.all()
}
out = Path(__file__).with_name("pre_versions.json")
out.write_text(
    json.dumps({"rows": rows, "answers": answers, "pages": pages}, ensure_ascii=False, indent=1)
)
print(f"{out}: {len(rows)} rows, {len(answers)} answers, {len(pages)} result pages")
