"""The teachers' authoring screens and a read-only view of attempts."""

import re

import axes.admin  # noqa: F401 - registers axes' lists, given checked ones below
import django.contrib.auth.admin  # noqa: F401 - registers users and groups, likewise
import django_tasks_db.admin  # noqa: F401 - registers the task results, likewise
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, models, transaction
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_tasks_db.models import DBTaskResult
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from quizzes.core.spreadsheet import shows_nothing
from quizzes.course.fallbacks import LANGUAGE_NAMES
from quizzes.course.versions import texts_in
from quizzes.models import (
    MAX_ROW_ID,
    TIME_LIMIT_RANGE,
    Answer,
    Attempt,
    Choice,
    Classroom,
    Course,
    GlossaryTerm,
    GradeBand,
    Job,
    Lesson,
    LessonSource,
    Membership,
    Misconception,
    Override,
    Question,
    QuestionVersion,
    Quiz,
    SourceExcerpt,
    TeacherNote,
)
from quizzes.question_files.forms import QuestionFileForm
from quizzes.question_files.gift_export import to_gift
from quizzes.question_files.importing import (
    already_in,
    create_questions,
    guess_format,
    read_questions,
)
from quizzes.question_files.parsed import FormatError
from quizzes.taking.attempts import attempts_follow_rules, moved_message, overdue_finish
from quizzes.taking.scoring import answer_key_errors, shown_marks
from quizzes.teaching import exports, roster
from quizzes.teaching.classes import attempts_visible_to, learners_taught_by
from quizzes.teaching.downloads import (
    WORKBOOK_TOO_LARGE,
    csv_download,
    quiz_csv_download,
    xlsx_download,
)
from quizzes.teaching.jobs import job_start
from quizzes.teaching.regrading import marked_by_hand, regrade_apply, regrade_plan

# Authors paste bare addresses ("www.nato.int/…"): read them as https, not http.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
NUMBER = re.compile(r"[0-9]{1,18}")


@admin.display(description=_("marks"), ordering="marks")
def question_marks(question) -> str:
    return shown_marks(question.marks)


# The dry run lists this many of the attempts a regrade would change, and counts the rest.
REGRADE_ROWS_SHOWN = 200


ALREADY_IN_QUIZ = _(
    "The quiz already has a question with this text: it is left out, so importing a file "
    "twice does not give its questions twice."
)


def _imported(created: int, left_out: int) -> str:
    done = ngettext("Imported %(count)d question.", "Imported %(count)d questions.", created) % {
        "count": created
    }
    if not left_out:
        return done
    repeated = ngettext(
        "%(count)d was already in the quiz and was left out.",
        "%(count)d were already in the quiz and were left out.",
        left_out,
    ) % {"count": left_out}
    return f"{done} {repeated}"


class BadListFilter(Exception):
    """A list's address asks for a filter or value the list cannot apply."""


