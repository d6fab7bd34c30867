from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Branch

from .models import CounterKind, CounterSettings, Service
from .selectors import today

BRANCH_CODE_MAX = Branch._meta.get_field("code").max_length


class CounterChoiceForm(forms.Form):
    counter = forms.IntegerField(label=_("Counter"), min_value=1, max_value=2**31 - 1)


class BranchDayForm(forms.Form):
    """The branch (admins may pick one) and the day of the lobby board or the statistics."""

    branch = forms.CharField(label=_("Branch"), required=False, max_length=BRANCH_CODE_MAX)
    day = forms.DateField(label=_("Day"), required=False)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day and day > today():
            raise forms.ValidationError(_("Choose today or an earlier day."))
        return day


class CounterSettingsForm(forms.ModelForm):
    """The branch's routing rules, as a manager edits them in the admin."""

    vip_tiers = forms.MultipleChoiceField(label=_("Tiers served at the VIP counter"), required=False,
                                          choices=[(t, t) for t in ("AAA", "AA", "A", "B", "C")],
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = CounterSettings
        fields = ["branch", "vip_tiers", "display_token"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = (self.instance.service_queues or {}) if self.instance else {}
        for code, label in Service.choices:
            self.fields[f"queue_{code}"] = forms.ChoiceField(
                label=label, required=False, initial=current.get(code, ""),
                choices=[("", _("Integrated (default)")), *[(k, v) for k, v in CounterKind.choices
                                                            if k != CounterKind.INTEGRATED]])

    def save(self, commit=True):
        self.instance.vip_tiers = self.cleaned_data["vip_tiers"]
        self.instance.service_queues = {code: self.cleaned_data[f"queue_{code}"] for code in Service.values
                                        if self.cleaned_data.get(f"queue_{code}")}
        return super().save(commit=commit)
