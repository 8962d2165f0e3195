"""Lessons, quizzes, questions, and the attempts learners make at them."""

import secrets
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quizzes.core import plain_sql
from quizzes.course.fallbacks import current_language, shown_in
from quizzes.course.rendering import Glossary, plain_text, render_markdown
from quizzes.taking import timing
from quizzes.taking.scoring import answer_marks, band_feedback


class LessonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Lesson(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    summary = models.TextField(
        _("summary"), help_text=_("One or two sentences for the lesson list.")
    )
    body = models.TextField(
        _("body"), help_text=_("Markdown. Raw HTML is shown as text, never run.")
    )
    objectives = models.TextField(
        _("learning objectives"),
        blank=True,
        help_text=_("What a learner can do after the lesson, one per line; shown at its top."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("quizzes:lesson-detail", kwargs={"slug": self.slug})

    @cached_property
    def body_html(self):
        """The body as HTML, each glossary term's first use linked to the glossary.

        Learners' pages keep the whole article in content_cache.py.
        """
        # render_markdown escapes everything the author wrote.
        return mark_safe(render_markdown(self.body, glossary=GlossaryTerm.objects.glossary()))  # noqa: S308

    @property
    def objective_list(self):
        """The learning objectives, one per line (a leading "-" or "*" is dropped)."""
        lines = (line.strip().lstrip("-*").strip() for line in self.objectives.splitlines())
        return [line for line in lines if line]


class LessonSource(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("URL"), max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("lesson source")
        verbose_name_plural = _("lesson sources")

    def __str__(self):
        return self.title


class Course(models.Model):
    """The course as a whole: one row, for what learners are told about all of it."""

    as_of = models.DateField(
        _("facts as of"),
        help_text=_(
            "The day the course's facts were last checked against the fact sheet; learners see "
            "it on the lesson list and on every lesson."
        ),
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("course")

    def __str__(self):
        return str(_("The course"))


class GlossaryTermQuerySet(models.QuerySet):
    def glossary(self):
        """Every term's forms and its address on the glossary page, for linking lessons."""
        page = reverse("quizzes:glossary")
        codes = [code for code, _name in settings.LANGUAGES]
        columns = [f"{field}_{code}" for field in ("term", "forms") for code in codes]
        return Glossary(
            (f"{page}#{term.anchor}", term.forms_written) for term in self.only("slug", *columns)
        )


class GlossaryTerm(models.Model):
    """A word the lessons use, explained for learners; each lesson links its first use here."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    term = models.CharField(_("term"), max_length=120)
    definition = models.TextField(_("definition"))
    forms = models.TextField(
        _("other forms"),
        blank=True,
        help_text=_(
            "Other ways the lessons write the term, one per line, in both languages' fields. "
            "An asterisk stands for any ending (consult* matches consults and consulted). "
            "Matching ignores the case of the first letter."
        ),
    )

    objects = GlossaryTermQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self):
        return self.term

    @property
    def anchor(self):
        return f"term-{self.slug}"

    @property
    def forms_written(self):
        """The term and its other forms in every language, each as the lessons may write it."""
        written = []
        for code, _name in settings.LANGUAGES:
            written.append(getattr(self, f"term_{code}") or "")
            written.extend((getattr(self, f"forms_{code}") or "").splitlines())
        return sorted({form.strip() for form in written if form.strip()})


class TeacherNote(models.Model):
    """How to teach a lesson: a question to discuss and an activity. Never shown to learners."""

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, related_name="teacher_note", verbose_name=_("lesson")
    )
    discussion = models.TextField(
        _("discussion prompt"), help_text=_("Markdown. A question for the class to discuss.")
    )
    activity = models.TextField(
        _("activity"), help_text=_("Markdown. A short activity: what to prepare, do and ask.")
    )

    class Meta:
        verbose_name = _("teacher's note")
        verbose_name_plural = _("teacher's notes")

    def __str__(self):
        return str(self.lesson)

    @cached_property
    def discussion_html(self):
        return mark_safe(render_markdown(self.discussion))  # noqa: S308 - escaped by renderer

    @cached_property
    def activity_html(self):
        return mark_safe(render_markdown(self.activity))  # noqa: S308 - escaped by renderer


class SourceExcerpt(models.Model):
    """A short passage of a primary source for teachers, quoted word for word or summarised."""

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="excerpts", verbose_name=_("lesson")
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Who said or wrote it, and when: it is shown with the excerpt."),
    )
    text = models.TextField(
        _("excerpt"),
        help_text=_(
            "The words of the source if quoted (in Polish, our translation), else a summary in "
            "our own words."
        ),
    )
    is_quotation = models.BooleanField(
        _("quoted word for word"),
        default=False,
        help_text=_("Only for words checked against the source or the fact sheet."),
    )
    original_language = models.CharField(
        _("language of the original"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    url = models.URLField(_("URL"), max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("source excerpt")
        verbose_name_plural = _("source excerpts")

    def __str__(self):
        return self.source

    @property
    def text_language(self):
        """The language the reader sees the text in (the reader's, or the fallback's)."""
        return shown_in(self, ("text",)) or current_language()

    @property
    def is_translation(self):
        """Whether the reader sees a quotation in a language other than its original's."""
        return self.is_quotation and self.text_language != self.original_language


class Misconception(models.Model):
    """A mistaken belief a wrong choice tests, so results can show what a class believes."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("misconception")
        verbose_name_plural = _("misconceptions")

    def __str__(self):
        return self.name


class QuizQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, lesson__is_published=True)


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest grade")
    AVERAGE = "average", _("Average grade")
    FIRST = "first", _("First attempt")
    LAST = "last", _("Last attempt")


# The longest time limit, in minutes: a day, far beyond any lesson's quiz, and a clock that
# dates can still hold (a limit of 5,000,000,000 minutes ran past the year 9999 at Start).
MAX_TIME_LIMIT = 24 * 60


def time_limit_validators():
    return [
        MaxValueValidator(
            MAX_TIME_LIMIT,
            message=_("A time limit can be at most %(limit_value)s minutes (a day)."),
        )
    ]


MAX_ATTEMPTS = 1000  # beyond any class's use; the same limit on SQLite and PostgreSQL


def attempts_validators():
    """The form's check of attempts allowed: SQLite keeps any number in a small-integer
    column, so Django offered "at most 9223372036854775807" there and 32767 on PostgreSQL."""
    return [
        MaxValueValidator(
            MAX_ATTEMPTS,
            message=_("At most %(limit_value)s attempts can be allowed; 0 means unlimited."),
        )
    ]


def in_school_calendar(value: datetime) -> None:
    """The forms' check of an opening or closing time: in the years 2000 to 2999, as written
    and as stored (in UTC: a forged "2999-12-31T23:59-12:00" is the year 3000 there).

    A time before 01:00 on 1 January of the year 1 in Warsaw has no UTC time to be stored as
    (it was a 500, not a form error), and no school has a use for one outside these years.
    """
    try:
        stored = value.astimezone(UTC).year if value.tzinfo else value.year
    except OverflowError:  # the year 1 or 9999 moved past the calendar's ends
        stored = 0
    if not (2000 <= value.year <= 2999 and 2000 <= stored <= 2999):
        raise ValidationError(
            _("Enter a date between the years 2000 and 2999."), code="outside_calendar"
        )


# Said for a time limit of 0 by the constraint below, and of less by the forms (whose own check
# of a PositiveSmallIntegerField, "at least 0", runs before any model validator could).
TIME_LIMIT_RANGE = _("A time limit must be at least one minute and at most a day.")


def time_limit_in_range(name: str) -> models.CheckConstraint:
    """The database's own check of a quiz's or an override's time limit (empty: none)."""
    return models.CheckConstraint(
        condition=Q(time_limit__isnull=True) | Q(time_limit__gt=0, time_limit__lte=MAX_TIME_LIMIT),
        name=name,
        violation_error_message=TIME_LIMIT_RANGE,
    )


class Quiz(models.Model):
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="quizzes", verbose_name=_("lesson")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=60,
        help_text=_("The percentage a learner needs to pass, from 0 to 100."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=False)
    draws_from = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="drawn_into",
        verbose_name=_("also draw from"),
        help_text=_(
            "The questions of these quizzes join this quiz's own, e.g. for a final quiz that "
            "draws at random from the whole course."
        ),
    )

    shuffle_questions = models.BooleanField(
        _("shuffle questions"),
        default=False,
        help_text=_("Each attempt gets its own question order, kept when the page reloads."),
    )
    shuffle_choices = models.BooleanField(
        _("shuffle choices"),
        default=False,
        help_text=_("Each attempt gets its own choice order within every question."),
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("questions per attempt"),
        null=True,
        blank=True,
        help_text=_("Draw this many questions at random from the quiz. Empty: all of them."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        default=0,
        validators=attempts_validators(),
        help_text=_("0 means unlimited."),
    )
    grading_method = models.CharField(
        _("grade counted"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
        help_text=_("Which of a learner's attempts counts as their grade."),
    )
    opens_at = models.DateTimeField(
        _("opens"),
        null=True,
        blank=True,
        validators=[in_school_calendar],
        help_text=_("Empty: open from publication."),
    )
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        validators=[in_school_calendar],
        help_text=_("Empty: never closes."),
    )
    time_limit = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=time_limit_validators(),
        help_text=_(
            "Empty: no limit. The clock starts when the learner presses Start; at the end, "
            "the answers saved so far are submitted."
        ),
    )
    one_question_per_page = models.BooleanField(
        _("one question per page"),
        default=False,
        help_text=_("Show the questions one at a time, with Previous and Next."),
    )

    review_marks = models.BooleanField(_("marks"), default=True)
    review_correctness = models.BooleanField(_("which answers were right"), default=True)
    review_feedback = models.BooleanField(_("feedback on each choice"), default=True)
    review_explanations = models.BooleanField(_("explanations and sources"), default=True)
    review_marks_after_close = models.BooleanField(_("marks"), default=True)
    review_correctness_after_close = models.BooleanField(
        _("which answers were right"), default=True
    )
    review_feedback_after_close = models.BooleanField(_("feedback on each choice"), default=True)
    review_explanations_after_close = models.BooleanField(
        _("explanations and sources"), default=True
    )

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["lesson__order", "order", "id"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__lte=100),
                name="quiz_pass_mark_at_most_100",
                violation_error_message=_("The pass mark is a percentage: at most 100."),
            ),
            models.CheckConstraint(
                condition=Q(questions_per_attempt__isnull=True) | Q(questions_per_attempt__gt=0),
                name="quiz_draws_at_least_one_question",
                violation_error_message=_("Draw at least one question, or leave it empty."),
            ),
            models.CheckConstraint(
                condition=Q(grading_method__in=GradingMethod.values),
                name="quiz_grading_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="quiz_closes_after_it_opens",
                violation_error_message=_("The quiz must close after it opens."),
            ),
            time_limit_in_range("quiz_time_limit_in_range"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The quiz's start page: what it is, its rules, and Start (or Continue)."""
        return reverse("quizzes:quiz-start", kwargs={"slug": self.slug})

    def pool(self):
        """The questions an attempt is drawn from: the quiz's own and those it draws from."""
        return Question.objects.filter(Q(quiz=self) | Q(quiz__in=self.draws_from.all())).order_by(
            "quiz__lesson__order", "quiz__order", "quiz_id", "order", "id"
        )

    @property
    def is_shown(self) -> bool:
        """Whether learners see the quiz: published, in a published lesson (as `published()`
        keeps it). One unpublished since stays a learner's to finish, then is a 404."""
        return self.is_published and self.lesson.is_published

    def has_closed(self, now) -> bool:
        """Whether the quiz's close date has passed at `now`: no more starting or answering."""
        return self.closes_at is not None and now >= self.closes_at


class GradeBand(models.Model):
    """Overall feedback for grades from `min_percentage` up to the next band."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="grade_bands")
    min_percentage = models.PositiveSmallIntegerField(
        _("from (%)"), help_text=_("This text shows for grades from this percentage upwards.")
    )
    feedback = models.TextField(_("feedback"))

    class Meta:
        ordering = ["quiz", "min_percentage"]
        verbose_name = _("overall feedback band")
        verbose_name_plural = _("overall feedback by grade")
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "min_percentage"],
                name="grade_band_unique_start",
                violation_error_message=_("Two bands of one quiz cannot start at the same grade."),
            ),
            models.CheckConstraint(
                condition=Q(min_percentage__lte=100), name="grade_band_start_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.min_percentage}%+"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One answer")
        MULTIPLE = "multiple", _("Several answers")
        TRUE_FALSE = "truefalse", _("True or false")

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz")
    )
    text = models.TextField(
        _("question"), help_text=_("Markdown: **bold**, *italics*, `code`, [links](https://…).")
    )
    kind = models.CharField(
        _("answers"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.SINGLE,
        help_text=_(
            "True or false: give the question two choices, “True” and “False”, and tick the "
            "correct one; learners see them in their language."
        ),
    )
    marks = models.DecimalField(_("marks"), max_digits=6, decimal_places=2, default=1)
    explanation = models.TextField(
        _("explanation"),
        blank=True,
        help_text=_(
            "Shown to the learner after submitting (optional). Markdown: **bold**, *italics*, "
            "`code`, [links](https://…)."
        ),
    )
    source_title = models.CharField(_("source title"), max_length=300)
    source_url = models.URLField(_("source URL"), max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["quiz", "order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple", "truefalse"]),
                name="question_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(marks__gt=0),
                name="question_marks_positive",
                violation_error_message=_("A question must be worth more than 0 marks."),
            ),
        ]

    def __str__(self):  # the admin's titles and messages: without the Markdown's ** and `
        text = plain_text(self.text or "")
        return text if len(text) <= 80 else text[:79] + "…"


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    text = models.CharField(_("choice"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(
        _("feedback"),
        blank=True,
        help_text=_("Why this choice is right or wrong; shown after submitting (optional)."),
    )
    misconception = models.ForeignKey(
        Misconception,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="choices",
        verbose_name=_("misconception"),
        help_text=_("For a wrong choice: the mistaken belief that leads a learner to pick it."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "text"],
                name="choice_text_unique_per_question",
                violation_error_message=_("Two choices of one question cannot have the same text."),
            ),
        ]

    def __str__(self):
        return self.text

    def clean(self):
        if self.is_correct and self.misconception_id:
            raise ValidationError(
                {"misconception": _("A correct choice tests no misconception; leave it empty.")}
            )


def protect_submitted(collector, field, sub_objs, using):
    """Refuse to delete a quiz with finished attempts; drop attempts merely in progress.

    Learners' results are never deleted with the quiz. An attempt that was only opened (a
    learner's look, a teacher's preview) goes with it.
    """
    submitted = [attempt for attempt in sub_objs if attempt.submitted_at is not None]
    if submitted:
        models.PROTECT(collector, field, submitted, using)
    models.CASCADE(collector, field, sub_objs, using)


# The largest id a row can have (a 64-bit signed integer, SQLite's and PostgreSQL's bigint): an
# id from an address beyond it finds nothing, and must not reach the database, which refuses it.
MAX_ROW_ID = 2**63 - 1


class AttemptQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)

    def graded(self):
        """Attempts that count: at a quiz, neither practice rounds nor teachers' previews.

        Every figure a teacher or learner sees (grades, attempt limits, dashboards, exports,
        statistics, progress) starts here, so a preview counts nowhere."""
        return self.filter(practice=False, preview=False)

    def in_progress(self):
        return self.filter(submitted_at__isnull=True)


class AttemptManager(models.Manager.from_queryset(AttemptQuerySet)):
    """Besides the querysets, the reads a quiz page, a save and a Finish make on every request.

    They run one plain statement each (`plain_sql`, used nowhere else but sign-in): built
    through the ORM, the same query cost 0.64–0.90 ms of CPU against 0.05–0.10 ms
    (`benchmarks/pieces.py`), and a whole attempt makes two of them. Finish's lock and its
    conditional update, each in its own transaction there, cost 0.73 and 0.54 ms through the
    ORM against 0.15 and 0.28 (2026-12-02).
    """

    def answerable(self, pk: int, *, learner, quiz=None, practice: int | None = None):
        """The learner's attempt `pk` at `quiz`, or their practice round whose id is `practice`,
        or None: the attempt a quiz page's form says it answers, if it is theirs."""
        if quiz is not None:
            clause, params = "WHERE id = %s AND learner_id = %s AND quiz_id = %s", [quiz.pk]
        else:
            clause, params = (
                "WHERE id = %s AND learner_id = %s AND id = %s AND practice",
                [practice],
            )
        return plain_sql.fetch_first(self.model, clause, [pk, learner.pk, *params])

    def of_learner(self, pk: int, learner):
        """The learner's own attempt `pk`, or None: what their result page shows. An id beyond
        any row's (and SQLite's integers), from a made-up address, finds none."""
        if pk > MAX_ROW_ID:
            return None
        return plain_sql.fetch_first(
            self.model, "WHERE id = %s AND learner_id = %s", [pk, learner.pk]
        )

    def open_for(self, learner, quiz):
        """The learner's unfinished attempt at the quiz, or None."""
        return plain_sql.fetch_first(
            self.model,
            "WHERE learner_id = %s AND quiz_id = %s AND submitted_at IS NULL",
            [learner.pk, quiz.pk],
        )

    def best_by_quiz(self, learner_id: int) -> list[tuple[int, object, int]]:
        """(quiz id, best percentage or None, 1 if an attempt is in progress else 0) of each
        quiz the learner started a graded attempt at.

        The home page asks this on every visit: one plain aggregate, 0.02–0.10 ms of CPU against
        0.70–0.82 through the ORM (`benchmarks/pieces.py`)."""
        return plain_sql.rows(
            self.model,
            "quiz_id, MAX(CASE WHEN submitted_at IS NOT NULL THEN percentage END), "
            "MAX(CASE WHEN submitted_at IS NULL THEN 1 ELSE 0 END)",
            "WHERE learner_id = %s AND practice = %s AND preview = %s AND quiz_id IS NOT NULL "
            "GROUP BY quiz_id",
            [learner_id, False, False],
        )

    def lock_open(self, pk: int) -> bool:
        """Lock attempt `pk`'s row until the transaction ends, if it is still in progress;
        whether it is. (SQLite has no row locks: its IMMEDIATE transactions take the write lock
        at BEGIN, and Django leaves out FOR UPDATE there.)"""
        return bool(
            plain_sql.locked_ids(self.model, "WHERE id = %s AND submitted_at IS NULL", [pk])
        )

    def finish(self, pk: int, **values) -> bool:
        """Write a finished attempt's `values` if it is still in progress: whether it was.

        The conditional update is the submit-once guard: of two racing requests, only one
        finds the attempt still open, on SQLite and PostgreSQL alike."""
        return bool(
            plain_sql.update_where(
                self.model, values, "WHERE id = %s AND submitted_at IS NULL", [pk]
            )
        )


class Attempt(models.Model):
    """A learner's go at a quiz, or a practice round of their mistakes (`practice`, no quiz).

    Practice rounds never count toward grades, attempt limits or teachers' results.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("learner"),
    )
    quiz = models.ForeignKey(
        Quiz,
        on_delete=protect_submitted,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name=_("quiz"),
    )
    practice = models.BooleanField(_("practice round"), default=False)
    preview = models.BooleanField(
        _("teacher's preview"),
        default=False,
        help_text=_("A teacher trying the quiz: counted in no grade, limit or statistic."),
    )
    # As Moodle keeps an attempt's layout: a teacher who turns the quiz's "one question per
    # page" on or off during a lesson changes new attempts, not the pages learners have open.
    paged = models.BooleanField(
        _("one question per page"),
        default=False,
        help_text=_("The quiz's layout when the attempt started, which the attempt keeps."),
    )
    lesson = models.ForeignKey(
        Lesson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("practice lesson"),
        help_text=_("The lesson a practice round reviews; empty for all lessons."),
    )
    quiz_title = models.CharField(_("quiz title"), max_length=200, default="")
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language the attempt was taken in: its questions are kept in it."),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    deadline = models.DateTimeField(
        _("time limit ends"),
        null=True,
        blank=True,
        help_text=_("When the quiz's time limit runs out for this attempt; empty: no limit."),
    )
    closes_at = models.DateTimeField(
        _("closes for this learner"),
        null=True,
        blank=True,
        help_text=_("A close date an override gave this learner; empty: the quiz's own."),
    )
    seed = models.PositiveIntegerField(
        _("shuffle seed"), default=0, help_text=_("Fixes this attempt's question and choice order.")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    marks = models.DecimalField(_("marks"), max_digits=14, decimal_places=7, default=0)
    max_marks = models.DecimalField(_("maximum"), max_digits=14, decimal_places=7, default=0)
    percentage = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2, default=0)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    regraded_at = models.DateTimeField(_("regraded"), null=True, blank=True)
    overridden_at = models.DateTimeField(
        _("marks changed by hand"),
        null=True,
        blank=True,
        help_text=_("When a teacher last changed a question's marks by hand."),
    )

    objects = AttemptManager()

    # The language the page being rendered is read in (set by the view; None: the attempt's).
    reader_language = None

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "quiz"],
                condition=Q(submitted_at__isnull=True),
                name="attempt_one_in_progress_per_learner_and_quiz",
            ),
            models.UniqueConstraint(
                fields=["learner"],
                condition=Q(submitted_at__isnull=True, practice=True),
                name="attempt_one_practice_in_progress_per_learner",
            ),
            models.CheckConstraint(
                condition=Q(practice=True) | Q(quiz__isnull=False),
                name="attempt_graded_has_a_quiz",
            ),
            models.CheckConstraint(
                condition=Q(marks__gte=0) & Q(marks__lte=F("max_marks")),
                name="attempt_marks_within_maximum",
            ),
            models.CheckConstraint(
                condition=Q(percentage__gte=0) & Q(percentage__lte=100),
                name="attempt_percentage_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(submitted_at__gte=F("started_at")),
                name="attempt_submitted_after_started",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "submitted_at"], name="attempt_learner_submitted"),
            models.Index(fields=["quiz", "submitted_at"], name="attempt_quiz_submitted"),
            # A quiz's attempts grouped by learner, each learner's in time order: the
            # dashboard's grades (first and last attempts), and a class's share of a quiz.
            # With the columns the summary counts, it answers them from the index alone, for a
            # class (a seek per learner) and for the whole quiz (100,000 attempts on SQLite:
            # the summary 250 → 50 ms).
            # `preview` too, since every count leaves teachers' previews out: without it each
            # row was read from the table (the grades export's queries, 100,000 attempts on
            # SQLite: 0.40 s before previews, 0.86 s with them unindexed).
            models.Index(
                fields=[
                    "quiz",
                    "learner",
                    "submitted_at",
                    "percentage",
                    "passed",
                    "practice",
                    "preview",
                ],
                name="attempt_quiz_learner_counted",
            ),
            # The latest finished attempts first: the results page and its later pages.
            models.Index(fields=["submitted_at"], name="attempt_submitted"),
            # The admin's list, newest started first, and its date hierarchy.
            models.Index(fields=["started_at"], name="attempt_started"),
            # A quiz's attempts in grade order, for the dashboard's median (100,000 attempts,
            # SQLite: 300 → 40 ms). Partial or covering variants made SQLite read the results
            # page and a class's dashboard through them, several times slower.
            models.Index(fields=["quiz", "percentage"], name="attempt_quiz_grade"),
        ]

    def __str__(self):
        # In the site's time and the reader's format, as the page beside it gives "Started".
        started = formats.date_format(timezone.localtime(self.started_at), "DATETIME_FORMAT")
        return f"{self.learner} – {self.quiz or self.quiz_title} ({started})"

    def get_absolute_url(self):
        return reverse("quizzes:attempt-result", kwargs={"pk": self.pk})

    @property
    def shown_title(self) -> str:
        """The title kept from when the attempt was taken (a later rename rewrites no result),
        to a reader of the language it was taken in; a reader of the other language gets the
        quiz's title in theirs while the quiz exists, rather than a title in a language the
        rest of their page is not in."""
        if self.quiz_id is not None and not self.practice and current_language() != self.language:
            return self.quiz.title
        return self.quiz_title

    @property
    def take_url(self) -> str:
        """Where the learner answers this attempt's questions."""
        if self.practice:
            return reverse("quizzes:practice-take", kwargs={"pk": self.pk})
        return reverse("quizzes:quiz-take", kwargs={"slug": self.quiz.slug})

    @property
    def summary_url(self) -> str:
        """The summary before Finish: which questions are answered, and Submit anyway."""
        if self.practice:
            return reverse("quizzes:practice-summary", kwargs={"pk": self.pk})
        return reverse("quizzes:quiz-summary", kwargs={"slug": self.quiz.slug})

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def ends_at(self):
        """When answering must stop: the time limit or the close, whichever is first (the close
        an override gave the learner, else the quiz's; none for a teacher's preview)."""
        # A preview ignores the quiz's dates: it is not ended by a close already past.
        quiz_closes = self.quiz.closes_at if self.quiz_id and not self.preview else None
        closes = self.closes_at or quiz_closes
        return timing.ends_at(self.deadline, closes)

    @property
    def submitted_when_time_ran_out(self) -> bool:
        """Whether the attempt was finished for the learner because its time limit or close
        came (a tab left open or closed, say) rather than by their Finish: such a finish is
        recorded at that very moment, which a Finish sent within the grace period never is."""
        ends_at = self.ends_at
        return (
            self.submitted_at is not None and ends_at is not None and self.submitted_at == ends_at
        )

    def overall_feedback(self) -> str:
        """The quiz's feedback text for this attempt's grade band ("" when there is none)."""
        if self.quiz is None:
            return ""
        bands = [(band.min_percentage, band.feedback) for band in self.quiz.grade_bands.all()]
        return band_feedback(bands, self.percentage)


class QuestionVersion(models.Model):
    """A question as learners were shown it: texts in each language, choices, key, marks.

    Immutable, and shared by every answer dealt from it: editing a question makes a new
    version the next time it is dealt (or saved in the admin) only when something a learner
    sees, or the key, changed; a regrade makes one for the fixed key. `fingerprint` is the
    content's hash, so the same content is stored once. `content` holds, for each language
    code, the texts as shown in that language (`text`, `explanation`, and per choice `text`
    and `feedback`), `shown_in`, the other language some of them fell back to, and
    `asked_in` when the question's and choices' texts alone fell back differently; and per
    choice its `id` (the live choice's), `is_correct` and `misconception` (a slug or null).
    """

    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="versions"
    )
    question_key = models.PositiveBigIntegerField(
        _("question id"), help_text=_("The question's id, kept after the question is deleted.")
    )
    fingerprint = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("answers"), max_length=10, choices=Question.Kind.choices)
    marks = models.DecimalField(_("marks"), max_digits=6, decimal_places=2)
    source_title = models.CharField(_("source title"), max_length=300)
    source_url = models.URLField(_("source URL"), max_length=500)
    content = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["question_key", "created_at", "id"]
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        indexes = [models.Index(fields=["question_key"], name="version_question_key")]

    def __str__(self):  # the admin's caption above each row of a question's versions
        created = formats.date_format(timezone.localtime(self.created_at), "DATETIME_FORMAT")
        return str(_("Version of %(created)s") % {"created": created})

    @property
    def choices(self) -> list[dict]:
        return self.content["choices"]

    def picked(self, chosen: int | None) -> list[dict]:
        """The choices a chosen mask (`Answer.chosen`: bit i, choice i) names, in order."""
        return [choice for i, choice in enumerate(self.choices) if (chosen or 0) >> i & 1]

    def marks_for(self, chosen: int | None) -> Decimal:
        """The marks this version's key gives an answer with this chosen mask."""
        key = {"kind": self.kind, "marks": self.marks, "choices": self.choices}
        return answer_marks(key, [choice["id"] for choice in self.picked(chosen)])


class AnswerManager(models.Manager):
    """The answers of one attempt, read and written back on every quiz page, save and Finish.

    Plain SQL (`plain_sql`), measured by `benchmarks/pieces.py`: the ORM's read of 20 answers
    cost 0.78–0.95 ms of CPU against 0.21, and `bulk_update`'s CASE expressions for 20 answers
    6.0–6.5 ms against 0.13–0.26 for one prepared UPDATE run per answer: more than the rest of
    a Finish request.
    """

    def of(self, attempt) -> list:
        """The attempt's answers in the order dealt, each knowing its attempt."""
        answers = plain_sql.fetch(
            self.model, "WHERE attempt_id = %s ORDER BY position", [attempt.pk]
        )
        for answer in answers:
            answer.attempt = attempt
        return answers

    def deal(self, answers) -> None:
        """Insert the answers dealt into a new attempt (nobody reads their ids back).

        `bulk_create` of 12 answers cost 1,676 µs of CPU against 1,137, each in its own
        transaction (benchmarks/pieces.py, 2026-12-02).
        """
        plain_sql.insert_each(answers)

    def write(self, answers, fields) -> None:
        """Write `fields` of each saved answer back."""
        plain_sql.update_each(answers, fields)


class Answer(models.Model):
    """One question dealt into an attempt: its version, the order of its choices, the pick.

    Answers are made when the attempt starts, with `chosen` empty until the learner answers.
    The version keeps an attempt unchanged when a teacher later edits or deletes the question:
    the quiz page, marking, review and exports read it, never the live rows. `dealt` lists the
    version's choices (by their index in it) in the order this learner saw them, and `chosen`
    is a bit mask over the same indexes (bit i set: choice i chosen).
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="answers")
    position = models.PositiveIntegerField(_("position"))
    dealt = models.CharField(_("choice order"), max_length=100)
    chosen = models.PositiveBigIntegerField(_("chosen choices"), null=True, blank=True)
    marks = models.DecimalField(_("marks"), max_digits=14, decimal_places=7, default=0)
    # A teacher's manual mark and comment (teaching/overrides.py; history in MarkOverride).
    overridden = models.BooleanField(
        _("marked by hand"),
        default=False,
        help_text=_("A teacher set these marks by hand: regrades leave them alone."),
    )
    comment = models.TextField(_("teacher's comment"), blank=True, default="")

    objects = AnswerManager()

    class Meta:
        ordering = ["attempt", "position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="answer_position_unique_per_attempt"
            ),
            models.UniqueConstraint(
                fields=["attempt", "question"], name="answer_question_unique_per_attempt"
            ),
            models.CheckConstraint(condition=Q(marks__gte=0), name="answer_marks_not_negative"),
            models.CheckConstraint(
                condition=Q(chosen__isnull=True) | Q(chosen__gt=0), name="answer_chosen_not_empty"
            ),
        ]

    def __str__(self):
        return str(_("Question %(number)s") % {"number": self.position})

    @cached_property
    def _version(self) -> QuestionVersion:
        """The version: as loaded with the answer, else from the process's copy of the
        immutable versions (versions.py; `versions_by_id` reads many in one query)."""
        if self._meta.get_field("version").is_cached(self):
            return self.version
        from quizzes.course.versions import version_by_id

        return version_by_id(self.version_id)

    @property
    def max_marks(self) -> Decimal:
        return self._version.marks

    @property
    def outcome(self) -> str:
        """ "correct", "partial" or "incorrect", from the marks earned."""
        if self.marks >= self.max_marks:
            return "correct"
        return "partial" if self.marks > 0 else "incorrect"

    @property
    def question_key(self) -> int:
        """The id of the question answered, kept in its version after the question is deleted."""
        return self._version.question_key

    @property
    def dealt_indexes(self) -> list[int]:
        return [int(index) for index in self.dealt.split(",")]

    @property
    def selected(self) -> list[int] | None:
        """The chosen choices' ids, in the version's order; None until answered."""
        if self.chosen is None:
            return None
        return [choice["id"] for choice in self._version.picked(self.chosen)]

    @selected.setter
    def selected(self, ids) -> None:
        wanted = set(ids or ())
        mask = sum(1 << i for i, c in enumerate(self._version.choices) if c["id"] in wanted)
        self.chosen = mask or None

    @cached_property
    def snapshot(self) -> dict:
        """The question as its learner saw it: texts in the attempt's language (or the reader's,
        when the version has that language's own text), choices in the order dealt."""
        from quizzes.course.versions import as_dealt, language_shown

        reader = self.attempt.reader_language
        language = language_shown(self._version, reader, self.attempt.language)
        snapshot = as_dealt(self._version, self.dealt_indexes, language)
        if reader and language != reader:
            # Kept in the attempt's language on a page in another: "not yet translated" too.
            snapshot["shown_in"] = snapshot["shown_in"] or language
            snapshot["asked_in"] = snapshot["asked_in"] or language
        return snapshot

    def review_choices(self) -> list[dict]:
        """Every choice as the learner saw it, with whether they chose it."""
        chosen = set(self.selected or [])
        return [{**choice, "chosen": choice["id"] in chosen} for choice in self.snapshot["choices"]]

    def chosen_choices(self) -> list[dict]:
        return [choice for choice in self.review_choices() if choice["chosen"]]

    def correct_choices(self) -> list[dict]:
        return [choice for choice in self.snapshot["choices"] if choice["is_correct"]]


class Regrade(models.Model):
    """A regrade a teacher applied: when, by whom, and (RegradedAttempt) whose marks changed."""

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="regrades", verbose_name=_("quiz")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("applied"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("regrade")
        verbose_name_plural = _("regrades")

    def __str__(self):
        return f"{self.quiz} ({self.at:%Y-%m-%d %H:%M})"


class RegradedAttempt(models.Model):
    """One attempt a regrade re-marked, with its marks before and after."""

    regrade = models.ForeignKey(Regrade, on_delete=models.CASCADE, related_name="attempts")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="regrades")
    marks_before = models.DecimalField(_("marks before"), max_digits=14, decimal_places=7)
    marks_after = models.DecimalField(_("marks after"), max_digits=14, decimal_places=7)

    class Meta:
        ordering = ["regrade", "attempt"]
        verbose_name = _("regraded attempt")
        verbose_name_plural = _("regraded attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["regrade", "attempt"], name="regraded_attempt_unique_per_regrade"
            ),
        ]

    def __str__(self):
        return f"{self.attempt_id}: {self.marks_before} → {self.marks_after}"


