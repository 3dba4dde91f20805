"""Needs surveys: who publishes one, who answers it, who reads its results.

The alliance (an operator) publishes for every employee of a member company; a company's HR
for its own employees. An employee answers once and may change the answer until the survey
closes. Results are only ever aggregates over groups of at least MIN_GROUP respondents
(conciliare.core.disclosure): smaller groups are merged into "other" or not shown, and free
texts are never shown, only how many people wrote one.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from conciliare.accounts.models import EmployeeProfile, MembershipRole, Organization
from conciliare.accounts.selectors import companies_for_hr, membership_roles
from conciliare.catalogue.categories import Category
from conciliare.core.disclosure import MIN_GROUP, Group, disclose
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted

from . import matching
from .models import Commute, Errand, Survey, SurveyResponse, WorkingPattern

# Who reads the alliance survey's results: the operator, and read-only the public bodies and consultants.
ALLIANCE_READERS = {MembershipRole.OPERATOR_ADMIN, MembershipRole.MONITORING, MembershipRole.CONSULTANT}
MAX_CHILDREN = 20
MAX_FREE_TEXT = 2000


@dataclass(frozen=True)
class SurveyInput:
    title: str
    introduction: str
    opens_on: datetime.date
    closes_on: datetime.date
    company: Organization | None  # None: the alliance's survey


@dataclass(frozen=True)
class AnswerInput:
    children_0_3: int = 0
    children_3_6: int = 0
    children_6_14: int = 0
    cares_for_elderly: bool = False
    cares_for_disabled: bool = False
    working_pattern: str = ""
    commute: str = ""
    errands: tuple[str, ...] = ()
    preferred_services: tuple[str, ...] = ()
    free_text: str = ""


@dataclass(frozen=True)
class SurveyRow:
    """A survey as one employee sees it in the list."""

    survey: Survey
    response: SurveyResponse | None
    is_open: bool


# --- Publishing -----------------------------------------------------------------------------------------------------


def may_publish_for_alliance(user: Any) -> bool:
    return MembershipRole.OPERATOR_ADMIN in membership_roles(user)


def publishing_companies(user: Any) -> list[Organization]:
    return list(companies_for_hr(user).order_by("name")) if user.is_authenticated else []


def survey_publish(*, actor: Any, data: SurveyInput, today: datetime.date) -> Survey:
    if data.company is None:
        if not may_publish_for_alliance(actor):
            raise NotPermitted(_("Page not found."))
    elif data.company.pk not in {company.pk for company in publishing_companies(actor)}:
        raise NotPermitted(_("Page not found."))
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the survey a title.")]
    if data.closes_on < data.opens_on:
        errors["closes_on"] = [_("The survey must close on or after the day it opens.")]
    elif data.closes_on < today:
        errors["closes_on"] = [_("The closing day has already passed.")]
    if errors:
        raise InvalidInput(_("The survey could not be published."), fields=errors)
    return Survey.objects.create(
        title=data.title.strip(),
        introduction=data.introduction.strip(),
        company=data.company,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        published_by=actor,
    )


# --- Answering ------------------------------------------------------------------------------------------------------


def employment_of(user: Any) -> EmployeeProfile | None:
    if not user.is_authenticated:
        return None
    return EmployeeProfile.objects.filter(user=user).select_related("company").first()


def _concerning(profile: EmployeeProfile) -> Q:
    """The surveys an employee is asked: their company's, and the alliance's if the company is a member."""
    mine = Q(company_id=profile.company_id)
    return mine | Q(company__isnull=True) if profile.company.alliance_member else mine


def surveys_for_employee(user: Any, today: datetime.date) -> list[SurveyRow]:
    """The open surveys that concern the employee, and the closed ones they answered (read-only)."""
    profile = employment_of(user)
    if profile is None:
        return []
    surveys = list(
        Survey.objects.filter(_concerning(profile), opens_on__lte=today)
        .select_related("company")  # the list names each survey's company
        .order_by("-closes_on", "pk")
    )
    answers = {r.survey_id: r for r in SurveyResponse.objects.filter(respondent=user, survey__in=surveys)}
    rows = [SurveyRow(s, answers.get(s.pk), s.closes_on >= today) for s in surveys]
    return [row for row in rows if row.is_open or row.response is not None]


def survey_get_for_respondent(*, user: Any, survey_id: int, today: datetime.date) -> SurveyRow:
    """A survey the employee is asked (open, or closed: then read-only); 404 for anyone else."""
    profile = employment_of(user)
    survey = (
        Survey.objects.filter(_concerning(profile), pk=survey_id, opens_on__lte=today).select_related("company").first()
        if profile is not None
        else None
    )
    if survey is None:
        raise NotPermitted(_("Survey not found."))
    response = SurveyResponse.objects.filter(survey=survey, respondent=user).first()
    return SurveyRow(survey, response, survey.closes_on >= today)


def _validated(data: AnswerInput) -> AnswerInput:
    errors: dict[str, list[str]] = {}
    for name in ("children_0_3", "children_3_6", "children_6_14"):
        if not 0 <= getattr(data, name) <= MAX_CHILDREN:
            errors[name] = [_("Give a number from 0 to %(max)s.") % {"max": MAX_CHILDREN}]
    if data.working_pattern not in WorkingPattern.values:
        errors["working_pattern"] = [_("Choose one of the answers.")]
    if data.commute not in Commute.values:
        errors["commute"] = [_("Choose one of the answers.")]
    if not set(data.errands) <= set(Errand.values):
        errors["errands"] = [_("Choose among the answers listed.")]
    if not set(data.preferred_services) <= set(Category.values):
        errors["preferred_services"] = [_("Choose among the services listed.")]
    if len(data.free_text) > MAX_FREE_TEXT:
        errors["free_text"] = [_("At most %(max)s characters.") % {"max": MAX_FREE_TEXT}]
    if errors:
        raise InvalidInput(_("Some answers need a look."), fields=errors)
    return data


def survey_answer(*, actor: Any, survey_id: int, data: AnswerInput, today: datetime.date) -> SurveyResponse:
    """Records the employee's answer, or replaces it while the survey is open."""
    row = survey_get_for_respondent(user=actor, survey_id=survey_id, today=today)
    if not row.is_open:
        closed = date_format(row.survey.closes_on, "SHORT_DATE_FORMAT")
        raise Conflict(_("This survey closed on %(day)s: answers can no longer change.") % {"day": closed})
    data = _validated(data)
    profile = employment_of(actor)
    assert profile is not None  # survey_get_for_respondent refused non-employees
    fields = {
        "company": profile.company,
        "municipality_id": actor.residence_municipality_id,
        "children_0_3": data.children_0_3,
        "children_3_6": data.children_3_6,
        "children_6_14": data.children_6_14,
        "cares_for_elderly": data.cares_for_elderly,
        "cares_for_disabled": data.cares_for_disabled,
        "working_pattern": data.working_pattern,
        "commute": data.commute,
        "errands": sorted(set(data.errands)),
        "preferred_services": sorted(set(data.preferred_services)),
        "free_text": data.free_text.strip(),
    }
    with transaction.atomic():
        # One answer per person: the unique constraint holds even when two submissions race.
        response, _created = SurveyResponse.objects.update_or_create(
            survey=row.survey, respondent=actor, defaults=fields
        )
    return response


