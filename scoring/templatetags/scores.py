from django import template

from scoring import explain

register = template.Library()


@register.filter
def percent(fraction) -> str:
    """A share 0..1 as a whole percent in the active language: "41 %" / "41%"; "—" when unknown."""
    return explain.percent_text(fraction) if fraction is not None else "—"