# Join codes avoid letters and digits that look alike (0/O, 1/I/L).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class ClassroomQuerySet(models.QuerySet):
    def taught_by(self, user):
        """The classes a user may see: their own, or every class for a superuser."""
        return self if user.is_superuser else self.filter(teacher=user)


class Classroom(models.Model):
    """A teacher's class: learners join it with its code, and the teacher sees their results."""

    name = models.CharField(_("name"), max_length=200)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="classrooms_taught",
        verbose_name=_("teacher"),
    )
    join_code = models.CharField(
        _("join code"), max_length=16, unique=True, default=new_join_code, editable=False
    )
    learners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="classrooms",
        verbose_name=_("learners"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "name"],
                name="classroom_name_unique_per_teacher",
                violation_error_message=_("You already have a class with this name."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("quizzes:class-detail", kwargs={"pk": self.pk})

    def join_url(self):
        """The link teachers share: without a language, so each learner who follows it gets
        the site in their own language (their choice, else their browser's)."""
        path = reverse("quizzes:join", kwargs={"code": self.join_code})
        language = get_language()
        prefix = f"/{language}/"
        return "/" + path.removeprefix(prefix) if language and path.startswith(prefix) else path


class Membership(models.Model):
    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("class")
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("learner"),
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["classroom", "learner__username"]
        verbose_name = _("class membership")
        verbose_name_plural = _("class memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["classroom", "learner"], name="membership_unique_per_class"
            ),
        ]

    def __str__(self):
        return f"{self.learner} in {self.classroom}"


