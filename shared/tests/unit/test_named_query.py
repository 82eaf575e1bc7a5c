"""NamedQuery: ``:name`` parameters compiled to asyncpg's ``$n``."""

from __future__ import annotations

import pytest

from ocop_shared.db import NamedQuery
from ocop_shared.outbox import OUTBOX_COLUMN_NAMES, OUTBOX_INSERT_NAMED


def test_names_become_numbers_in_order_of_first_use_and_repeat_the_same_number() -> None:
    query = NamedQuery("select :b::int + :a, :b where x = 'a:b' and y::text = :a")
    assert query.sql == "select $1::int + $2, $1 where x = 'a:b' and y::text = $2"
    assert query.args(a=1, b=2) == [2, 1]


def test_casts_are_not_parameters() -> None:
    query = NamedQuery("select now()::date, :day::date")
    assert query.names == ["day"]


@pytest.mark.parametrize("params", [{"a": 1}, {"a": 1, "b": 2, "c": 3}])
def test_a_missing_or_unknown_parameter_is_refused(params: dict[str, int]) -> None:
    with pytest.raises(TypeError, match="query parameters"):
        NamedQuery("select :a, :b").args(**params)


def test_the_outbox_insert_names_exactly_the_outbox_columns() -> None:
    assert NamedQuery(OUTBOX_INSERT_NAMED).names == list(OUTBOX_COLUMN_NAMES)
