"""Result codes as pages show them: `result_code_legend` feeds the legend
`core/_result_codes.html` with each result code (kode hasil) a page shows and what it means, in
the reader's language."""

from typing import Any

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

register = template.Library()

RESULT_CODES: dict[str, Promise] = {
    "P/L": _("passed the SKD pass marks and ranked within the cut: goes on to the SKB"),
    "P": _("passed the SKD pass marks, but ranked outside the cut for the SKB"),
    "T/L": _("did not reach the pass marks"),
    "L": _("passed (lulus)"),
    "L-2": _(
        "passed by optimalisasi: fills an empty formation for the same position, "
        "qualification and placement"
    ),
    "TL": _("did not pass (tidak lulus): ranked outside the quota or below a pass mark"),
    "TH": _("absent from the test (tidak hadir)"),
    "APS": _("withdrew of their own accord (atas permintaan sendiri)"),
    "DIS": _("disqualified (diskualifikasi)"),
    "MS": _("meets the requirements (memenuhi syarat)"),
    "TMS": _("does not meet the requirements (tidak memenuhi syarat)"),
}
"""Every code with what it means, in the order the ranking pages list them."""


@register.filter
def result_code_legend(codes: Any = None) -> list[tuple[str, str]]:
    """The codes to explain, in their usual order, each with its meaning. `codes` is a list
    of codes, a list of (code, count) pairs, or one string of codes separated by spaces;
    nothing given means every code. Unknown codes are left out."""
    if not codes:
        wanted = set(RESULT_CODES)
    elif isinstance(codes, str):
        wanted = set(codes.split())
    else:
        wanted = {str(item[0] if isinstance(item, tuple | list) else item) for item in codes}
    return [(code, str(meaning)) for code, meaning in RESULT_CODES.items() if code in wanted]
