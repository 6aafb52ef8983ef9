"""Reads whose SQL is built once (safeguard.core.compiled) give what the querysets they were
built from give, for any arguments, on SQLite and PostgreSQL; and the pages' reads built
this way agree with the plain querysets of the access policy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from safeguard.agencies.models import Agency
from safeguard.cases.models import Case, Obligation
from safeguard.cases.policy import cases_visible_to
from safeguard.cases.selectors import (
    _due_obligations,
    _due_rows,
    _work_items,
    case_obligations,
)
from safeguard.core.compiled import CompiledRead, CompiledRecords
from safeguard.core.dates import today
from safeguard.demo.areas import build_area
from safeguard.referrals.models import Referral
from safeguard.referrals.selectors import _queue_rows
from safeguard.referrals.services import referral_create, referral_decide

pytestmark = [pytest.mark.django_db, pytest.mark.db]


@pytest.fixture(autouse=True)
def clock():
    # Tuesday 24 November 2026.
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


def referral(north, name: str, received_on: date, by: str = "school_dsl") -> Referral:
    return referral_create(actor=north[by].user, received_on=received_on, source="2A",
                           concerns="Bruises", child={"given_name": name, "family_name": "Turner",
                                                      "date_of_birth": date(2015, 3, 14)})


def test_rows_are_the_querysets_for_any_id(north) -> None:
    first = referral(north, "Ava", date(2026, 11, 23))
    second = referral(north, "Ben", date(2026, 11, 20))
    referral_decide(actor=north["front_door"].user, referral_id=second.pk,
                    decided_on=date(2026, 11, 20), outcome="assessment", reasons="Seen")

    def build(pk: int):
        return (Obligation.objects.filter(case_id=pk).order_by("position")
                .values_list("duty", "due", "open", "case__reference"))

    read = CompiledRead(build)
    for case in (first.case, second.case):
        assert read.rows(case.pk) == list(build(case.pk))
        assert read.rows(case.pk)  # each case has its duties: the comparison means something
    assert read.rows(10**9) == []


def test_a_read_of_many_rows_gives_them_as_the_driver_would_in_their_order(north) -> None:
    """``many``: SQLite sends the rows as one JSON document (one step of its driver, not one
    a row); read back, they are the queryset's: dates, booleans, nulls, text, in order."""
    made = [referral(north, name, date(2026, 11, day))
            for name, day in (("Ava", 23), ("Ben", 20), ("Cal", 2))]
    referral_decide(actor=north["front_door"].user, referral_id=made[1].pk,
                    decided_on=date(2026, 11, 20), outcome="assessment", reasons="Seen")
    la = north["front_door"].agency_id

    def build(la_id: int):
        return (Obligation.objects.filter(case__local_authority_id=la_id)
                .order_by("-due", "case_id", "-position")
                .values_list("id", "duty", "due", "open", "met_on", "case__reference",
                             "case__child__given_name"))

    many, one_by_one = CompiledRead(build, many=True), CompiledRead(build)
    expected = list(build(la))
    assert len(expected) >= 4 and {row[3] for row in expected} == {True, False}
    assert {row[4] is None for row in expected} == {True, False}  # some met, some not
    assert many.rows(la) == one_by_one.rows(la) == expected
    assert [type(v) for v in many.rows(la)[0]] == [type(v) for v in expected[0]]
    assert many.rows(10**9) == []
    records = CompiledRecords(Referral, ("case_id", "received_on"),
                              lambda la_id: Referral.objects.filter(
                                  case__local_authority_id=la_id).order_by("received_on"),
                              related={"case": ("reference",)}, many=True)
    assert [(r.pk, r.received_on, r.case.reference) for r in records.records(la)] == [
        (m.pk, m.received_on, m.case.reference)
        for m in sorted(made, key=lambda m: m.received_on)]


def test_dates_and_moments_stand_in_as_well_as_ids(north) -> None:
    referral(north, "Ava", date(2026, 11, 23))
    referral(north, "Ben", date(2026, 11, 10))

    def build(la_id: int, after: date, before):
        return (Referral.objects.filter(case__local_authority_id=la_id, received_on__gte=after,
                                        created_at__lt=before)
                .order_by("received_on").values_list("received_on", "case__reference"))

    read = CompiledRead(build, kinds=("id", "date", "datetime"))
    la = north["front_door"].agency_id
    now = timezone.now()
    for after in (date(2026, 11, 1), date(2026, 11, 15), date(2026, 12, 1)):
        for before in (now + timedelta(seconds=1), now - timedelta(days=1)):
            assert read.rows(la, after, before) == list(build(la, after, before))
    assert len(read.rows(la, date(2026, 11, 1), now + timedelta(seconds=1))) == 2


