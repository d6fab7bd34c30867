from django import forms
from django.utils.translation import gettext_lazy as _


class RecordsImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"))
    file = forms.FileField(label=_("CSV file (UTF-8, header row)"), allow_empty_file=True)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.name, kind.label) for kind in kinds]
