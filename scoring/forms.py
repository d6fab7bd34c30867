from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Branch


class DashboardBranchForm(forms.Form):
    """The admin's branch picker (a manager's page ignores it unless it names their own branch)."""

    branch = forms.CharField(label=_("Branch"), required=False,
                             max_length=Branch._meta.get_field("code").max_length)
