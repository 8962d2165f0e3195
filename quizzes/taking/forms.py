"""The quiz form (one field per question, checked against the order dealt) and the practice form."""

import re
from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes.course.fallbacks import untranslated_notice
from quizzes.course.rendering import render_inline
from quizzes.models import Answer, Lesson, Question

QUESTION_FIELD = re.compile(r"^q\d+$")


# Errors that no honest use of the page can produce: the view answers these with a 400.
FORGED_ERROR_CODES = {"invalid_choice", "invalid_list", "several_for_one", "unknown_question"}


NOT_A_CHOICE = _("That answer is not one of this question's choices.")
# A question's answer as the page showed it: the places chosen, "1,3", or "" for none.
SEEN = re.compile(r"(?:[0-9]{1,2}(?:,[0-9]{1,2})*)?")


class DealtPlaces:
    """A question's answer as the page sends it: places of choices in the order dealt ("1",
    "2", ...), cleaned to the choices' ids.

    `ids` maps each place to its choice's id. The page's inputs are written by
    `question_fieldset`, never by the field's widget, so the field keeps no list of (value,
    label) choices to normalise and checks a value against `ids`: building those lists for a
    20-question Finish took some 40 % of the form's time.
    """

    def __init__(self, *, ids: dict[str, int], **kwargs):
        super().__init__(coerce=ids.__getitem__, **kwargs)
        self.ids = ids

    def valid_value(self, value) -> bool:
        return value in self.ids


class OneAnswer(DealtPlaces, forms.TypedChoiceField):
    """A one-answer question: one place, cleaned to its choice's id (None when left empty)."""

    # The page's radio buttons are question_fieldset's: the widget only reads the value sent,
    # as RadioSelect would, without building a list of choices (a third of the field's cost).
    widget = forms.HiddenInput
    default_error_messages = {
        "invalid_choice": NOT_A_CHOICE,
        "required": _("Choose an answer to this question."),
    }

    def __init__(self, **kwargs):
        super().__init__(empty_value=None, **kwargs)


class SeveralAnswers(DealtPlaces, forms.TypedMultipleChoiceField):
    """A several-answer question: places, cleaned to their choices' ids."""

    widget = forms.MultipleHiddenInput  # reads every value sent, as CheckboxSelectMultiple would
    default_error_messages = {
        "invalid_choice": NOT_A_CHOICE,
        "invalid_list": NOT_A_CHOICE,
        "required": _("Choose at least one answer to this question."),
    }


