"""Admin pages for duplicates: the likely pairs, "not a duplicate", and the merge (choose, confirm, merge)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm_site import pii
from crm_site.exceptions import DomainError
from customers import merge
from customers.duplicates import duplicate_pairs
from customers.models import Customer

SIDES = ("a", "b")


class MergeForm(forms.Form):
    """Which profile survives, and per differing field whose value it keeps ("a" or "b")."""

    survivor = forms.ChoiceField(label=gettext_lazy("Profile that stays"), widget=forms.RadioSelect)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, a: Customer, b: Customer, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.a, self.b = a, b
        self.fields["survivor"].choices = [(side, f"{c.customer_no} · {c.full_name} · {c.home_branch.name}")
                                           for side, c in zip(SIDES, (a, b), strict=True)]
        self.fields["survivor"].initial = "a" if a.pk < b.pk else "b"
        defaults = merge.merge_choices_default(survivor=a, merged=b)
        self.rows = []
        for key in merge.merge_fields_differing(survivor=a, merged=b):
            label = (merge.MERGE_FIELD_LABELS.get(key)
                     or Customer._meta.get_field(merge.MERGE_FIELDS[key][0]).verbose_name)
            values = {side: _display(customer, key, user) for side, customer in zip(SIDES, (a, b), strict=True)}
            self.fields[f"field_{key}"] = forms.ChoiceField(
                label=label, widget=forms.RadioSelect,
                choices=[("a", values["a"]), ("b", values["b"])],
                initial="b" if defaults[key] == merge.MERGED else "a")
            self.rows.append(key)

    def field_rows(self):
        return [self[f"field_{key}"] for key in self.rows]

    def survivor_and_merged(self) -> tuple[Customer, Customer]:
        return (self.a, self.b) if self.cleaned_data["survivor"] == "a" else (self.b, self.a)

    def field_choices(self) -> dict[str, str]:
        """In the service's terms: per field, the survivor's value or the merged one's."""
        survivor_side = self.cleaned_data["survivor"]
        return {key: merge.SURVIVOR if self.cleaned_data[f"field_{key}"] == survivor_side else merge.MERGED
                for key in self.rows}


def _display(customer: Customer, key: str, user) -> str:
    """A side's value as the admin may see it: the ID number masked, contact details masked for non-admins."""
    if key == "id_document":
        if not customer.id_number_last4:
            return "—"
        expiry = customer.id_expiry.isoformat() if customer.id_expiry else "—"
        return f"{customer.get_id_type_display()} {customer.masked_id_number} ({expiry})"
    reveal = user.has_perm("customers.change_customer")
    parts = []
    for name in merge.MERGE_FIELDS[key]:
        value = getattr(customer, name)
        display = getattr(customer, f"get_{name}_display", None)
        if name == "mobile" and not reveal:
            value = pii.mask_mobile(value)
        elif name == "email" and not reveal:
            value = pii.mask_email(value)
        elif callable(display):
            value = display()
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        parts.append("—" if value in (None, "") else str(value))
    return " · ".join(parts)


class MergeViewsMixin:
    """Adds duplicates/, duplicates/dismiss/ and merge/ under the customer admin (permission merge_customers)."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("duplicates/", view(self.duplicates_view), name="{}_{}_duplicates".format(*info)),
            path("duplicates/dismiss/", view(require_POST(self.dismiss_view)), name="{}_{}_dismiss".format(*info)),
            path("merge/", view(self.merge_view), name="{}_{}_merge".format(*info)),
            *super().get_urls(),
        ]

    def _require_merge_permission(self, request) -> None:
        if not request.user.has_perm("customers.merge_customers"):
            raise PermissionDenied

    def _context(self, request, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "title": title, "opts": self.opts, **extra}

    def duplicates_view(self, request):
        self._require_merge_permission(request)
        pairs = duplicate_pairs(user=request.user, page=request.GET.get("page"))
        return TemplateResponse(request, "admin/customers/customer/duplicates.html",
                                self._context(request, _("Likely duplicate customers"), pairs=pairs))

    def _pair(self, request, data) -> tuple[Customer | None, Customer | None, str, int]:
        """The two profiles named by a and b (ids); else an error message and its status."""
        try:
            ids = [int(data.get(side, "")) for side in SIDES]
        except ValueError:
            return None, None, _("Name two customers to compare (a and b)."), 400
        if ids[0] == ids[1]:
            return None, None, _("A customer cannot be merged with itself."), 400
        found = Customer.objects.select_related("home_branch", "relationship_manager").in_bulk(ids)
        if len(found) != 2:
            return None, None, _("One of these customers does not exist."), 404
        return found[ids[0]], found[ids[1]], "", 200

    def dismiss_view(self, request):
        self._require_merge_permission(request)
        a, b, error, _status = self._pair(request, request.POST)
        if error:
            messages.error(request, error)
        else:
            merge.duplicate_dismiss(customer=a, other=b, dismissed_by=request.user)
            messages.success(request, _("%(a)s and %(b)s are no longer listed as duplicates.")
                             % {"a": a.customer_no, "b": b.customer_no})
        return HttpResponseRedirect(reverse("admin:customers_customer_duplicates"))

    def merge_view(self, request):
        """GET: the two profiles side by side with a choice per differing field. POST: confirm, then merge."""
        self._require_merge_permission(request)
        data = request.POST if request.method == "POST" else request.GET
        a, b, error, status = self._pair(request, data)
        template = "admin/customers/customer/merge.html"
        if error:
            return TemplateResponse(request, template, self._context(request, _("Merge customers"), error=error),
                                    status=status)
        context = self._context(request, _("Merge customers"), a=a, b=b)
        try:
            merge.merge_check(survivor=a, merged=b)
        except DomainError as exc:
            return TemplateResponse(request, template, {**context, "error": exc.message}, status=exc.status_code)
        form = MergeForm(request.POST if request.method == "POST" else None, a=a, b=b, user=request.user)
        context["form"] = form
        if request.method != "POST":
            return TemplateResponse(request, template, context)
        if not form.is_valid():
            return TemplateResponse(request, template, context, status=400)
        survivor, merged = form.survivor_and_merged()
        if not form.cleaned_data["confirmed"]:
            context.update(survivor=survivor, merged=merged,
                           moving=merge.merge_preview(survivor=survivor, merged=merged),
                           taken=[form[f"field_{key}"] for key, choice in form.field_choices().items()
                                  if choice == merge.MERGED])
            return TemplateResponse(request, "admin/customers/customer/merge_confirm.html", context)
        try:
            record = merge.customers_merge(survivor=survivor, merged=merged, merged_by=request.user,
                                           field_choices=form.field_choices())
        except DomainError as exc:
            return TemplateResponse(request, template, {**context, "error": exc.message}, status=exc.status_code)
        except ValidationError as exc:
            problems = [f"{name}: {message}" if name != "__all__" else message
                        for name, messages_ in exc.message_dict.items() for message in messages_]
            return TemplateResponse(request, template, {**context, "error": " ".join(problems)}, status=400)
        messages.success(request, _("%(merged)s was merged into %(survivor)s; its number now leads to %(survivor)s.")
                         % {"merged": merged.customer_no, "survivor": survivor.customer_no})
        return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[record.survivor_id]))
