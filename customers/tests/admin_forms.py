"""Posting the customer admin's change form as a browser would: every field as shown, plus the changes."""

from __future__ import annotations

import datetime as dt


def change_form_data(client, url: str, **changes) -> dict:
    """The form's current values and the management forms of every inline (floors above add their own)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value.isoformat() if isinstance(value, dt.date) else ("on" if value is True else value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}
