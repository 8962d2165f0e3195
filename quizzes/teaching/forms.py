"""Forms of the teacher's side: the results filter, a class, and a learner's class code."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from quizzes.models import TIME_LIMIT_RANGE, Classroom, Override, Quiz
from quizzes.teaching import roster
from quizzes.teaching.classes import by_name, display_name


class AttemptFilterForm(forms.Form):
    """The teacher's filter on the results pages and exports: quiz, class and dates."""

    quiz = forms.ModelChoiceField(
        label=_("Quiz"),
        queryset=Quiz.objects.select_related("lesson"),
        to_field_name="slug",
        required=False,
        empty_label=_("All quizzes"),
        error_messages={"invalid_choice": _("There is no quiz with that name.")},
    )
    classroom = forms.ModelChoiceField(
        label=_("Class"),
        queryset=Classroom.objects.none(),
        required=False,
        empty_label=_("All my classes"),
        error_messages={"invalid_choice": _("That is not one of your classes.")},
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classroom"].queryset = Classroom.objects.taught_by(user)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filter(self, attempts, *, dates=True):
        """The attempts narrowed to the chosen quiz, class and dates (submitted dates, local)."""
        data = self.cleaned_data
        if data.get("quiz"):
            attempts = attempts.filter(quiz=data["quiz"])
        if data.get("classroom"):
            attempts = attempts.filter(learner__memberships__classroom=data["classroom"])
        if not dates:
            return attempts
        return submitted_between(attempts, data.get("date_from"), data.get("date_to"))


def submitted_between(attempts, start, end):
    """The attempts submitted on or after `start` and on or before `end` (local dates; None:
    no bound)."""
    if start:
        attempts = attempts.filter(submitted_at__date__gte=start)
    if end:
        attempts = attempts.filter(submitted_at__date__lte=end)
    return attempts


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name"]


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Class code"),
        max_length=40,  # 16 characters at most, with spaces or hyphens between them
        help_text=_("The code your teacher gave you, e.g. K7M2QX9P."),
        error_messages={"required": _("Enter the code your teacher gave you.")},
    )


