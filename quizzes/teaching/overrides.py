"""Marks and comments a teacher sets by hand on a finished attempt's questions.

Moodle's "Make comment or override mark": the answer keeps the marks the teacher gave (and is
flagged, so a later regrade leaves it alone), the attempt's total, percentage and pass are
worked out again from its answers, and each change is kept as a `MarkOverride`.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes.models import Answer, Attempt, MarkOverride
from quizzes.taking.scoring import MARKS_PLACES, is_passed, percentage


@dataclass(frozen=True)
class OverrideResult:
    """What one change did: the history row (None when nothing changed) and the attempt."""

    change: MarkOverride | None
    attempt: Attempt


@transaction.atomic
def answer_override(
    *, answer: Answer, by, marks: Decimal | None, reason: str = "", comment: str
) -> OverrideResult:
    """Give a finished answer these marks (None: keep them) and comment, and re-total its attempt.

    Changed marks need a reason and must lie within 0…the question's maximum. Sending the
    same values again (a double submit) changes nothing and records nothing.
    """
    attempt = Attempt.objects.select_for_update().get(pk=answer.attempt_id)
    if attempt.submitted_at is None:
        raise ValidationError(_("Only a finished attempt's marks can be changed."))
    current = Answer.objects.get(pk=answer.pk)
    maximum = answer.max_marks
    new_marks = current.marks if marks is None else marks.quantize(MARKS_PLACES)
    if not Decimal(0) <= new_marks <= maximum:
        raise ValidationError(
            _("Give marks from 0 to %(maximum)s.") % {"maximum": f"{maximum.normalize():f}"}
        )
    marks_changed = new_marks != current.marks
    reason = reason.strip()
    if marks_changed and not reason:
        raise ValidationError(_("Say why the marks change: the learner and other teachers see it."))
    if not marks_changed and comment == current.comment:
        return OverrideResult(change=None, attempt=attempt)
    now = timezone.now()
    change = MarkOverride(
        answer=current,
        attempt=attempt,
        by=by,
        at=now,
        marks_before=current.marks,
        marks_after=new_marks,
        reason=reason if marks_changed else "",
        comment_before=current.comment,
        comment_after=comment,
    )
    change.full_clean()
    change.save()
    fields = {"comment": comment}
    if marks_changed:
        fields.update(marks=new_marks, overridden=True)
    Answer.objects.filter(pk=current.pk).update(**fields)
    if marks_changed:
        sums = Answer.objects.filter(attempt=attempt).aggregate(total=Sum("marks"), n=Count("id"))
        # SQLite sums decimals as floats: 2.8333333 + 0 came back as 2.83333330000000, more
        # digits than the field holds, and the change was refused.
        total = Decimal(sums["total"] or 0).quantize(MARKS_PLACES)
        attempt.marks = total
        attempt.percentage = percentage(total, attempt.max_marks)
        pass_mark = attempt.pass_mark if attempt.pass_mark is not None else 0
        attempt.passed = is_passed(total, attempt.max_marks, pass_mark, answers=sums["n"])
        attempt.overridden_at = now
        attempt.full_clean(validate_unique=False)
        attempt.save(update_fields=["marks", "percentage", "passed", "overridden_at"])
    return OverrideResult(change=change, attempt=attempt)
