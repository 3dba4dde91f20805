"""Disclosure control: no group of 1 to 4 people is ever shown, directly or by difference."""

from hypothesis import given
from hypothesis import strategies as st

from conciliare.core.disclosure import MIN_GROUP, Group, disclose, merge

cells = st.dictionaries(st.text(min_size=1, max_size=3), st.integers(min_value=0, max_value=40), max_size=12)


@given(cells)
def test_no_shown_group_has_one_to_four_people(counts):
    result = disclose(counts)
    shown = [row.group.people for row in result.rows] + ([result.other.people] if result.other else [])
    assert all(people >= MIN_GROUP for people in shown)


@given(cells)
def test_visible_cells_and_other_add_up_to_the_total(counts):
    result = disclose(counts)
    total = sum(counts.values())
    if total < MIN_GROUP:
        assert not result.shown and result.rows == [] and result.other is None
        return
    other = result.other.people if result.other else 0
    assert sum(row.group.people for row in result.rows) + other == total == result.total.people


@given(cells)
def test_the_total_minus_the_visible_cells_never_reveals_a_small_group(counts):
    result = disclose(counts)
    if not result.shown:
        return
    difference = result.total.people - sum(row.group.people for row in result.rows)
    assert not 1 <= difference < MIN_GROUP


@given(cells)
def test_every_cell_with_people_is_either_visible_or_merged(counts):
    result = disclose(counts)
    keys = [row.key for row in result.rows] + result.other_keys
    assert sorted(keys) == sorted(key for key, people in counts.items() if people > 0)


def test_a_small_cell_is_merged_with_the_smallest_visible_one():
    # Given 6 grants for one event, 8 for another and 2 for a third
    result = disclose({"illness": Group(6, {"amount": 600}), "job": Group(8, {"amount": 800}), "loss": 2})
    # Then the 2 are not readable as total minus visible: the 6 join them
    assert [(row.key, row.group.people) for row in result.rows] == [("job", 8)]
    assert result.other_keys == ["illness", "loss"]
    assert result.other.people == 8
    assert result.other.values == {"amount": 600}
    assert result.total.people == 16


def test_small_cells_that_together_reach_five_need_no_secondary_suppression():
    result = disclose({"a": 7, "b": 3, "c": 2})
    assert [row.key for row in result.rows] == ["a"]
    assert result.other.people == 5


def test_fewer_than_five_people_in_all_shows_nothing():
    result = disclose({"a": 3, "b": 1})
    assert not result.shown
    assert result.rows == [] and result.other is None and result.total is None


def test_nothing_to_merge_gives_no_other_row():
    result = disclose({"a": 5, "b": 9, "empty": 0})
    assert [row.key for row in result.rows] == ["a", "b"]
    assert result.other is None and result.other_keys == []


def test_members_count_distinct_people_across_merged_cells():
    # The same three people rounded up in two months: together still 3 people, not 6.
    january, february = Group.of([1, 2, 3], amount=30), Group.of([1, 2, 3], amount=40)
    march = Group.of(range(10, 17), amount=70)
    assert merge([january, february]).people == 3
    result = disclose({"jan": january, "feb": february, "mar": march})
    # Then the small months cannot stand alone: March joins them.
    assert result.rows == []
    assert result.other.people == 10
    assert result.other.values == {"amount": 140}
    assert result.total.people == 10
