"""Which course fields exist in English and Polish (django-modeltranslation).

Each field listed gets one column per language (`title_en`, `title_pl`); reading `title`
gives the current language's text, or the other language's when this one is empty, so a
page is never blank (`translations.py` says when that happened, for the "not yet translated"
notice). Teachers edit both columns side by side in the admin.

Not translated: lesson sources (titles of published documents, kept in their own language),
class names (the teacher's own words) and everything learners type.
"""

from modeltranslation.translator import TranslationOptions, register

from quizzes.models import (
    Choice,
    GlossaryTerm,
    GradeBand,
    Lesson,
    Misconception,
    Question,
    Quiz,
    SourceExcerpt,
    TeacherNote,
)


@register(Lesson)
class LessonTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "objectives")


@register(GlossaryTerm)
class GlossaryTermTranslation(TranslationOptions):
    fields = ("term", "definition", "forms")


@register(TeacherNote)
class TeacherNoteTranslation(TranslationOptions):
    fields = ("discussion", "activity")


@register(SourceExcerpt)
class SourceExcerptTranslation(TranslationOptions):
    fields = ("source", "text")


@register(Misconception)
class MisconceptionTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Quiz)
class QuizTranslation(TranslationOptions):
    fields = ("title", "description")


@register(GradeBand)
class GradeBandTranslation(TranslationOptions):
    fields = ("feedback",)


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text", "explanation")


@register(Choice)
class ChoiceTranslation(TranslationOptions):
    fields = ("text", "feedback")