class ContentVersionManager(models.Manager):
    def current(self) -> int:
        """The number now (0 before the first edit). Every request asks: one plain SELECT,
        0.02–0.03 ms of CPU against 0.16–0.18 through the ORM (`benchmarks/pieces.py`)."""
        row = plain_sql.fetch_first(self.model, "WHERE id = 1")
        return row.number if row else 0


class ContentVersion(models.Model):
    """One row whose number goes up whenever course content changes (see content_cache.py).

    App servers keep what every learner sees alike (the lesson list, a lesson, a quiz's settings)
    in memory, and check this number, one cheap query, to know when to build it again.
    """

    number = models.PositiveBigIntegerField(default=0)

    objects = ContentVersionManager()

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self):
        return str(self.number)


class DeviceFailureCount(models.Model):
    """Wrong passwords typed for a username in a browser that signed in as it before.

    Such a browser carries a signed device cookie (sign_in_throttle.py) and is counted apart
    from its address and the account, so other people's guesses never lock its owner out.
    """

    device = models.CharField(_("device"), max_length=32)
    username = models.CharField(_("username"), max_length=150)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"))

    class Meta:
        verbose_name = _("failures in a known browser")
        verbose_name_plural = _("failures in known browsers")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "username"], name="device_failure_count_unique"
            ),
        ]

    def __str__(self):
        return f"{self.username}: {self.failures} on {self.device}"