def family_prefill(user: Any, today: datetime.date) -> dict[str, Any]:
    """Initial answers from the family profile and the job, for the employee to check."""
    bands = dict.fromkeys(matching.BAND_CATEGORIES, 0)
    elderly = disabled = False
    for member in user.family_members.all():
        years = matching.months_old(member.birth_date, today) // 12
        band = matching.band_of(years)
        if band is not None:
            bands[band] += 1
        elderly |= years >= matching.ELDERLY_AGE or member.non_self_sufficient
        disabled |= member.disability
    profile = employment_of(user)
    initial: dict[str, Any] = {
        "children_0_3": bands[matching.BAND_0_3],
        "children_3_6": bands[matching.BAND_3_6],
        "children_6_14": bands[matching.BAND_6_14],
        "cares_for_elderly": elderly,
        "cares_for_disabled": disabled,
    }
    if profile is not None and profile.shift_worker:
        initial["working_pattern"] = WorkingPattern.SHIFTS
    return initial


# --- Reading results ------------------------------------------------------------------------------------------------


def may_read_results(user: Any, survey: Survey) -> bool:
    if survey.company_id is None:
        return bool(ALLIANCE_READERS & membership_roles(user))
    return survey.company_id in {company.pk for company in publishing_companies(user)}


def survey_get_for_results(*, user: Any, survey_id: int) -> Survey:
    survey = Survey.objects.select_related("company").filter(pk=survey_id).first()
    if survey is None or not may_read_results(user, survey):
        raise NotPermitted(_("Survey not found."))
    return survey


