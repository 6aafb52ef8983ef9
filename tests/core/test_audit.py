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


def _in_threads(targets: list, hold_turn: bool = True) -> list[BaseException]:
    """Run each target in its own thread while the audit's write turn is held, so they all
    queue, then let them go; the errors they raised."""
    import threading
    import time

    from django.db import connections

    from safeguard.core import services

    errors: list[BaseException] = []

    def run(target) -> None:  # noqa: ANN001
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    with services._turn:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(services._queue) < len(targets) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(services._queue) == len(targets), "the writers did not all queue"
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_disclosures_written_together_each_follow_the_one_before() -> None:
    write_entries(2)
    errors = _in_threads([
        lambda i=i: audit(actor=None, action="view", object_type="cases.case",
                          object_id=str(i), case_id=i) for i in range(10, 16)])
    assert not errors, errors
    entries = list(AuditEntry.objects.order_by("id"))
    assert sorted(int(e.object_id) for e in entries[2:]) == list(range(10, 16))
    assert [e.pk for e in entries] == list(range(entries[0].pk, entries[0].pk + 8))
    assert verify_chain().ok


def test_a_batch_that_fails_writes_none_of_it_and_each_writer_is_told(monkeypatch) -> None:
    write_entries(1)
    original = AuditEntry.compute_hash

    def refusing(self: AuditEntry) -> str:
        if self.object_id == "bad":
            raise ValueError("cannot hash this entry")
        return original(self)

    monkeypatch.setattr(AuditEntry, "compute_hash", refusing)
    errors = _in_threads([
        lambda: audit(actor=None, action="view", object_type="cases.case", object_id="bad"),
        lambda: audit(actor=None, action="view", object_type="cases.case", object_id="good"),
    ])
    assert [str(e) for e in errors] == ["cannot hash this entry"] * 2
    assert AuditEntry.objects.count() == 1
    monkeypatch.undo()
    assert verify_chain().ok


def test_an_entry_in_a_transaction_is_rolled_back_with_it() -> None:
    write_entries(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit(actor=None, action="case_update", object_type="cases.case", object_id="1")
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == 1
    assert verify_chain().ok
