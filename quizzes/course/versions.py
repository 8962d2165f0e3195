"""Question versions: the content learners were shown, stored once, shared by their answers.

`versions_for(questions)` gives each live question its current version, making one only when
its content (texts in every language, choices, key, marks, source) is new. `as_dealt` turns a
version and a dealt order into the question as one learner saw it, in their attempt's language.
`rekeyed` is a version with today's key and the old texts, for a regrade.

Versions never change once written, so each process keeps the ones it has read
(`versions_by_id`): the quiz page, Finish and the result page read answers as numbers and
take the texts from memory instead of decoding a copy per answer.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation

from quizzes.course.fallbacks import shown_in
from quizzes.course.true_false import choice_label, true_false_place
from quizzes.models import Choice, Question, QuestionVersion

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# The one process-wide store of versions already read. Safe because a version row never
# changes and its id is never given to another one: versions are written in transactions of
# their own (`versions_for`), or, in a regrade, read from the objects it made rather than from
# here until the regrade has committed. The tests start each test with it empty (`forget`),
# because rolling a test back lets SQLite hand out the same ids again.
_read: dict[int, QuestionVersion] = {}
_MOST_KEPT = 20_000


def forget() -> None:
    """Drop every version this process has read."""
    _read.clear()


def versions_by_id(ids: Iterable[int]) -> dict[int, QuestionVersion]:
    """The versions with these ids, read from the database only the first time."""
    ids = set(ids)
    missing = [pk for pk in ids if pk not in _read]
    if missing:
        if len(_read) + len(missing) > _MOST_KEPT:
            _read.clear()
        _read.update(QuestionVersion.objects.in_bulk(missing))
    return {pk: _read[pk] for pk in ids if pk in _read}


def version_by_id(pk: int) -> QuestionVersion:
    return versions_by_id([pk])[pk]


def _texts(obj, fields) -> dict:
    """Each field of `obj` as shown in each language (modeltranslation's fallback applied)."""
    shown = {}
    for language in LANGUAGES:
        with translation.override(language):
            shown[language] = {field: getattr(obj, field) for field in fields}
    return shown


def content_of(question: Question, choices: Sequence[Choice]) -> dict:
    """A live question's learner-visible content and key, as a version stores it."""
    texts = _texts(question, ("text", "explanation"))
    choice_texts = [_texts(choice, ("text", "feedback")) for choice in choices]
    # A true/false question's choice texts are labels, never "not yet translated".
    choice_fields = (
        ("feedback",) if question.kind == Question.Kind.TRUE_FALSE else ("text", "feedback")
    )
    asked_fields = () if question.kind == Question.Kind.TRUE_FALSE else ("text",)

    def fell_back(question_fields, choice_fields, language):
        return shown_in(question, question_fields, language) or next(
            (
                fallback
                for choice in choices
                if (fallback := shown_in(choice, choice_fields, language))
            ),
            None,
        )

    content = {}
    for language in LANGUAGES:
        with translation.override(language):
            for each in choice_texts:
                each[language]["text"] = choice_label(question.kind, each[language]["text"])
        content[language] = {
            **texts[language],
            "shown_in": fell_back(("text", "explanation"), choice_fields, language),
            "choices": [each[language] for each in choice_texts],
        }
        # What the questions' page shows (the question's and choices' texts), stored only
        # when it differs from the whole, so versions made before it keep their fingerprints.
        asked = fell_back(("text",), asked_fields, language)
        if asked != content[language]["shown_in"]:
            content[language]["asked_in"] = asked
    content["choices"] = [
        {
            "id": choice.id,
            "is_correct": choice.is_correct,
            "misconception": choice.misconception.slug if choice.misconception_id else None,
        }
        for choice in choices
    ]
    return content


def fingerprint(question_key: int, kind: str, marks, source: tuple[str, str], content) -> str:
    """The hash that makes the same content one version."""
    canonical = json.dumps(
        [question_key, kind, str(marks), *source, content],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def unsaved_version(question_key, kind, marks, source_title, source_url, content, question=None):
    """A version object for this content, not yet saved, with its fingerprint."""
    return QuestionVersion(
        question=question,
        question_key=question_key,
        kind=kind,
        marks=marks,
        source_title=source_title,
        source_url=source_url,
        content=content,
        fingerprint=fingerprint(question_key, kind, marks, (source_title, source_url), content),
    )


def _live_version(question: Question) -> QuestionVersion:
    choices = list(question.choices.all())
    if question.kind == Question.Kind.TRUE_FALSE:  # "True" first, whatever order it was written in
        choices.sort(key=lambda choice: true_false_place(choice.text_en or choice.text) or 0)
    return unsaved_version(
        question.id,
        question.kind,
        question.marks,
        question.source_title,
        question.source_url,
        content_of(question, choices),
        question,
    )


def stored(candidates: Sequence[QuestionVersion]) -> dict[str, QuestionVersion]:
    """The stored version for each candidate's fingerprint, saving those not stored yet."""
    wanted = {v.fingerprint: v for v in candidates}
    found = {v.fingerprint: v for v in QuestionVersion.objects.filter(fingerprint__in=wanted)}
    new = [v for key, v in wanted.items() if key not in found]
    if new:
        try:
            with transaction.atomic():
                QuestionVersion.objects.bulk_create(new)
        except IntegrityError:  # another process stored some of them a moment ago
            pass
        found = {v.fingerprint: v for v in QuestionVersion.objects.filter(fingerprint__in=wanted)}
    return found


def versions_for(questions: Sequence[Question]) -> dict[int, QuestionVersion]:
    """Each question's current version, by question id (choices and misconceptions
    prefetched). Called outside any transaction, so a version, once read, is committed."""
    candidates = {question.id: _live_version(question) for question in questions}
    found = stored(list(candidates.values()))
    return {qid: found[v.fingerprint] for qid, v in candidates.items()}


def texts_in(version: QuestionVersion, language: str) -> dict:
    """The version's texts in `language`, or in the one language an answer migrated from a
    single-language copy has (migration 0015)."""
    content = version.content
    if language not in content:
        language = next(code for code in LANGUAGES if code in content)
    return content[language]


def language_shown(version: QuestionVersion, reader: str | None, attempt: str) -> str:
    """The language to show a dealt question in: the reader's when the version holds that
    language's own texts (none fell back to another), else the attempt's."""
    texts = version.content.get(reader) if reader else None
    return reader if texts is not None and not texts.get("shown_in") else attempt


def as_dealt(version: QuestionVersion, dealt: Sequence[int], language: str) -> dict:
    """The question as a learner saw it, in `language`, with the choices in the dealt order."""
    shown = texts_in(version, language)
    choices = version.content["choices"]
    return {
        "id": version.question_key,
        "shown_in": shown["shown_in"],
        # The other language the question's or its choices' texts fell back to: the questions'
        # page shows only those, so its "not yet translated" notice follows this.
        "asked_in": shown.get("asked_in", shown["shown_in"]),
        "text": shown["text"],
        "kind": version.kind,
        "marks": str(version.marks),
        "explanation": shown["explanation"],
        "source_title": version.source_title,
        "source_url": version.source_url,
        "choices": [
            {
                "id": choices[i]["id"],
                "text": shown["choices"][i]["text"],
                "is_correct": choices[i]["is_correct"],
                "feedback": shown["choices"][i]["feedback"],
                "misconception": choices[i]["misconception"],
            }
            for i in dealt
        ],
    }


def rekeyed(version: QuestionVersion, question: Question | None) -> QuestionVersion:
    """The version with today's key of `question` (itself when deleted or unchanged): which
    choices are right, their feedback and misconceptions, the kind, the explanation and source.

    The texts learners saw are kept; choices deleted since keep their old key.
    """
    if question is None:
        return version
    live = {choice.id: choice for choice in question.choices.all()}
    today = _texts(question, ("explanation",))
    content = json.loads(json.dumps(version.content))  # a deep copy to change
    for n, choice in enumerate(content["choices"]):
        current = live.get(choice["id"])
        if current is None:
            continue
        choice["is_correct"] = current.is_correct
        choice["misconception"] = current.misconception.slug if current.misconception_id else None
        feedback = _texts(current, ("feedback",))
        for language in LANGUAGES:
            if language in content:
                content[language]["choices"][n]["feedback"] = feedback[language]["feedback"]
    for language in LANGUAGES:
        if language in content:
            content[language]["explanation"] = today[language]["explanation"]
    candidate = unsaved_version(
        version.question_key,
        question.kind,
        version.marks,
        question.source_title,
        question.source_url,
        content,
        question,
    )
    return version if candidate.fingerprint == version.fingerprint else candidate
