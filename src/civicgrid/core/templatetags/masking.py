"""`{% load masking %}`: mask plain ID and mobile numbers in templates.

Values read from a protected model field are masked already (`{{ person.id_number }}`); these
filters are for plain strings from elsewhere (an import preview, a form echo):

    {{ row.id_number|mask_id_number }}   130102********1234
    {{ row.mobile|mask_mobile }}         138****5678
"""

from django import template

from civicgrid.core import masking

register = template.Library()


@register.filter
def mask_id_number(value: object) -> str:
    return masking.mask_id_number(value)


@register.filter
def mask_mobile(value: object) -> str:
    return masking.mask_mobile(value)
