"""The replication factor of the topics a process creates is a setting (a cluster's services
must never create single-replica topics when they start before the operator's KafkaTopic)."""

from __future__ import annotations

import pytest

from ocop_shared.kafka import REPLICATION_VARIABLE, replication_factor


def test_one_replica_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REPLICATION_VARIABLE, raising=False)
    assert replication_factor() == 1


def test_the_setting_gives_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REPLICATION_VARIABLE, "3")
    assert replication_factor() == 3


@pytest.mark.parametrize("value", ["0", "-1", "three", "17", "2.5"])
def test_a_bad_setting_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(REPLICATION_VARIABLE, value)
    with pytest.raises(ValueError, match=REPLICATION_VARIABLE):
        replication_factor()