class OverrideForm(forms.ModelForm):
    """An override set on a class's page: for the whole class or one of its learners.

    Saving a second override for the same quiz and learner (or class) changes the first.
    """

    WHOLE_CLASS = "class"

    who = forms.ChoiceField(label=_("For"))

    class Meta:
        model = Override
        fields = ["quiz", "time_limit", "attempts_allowed", "opens_at", "closes_at"]
        error_messages = {"time_limit": {"min_value": TIME_LIMIT_RANGE}}
        widgets = {
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args, classroom, **kwargs):
        super().__init__(*args, **kwargs)
        self.classroom = classroom
        members = by_name(classroom.memberships.select_related("learner"))
        self.learners = {str(m.learner_id): m.learner for m in members}
        self.fields["who"].choices = [(self.WHOLE_CLASS, _("The whole class"))] + [
            (pk, display_name(learner)) for pk, learner in self.learners.items()
        ]
        self.fields["quiz"].queryset = Quiz.objects.select_related("lesson")
        self.fields["quiz"].error_messages["invalid_choice"] = _("There is no such quiz.")

    def clean(self):
        cleaned = super().clean()
        who = cleaned.get("who")
        self.instance.classroom = self.classroom if who == self.WHOLE_CLASS else None
        self.instance.learner = self.learners.get(who) if who != self.WHOLE_CLASS else None
        return cleaned

    def validate_unique(self):
        """Unique per quiz and learner or class: `save` updates the existing one instead."""

    def save(self, commit=True):
        """Create the override, or replace the one this quiz already has for the same learner
        or class (`replaced` then says so)."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields if name != "quiz"}
        override, created = Override.objects.update_or_create(
            quiz=self.cleaned_data["quiz"],
            learner=self.instance.learner,
            classroom=self.instance.classroom,
            defaults=data,
        )
        self.replaced = not created
        return override


class SlipLanguageForm(forms.Form):
    """The language sign-in slips are printed in (the page's own by default)."""

    language = forms.ChoiceField(label=_("Language of the slips"), choices=settings.LANGUAGES)


ALL_ALREADY_IN = _(
    "Everyone on this list is already in the class. If the slips were lost (a reload of "
    "their page, say), “Slips again for learners who have not signed in” on the class page "
    "makes new ones."
)


class PasswordResetForm(SlipLanguageForm):
    """A password reset, confirmed: the slip's language and the password it replaces."""

    # The confirm page writes it (roster.reset_token); the template renders visible fields.
    replaces = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RosterForm(SlipLanguageForm):
    """A pasted class list: one learner a line; knows which names are repeats or already in."""

    names = forms.CharField(
        label=_("Names, one a line"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        max_length=roster.MAX_NAMES * (roster.MAX_NAME_LENGTH + 2),
        error_messages={"required": _("Paste at least one name.")},
    )
    order = forms.ChoiceField(
        label=_("Order of the names"),
        choices=[
            (roster.FIRST_LAST, _("First name, then last name (Anna Kowalska)")),
            (roster.LAST_FIRST, _("Last name, then first name (Kowalska Anna)")),
        ],
        initial=roster.FIRST_LAST,
        help_text=_(
            "For words or spreadsheet columns. A line with a comma is always “Last, First”: "
            "write “de la Cruz, Ana Lucía” for a name of several words."
        ),
    )
    field_order = ["names", "order", "language"]

    def __init__(self, *args, classroom, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["names"].help_text = _(
            "“First Last”, “Last, First” or two columns copied from a spreadsheet. "
            "At most %(limit)s names at a time."
        ) % {"limit": roster.MAX_NAMES}
        if self.is_bound and "order" not in self.data:  # a script's list, say: first-last
            self.data = self.data.copy()
            self.data["order"] = roster.FIRST_LAST
        self.classroom = classroom
        self.repeated: list[str] = []
        self.already: list[str] = []

    def clean_names(self):
        # Its own field is cleaned after this one; a value not of its choices is refused there.
        order = self.data.get("order", roster.FIRST_LAST)
        names, self.repeated = roster.parse_names(self.cleaned_data["names"], order)
        if not names:  # only commas, spaces or invisible characters
            raise forms.ValidationError(self.fields["names"].error_messages["required"])
        if len(names) > roster.MAX_NAMES:
            raise forms.ValidationError(
                _("At most %(limit)s names at a time; this list has %(count)s."),
                params={"limit": roster.MAX_NAMES, "count": len(names)},
            )
        for name in names:
            if len(name.first) > roster.MAX_NAME_LENGTH or len(name.last) > roster.MAX_NAME_LENGTH:
                raise forms.ValidationError(
                    _("“%(name)s…” is too long for a name."), params={"name": name.full[:30]}
                )
        members = roster.member_names(self.classroom)
        self.already = [name.full for name in names if name.full.casefold() in members]
        # A repeat of someone already in the class was not "made once": it is in `already`.
        self.repeated = [name for name in self.repeated if name.casefold() not in members]
        names = [name for name in names if name.full.casefold() not in members]
        if not names:
            raise forms.ValidationError(ALL_ALREADY_IN)
        return names


class MarkOverrideForm(forms.Form):
    """A teacher's marks (within 0…the question's maximum), reason and comment for one answer."""

    # Written as the reader writes numbers ("0,5" in Polish; "0.5" is read too), in a text box:
    # a browser's number box in another locale than the page's dropped the comma ("05").
    marks = forms.DecimalField(
        label=_("Marks"),
        min_value=0,
        max_digits=14,
        decimal_places=7,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Give the marks, from 0 to the question's maximum.")},
    )
    reason = forms.CharField(
        label=_("Reason for changing the marks"),
        max_length=500,
        required=False,
        help_text=_("Needed when the marks change; kept in the history."),
    )
    comment = forms.CharField(
        label=_("Comment for the learner"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, answer, **kwargs):
        marks = Decimal(f"{answer.marks.normalize():f}")  # 0.5, not 0.5000000 or 1E+1
        kwargs.setdefault("initial", {"marks": marks, "comment": answer.comment})
        super().__init__(*args, **kwargs)
        self.answer = answer
        maximum = Decimal(f"{answer.max_marks.normalize():f}")  # 2, not 2.00 or 1E+1
        self.fields["marks"].validators.append(
            MaxValueValidator(
                maximum,
                _("Give marks from 0 to %(limit_value)s, the question's maximum."),
            )
        )

    def clean(self):
        cleaned = super().clean()
        marks = cleaned.get("marks")
        if (
            marks is not None
            and marks != self.answer.marks
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error(
                "reason", _("Say why the marks change: the learner and other teachers see it.")
            )
        return cleaned
