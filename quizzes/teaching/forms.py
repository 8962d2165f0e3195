"""Forms of the teacher's side: the results filter, a class, and a learner's class code."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from quizzes.models import Classroom, Quiz


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
        max_length=16,
        help_text=_("The code your teacher gave you, e.g. K7M2QX9P."),
        error_messages={"required": _("Enter the code your teacher gave you.")},
    )


class MarkOverrideForm(forms.Form):
    """A teacher's marks (within 0…the question's maximum), reason and comment for one answer."""

    marks = forms.DecimalField(
        label=_("Marks"),
        min_value=0,
        max_digits=14,
        decimal_places=7,
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
        kwargs.setdefault(
            "initial", {"marks": f"{answer.marks.normalize():f}", "comment": answer.comment}
        )
        super().__init__(*args, **kwargs)
        self.answer = answer
        maximum = Decimal(f"{answer.max_marks.normalize():f}")  # 2, not 2.00 or 1E+1
        self.fields["marks"].validators.append(
            MaxValueValidator(
                maximum,
                _("Give marks from 0 to %(limit_value)s, the question's maximum."),
            )
        )
        self.fields["marks"].widget.attrs.update(max=maximum, step="any")

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
