"""Money is integer cents everywhere; it becomes euros only here, at the edge, for display."""

from django.utils.formats import number_format


def format_eur(cents: int) -> str:
    return f"€ {number_format(cents / 100, decimal_pos=2, force_grouping=True)}"