def surveys_for_results(user: Any) -> list[Survey]:
    """The surveys whose results the user may read, with `answers` (how many people answered)."""
    if not user.is_authenticated:
        return []
    readable = Q(company_id__in=[company.pk for company in publishing_companies(user)])
    if ALLIANCE_READERS & membership_roles(user):
        readable |= Q(company__isnull=True)
    return list(
        Survey.objects.filter(readable)
        .select_related("company")
        .annotate(answers=Count("responses"))
        .order_by("-opens_on", "pk")
    )


# --- Results: aggregates only ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer as the results need it (plain data: the property tests build these by hand)."""

    respondent: int
    company: tuple[int, str]
    municipality: tuple[int, str] | None
    district: str | None
    children: tuple[int, int, int]  # 0-3, 3-6, 6-14
    elderly: bool = False
    disabled: bool = False
    working_pattern: str = ""
    commute: str = ""
    errands: tuple[str, ...] = ()
    preferred: tuple[str, ...] = ()
    wrote: bool = False  # whether they wrote a free text (what it says never leaves the database)


@dataclass(frozen=True)
class Cell:
    label: str
    people: int
    share: int  # per cent of the respondents


@dataclass(frozen=True)
class Question:
    key: str
    title: str
    cells: list[Cell]
    other: Cell | None  # small answers merged; None when there were none
    shown_options: frozenset[int] = frozenset()  # the options (by position) shown as a cell of their own

    @property
    def shown(self) -> bool:
        return bool(self.cells or self.other)


@dataclass(frozen=True)
class GroupRow:
    label: str
    respondents: int
    indicators: list[int | None]  # respondents with each property; None: not shown
    nested: bool = False  # a part of the row above it (a municipality of the district above)


@dataclass(frozen=True)
class Breakdown:
    """`rows` in order, each nested row after the row it is part of; `other` the small groups merged
    (with its own nested rows in `other_nested`); `total` all respondents."""

    key: str
    title: str
    rows: list[GroupRow]
    other: GroupRow | None
    total: GroupRow
    other_nested: list[GroupRow] = field(default_factory=list)

    @property
    def sections(self) -> list[tuple[GroupRow, list[GroupRow]]]:
        """Each top row with the rows nested under it (a <tbody> each), `other` last."""
        found: list[tuple[GroupRow, list[GroupRow]]] = []
        for row in self.rows:
            if row.nested and found:
                found[-1][1].append(row)
            else:
                found.append((row, []))
        if self.other is not None:
            found.append((self.other, list(self.other_nested)))
        return found


@dataclass(frozen=True)
class Results:
    respondents: int | None  # None: fewer than MIN_GROUP answers, nothing is shown
    questions: list[Question]
    indicators: list[str]  # the breakdowns' column titles
    breakdowns: list[Breakdown]
    free_texts: int | None  # how many wrote one, when that may be shown


