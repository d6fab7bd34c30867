"""The batch pages: the list, an upload, one batch with its live progress, rejected rows and replay."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm_site.csv_export import csv_lines

from . import forms, selectors
from .models import BatchSource, IngestBatch
from .services import batch_create, batch_replay_request
from .services.fileformat import COLUMNS, REASONS, ROW_NUMBER
from .services.validation import REASON_TEXT

BATCHES_PER_PAGE = 25
REJECTED_PER_PAGE = 50


@login_required
@permission_required("transactions.view_ingestbatch", raise_exception=True)
@require_GET
def batch_list(request):
    page = Paginator(selectors.batches_for_user(user=request.user), BATCHES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "transactions/batch_list.html", {"batches": page})


@login_required
@permission_required("transactions.add_ingestbatch", raise_exception=True)
@require_http_methods(["GET", "POST"])
def batch_upload(request):
    form = forms.BatchUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            batch = batch_create(file=upload, file_name=upload.name, source=BatchSource.FILE,
                                 channel_hint=form.cleaned_data["channel"], created_by=request.user)
            messages.success(request, _("Batch #%(id)s is queued; this page follows its progress.") % {"id": batch.pk})
            return redirect("transactions:batch-detail", batch_id=batch.pk)
        return render(request, "transactions/batch_upload.html", {"form": form, "columns": COLUMNS}, status=400)
    return render(request, "transactions/batch_upload.html", {"form": form, "columns": COLUMNS})


@login_required
@permission_required("transactions.view_ingestbatch", raise_exception=True)
@require_GET
def batch_detail(request, batch_id: int):
    batch = selectors.batch_get(batch_id=batch_id, user=request.user)
    context = _detail_context(request, batch)
    if request.htmx and request.htmx.target == "rejected-rows":
        return render(request, "transactions/_rejected_rows.html", context)
    return render(request, "transactions/batch_detail.html", context)


def _detail_context(request, batch: IngestBatch, replay_form: forms.ReplayForm | None = None) -> dict:
    context = {"batch": batch, "replay_form": replay_form or forms.ReplayForm(channel_hint=batch.channel_hint)}
    if request.user.has_perm("transactions.view_rejectedrow"):
        page = Paginator(selectors.rejected_rows_open(batch=batch), REJECTED_PER_PAGE).get_page(request.GET.get("page"))
        for row in page:
            row.values = [(name, row.raw[name]) for name in (*COLUMNS, "_extra", "_line") if row.raw.get(name)]
            row.reason_lines = [{"field": reason.get("field", ""), "text": REASON_TEXT.get(reason.get("code"), ""),
                                 "message": reason.get("message", "")} for reason in row.reasons]
        context["rejected_rows"] = page
    return context


@login_required
@permission_required("transactions.view_ingestbatch", raise_exception=True)
@require_GET
def batch_progress(request, batch_id: int):
    """The progress panel, polled by htmx every 2 s while the batch is queued or running."""
    batch = selectors.batch_get(batch_id=batch_id, user=request.user)
    response = render(request, "transactions/_batch_progress.html", {"batch": batch})
    if request.GET.get("was") in IngestBatch.ACTIVE and not batch.is_active:
        response["HX-Refresh"] = "true"  # finished: reload the page for the rejected rows and the replay form
    return response


@login_required
@permission_required("transactions.view_rejectedrow", raise_exception=True)
@require_GET
def batch_rejected_csv(request, batch_id: int):
    """The open rejected rows as a feed file plus row_number and reasons: fix it and upload it as a replay."""
    batch = selectors.batch_get(batch_id=batch_id, user=request.user)

    def rows():
        for row in selectors.rejected_rows_open(batch=batch).iterator(chunk_size=2000):
            reasons = "; ".join(f"{reason.get('code')}: {reason.get('message')}" for reason in row.reasons)
            yield [row.row_number, *(row.raw.get(name, "") for name in COLUMNS), reasons]

    lines = csv_lines([ROW_NUMBER, *COLUMNS, REASONS], rows())
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-rejected.csv"'
    return response


@login_required
@permission_required("transactions.change_rejectedrow", raise_exception=True)
@require_POST
def batch_replay(request, batch_id: int):
    batch = selectors.batch_get(batch_id=batch_id, user=request.user)
    form = forms.ReplayForm(request.POST, request.FILES, channel_hint=batch.channel_hint)
    if not form.is_valid():
        return render(request, "transactions/batch_detail.html", _detail_context(request, batch, form), status=400)
    upload = form.cleaned_data["file"]
    batch_replay_request(batch=batch, file=upload, file_name=upload.name, requested_by=request.user)
    messages.success(request, _("The corrected rows are queued; they load against this batch."))
    return redirect("transactions:batch-detail", batch_id=batch.pk)
