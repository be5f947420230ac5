from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def eur(value) -> str:
    """An EUR amount as the pack prints it everywhere: 1,234,567.50 (the same text in PDF, Word and Excel)."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(value):,.2f}"


@register.filter
def number(value) -> str:
    if value is None:
        return "–"
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def overdue_on(point, today) -> bool:
    return point.is_overdue(today)