def _indicators() -> list[tuple[str, Callable[[Answer], bool]]]:
    return [
        (_("Children 0 to 3"), lambda a: a.children[0] > 0),
        (_("Children 3 to 6"), lambda a: a.children[1] > 0),
        (_("Children 6 to 14"), lambda a: a.children[2] > 0),
        (_("Care for an elderly relative"), lambda a: a.elderly),
        (_("Care for a relative with disability"), lambda a: a.disabled),
        (_("Shifts, nights or weekends"), lambda a: a.working_pattern in matching.SHIFT_PATTERNS),
    ]


def _safe(people: int, yes: int) -> bool:
    """A count may be shown when neither the people it counts nor the rest of its group are 1 to 4."""
    return not 0 < yes < MIN_GROUP and not 0 < people - yes < MIN_GROUP


def _column(cells: list[tuple[int, int]]) -> tuple[list[bool], bool]:
    """Which (people, yes) cells of one column may show `yes`, and whether the column total may.

    The hidden cells together can be read as the total minus the shown ones, so that sum must be
    safe as well: while it is not, the smallest shown cell is hidden too (secondary suppression,
    as conciliare.core.disclosure does for rows).
    """
    shown = [_safe(people, yes) for people, yes in cells]
    while not all(shown):
        hidden = [cell for cell, ok in zip(cells, shown, strict=True) if not ok]
        if _safe(sum(p for p, _y in hidden), sum(y for _p, y in hidden)) or all(not ok for ok in shown):
            break
        smallest = min((i for i, ok in enumerate(shown) if ok), key=lambda i: (cells[i][0], -i))
        shown[smallest] = False
    total_people, total_yes = sum(p for p, _y in cells), sum(y for _p, y in cells)
    return shown, _safe(total_people, total_yes)


def _share(people: int, total: int) -> int:
    return round(100 * people / total) if total else 0


def _question(key: str, title: str, options: list[tuple[str, set[int]]], respondents: int) -> Question:
    # Members, not counts: one person may tick several answers, and merged cells count people once.
    disclosed = disclose({i: Group.of(members) for i, (_label, members) in enumerate(options)})
    cells = [
        Cell(options[row.key][0], row.group.people, _share(row.group.people, respondents)) for row in disclosed.rows
    ]
    other = None
    if disclosed.other is not None:
        people = disclosed.other.people
        other = Cell(_("Other answers, merged (small groups)"), people, _share(people, respondents))
    return Question(key, title, cells, other, frozenset(row.key for row in disclosed.rows))


def _indicators_merged_in_charts(questions: list[Question]) -> set[int]:
    """The table columns (by `_indicators` position) whose answers a chart does not show on their own.

    A chart merges small answers into "other", and secondary suppression may merge a larger one with
    them. A table column counting that larger answer would then give it away by difference: "other"
    minus the column is the small answer (working hours: other 13, "shifts, nights or weekends" 14,
    nights shown 11, so 3 on rotating shifts). Such a column is not shown in any table.
    """
    shown = {question.key: question.shown_options for question in questions}
    shifts = {i for i, (code, _label) in enumerate(WorkingPattern.choices) if code in matching.SHIFT_PATTERNS}
    sources = [("children", {0}), ("children", {1}), ("children", {2}), ("care", {0}), ("care", {1})]
    sources.append(("working_pattern", shifts))
    return {i for i, (key, options) in enumerate(sources) if not options <= shown.get(key, frozenset())}


def _hide_columns(breakdown: Breakdown, hidden: set[int]) -> Breakdown:
    def row(found: GroupRow) -> GroupRow:
        values = [None if i in hidden else value for i, value in enumerate(found.indicators)]
        return replace(found, indicators=values)

    return replace(
        breakdown,
        rows=[row(r) for r in breakdown.rows],
        other=row(breakdown.other) if breakdown.other is not None else None,
        total=row(breakdown.total),
        other_nested=[row(r) for r in breakdown.other_nested],
    )


