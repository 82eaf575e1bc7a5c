"""OCOP_TOPIC_PARTITIONS: one setting for every topic's partition count, or per topic."""

from __future__ import annotations

import pytest

from ocop_shared.topics import (
    CATALOG,
    PLATFORM_PROBES,
    SALES_SALES,
    configured_partitions,
)


def test_unset_every_topic_keeps_the_catalogs_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCOP_TOPIC_PARTITIONS", raising=False)
    assert SALES_SALES.partitions == 12
    assert all(t.partitions == t.default_partitions for t in CATALOG.values())


def test_one_count_for_every_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCOP_TOPIC_PARTITIONS", "24")
    assert {t.partitions for t in CATALOG.values()} == {24}


def test_counts_per_topic_leave_the_others_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCOP_TOPIC_PARTITIONS", "sales.sales=48, platform.probes=2")
    assert SALES_SALES.partitions == 48
    assert PLATFORM_PROBES.partitions == 2
    assert (
        CATALOG["registration.fairs"].partitions == CATALOG["registration.fairs"].default_partitions
    )


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("0", "'0'"),
        ("many", "'many'"),
        ("-3", "'-3'"),
        ("sales.sale=12", "'sales.sale'"),
        ("sales.sales=", "''"),
    ],
)
def test_a_bad_value_is_refused_naming_it(value: str, named: str) -> None:
    with pytest.raises(ValueError, match="OCOP_TOPIC_PARTITIONS") as refused:
        configured_partitions(value)
    assert named in str(refused.value)