class QuizForm(forms.Form):
    """One field per dealt question: radio buttons for one answer, checkboxes for several.

    Built from the attempt's answers (their frozen questions, choices in the order dealt), so
    only choice texts and their places in that order ("1", "2", ...) reach the page: neither
    which choice is correct nor, through the ids, the order they were written in. With
    `require_all` (finishing), every question must be answered; without it (saving), any may
    be left empty.
    """

    def __init__(self, *args, answers, require_all=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        self.require_all = require_all
        if self.is_bound:  # only a submitted form is validated; showing one needs no fields
            for answer in self.answers:
                self.fields[self.field_name(answer)] = self._question_field(answer, require_all)

    @staticmethod
    def field_name(answer: Answer) -> str:
        return f"q{answer.question_key}"

    @classmethod
    def fieldset_id(cls, answer: Answer) -> str:
        """The id of the question's fieldset on the page, for links to it."""
        return f"id_{cls.field_name(answer)}_fieldset"

    @staticmethod
    def _question_field(answer: Answer, required: bool) -> forms.Field:
        question = answer.snapshot
        ids = {value: choice["id"] for value, choice in valued_choices(question)}
        field = SeveralAnswers if question["kind"] == Question.Kind.MULTIPLE else OneAnswer
        return field(ids=ids, label=question["text"], required=required)

    def clean(self):
        cleaned = super().clean()
        for answer in self.answers:
            name = self.field_name(answer)
            one = answer.snapshot["kind"] != Question.Kind.MULTIPLE
            if one and len(self.data.getlist(name)) > 1:
                self.add_error(
                    name,
                    ValidationError(
                        _("This question takes one answer only."), code="several_for_one"
                    ),
                )
        unknown = [key for key in self.data if QUESTION_FIELD.match(key) and key not in self.fields]
        if unknown:
            raise ValidationError(
                _("The form answers a question that is not in this quiz. Reload the page."),
                code="unknown_question",
            )
        return cleaned

    def is_forged(self) -> bool:
        """Whether the errors could only come from a hand-made request, not from the page."""
        return any(
            error.code in FORGED_ERROR_CODES
            for errors in self.errors.as_data().values()
            for error in errors
        )

    @staticmethod
    def seen_name(answer: Answer) -> str:
        """The hidden input holding the question's answer as the page showed it."""
        return f"seen-q{answer.question_key}"

    def _unchanged_here(self, answer: Answer) -> bool:
        """Whether the page sends the question as it showed it, untouched in this tab: then
        the answer stored now stands, which another tab may have changed since (as Moodle's
        sequence check keeps a stale page from undoing a newer answer). autosave.js marks a
        question changed here as soon as the learner touches it."""
        seen = self.data.get(self.seen_name(answer))
        if seen is None or not SEEN.fullmatch(seen):
            return False  # none (an older page), or touched here
        sent = set(self.data.getlist(self.field_name(answer)))
        return sent == set(filter(None, seen.split(",")))

    def kept_from_elsewhere(self) -> list[int]:
        """Positions of the questions sent as shown whose stored answer is another now (chosen
        in another tab since this page opened): the stored one is kept, and the learner told."""
        return [
            answer.position
            for answer in self.answers
            if self._unchanged_here(answer)
            and _places(answer) != set(self.data.getlist(self.field_name(answer)))
        ]

    def selections(self) -> dict[int, list[int]]:
        """The chosen choice ids by question id, from a valid form ([] for none chosen),
        leaving out the questions the page sends as it showed them (`_unchanged_here`)."""
        selections = {}
        for answer in self.answers:
            if self._unchanged_here(answer):
                continue
            value = self.cleaned_data[self.field_name(answer)]
            if value is None:
                value = []
            selections[answer.question_key] = value if isinstance(value, list) else [value]
        return selections

    def error_links(self) -> list[tuple[int, str, str]]:
        """(question number, id of its fieldset, first error) for each question with an error."""
        if not self.is_bound:
            return []
        links = []
        for answer in self.answers:
            name = self.field_name(answer)
            if errors := self.errors.get(name):
                links.append((answer.position, self.fieldset_id(answer), errors[0]))
        return links

    def fieldsets(self) -> list[str]:
        """Each question on the page as a `<fieldset>` of radio buttons or checkboxes.

        Written with f-strings and `html.escape` rather than a template loop over bound
        fields: for a 12-question quiz that loop was 60 % of the page's time
        (docs/BENCHMARKS.md). Ticked are the learner's saved choices, or on a form sent back
        with errors, the choices they sent.
        """
        fieldsets = []
        texts = fieldset_texts()
        for answer in self.answers:
            name = self.field_name(answer)
            if self.is_bound:
                chosen = set(self.data.getlist(name))
                errors = self.errors.get(name)
                seen = self.data.get(self.seen_name(answer), "")
            else:
                chosen = _places(answer)
                errors = None
                seen = ",".join(sorted(chosen, key=int))
            fieldsets.append(
                question_fieldset(
                    answer.position,
                    answer.snapshot,
                    name,
                    chosen,
                    errors[0] if errors else None,
                    required=self.require_all,
                    texts=texts,
                    seen=seen,
                )
            )
        return fieldsets


def fieldset_texts() -> dict:
    """The words every fieldset uses, translated once per form rather than once per question."""
    return {
        "multiple": escape(str(_("Choose all that apply."))),
        "single": escape(str(_("Choose one."))),
        "number": str(_("Question %(number)s")),
    }


def _places(answer: Answer) -> set[str]:
    """The places on the page ("1", "3") of the answer's stored choices."""
    selected = set(answer.selected or ())
    return {value for value, choice in valued_choices(answer.snapshot) if choice["id"] in selected}


def valued_choices(question) -> list[tuple[str, dict]]:
    """A frozen question's choices, each with the value its input carries on the page.

    The value is the choice's place in the order dealt ("1", "2", ...), which the page shows
    anyway; ids would tell the order the choices were written in, and authors often write the
    right one first.
    """
    return [(str(n), choice) for n, choice in enumerate(question["choices"], 1)]


def question_fieldset(number, question, name, chosen, error, *, required, texts, seen="") -> str:
    """One question's fieldset: legend, hint, its error if any, one input per choice, and the
    answer as shown (`seen`, the places chosen: "1,3"), for `QuizForm._unchanged_here`.

    A true/false question is a one-answer question of two choices, "True" then "False".
    """
    multiple = question["kind"] == Question.Kind.MULTIPLE
    field_id = f"id_{name}"
    kind = "checkbox" if multiple else "radio"
    required_attr = " required" if required and not multiple else ""
    hint = texts["multiple"] if multiple else texts["single"]
    number_text = texts["number"] % {"number": number}
    described = f' aria-describedby="{field_id}_error"' if error else ""
    shown_in = question.get("asked_in")  # the texts this page shows, not the explanation
    lang = f' lang="{escape(shown_in)}"' if shown_in else ""
    parts = [
        f'<fieldset class="question{" has-error" if error else ""}" id="{field_id}_fieldset"'
        f'{described}><legend><span class="question-number">{escape(number_text)}</span> '
        f"<span{lang}>{render_inline(question['text'])}</span></legend>"
        f'<p class="hint">{hint}</p>'
    ]
    if shown_in:
        parts.append(f'<p class="hint untranslated">{escape(untranslated_notice(shown_in))}</p>')
    if error:
        parts.append(f'<p class="field-error" id="{field_id}_error">{escape(str(error))}</p>')
    parts.append('<div class="choices">')
    # A true/false question's choices are labels in the reader's language.
    choice_lang = "" if question["kind"] == Question.Kind.TRUE_FALSE else lang
    for n, (value, choice) in enumerate(valued_choices(question)):
        checked = " checked" if value in chosen else ""
        parts.append(
            f'<label class="choice" for="{field_id}_{n}"><input type="{kind}" name="{name}" '
            f'value="{escape(value)}" id="{field_id}_{n}"{checked}{required_attr}> '
            f"<span{choice_lang}>{render_inline(choice['text'])}</span></label>"
        )
    parts.append(
        f'</div><input type="hidden" name="seen-{name}" value="{escape(seen)}"></fieldset>'
    )
    # Every value above is escaped, or inline Markdown rendered with HTML escaped.
    return mark_safe("\n".join(parts))  # noqa: S308


class PracticeForm(forms.Form):
    """Which lesson's mistakes to practise (empty: all lessons), and where to come back to."""

    lesson = forms.ModelChoiceField(
        label=_("Lesson"),
        queryset=Lesson.objects.published(),
        to_field_name="slug",
        required=False,
        empty_label=_("All lessons"),
    )
    back = forms.ChoiceField(
        choices=[("my-results", "my-results"), ("progress", "progress")],
        required=False,
    )

    def clean_back(self):
        return self.cleaned_data["back"] or "my-results"

    @classmethod
    def offering(cls, mistakes: dict[int, int], **kwargs) -> "PracticeForm | None":
        """The form to show, offering only the lessons with mistakes (`mistakes`: lesson id to
        how many), each with its count; None when there is nothing to practise anywhere."""
        if not any(mistakes.values()):
            return None
        form = cls(**kwargs)
        field = form.fields["lesson"]
        field.queryset = field.queryset.filter(id__in=[k for k, n in mistakes.items() if n])
        field.label_from_instance = lambda lesson: _counted(lesson.title, mistakes[lesson.id])
        field.empty_label = _counted(_("All lessons"), sum(mistakes.values()))
        return form


def _counted(title, questions: int) -> str:
    return ngettext(
        "%(title)s (%(count)d question)", "%(title)s (%(count)d questions)", questions
    ) % {"title": title, "count": questions}
