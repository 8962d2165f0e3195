"""Mark as passed the finished attempts whose exact score reaches the pass mark but whose
stored total, the sum of answers each rounded to 7 places, fell short of it by that rounding
(8.9999999 of 15 against a 60 % pass mark). Only attempts shown at the pass mark or above
(their percentage, rounded to 2 places) can be among them."""

from fractions import Fraction

from django.db import migrations
from django.db.models import Count, F


def pass_them(apps, schema_editor):
    Attempt = apps.get_model("quizzes", "Attempt")
    candidates = (
        Attempt.objects.filter(
            submitted_at__isnull=False,
            passed=False,
            pass_mark__isnull=False,
            percentage__gte=F("pass_mark"),
            max_marks__gt=0,
        )
        .annotate(answer_count=Count("answers"))
        .only("marks", "max_marks", "pass_mark")
    )
    passed = [
        attempt.pk
        for attempt in candidates
        # As quizzes.taking.scoring.is_passed: half a unit of the 7th place per answer.
        if (Fraction(attempt.marks) + Fraction(attempt.answer_count, 2 * 10**7)) * 100
        >= Fraction(attempt.max_marks) * attempt.pass_mark
    ]
    Attempt.objects.filter(pk__in=passed).update(passed=True)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0025_opening_times_in_a_school_calendar")]

    operations = [migrations.RunPython(pass_them, migrations.RunPython.noop)]
