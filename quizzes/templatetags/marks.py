"""`{{ value|marks }}`: marks and percentages as every page shows them ("3.5", Polish "3,5");
`{{ value|marks_count }}`: the count that picks "mark" or "marks" for them."""

from django import template

from quizzes.taking.scoring import marks_count, shown_marks

register = template.Library()


@register.filter(name="marks")
def marks(value) -> str:
    """At most two decimals, no trailing zeros, in the reader's number format; "" for none."""
    return "" if value is None or value == "" else shown_marks(value)


# The count for `{% blocktranslate count counter=value|marks_count %}`.
register.filter("marks_count", marks_count)