def test_a_build_that_leaves_an_argument_out_is_refused() -> None:
    read = CompiledRead(lambda pk: Case.objects.values_list("pk"))
    with pytest.raises(ValueError, match="every argument"):
        read.rows(1)


def test_records_are_part_loaded_with_their_related_records(north) -> None:
    made = referral(north, "Ava", date(2026, 11, 23))
    read = CompiledRecords(
        Referral, ("case_id", "received_on", "referrer_agency_id"),
        lambda pk: Referral.objects.filter(case_id=pk),
        related={"case": ("reference", "child_id"), "case__child": ("given_name",),
                 "referrer_agency": ("name",)})
    [record] = read.records(made.case_id)
    assert isinstance(record, Referral) and record.pk == made.pk
    assert record.received_on == date(2026, 11, 23)
    assert record.case.reference == made.case.reference
    assert record.case.child.given_name == "Ava"
    assert record.referrer_agency.name == Agency.objects.get(pk=made.referrer_agency_id).name
    # The row's columns: the referral's id, case, received, agency (in the model's order);
    # the case's id, reference, child; the child's id and name.
    assert read.index("case__child__given_name") == 8
    assert read.rows(made.case_id)[0][read.index("received_on")] == date(2026, 11, 23)
    # A field not loaded is read when asked for, as with .only().
    assert record.concerns == "Bruises"


def test_the_pages_compiled_reads_agree_with_the_policys_querysets(north) -> None:
    ava = referral(north, "Ava", date(2026, 11, 23))
    ben = referral(north, "Ben", date(2026, 11, 16))
    referral_decide(actor=north["front_door"].user, referral_id=ben.pk,
                    decided_on=date(2026, 11, 16), outcome="assessment", reasons="Seen")
    Case.objects.filter(pk__in=[ava.case_id, ben.case_id]).update(
        allocated_worker=north["social_worker"], team=north["social_worker"].team)
    # The front door queue: the referral awaiting its decision, due the next working day.
    rows = _queue_rows(north["front_door"].user)
    assert [(row[0], due) for row, due, _status, _late in rows] == [(ava.pk, date(2026, 11, 24))]
    # The work lists: the duties the plain queryset finds, for the worker and the team.
    for user, scope in ((north["social_worker"].user, "mine"), (north["manager"].user, "team")):
        found, item_of = _due_rows(user, scope, 7)
        expected = list(_due_obligations(user, scope, 7).values_list("pk", "due"))
        items = [item_of(row, today()) for row, _due, _worker in found]
        assert [(item.obligation_id, due) for item, (_row, due, _w) in zip(items, found,
                                                                             strict=True)
                ] == expected
        assert expected, scope
        assert items[0].child_name in ("Ava Turner", "Ben Turner")
        assert items[0].worker_name == north["social_worker"].name
        # Each item as made from the records of the plain queryset, field by field.
        assert items == _work_items(_due_obligations(user, scope, 7), today())
    # The case's duties as the page shows them.
    visible = cases_visible_to(north["manager"].user).get(pk=ben.case_id)
    assert [o.duty for o in case_obligations(visible)] == list(
        Obligation.objects.filter(case_id=ben.case_id).order_by("position")
        .values_list("duty", flat=True))


def test_a_batch_gives_each_part_its_rows_typed_and_in_its_order(north) -> None:
    from safeguard.core.compiled import CompiledBatch

    ava = referral(north, "Ava", date(2026, 11, 23))
    referral(north, "Ava", date(2026, 11, 9))  # the same child: a re-referral, the same case
    batch = CompiledBatch({
        "referrals": (lambda pk: Referral.objects.filter(case_id=pk).values_list(
            "id", "received_on", "awaiting_decision", "source"),
            ("int", "date", "bool", "text"), lambda row: (-row[1].toordinal(), row[0])),
        "duties": (lambda pk: Obligation.objects.filter(case_id=pk).values_list("id", "due"),
                   ("int", "date"), lambda row: row[0]),
        "none": (lambda pk: Case.objects.filter(pk=pk, closed_on__isnull=False)
                 .values_list("id"), ("int",), lambda row: row[0]),
    })
    found = batch.rows(ava.case_id)
    assert found["referrals"] == list(
        Referral.objects.filter(case_id=ava.case_id).order_by("-received_on", "id")
        .values_list("id", "received_on", "awaiting_decision", "source"))
    assert [r[1] for r in found["referrals"]] == [date(2026, 11, 23), date(2026, 11, 9)]
    assert found["duties"] == list(Obligation.objects.filter(case_id=ava.case_id)
                                   .order_by("id").values_list("id", "due"))
    assert found["duties"] and found["none"] == []


