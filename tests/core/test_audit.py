"""The audit trail: append-only in the database, and any change to it found and named by
``safeguard audit verify`` — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from safeguard.cli import main
from safeguard.core.audit import chain_head, verify_chain
from safeguard.core.models import AuditEntry
from safeguard.core.services import audit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db]


def write_entries(n: int = 5) -> list[AuditEntry]:
    return [audit(actor=None, action="view", object_type="cases.case", object_id=str(i),
                  case_id=i) for i in range(1, n + 1)]


def without_guard(sql: str, params: list[object]) -> None:
    """Change the table as someone with the database owner's rights could."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            cursor.execute("DROP TRIGGER core_auditentry_no_delete")
        else:
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def test_a_whole_chain_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    write_entries()
    assert verify_chain().ok
    assert main(["audit", "verify"]) == 0
    assert "5 entries checked" in capsys.readouterr().out


@pytest.mark.parametrize("statement", ["UPDATE core_auditentry SET reason = 'x'",
                                       "DELETE FROM core_auditentry"])
def test_the_database_refuses_changes(statement: str) -> None:
    write_entries(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.count() == 2


def test_the_orm_cannot_update_or_delete_either() -> None:
    entry = write_entries(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="covering tracks")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()


def test_an_altered_entry_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    entries = write_entries()
    target = entries[2]
    without_guard("UPDATE core_auditentry SET object_id = %s WHERE id = %s", ["999", target.pk])
    verdict = verify_chain()
    assert not verdict.ok and verdict.first_bad_id == target.pk and verdict.checked == 2
    assert main(["audit", "verify"]) == 1
    assert f"entry {target.pk} was altered" in capsys.readouterr().err


def test_a_deleted_entry_is_found_at_the_gap(capsys: pytest.CaptureFixture[str]) -> None:
    entries = write_entries()
    without_guard("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    verdict = verify_chain()
    assert not verdict.ok and verdict.first_bad_id == entries[2].pk
    assert main(["audit", "verify"]) == 1
    assert f"no entries with ids {entries[1].pk} to {entries[1].pk}" in capsys.readouterr().err


def test_removing_the_newest_entries_is_caught_by_the_head_kept_outside(tmp_path: Path) -> None:
    entries = write_entries()
    head_file = tmp_path / "head.json"
    assert main(["audit", "head", "--output", str(head_file)]) == 0
    assert json.loads(head_file.read_text())["id"] == entries[-1].pk
    without_guard("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])
    assert verify_chain().ok  # a shorter chain is still whole …
    verdict = verify_chain(head=json.loads(head_file.read_text()))
    assert not verdict.ok and verdict.first_bad_id == entries[-1].pk  # … but not the one kept
    assert main(["audit", "verify", "--head", str(head_file)]) == 1


def test_a_rewritten_chain_does_not_match_the_head_kept_outside() -> None:
    entries = write_entries(3)
    head = chain_head()
    # Someone alters the last entry and recomputes its hash to hide it.
    last = AuditEntry.objects.get(pk=entries[-1].pk)
    last.reason = "rewritten"
    without_guard("UPDATE core_auditentry SET reason = %s, hash = %s WHERE id = %s",
                  ["rewritten", last.compute_hash(), last.pk])
    assert verify_chain().ok
    assert verify_chain(head=head).first_bad_id == last.pk
