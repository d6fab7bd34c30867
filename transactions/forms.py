"""Forms of the batch pages: an upload, and a corrected file of rejected rows (replay)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .exceptions import IngestFileError
from .models import Channel
from .services import fileformat


def _file_check(upload, *, channel_hint: str = "", replay: bool = False) -> None:
    """What can be told at once about a file: CSV text, with the right header. Rows are the worker's job."""
    try:
        fileformat.sniff(upload)
        fileformat.header_check(fileformat.header_read(upload), channel_hint=channel_hint, replay=replay)
    except IngestFileError as exc:
        raise forms.ValidationError(exc.message) from exc


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Transactions file"),
        help_text=_("CSV, UTF-8, comma separated, with a header row; any number of rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("As in the file")), *Channel.choices],
        help_text=_("For rows whose channel column is empty, or a file without one."))

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            try:
                _file_check(upload, channel_hint=cleaned.get("channel", ""))
            except forms.ValidationError as exc:
                self.add_error("file", exc)
        return cleaned


class ReplayForm(forms.Form):
    file = forms.FileField(
        label=_("Corrected file"),
        help_text=_("The rejected rows download with the values fixed; keep the row_number column."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, channel_hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.channel_hint = channel_hint

    def clean_file(self):
        upload = self.cleaned_data["file"]
        _file_check(upload, channel_hint=self.channel_hint, replay=True)
        return upload
