"""Each attempt keeps the layout it started with; those made before start with their quiz's."""

from django.db import migrations, models


def layout_of_their_quiz(apps, schema_editor):
    Attempt = apps.get_model("quizzes", "Attempt")
    Attempt.objects.filter(quiz__one_question_per_page=True).update(paged=True)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0027_statistics_know_which_attempts")]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="paged",
            field=models.BooleanField(
                default=False,
                help_text="The quiz's layout when the attempt started, which the attempt keeps.",
                verbose_name="one question per page",
            ),
        ),
        migrations.RunPython(layout_of_their_quiz, migrations.RunPython.noop),
    ]
