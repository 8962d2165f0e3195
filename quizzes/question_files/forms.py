"""The form a teacher uploads a GIFT or Aiken file with."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

MAX_QUESTION_FILE = 200 * 1024


class QuestionFileForm(forms.Form):
    """A GIFT or Aiken file to import into a quiz, with the source for questions naming none."""

    file = forms.FileField(
        label=_("GIFT or Aiken file"),
        required=False,
        help_text=_("A text file (UTF-8) of up to 200 KB, e.g. exported from Moodle."),
    )
    text = forms.CharField(widget=forms.HiddenInput, required=False)
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Guess from the file")), ("gift", "GIFT"), ("aiken", "Aiken")],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the questions"),
        choices=settings.LANGUAGES,
        required=False,  # left out: the page's language
        help_text=_("The file's texts become this language's; the other falls back to them."),
    )
    source_title = forms.CharField(label=_("Default source title"), max_length=300, required=False)
    source_url = forms.URLField(
        label=_("Default source URL"), max_length=500, required=False, assume_scheme="https"
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["language"] = cleaned.get("language") or get_language()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_QUESTION_FILE:
                raise ValidationError(_("The file is larger than 200 KB; split it into parts."))
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(
                    _("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")
                ) from None
            cleaned["filename"] = upload.name
        elif not cleaned.get("text"):
            raise ValidationError(_("Choose a file to upload."))
        else:
            cleaned["filename"] = ""
        text = cleaned["text"]
        if "\x00" in text:  # PostgreSQL cannot store it, and no text file has one
            raise ValidationError(
                _(
                    "Line %(line)d contains a NUL character, so this is not a text file. "
                    "Save it as plain UTF-8 text and upload it again."
                )
                % {"line": text.count("\n", 0, text.index("\x00")) + 1}
            )
        return cleaned