def test_an_id_too_large_to_store_names_no_record() -> None:
    read = CompiledRead(lambda pk: Case.objects.filter(pk=pk).values_list("pk"))
    assert read.rows(2**63) == [] and read.rows(-(2**63) - 1) == []
    assert read.rows(2**63 - 1) == []


def test_reads_made_ahead_are_given_from_one_statement_and_no_more(north) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeguard.cases.selectors import case_page_reads, chronology, family_of
    from safeguard.core.compiled import reading_ahead

    ava = referral(north, "Ava", date(2026, 11, 23))
    ben = referral(north, "Ben", date(2026, 11, 16))
    case = cases_visible_to(north["manager"].user).get(pk=ava.case_id)
    other = cases_visible_to(north["manager"].user).get(pk=ben.case_id)
    reads = case_page_reads(north["manager"].user, case, timezone.now())
    plain = [read.compiled_read.rows(*arguments) for read, arguments in reads]
    assert any(plain)
    with CaptureQueriesContext(connection) as inside, reading_ahead(reads):
        ahead = [read.compiled_read.rows(*arguments) for read, arguments in reads]
        assert chronology(case) and family_of(north["manager"].user, case) is not None
        assert case_obligations(other)  # not made ahead: read as usual
    with CaptureQueriesContext(connection) as outside:
        after = [read.compiled_read.rows(*arguments) for read, arguments in reads]
    assert ahead == plain == after
    each = {q["sql"] for q in outside.captured_queries}
    assert len(each) == len(reads)  # outside the block, each read is a statement
    made = [q["sql"] for q in inside.captured_queries]
    # Inside: one statement for them all, and none of theirs again (the other case's
    # duties, with other arguments, are read as usual), on SQLite and PostgreSQL alike.
    one = {"sqlite": "SELECT (WITH rows_of", "postgresql": "SELECT (SELECT COALESCE(json_agg"}
    assert sum(sql.startswith(one[connection.vendor]) for sql in made) == 1
    assert not each & set(made)
    assert any(sql.startswith('SELECT "cases_obligation"') for sql in made)


def test_read_ahead_columns_come_back_as_the_driver_gives_them(north) -> None:
    """Dates, moments (with their time zone), booleans, ids and text read ahead as JSON
    are what the read made on its own gives; a read with a column JSON cannot carry as
    the driver would (a JSON field, here) is made on its own inside the block, not ahead."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeguard.assessments.models import Assessment
    from safeguard.assessments.services import assessment_start, assessment_update
    from safeguard.core.compiled import reading_ahead

    ava = referral(north, "Ava", date(2026, 11, 23))
    referral_decide(actor=north["front_door"].user, referral_id=ava.pk,
                    decided_on=date(2026, 11, 23), outcome="assessment", reasons="Seen")
    started = assessment_start(actor=north["manager"].user, case_id=ava.case_id,
                               referral_id=ava.pk, kind="s17", started_on=date(2026, 11, 24))
    assessment_update(actor=north["manager"].user, assessment_id=started.pk,
                      factors=["4B", "2A"])
    typed = CompiledRead(lambda pk: Case.objects.filter(pk=pk).values_list(
        "pk", "reference", "opened_on", "created_at", "restricted", "child_id",
        "closed_on"))
    factors = CompiledRead(lambda pk: Assessment.objects.filter(case_id=pk)
                           .values_list("pk", "factors"))
    plain = typed.rows(ava.case_id)
    plain_factors = factors.rows(ava.case_id)
    assert plain and plain[0][6] is None and len(plain_factors) == 1
    # psycopg gives moments with their zone; SQLite's driver as stored (UTC, no zone).
    assert (plain[0][3].tzinfo is not None) == (connection.vendor == "postgresql")
    with CaptureQueriesContext(connection) as inside, \
            reading_ahead([(typed, (ava.case_id,)), (factors, (ava.case_id,))]):
        ahead = typed.rows(ava.case_id)
        factors_inside = factors.rows(ava.case_id)
    assert ahead == plain and factors_inside == plain_factors
    assert [type(v) for v in ahead[0]] == [type(v) for v in plain[0]]
    assert ahead[0][3].utcoffset() == plain[0][3].utcoffset()
    made = [q["sql"] for q in inside.captured_queries]
    one = {"sqlite": "SELECT (WITH rows_of", "postgresql": "SELECT (SELECT COALESCE(json_agg"}
    assert made[0].startswith(one[connection.vendor])  # the typed columns, read ahead
    if connection.vendor == "postgresql":
        assert len(made) == 2  # then the JSON field's read, on its own
        assert made[1].startswith('SELECT "assessments_assessment"')
    else:  # SQLite reads JSON fields ahead too: they are text to its driver
        assert len(made) == 1