class QuizStatistics(models.Model):
    """A quiz's item analysis over one set of attempts, stored as Moodle stores its statistics.

    `scope` names the set: the classes whose learners count (every learner for a superuser's
    unfiltered view) and the dates, so a teacher only ever sees figures over their own classes.
    The attempts counted, the newest of them and the latest regrade tell when it is stale.
    """

    class Status(models.TextChoices):
        COMPUTING = "computing", _("being computed")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="statistics")
    scope = models.CharField(_("scope"), max_length=64)
    classes = models.JSONField(_("classes"), null=True, blank=True)  # null: every learner
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.COMPUTING
    )
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts counted"), default=0)
    newest_attempt_id = models.PositiveBigIntegerField(_("newest attempt"), null=True, blank=True)
    last_regraded_at = models.DateTimeField(_("latest regrade"), null=True, blank=True)
    last_overridden_at = models.DateTimeField(_("latest mark by hand"), null=True, blank=True)
    # Which attempts, not only how many: a learner who leaves a class and another who joins
    # it can keep the count and the newest attempt the same.
    attempt_id_sum = models.PositiveBigIntegerField(
        _("attempts' ids, added"), null=True, blank=True
    )
    learner_id_sum = models.PositiveBigIntegerField(
        _("learners' ids, added"), null=True, blank=True
    )
    result = models.JSONField(_("result"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz statistics")
        verbose_name_plural = _("quiz statistics")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "scope"], name="quiz_statistics_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["computing", "done", "failed"]),
                name="quiz_statistics_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.quiz}: {self.get_status_display()}"


def exports_storage():
    """The private storage exported files are written to (never served as static files)."""
    from django.core.files.storage import storages

    return storages["exports"]


class Job(models.Model):
    """One run of a background task a teacher started: what it is, how far it got, its result."""

    class Kind(models.TextChoices):
        REGRADE = "regrade", _("regrade")
        EXPORT = "export", _("export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    file = models.FileField(_("file"), storage=exports_storage, upload_to="", blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="job_done_within_total"),
            models.CheckConstraint(
                condition=Q(kind__in=["regrade", "export"]), name="job_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="job_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quiz}: {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0


class OverrideQuerySet(models.QuerySet):
    def applying_to(self, learner, quiz):
        """The overrides of `quiz` for the learner or for a class they are in."""
        return self.filter(quiz=quiz).filter(
            Q(learner=learner) | Q(classroom__memberships__learner=learner)
        )

    def of_class(self, classroom):
        """The overrides of the class and of its learners (the class page lists them)."""
        return self.filter(
            Q(classroom=classroom) | Q(learner__memberships__classroom=classroom)
        ).distinct()

    def set_by(self, user):
        """The overrides a teacher may see and change: for their classes and those classes'
        learners (a superuser: all)."""
        if user.is_superuser:
            return self
        taught = Classroom.objects.taught_by(user)
        return self.filter(
            Q(classroom__in=taught) | Q(learner__memberships__classroom__in=taught)
        ).distinct()


class Override(models.Model):
    """A quiz's settings changed for one learner or one class (Moodle's user and group
    overrides): extra time, attempts or a later close. Empty fields keep the quiz's own; when
    several overrides match a learner, the most generous value of each setting applies."""

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("quiz")
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quiz_overrides",
        verbose_name=_("learner"),
    )
    classroom = models.ForeignKey(
        Classroom,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="overrides",
        verbose_name=_("class"),
    )
    time_limit = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=time_limit_validators(),
        help_text=_("Empty: the quiz's own."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        null=True,
        blank=True,
        validators=attempts_validators(),
        help_text=_("0 means unlimited. Empty: the quiz's own."),
    )
    opens_at = models.DateTimeField(
        _("opens"),
        null=True,
        blank=True,
        validators=[in_school_calendar],
        help_text=_("Empty: the quiz's own."),
    )
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        validators=[in_school_calendar],
        help_text=_("Empty: the quiz's own."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OverrideQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "classroom__name", "learner__username", "id"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.CheckConstraint(
                condition=Q(learner__isnull=True, classroom__isnull=False)
                | Q(learner__isnull=False, classroom__isnull=True),
                name="override_for_a_learner_or_a_class",
                violation_error_message=_("Choose a learner or a class, not both."),
            ),
            models.UniqueConstraint(
                fields=["quiz", "learner"],
                condition=Q(learner__isnull=False),
                name="override_one_per_quiz_and_learner",
                violation_error_message=_("This learner already has an override for this quiz."),
            ),
            models.UniqueConstraint(
                fields=["quiz", "classroom"],
                condition=Q(classroom__isnull=False),
                name="override_one_per_quiz_and_class",
                violation_error_message=_("This class already has an override for this quiz."),
            ),
            time_limit_in_range("override_time_limit_in_range"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="override_closes_after_it_opens",
                violation_error_message=_("The quiz must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(time_limit__isnull=False)
                | Q(attempts_allowed__isnull=False)
                | Q(opens_at__isnull=False)
                | Q(closes_at__isnull=False),
                name="override_changes_something",
                violation_error_message=_("Change at least one setting."),
            ),
        ]

    def __str__(self):
        return f"{self.quiz}: {self.learner or self.classroom}"

    def learner_ids(self) -> list[int]:
        """The learners it is for: its learner, or its class's members."""
        if self.learner_id is not None:
            return [self.learner_id]
        return list(
            Membership.objects.filter(classroom_id=self.classroom_id).values_list(
                "learner_id", flat=True
            )
        )


class MarkOverride(models.Model):
    """One change a teacher made by hand to a finished answer: its marks, its comment, or both.

    The history Moodle keeps for "Make comment or override mark": who, when, the marks and
    comment before and after, and the reason given. The answer holds the current values.
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="overrides")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="overrides")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("changed"), default=timezone.now)
    marks_before = models.DecimalField(_("marks before"), max_digits=14, decimal_places=7)
    marks_after = models.DecimalField(_("marks after"), max_digits=14, decimal_places=7)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    comment_before = models.TextField(_("comment before"), blank=True)
    comment_after = models.TextField(_("comment after"), blank=True)

    class Meta:
        ordering = ["attempt", "-at", "-id"]
        verbose_name = _("mark changed by hand")
        verbose_name_plural = _("marks changed by hand")
        constraints = [
            models.CheckConstraint(
                condition=Q(marks_after__gte=0), name="mark_override_marks_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(marks_after=F("marks_before")) | ~Q(reason=""),
                name="mark_override_changed_marks_have_a_reason",
            ),
        ]

    def __str__(self):
        return f"{self.answer_id}: {self.marks_before} → {self.marks_after}"