def _questions(answers: list[Answer]) -> list[Question]:
    n = len(answers)

    def who(test: Callable[[Answer], bool]) -> set[int]:
        return {a.respondent for a in answers if test(a)}

    bands = [_("0 to 3 years"), _("3 to 6 years"), _("6 to 14 years")]
    children = [(str(label), {a.respondent for a in answers if a.children[i] > 0}) for i, label in enumerate(bands)]
    children.append((_("No children under 15"), who(lambda a: not any(a.children))))
    care = [
        (_("An elderly relative"), who(lambda a: a.elderly)),
        (_("A relative with disability"), who(lambda a: a.disabled)),
        (_("Neither"), who(lambda a: not (a.elderly or a.disabled))),
    ]
    errands = [(str(label), {a.respondent for a in answers if code in a.errands}) for code, label in Errand.choices]
    errands.append((_("None of these"), who(lambda a: not a.errands)))
    services = [
        (str(label), {a.respondent for a in answers if code in a.preferred}) for code, label in Category.choices
    ]
    services.append((_("None chosen"), who(lambda a: not a.preferred)))
    patterns = [
        (str(label), {a.respondent for a in answers if a.working_pattern == code})
        for code, label in WorkingPattern.choices
    ]
    commutes = [(str(label), {a.respondent for a in answers if a.commute == code}) for code, label in Commute.choices]
    return [
        _question("children", _("Children by age"), children, n),
        _question("care", _("Care of relatives"), care, n),
        _question("working_pattern", _("Working hours"), patterns, n),
        _question("commute", _("Commute to work"), commutes, n),
        _question("errands", _("Errands that take time"), errands, n),
        _question("services", _("Services wanted"), services, n),
    ]


def _breakdown(key: str, title: str, answers: list[Answer], group_of: Callable[[Answer], tuple[str, str]]) -> Breakdown:
    """One row per group of at least MIN_GROUP respondents (smaller ones merged by `disclose`),
    with how many in it have each property, where that may be shown (`_column`)."""
    indicators = _indicators()
    groups: dict[str, list[Answer]] = {}
    labels: dict[str, str] = {}
    for answer in answers:
        group, label = group_of(answer)
        groups.setdefault(group, []).append(answer)
        labels[group] = label
    order = sorted(groups, key=lambda g: labels[g].lower())
    cells = {
        g: Group(
            people=len(groups[g]), values={str(i): sum(map(test, groups[g])) for i, (_t, test) in enumerate(indicators)}
        )
        for g in order
    }
    disclosed = disclose(cells)
    shown_groups = [(labels[row.key], row.group) for row in disclosed.rows]
    if disclosed.other is not None:
        shown_groups.append((_("Other, merged (groups under 5)"), disclosed.other))
    columns = []
    totals = []
    for i in range(len(indicators)):
        column, total_ok = _column([(group.people, group.values[str(i)]) for _label, group in shown_groups])
        columns.append(column)
        totals.append(sum(group.values[str(i)] for _l, group in shown_groups) if total_ok else None)
    rows = [
        GroupRow(label, group.people, [group.values[str(i)] if columns[i][r] else None for i in range(len(indicators))])
        for r, (label, group) in enumerate(shown_groups)
    ]
    other = rows.pop() if disclosed.other is not None else None
    return Breakdown(key, title, rows, other, GroupRow(_("All respondents"), len(answers), totals))


def _counts(answers: list[Answer], indicators: list[tuple[str, Callable[[Answer], bool]]]) -> Group:
    return Group(
        people=len(answers), values={str(i): sum(map(test, answers)) for i, (_t, test) in enumerate(indicators)}
    )


@dataclass
class _Place:
    """A top row of the place table (a district, or the small ones merged) and its nested rows
    (its municipalities, the small ones merged); no nested rows when one row would be all of it."""

    label: str
    group: Group
    parts: list[tuple[str, Group]]


