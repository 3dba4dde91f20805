"""Statistical disclosure control for figures shown to the public or to companies.

A table of counts of people (grants by district, answers to a survey question...) must never
show a group of fewer than MIN_GROUP people, neither directly nor by difference:

- a cell under MIN_GROUP is not shown: it goes into one "other" row;
- if that "other" row would itself hold 1 to MIN_GROUP - 1 people, the smallest visible cells
  join it until it reaches MIN_GROUP (secondary suppression: otherwise the total minus the
  visible cells would give the small group away);
- if the whole table holds fewer than MIN_GROUP people, nothing is shown.

Cells are a partition: each person is counted in one cell. When a person may fall in more
than one cell (one contributor in several months), give each cell its `members` (who they
are, as opaque ids): merged groups then count distinct people, never the sum.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

MIN_GROUP = 5

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Group:
    """The people in one cell and the values that go with them (amounts, counts of grants...)."""

    people: int
    values: Mapping[str, int] = field(default_factory=dict)
    members: frozenset[Hashable] | None = None

    @classmethod
    def of(cls, members: Iterable[Hashable], **values: int) -> "Group":
        distinct = frozenset(members)
        return cls(people=len(distinct), values=values, members=distinct)


@dataclass(frozen=True)
class Row(Generic[K]):
    key: K
    group: Group


@dataclass(frozen=True)
class Disclosed(Generic[K]):
    """What may be shown: `rows` in the order given, then `other` (the merged small groups, with
    the keys it holds), and the `total`. Nothing at all when `total` is None."""

    rows: list[Row[K]]
    other: Group | None
    other_keys: list[K]
    total: Group | None

    @property
    def shown(self) -> bool:
        return self.total is not None


def merge(groups: Iterable[Group]) -> Group:
    """One group of all of them: distinct people if every group knows its members, else the sum."""
    groups = list(groups)
    values: dict[str, int] = {}
    for group in groups:
        for name, value in group.values.items():
            values[name] = values.get(name, 0) + value
    if groups and all(group.members is not None for group in groups):
        members = frozenset().union(*(group.members or () for group in groups))
        return Group(people=len(members), values=values, members=members)
    return Group(people=sum(group.people for group in groups), values=values)


def disclose(cells: Mapping[K, Group | int], *, min_group: int = MIN_GROUP) -> Disclosed[K]:
    """The cells that may be shown, the small ones merged into "other" (see the module's rules).
    Cells with nobody in them are left out."""
    groups = {key: cell if isinstance(cell, Group) else Group(people=cell) for key, cell in cells.items()}
    groups = {key: group for key, group in groups.items() if group.people > 0}
    total = merge(groups.values())
    if total.people < min_group:
        return Disclosed(rows=[], other=None, other_keys=list(groups), total=None)
    hidden = [key for key, group in groups.items() if group.people < min_group]
    visible = [key for key in groups if key not in hidden]
    other = merge(groups[key] for key in hidden)
    # Secondary suppression: a small "other" would be readable as total minus the visible cells.
    # The smallest visible cell joins it (the last of equals, to keep the first rows stable);
    # this ends at the latest when every cell is merged, since the total reaches min_group.
    while hidden and other.people < min_group:
        smallest = min(reversed(visible), key=lambda key: groups[key].people)
        visible.remove(smallest)
        hidden.append(smallest)
        other = merge(groups[key] for key in hidden)
    return Disclosed(
        rows=[Row(key, groups[key]) for key in visible],
        other=other if hidden else None,
        other_keys=[key for key in groups if key in hidden],
        total=total,
    )