class CheckedChangeList(ChangeList):
    """Django's changelist, with values the database cannot take read as bad filters.

    Django refuses unknown lookups itself, but some values fail only when the query runs: the
    year 9999 (its end is the year 10000), dates before the first one the time zone can hold
    (`?started_at__year=1`, `?submitted_at__gte=0001-01-01`), or text PostgreSQL refuses.
    """

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            with transaction.atomic(using=self.root_queryset.db):
                super().get_results(request)
                len(self.result_list)  # run the page's query here, not while rendering
        except (DataError, ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class CheckedAdmin:
    """Bad input to an admin page answers 4xx, as it does on the site's own pages.

    A list with a bad filter in its address answers 400 with a way back, not a 500: Django
    would redirect to `?e=1` and call it a database error; a teacher who edited the address,
    or followed an old link, needs to hear that the filter is the problem. A form sent back
    with errors answers 400 too (Django's 200 said "done" to a script or a test).
    """

    def render_change_form(self, request, context, *args, **kwargs):
        response = super().render_change_form(request, context, *args, **kwargs)
        if request.method == "POST" and context.get("errors"):
            response.status_code = 400
        return response

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (IncorrectLookupParameters, DisallowedModelAdminLookup) as error:
            # A lookup the list does not offer (`?learner__password__startswith=p`) too: it
            # got the site's generic 400 page, with no way back to the list.
            raise BadListFilter from error

    def response_action(self, request, queryset):
        """An action on selected rows whose ids the list's key cannot hold (`abc`, `1.5`, a
        number past 2**63) answers 400: Django's filter on them failed with a 500."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not request.POST.get("select_across") and not all(
            _can_be_key(self.model, value) for value in selected
        ):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Those rows cannot be acted on"),
            }
            return TemplateResponse(request, "admin/bad_selection.html", context, status=400)
        return super().response_action(request, queryset)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except BadListFilter:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("This list cannot be filtered that way"),
            }
            return TemplateResponse(request, "admin/bad_filter.html", context, status=400)


def _can_be_key(model, value: str) -> bool:
    """Whether `value` could be a primary key of `model`: of its type, within a row id's range."""
    try:
        key = model._meta.pk.to_python(value)
    except ValidationError:
        return False
    return not isinstance(key, int) or -MAX_ROW_ID <= key <= MAX_ROW_ID


class BothLanguages:
    """Each language's field of a translated text says its language (`lang="pl"`), so the
    browser spell-checks it in that language and screen readers pronounce it right."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = getattr(db_field, "language", None)  # set on modeltranslation's fields
        if formfield is not None and language:
            formfield.widget.attrs["lang"] = language
            # modeltranslation requires the English field of a required text; the form
            # requires it in either language instead (EitherLanguageForm).
            formfield.required = False
        return formfield


class WholeTitles:
    """Page titles and the Add button in whole sentences, where Django builds them from the
    model's name: "Add %s" with "lekcja" gave "Dodaj lekcja", where Polish says "Dodaj
    lekcję". An admin sets `titles` ("add", "change" and "list"), each already translated."""

    titles: dict = {}

    def add_view(self, request, form_url="", extra_context=None):
        extra = {**(self._titled(extra_context, "add") or {}), "add_label": self.titles.get("add")}
        return super().add_view(request, form_url, extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Django says "View …" to a teacher who may only look: its own title is right then.
        titled = (
            self._titled(extra_context, "change")
            if self.has_change_permission(request)
            else extra_context
        )
        return super().change_view(request, object_id, form_url, titled)

    def changelist_view(self, request, extra_context=None):
        extra = (
            self._titled(extra_context, "list")
            if self.has_change_permission(request)
            else extra_context
        )
        extra = {**(extra or {}), "add_label": self.titles.get("add")}
        return super().changelist_view(request, extra)

    def _titled(self, extra_context, page):
        title = self.titles.get(page)
        return {**(extra_context or {}), "title": title} if title else extra_context


def _slug_from(text: str, max_length: int) -> str:
    # slugify drops what NFKD leaves non-ASCII: "ł" has no decomposition, so it goes first,
    # as for a roster's usernames.
    return slugify(text.translate(roster.FOLDED))[:max_length].strip("-")


class EitherLanguageForm(forms.ModelForm):
    """A text the model requires, written in English, in Polish or in both.

    A Polish teacher writes a question in Polish only; English readers then see it with the
    "not yet translated" notice, as they see the questions of a Polish file imported.
    """

    # The text a new row's slug is made from when the author leaves it empty.
    SLUG_SOURCES = ("title", "term", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # made from the title in either language when left empty
            self.fields["slug"].required = False

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        if "slug" in self.fields and not cleaned.get("slug") and "slug" not in self.errors:
            self._make_slug(cleaned)
        for name in translator.get_options_for_model(model).fields:
            names = [
                localized
                for code, _name in settings.LANGUAGES
                if (localized := build_localized_fieldname(name, code)) in self.fields
            ]
            invisible = [
                localized
                for localized in names
                if isinstance(cleaned.get(localized), str)
                and cleaned[localized]
                and shows_nothing(cleaned[localized])
            ]
            for localized in invisible:  # "\u200b" alone: a blank box on the learner's page
                self.add_error(localized, _("This text shows nothing: write some words."))
            if invisible or model._meta.get_field(name).blank:
                continue
            if names and not any(cleaned.get(localized) for localized in names):
                self.add_error(names[0], _("Write this in at least one of the languages."))
        return cleaned

    def _make_slug(self, cleaned):
        """The slug from the title (or term, or name) in English, else Polish, made unique."""
        model = self._meta.model
        texts = [
            cleaned.get(build_localized_fieldname(name, code))
            for name in self.SLUG_SOURCES
            for code, _name in settings.LANGUAGES
        ]
        source = next((text for text in texts if text and not shows_nothing(text)), "")
        max_length = model._meta.get_field("slug").max_length
        base = _slug_from(source, max_length)
        if not base:
            self.add_error("slug", forms.Field.default_error_messages["required"])
            return
        taken = model.objects.exclude(pk=self.instance.pk).filter(slug__startswith=base)
        taken = set(taken.values_list("slug", flat=True))
        slug, n = base, 2
        while slug in taken:
            suffix = f"-{n}"
            slug, n = base[: max_length - len(suffix)] + suffix, n + 1
        cleaned["slug"] = slug


class TranslatedAdmin(BothLanguages, CheckedAdmin, TranslationAdmin):
    form = EitherLanguageForm


class TranslatedInline(BothLanguages, TranslationStackedInline):
    form = EitherLanguageForm


class LessonSourceInline(admin.StackedInline):
    model = LessonSource
    extra = 1
    formfield_overrides = URL_FIELDS


class TeacherNoteInline(TranslatedInline):
    """The lesson's note for teachers; learners never see it."""

    model = TeacherNote
    extra = 1
    max_num = 1
    can_delete = True


class SourceExcerptInline(TranslatedInline):
    """Short passages of primary sources for teachers, quoted or summarised, with links."""

    model = SourceExcerpt
    extra = 1
    fields = ["source", "text", "is_quotation", "original_language", "url", "order"]
    formfield_overrides = URL_FIELDS


@admin.register(Lesson)
class LessonAdmin(WholeTitles, TranslatedAdmin):
    titles = {
        "add": _("Add lesson"),
        "change": _("Change lesson"),
        "list": _("Select lesson to change"),
    }
    list_display = ["title", "order", "is_published", "updated_at"]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title_en", "title_pl", "summary_en", "summary_pl"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "summary", "objectives", "body", "order", "is_published"]
    inlines = [LessonSourceInline, TeacherNoteInline, SourceExcerptInline]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(TranslatedAdmin):
    list_display = ["term", "slug"]
    search_fields = ["term_en", "term_pl", "definition_en", "definition_pl", "slug"]
    prepopulated_fields = {"slug": ["term"]}
    fields = ["term", "slug", "definition", "forms"]


@admin.register(Course)
class CourseAdmin(CheckedAdmin, admin.ModelAdmin):
    """The one row that describes the whole course: made by the fixture, never a second."""

    list_display = ["__str__", "as_of"]

    def has_add_permission(self, request):
        return not Course.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class QuestionInline(admin.StackedInline):
    """The quiz's questions at a glance; each is edited on its own page, with its choices.

    Stacked and without delete boxes: the tabular layout leaves a header cell and the delete
    checkboxes without names for screen readers.
    """

    model = Question
    can_delete = False
    fields = ["order", "text", "kind", question_marks]
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


class GradeBandInline(TranslatedInline):
    model = GradeBand
    extra = 1
    fields = ["min_percentage", "feedback"]


@admin.register(Quiz)
class QuizAdmin(TranslatedAdmin):
    list_display = ["title", "lesson", "question_count", "pass_mark", "is_published"]
    fieldsets = [
        (None, {"fields": ["lesson", "title", "slug", "description", "order", "is_published"]}),
        (_("Grading"), {"fields": ["pass_mark", "attempts_allowed", "grading_method"]}),
        (
            _("Questions"),
            {
                "fields": [
                    "questions_per_attempt",
                    "draws_from",
                    "shuffle_questions",
                    "shuffle_choices",
                    "one_question_per_page",
                ]
            },
        ),
        (_("Timing"), {"fields": ["opens_at", "closes_at", "time_limit"]}),
        (
            _("Review: after submitting, until the quiz closes"),
            {
                "fields": [
                    ("review_marks", "review_correctness"),
                    ("review_feedback", "review_explanations"),
                ]
            },
        ),
        (
            _("Review: after the quiz closes"),
            {
                "fields": [
                    ("review_marks_after_close", "review_correctness_after_close"),
                    ("review_feedback_after_close", "review_explanations_after_close"),
                ]
            },
        ),
    ]
    list_filter = ["is_published", "lesson"]
    search_fields = ["title_en", "title_pl", "description_en", "description_pl"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["lesson"]
    inlines = [GradeBandInline, QuestionInline]
    # One labelled date-and-time input instead of the admin's split pair, whose two boxes
    # have no labels of their own (axe: "Form elements must have labels").
    formfield_overrides = {
        models.DateTimeField: {
            "form_class": forms.DateTimeField,
            "widget": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
    }

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "time_limit" in form.base_fields:
            form.base_fields["time_limit"].error_messages["min_value"] = TIME_LIMIT_RANGE
        if obj is not None and "draws_from" in form.base_fields:
            # A quiz's own questions are in it already: drawing from itself offers nothing.
            field = form.base_fields["draws_from"]
            field.queryset = field.queryset.exclude(pk=obj.pk)
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"time_limit", "closes_at"} & set(form.changed_data):
            # Attempts in progress follow the new time limit or close, as with an override.
            _say_moved(request, attempts_follow_rules(obj))

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, quiz):
        return quiz.question_count

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/regrade/", view(self.regrade_view), name="quizzes_quiz_regrade"),
            path(
                "<int:object_id>/import/",
                view(self.import_view),
                name="quizzes_quiz_import",
            ),
            path("<int:object_id>/gift/", view(self.gift_view), name="quizzes_quiz_gift"),
            *super().get_urls(),
        ]

    @method_decorator(require_http_methods(["GET", "HEAD", "POST"]))
    def import_view(self, request, object_id):
        """Upload GIFT or Aiken: a preview first, then create every question or none."""
        quiz = get_object_or_404(Quiz, pk=object_id)
        if not (
            self.has_change_permission(request, quiz)
            and request.user.has_perm("quizzes.add_question")
        ):
            raise PermissionDenied
        form = QuestionFileForm(
            request.POST or None, request.FILES or None, initial={"language": get_language()}
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "quiz": quiz,
            "form": form,
            "title": _("Import questions into %(quiz)s") % {"quiz": quiz},
        }
        status = 200
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            file_format = data["file_format"] or guess_format(data["filename"], data["text"])
            try:
                questions = read_questions(
                    data["text"],
                    file_format,
                    source_title=data["source_title"],
                    source_url=data["source_url"],
                    language=data["language"],
                )
            except FormatError as error:
                context["file_errors"] = error.errors
                status = 400
            else:
                repeats = already_in(quiz, questions, data["language"])
                new = [question for question in questions if id(question) not in repeats]
                if request.POST.get("confirm") == "yes":
                    created = create_questions(quiz, new, data["language"])
                    self.message_user(
                        request, _imported(len(created), len(repeats)), messages.SUCCESS
                    )
                    return redirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
                for question in questions:
                    if id(question) in repeats:
                        question.warnings.append(ALREADY_IN_QUIZ)
                context["preview"] = questions
                context["new_count"] = len(new)
                context["file_format"] = file_format
                context["format_name"] = dict(QuestionFileForm.base_fields["file_format"].choices)[
                    file_format
                ]  # as the form names it: GIFT, Aiken
                context["language_name"] = LANGUAGE_NAMES[data["language"]]
                context["confirm_form"] = QuestionFileForm(
                    initial={**data, "file_format": file_format, "file": None}
                )
        elif request.method == "POST":
            status = 400
        return TemplateResponse(request, "admin/quizzes/quiz/import.html", context, status=status)

    def gift_view(self, request, object_id):
        """The quiz's questions as a GIFT file that imports back to the same questions."""
        quiz = get_object_or_404(Quiz, pk=object_id)
        if not self.has_view_permission(request, quiz):
            raise PermissionDenied
        questions = quiz.questions.prefetch_related("choices")
        response = HttpResponse(to_gift(questions), content_type="text/plain; charset=utf-8")
        filename = f"{quiz.slug}-{timezone.localdate():%Y-%m-%d}.gift"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @method_decorator(require_http_methods(["GET", "HEAD", "POST"]))
    def regrade_view(self, request, object_id):
        """Re-mark past attempts with today's answer key: a dry run (GET), then apply (POST)."""
        quiz = get_object_or_404(Quiz, pk=object_id)
        if not self.has_change_permission(request, quiz):
            raise PermissionDenied
        # Only the attempts of the teacher's own classes' learners (a superuser's: all).
        mine = attempts_visible_to(request.user)
        if request.method == "POST":
            count = mine.filter(quiz=quiz).count()
            if count > settings.REGRADE_INLINE_LIMIT:
                job_start(
                    owner=request.user, quiz=quiz, kind=Job.Kind.REGRADE, params={}, total=count
                )
                self.message_user(
                    request,
                    _("The regrade of %(count)d attempts runs in the background: follow it here.")
                    % {"count": count},
                    messages.INFO,
                )
                return redirect("quizzes:job-list")
            changes = regrade_apply(quiz, among=mine, by=request.user)
            self.message_user(
                request,
                ngettext(
                    "Regrade done: %(count)d attempt's marks changed.",
                    "Regrade done: %(count)d attempts' marks changed.",
                    len(changes),
                )
                % {"count": len(changes)},
                messages.SUCCESS,
            )
            by_hand = marked_by_hand(quiz, among=mine)
            if by_hand:
                self.message_user(request, _left_alone(by_hand), messages.INFO)
            return redirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
        changes = regrade_plan(quiz, among=mine)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "quiz": quiz,
            "changes": changes[:REGRADE_ROWS_SHOWN],
            "change_count": len(changes),
            "more": max(0, len(changes) - REGRADE_ROWS_SHOWN),
            "attempt_count": mine.filter(quiz=quiz).submitted().count(),
            "by_hand": _left_alone(by_hand)
            if (by_hand := marked_by_hand(quiz, among=mine))
            else "",
            "title": _("Regrade %(quiz)s") % {"quiz": quiz},
        }
        return TemplateResponse(request, "admin/quizzes/quiz/regrade.html", context)


def _left_alone(count: int) -> str:
    """What a regrade says of the answers a teacher marked by hand."""
    return ngettext(
        "%(count)d answer marked by hand keeps its marks: a regrade leaves it alone.",
        "%(count)d answers marked by hand keep their marks: a regrade leaves them alone.",
        count,
    ) % {"count": count}


class AnswerKeyFormSet(BaseInlineFormSet):
    """Refuses choices that make the question unanswerable or ambiguous."""

    def clean(self):
        super().clean()
        # Also when a choice has an error of its own: the author then sees everything to fix
        # at once (a second correct choice that still names a misconception got only the
        # misconception's message, then, once fixed, the key's). A choice's fields that are
        # valid are in its cleaned_data even when another of its fields is not.
        kept = [
            data
            for form in self.forms
            if (data := getattr(form, "cleaned_data", None)) and not data.get("DELETE")
        ]
        flags = [data.get("is_correct", False) for data in kept]
        # Written in either language (EitherLanguageForm): a Polish-only "Prawda" and "Fałsz".
        texts = [
            data.get("text_en") or data.get("text_pl") or data.get("text") or "" for data in kept
        ]
        errors = answer_key_errors(self.instance.kind, flags, texts)
        if errors:
            raise ValidationError(errors)


class ChoiceInline(TranslatedInline):
    """Stacked, not tabular: every field keeps its visible label (tabular rows have none)."""

    model = Choice
    formset = AnswerKeyFormSet
    extra = 4
    fields = ["text", "is_correct", "feedback", "misconception", "order"]


@admin.register(Misconception)
class MisconceptionAdmin(TranslatedAdmin):
    """The shared list of mistaken beliefs that wrong choices test; teachers may extend it."""

    list_display = ["name", "slug", "choice_count"]
    search_fields = ["name_en", "name_pl", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(choice_count=Count("choices"))

    @admin.display(description=_("wrong choices testing it"), ordering="choice_count")
    def choice_count(self, misconception):
        return misconception.choice_count


class VersionInline(admin.TabularInline):
    """What learners were dealt of the question, newest first: each text and key an attempt
    keeps (an edit learners can see, or a regrade, makes a new one), and how many of the
    teacher's own learners' answers have it. Read only: versions never change."""

    model = QuestionVersion
    fk_name = "question"
    fields = ["created_at", "shown_text", "right_answers", "version_marks", "answered"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("version learners were dealt")
    verbose_name_plural = _("versions learners were dealt")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("quizzes.view_question")

    def get_queryset(self, request):
        mine = attempts_visible_to(request.user)
        return (
            super()
            .get_queryset(request)
            .annotate(answered=Count("answers", filter=Q(answers__attempt__in=mine)))
            .order_by("-created_at", "-id")
        )

    @admin.display(description=_("question"))
    def shown_text(self, version):
        return texts_in(version, get_language())["text"]

    @admin.display(description=_("right answer"))
    def right_answers(self, version):
        texts = texts_in(version, get_language())["choices"]
        right = [texts[i]["text"] for i, c in enumerate(version.choices) if c["is_correct"]]
        return "; ".join(right)

    @admin.display(description=_("marks"))
    def version_marks(self, version):
        return shown_marks(version.marks)

    @admin.display(description=_("answers by your learners"))
    def answered(self, version):
        return version.answered


@admin.register(Question)
class QuestionAdmin(TranslatedAdmin):
    list_display = ["__str__", "quiz", "kind", question_marks, "order"]
    list_filter = ["quiz", "kind"]
    search_fields = ["text_en", "text_pl", "choices__text_en", "choices__text_pl"]
    list_select_related = ["quiz"]
    fieldsets = [
        (None, {"fields": ["quiz", "text", "kind", "marks", "order"]}),
        (_("After submitting"), {"fields": ["explanation", "source_title", "source_url"]}),
    ]
    inlines = [ChoiceInline, VersionInline]
    formfield_overrides = URL_FIELDS

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else [ChoiceInline]  # a new one has no versions

    def save_related(self, request, form, formsets, change):
        """Save the choices, then say what learners will miss: feedback and explanations are
        optional, so a missing one is a warning, not an error."""
        super().save_related(request, form, formsets, change)
        question = form.instance
        if not (question.explanation_en or question.explanation_pl):
            self.message_user(
                request,
                _("This question has no explanation: learners see none after submitting."),
                messages.WARNING,
            )
        # Empty, or never written in that language (an imported file's other language: NULL).
        missing = question.choices.filter(
            Q(feedback_en="") | Q(feedback_en__isnull=True),
            Q(feedback_pl="") | Q(feedback_pl__isnull=True),
        ).count()
        if missing:
            self.message_user(
                request,
                ngettext(
                    "%(count)d choice has no feedback: learners who pick it see none.",
                    "%(count)d choices have no feedback: learners who pick them see none.",
                    missing,
                )
                % {"count": missing},
                messages.WARNING,
            )


class AnswerInline(admin.StackedInline):
    model = Answer
    # Not "chosen": the admin would show the model's field of that name, a bit mask ("31").
    fields = ["position", "question_text", "chosen_texts", "answer_marks"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("attempt", "version")

    @admin.display(description=_("question"))
    def question_text(self, answer):
        return answer.snapshot["text"]

    @admin.display(description=_("chosen"))
    def chosen_texts(self, answer):
        if answer.selected is None:
            return _("(not answered)")
        return "; ".join(choice["text"] for choice in answer.chosen_choices())

    @admin.display(description=_("marks"))
    def answer_marks(self, answer):
        return f"{shown_marks(answer.marks)} / {shown_marks(answer.max_marks)}"


class ClassFilter(admin.SimpleListFilter):
    """Narrow attempts to one of the signed-in teacher's classes."""

    title = _("class")
    parameter_name = "classroom"

    def lookups(self, request, model_admin):
        # Values as the query string carries them: "Show counts" passes each one to queryset().
        return [(str(c.pk), c.name) for c in Classroom.objects.taught_by(request.user)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not NUMBER.fullmatch(self.value()):
            raise IncorrectLookupParameters(_("That is not one of your classes."))
        mine = Classroom.objects.taught_by(request.user).filter(pk=self.value())
        return queryset.filter(learner__memberships__classroom__in=mine)


@admin.register(Attempt)
class AttemptAdmin(CheckedAdmin, admin.ModelAdmin):
    """Attempts, read only. Teachers see their classes' learners; a superuser sees everyone."""

    list_display = [
        "learner",
        "quiz",
        "kind",
        "started_at",
        "submitted_at",
        "score",
        "grade",
        "passed",
    ]
    # Marks are kept to 7 places (as Moodle keeps them) and shown as the result page does.
    fields = [
        "learner",
        "quiz",
        "quiz_title",
        "practice",
        "preview",
        "lesson",
        "language",
        "started_at",
        "deadline",
        "submitted_at",
        "score",
        "grade",
        "pass_mark",
        "passed",
        "regraded_at",
    ]
    readonly_fields = ["score", "grade"]
    list_filter = ["quiz", ClassFilter, "practice", "preview", "passed", "submitted_at"]
    search_fields = ["learner__username", "learner__first_name", "learner__last_name"]
    list_select_related = ["learner", "quiz"]
    date_hierarchy = "started_at"
    inlines = [AnswerInline]
    actions = [
        "export_csv",
        "export_grades",
        "export_responses",
        "export_items",
        "export_xlsx",
        "export_grades_xlsx",
        "export_responses_xlsx",
        "export_items_xlsx",
    ]

    def get_queryset(self, request):
        attempts = super().get_queryset(request)
        if request.user.is_superuser:
            return attempts
        # Their classes' learners', and their own previews (the list's "teacher's preview"
        # filter found none of them otherwise).
        return attempts.filter(
            Q(learner__in=learners_taught_by(request.user)) | Q(learner=request.user, preview=True)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("kind"))
    def kind(self, attempt):
        """What the attempt is: only quiz attempts count (grades, limits, exports)."""
        if attempt.preview:
            return _("teacher's preview")
        if attempt.practice:
            return _("practice round")
        return _("quiz attempt")

    @admin.display(description=_("marks"), ordering="marks")
    def score(self, attempt):
        if attempt.submitted_at is None:  # not marked yet: its zeros are no score
            return "–"
        return f"{shown_marks(attempt.marks)} / {shown_marks(attempt.max_marks)}"

    @admin.display(description=_("grade"), ordering="percentage")
    def grade(self, attempt):
        if attempt.submitted_at is None:
            return "–"
        return f"{shown_marks(attempt.percentage)}%"

    def changelist_view(self, request, extra_context=None):
        # Attempts left open past their time are finished before a teacher lists them.
        overdue_finish(self.get_queryset(request))
        return super().changelist_view(request, extra_context)

    def _counted(self, request, queryset):
        """The selected quiz attempts; previews and practice rounds are in no export, as on
        the results pages. None, with a message, when nothing else was selected."""
        attempts = queryset.graded()
        if not attempts.exists():
            self.message_user(
                request,
                _(
                    "The selected attempts are teachers' previews or practice rounds, which "
                    "count nowhere and so are in no export."
                ),
                messages.ERROR,
            )
            return None
        return attempts

    @admin.action(description=_("Download selected attempts as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        if (attempts := self._counted(request, queryset)) is None:
            return None
        return csv_download(exports.attempt_rows(attempts), "attempts-selected")

    @admin.action(
        description=_("Download selected attempts as Excel (.xlsx)"), permissions=["view"]
    )
    def export_xlsx(self, request, queryset):
        if (queryset := self._counted(request, queryset)) is None:
            return None
        if queryset.count() > settings.EXPORT_INLINE_LIMIT:
            self.message_user(request, WORKBOOK_TOO_LARGE, messages.ERROR)
            return None
        return xlsx_download(
            exports.attempt_rows(queryset), "attempts-selected", exports.ATTEMPT_TYPES
        )

    def _quiz_export(self, request, queryset, kind, format="csv"):
        attempts = queryset.submitted().graded()
        quizzes = list(Quiz.objects.filter(attempts__in=attempts).distinct()[:2])
        if len(quizzes) != 1:
            self.message_user(
                request,
                _("Select the finished attempts of one quiz: this export is per quiz."),
                messages.ERROR,
            )
            return None
        if format == "xlsx" and attempts.count() > settings.EXPORT_INLINE_LIMIT:
            self.message_user(request, WORKBOOK_TOO_LARGE, messages.ERROR)
            return None
        return quiz_csv_download(request.user, quizzes[0], attempts, kind, format=format)

    @admin.action(description=_("Download grades of the selected attempts (one quiz)"))
    def export_grades(self, request, queryset):
        return self._quiz_export(request, queryset, "grades")

    @admin.action(description=_("Download responses of the selected attempts (one quiz)"))
    def export_responses(self, request, queryset):
        return self._quiz_export(request, queryset, "responses")

    @admin.action(description=_("Download item statistics of the selected attempts (one quiz)"))
    def export_items(self, request, queryset):
        return self._quiz_export(request, queryset, "items")

    @admin.action(description=_("Download grades of the selected attempts as Excel (one quiz)"))
    def export_grades_xlsx(self, request, queryset):
        return self._quiz_export(request, queryset, "grades", "xlsx")

    @admin.action(description=_("Download responses of the selected attempts as Excel (one quiz)"))
    def export_responses_xlsx(self, request, queryset):
        return self._quiz_export(request, queryset, "responses", "xlsx")

    @admin.action(
        description=_("Download item statistics of the selected attempts as Excel (one quiz)")
    )
    def export_items_xlsx(self, request, queryset):
        return self._quiz_export(request, queryset, "items", "xlsx")


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    fields = ["learner", "joined_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Classroom)
class ClassroomAdmin(WholeTitles, CheckedAdmin, admin.ModelAdmin):
    """Classes: a teacher sees and edits their own; a superuser sees all of them."""

    titles = {
        "add": _("Add class"),
        "change": _("Change class"),
        "list": _("Select class to change"),
    }
    list_display = ["name", "teacher", "join_code", "size", "created_at"]
    search_fields = ["name", "teacher__username", "join_code"]
    readonly_fields = ["join_code", "created_at"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            Classroom.objects.taught_by(request.user)
            .select_related("teacher")
            .annotate(size=Count("memberships"))
            .order_by("name", "id")  # a GROUP BY drops Meta.ordering
        )

    def get_fields(self, request, obj=None):
        fields = ["name", "join_code", "created_at"]
        return ["teacher", *fields] if request.user.is_superuser else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class OwnClassForm(form):
            def clean(self):
                cleaned = super().clean()
                # The (teacher, name) constraint is skipped by Django when "teacher" is not a
                # field of the form (teachers' own view), so it is checked here for everyone.
                chosen = cleaned.get("teacher")
                teacher_id = chosen.pk if chosen else self.instance.teacher_id or user.pk
                taken = Classroom.objects.filter(teacher_id=teacher_id, name=cleaned.get("name"))
                if taken.exclude(pk=self.instance.pk).exists():
                    self.add_error("name", _("This teacher already has a class with this name."))
                return cleaned

        return OwnClassForm

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.teacher = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("learners"), ordering="size")
    def size(self, classroom):
        return classroom.size


class CheckedUsers(CheckedAdmin):
    """Django's page that sets another user's password (superusers only) answers 400 when it
    sends the form back with errors, as every other admin form here does."""

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        form = getattr(response, "context_data", {}).get("form")
        if request.method == "POST" and form is not None and form.errors:
            response.status_code = 400
        return response


def _check_lists_of(*models_):
    """Give another app's registered lists the same answer to bad filters as ours."""
    for model in models_:
        if admin.site.is_registered(model):
            model_admin = type(admin.site.get_model_admin(model))
            checked = CheckedUsers if model is User else CheckedAdmin
            admin.site.unregister(model)
            admin.site.register(model, type(model_admin.__name__, (checked, model_admin), {}))


_check_lists_of(User, Group, AccessAttempt, AccessLog, AccessFailureLog, DBTaskResult)


@admin.register(Override)
class OverrideAdmin(CheckedAdmin, admin.ModelAdmin):
    """Overrides (extra time, attempts, other dates): a teacher sees and sets those of their
    classes and their classes' learners; a superuser, all."""

    list_display = ["quiz", "learner", "classroom", "time_limit", "attempts_allowed", "opens_at"]
    list_filter = ["quiz"]
    list_select_related = ["quiz", "learner", "classroom"]
    search_fields = ["learner__username", "classroom__name"]
    fields = [
        "quiz",
        "learner",
        "classroom",
        "time_limit",
        "attempts_allowed",
        "opens_at",
        "closes_at",
    ]
    formfield_overrides = QuizAdmin.formfield_overrides

    def get_queryset(self, request):
        return super().get_queryset(request).set_by(request.user)

    # Saving or deleting one reaches the attempts in progress of the learners it was and is
    # for, as on the class page (attempts_follow_rules). The admin runs a save or a single
    # delete in one transaction; its delete action does not, so delete_queryset opens one.
    def save_model(self, request, obj, form, change):
        before = Override.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        _follow(request, obj, before)

    def delete_model(self, request, obj):
        learners = obj.learner_ids()
        super().delete_model(request, obj)
        _follow(request, obj, learners=learners)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            gone = [(o, o.learner_ids()) for o in queryset.select_related("quiz")]
            super().delete_queryset(request, queryset)
            for override, learners in gone:
                _follow(request, override, learners=learners)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "learner":
                kwargs["queryset"] = User.objects.filter(pk__in=learners_taught_by(request.user))
            elif db_field.name == "classroom":
                kwargs["queryset"] = Classroom.objects.taught_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _follow(request, override, before=None, learners=None):
    """Bring the attempts in progress that `override` (and what it was `before` a change)
    reaches up to date, and say how many changed."""
    moved = attempts_follow_rules(
        override.quiz, override.learner_ids() if learners is None else learners
    )
    # What it was for before a change, unless that is what it is for now (done just above).
    whom = ("quiz_id", "learner_id", "classroom_id")
    if before is not None and any(getattr(before, f) != getattr(override, f) for f in whom):
        moved += attempts_follow_rules(before.quiz, before.learner_ids())
    _say_moved(request, moved)


def _say_moved(request, moved):
    if moved:
        messages.info(request, moved_message(moved))