def _nested_column(places: list[tuple[tuple[int, int], list[tuple[int, int]]]]) -> tuple[list[bool], list[list[bool]]]:
    """For one indicator: which (people, yes) top rows, and which of their nested rows, may show `yes`.

    A reader knows the total (the questions' charts may give it even where the table hides it),
    every shown top row and every shown nested row. What they can work out by difference, and
    what must therefore obey the same rule as a shown count (`_safe`):
    - for a shown top row, its hidden nested rows together (the row minus its shown parts): each
      place's own `_column` sees to it;
    - the total minus every shown top row and every shown nested row of a hidden one: what all the
      hidden rows hold together. While that is unsafe, the smallest shown nested row of a hidden
      top row is hidden, or, with none left, the smallest shown top row (secondary suppression).
    """
    top_shown: list[bool] = []
    part_shown: list[list[bool]] = []
    for cell, parts in places:
        if parts:
            shown, whole_ok = _column(parts)
        else:
            shown, whole_ok = [], _safe(*cell)
        top_shown.append(whole_ok)
        part_shown.append(shown)
    while True:
        rest_people = rest_yes = 0
        for p, ((people, yes), parts) in enumerate(places):
            if not top_shown[p]:
                rest_people += people - sum(c[0] for c, ok in zip(parts, part_shown[p], strict=True) if ok)
                rest_yes += yes - sum(c[1] for c, ok in zip(parts, part_shown[p], strict=True) if ok)
        if _safe(rest_people, rest_yes):
            break
        parts_left = [
            (places[p][1][n][0], p, n)
            for p in range(len(places))
            if not top_shown[p]
            for n, ok in enumerate(part_shown[p])
            if ok
        ]
        if parts_left:
            _people, p, n = min(parts_left, key=lambda c: (c[0], -c[1], -c[2]))
            part_shown[p][n] = False
            continue
        tops_left = [p for p in range(len(places)) if top_shown[p]]
        if not tops_left:
            break
        top_shown[min(tops_left, key=lambda p: (places[p][0][0], -p))] = False
    return top_shown, part_shown


def _place_breakdown(answers: list[Answer], not_given: str) -> Breakdown:
    """Districts of residence, each with its municipalities nested under it, in ONE table whose
    figures agree: a district's small municipalities are merged into an "other municipalities"
    row (secondary suppression against the district, as `disclose` does against a total), so the
    district minus its shown municipalities is never a group of 1 to 4, for the respondents and
    for every indicator (`_nested_column`). The small districts are merged too, and the
    municipalities of the merged ones nested under that row."""
    indicators = _indicators()
    districts: dict[str, list[Answer]] = {}
    labels: dict[str, str] = {}
    for answer in answers:
        key, label = _district_of(answer, not_given)
        districts.setdefault(key, []).append(answer)
        labels[key] = label
    order = sorted(districts, key=lambda k: labels[k].lower())
    top = disclose({key: Group(people=len(districts[key])) for key in order})

    def place(label: str, members: list[Answer], other_label: str) -> _Place:
        towns: dict[str, list[Answer]] = {}
        names: dict[str, str] = {}
        for answer in members:
            town, name = (
                (str(answer.municipality[0]), answer.municipality[1]) if answer.municipality else ("-", not_given)
            )
            towns.setdefault(town, []).append(answer)
            names[town] = name
        inner = disclose(
            {town: Group(people=len(towns[town])) for town in sorted(towns, key=lambda t: names[t].lower())}
        )
        parts = [(names[row.key], _counts(towns[row.key], indicators)) for row in inner.rows]
        if inner.other is not None:
            parts.append((other_label, _counts([a for t in inner.other_keys for a in towns[t]], indicators)))
        return _Place(label, _counts(members, indicators), parts if len(parts) > 1 else [])

    places = []
    for row in top.rows:
        label = labels[row.key]
        other_label = (
            _("Other municipalities of %(district)s, merged") % {"district": label}
            if row.key not in ("~", "-")
            else _("Other municipalities, merged (groups under 5)")
        )
        places.append(place(label, districts[row.key], other_label))
    if top.other is not None:
        merged = [answer for key in top.other_keys for answer in districts[key]]
        places.append(
            place(_("Other, merged (groups under 5)"), merged, _("Other municipalities, merged (groups under 5)"))
        )
    top_columns, part_columns = [], []
    for i in range(len(indicators)):
        cells = [
            ((pl.group.people, pl.group.values[str(i)]), [(g.people, g.values[str(i)]) for _l, g in pl.parts])
            for pl in places
        ]
        shown_tops, shown_parts = _nested_column(cells)
        top_columns.append(shown_tops)
        part_columns.append(shown_parts)

    def row_of(group: Group, label: str, shown: list[bool], nested: bool) -> GroupRow:
        values = [group.values[str(i)] if shown[i] else None for i in range(len(indicators))]
        return GroupRow(label, group.people, values, nested)

    sections = [
        (
            row_of(pl.group, pl.label, [top_columns[i][p] for i in range(len(indicators))], False),
            [
                row_of(group, label, [part_columns[i][p][n] for i in range(len(indicators))], True)
                for n, (label, group) in enumerate(pl.parts)
            ],
        )
        for p, pl in enumerate(places)
    ]
    other, other_nested = sections.pop() if top.other is not None else (None, [])
    rows = [row for head, nested in sections for row in (head, *nested)]
    everyone = _counts(answers, indicators)
    totals = [
        everyone.values[str(i)] if _safe(len(answers), everyone.values[str(i)]) else None
        for i in range(len(indicators))
    ]
    return Breakdown(
        "place",
        _("By district and municipality of residence"),
        rows,
        other,
        GroupRow(_("All respondents"), len(answers), totals),
        other_nested,
    )


