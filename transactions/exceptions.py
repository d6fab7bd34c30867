"""The transactions app's domain errors (4xx through crm_site.exceptions)."""

from crm_site.exceptions import Conflict, DomainError


class IngestFileError(DomainError):
    """The file cannot be loaded at all: empty, not UTF-8 text, or the header is wrong.

    Row-level problems never raise: they become RejectedRows.
    """


class BatchNotReplayable(Conflict):
    """A replay was asked for a batch that is still loading, or has nothing to fix."""
