"""The plan's regulation as a PDF (WeasyPrint), in Italian, generated from the plan's data."""

from babel.dates import format_date
from django.template.loader import render_to_string
from django.utils import translation

from conciliare.core.money import format_euro

from . import fiscal
from .models import BUCKETS, WelfarePlan

BUCKET_LABELS = dict(BUCKETS)


def plan_regulation_pdf(plan: WelfarePlan) -> bytes:
    import weasyprint  # imported here: loading Pango is slow and only this needs it

    with translation.override("it"):
        rules = fiscal.rules_for(plan.starts_on.year)
        allowances = [
            {
                "category": allowance.get_category_display(),
                "bucket": str(BUCKET_LABELS[allowance.bucket]),
                "reference": rules["buckets"][allowance.bucket]["reference"],
                "amount": format_euro(allowance.amount),
            }
            for allowance in plan.allowances.all()
        ]
        html = render_to_string(
            "plans/regulation.html",
            {
                "plan": plan,
                "allowances": allowances,
                "starts": format_date(plan.starts_on, "d MMMM y", locale="it_IT"),
                "ends": format_date(plan.ends_on, "d MMMM y", locale="it_IT"),
                "fringe_cap": format_euro(rules["fringe_benefits"]["cap"]),
                "fringe_cap_children": format_euro(rules["fringe_benefits"]["cap_with_dependent_children"]),
            },
        )
    return weasyprint.HTML(string=html).write_pdf()