def _district_of(answer: Answer, not_given: str) -> tuple[str, str]:
    if answer.district:
        return answer.district, answer.district
    if answer.municipality is not None:  # one of the neighbouring municipalities, in no district of ours
        return "~", _("Outside the three districts")
    return "-", not_given


def tabulate(answers: list[Answer], *, by_company: bool) -> Results:
    """The results of a survey from its answers: nothing at all under MIN_GROUP respondents."""
    titles = [title for title, _test in _indicators()]
    if len(answers) < MIN_GROUP:
        return Results(None, [], titles, [], None)
    not_given = _("Not given")
    breakdowns = []
    if by_company:
        breakdowns.append(_breakdown("company", _("By company"), answers, lambda a: (str(a.company[0]), a.company[1])))
    breakdowns.append(_place_breakdown(answers, not_given))
    questions = _questions(answers)
    hidden = _indicators_merged_in_charts(questions)
    wrote = sum(a.wrote for a in answers)
    return Results(
        respondents=len(answers),
        questions=questions,
        indicators=titles,
        breakdowns=[_hide_columns(breakdown, hidden) for breakdown in breakdowns],
        free_texts=wrote if wrote and _safe(len(answers), wrote) else None,
    )


def survey_results(survey: Survey) -> Results:
    """The survey's aggregates, from one query whatever the number of answers."""
    rows = survey.responses.annotate(
        wrote=ExpressionWrapper(~Q(free_text=""), output_field=BooleanField())
    ).values_list(
        "respondent_id",
        "company_id",
        "company__name",
        "municipality_id",
        "municipality__name",
        "municipality__district__name",
        "children_0_3",
        "children_3_6",
        "children_6_14",
        "cares_for_elderly",
        "cares_for_disabled",
        "working_pattern",
        "commute",
        "errands",
        "preferred_services",
        "wrote",
    )
    answers = [
        Answer(
            respondent=row[0],
            company=(row[1], row[2]),
            municipality=(row[3], row[4]) if row[3] is not None else None,
            district=row[5],
            children=(row[6], row[7], row[8]),
            elderly=row[9],
            disabled=row[10],
            working_pattern=row[11],
            commute=row[12],
            errands=tuple(row[13] or ()),
            preferred=tuple(row[14] or ()),
            wrote=bool(row[15]),
        )
        for row in rows
    ]
    return tabulate(answers, by_company=survey.company_id is None)
