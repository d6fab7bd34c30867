from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from crm_site.csv_import import ImportFileError, masked_values

from . import imports
from .forms import RecordsImportForm

# A load runs inside the request, so the page takes what loads in a few seconds; bigger files go through
# `manage.py import_records`, which has no limit.
UPLOAD_MAX_ROWS = 20_000
SHOWN_REJECTS = 200


@login_required
@require_http_methods(["GET", "POST"])
def records_import(request):
    """Upload a master-data file of a kind this member of staff may load; see the counts and the rejected rows."""
    kinds = imports.import_kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    status, result, kind = 200, None, None
    if request.method == "POST":
        form = RecordsImportForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            kind = imports.IMPORT_KINDS[form.cleaned_data["kind"]]
            try:
                result = imports.records_import(kind=kind.name, file=form.cleaned_data["file"],
                                                changed_by=request.user, max_rows=UPLOAD_MAX_ROWS)
            except ImportFileError as exc:
                form.add_error("file", exc.message)
                status = exc.status_code
        else:
            status = 400
    else:
        form = RecordsImportForm(kinds=kinds)
    context = {"form": form, "kinds": kinds, "result": result, "kind": kind, "max_rows": UPLOAD_MAX_ROWS}
    if result is not None:
        context["rejects"] = [{"row": reject.row, "key": reject.values.get(kind.spec.key, ""),
                               "reasons": reject.reasons,
                               "values": [f"{column}={value}" for column, value
                                          in masked_values(reject, kind.spec).items() if value]}
                              for reject in result.rejects[:SHOWN_REJECTS]]
        context["more_rejects"] = max(0, len(result.rejects) - SHOWN_REJECTS)
    return render(request, "accounts/import.html", context, status=status)
