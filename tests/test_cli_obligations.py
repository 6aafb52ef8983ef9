"""``safeguard obligations``: files, several files, standard input, .jsonl, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from safeguard.cli import main

LATE = {"events": [{"type": "referral_received", "date": "2026-08-28"},
                   {"type": "referral_decision", "date": "2026-09-02", "outcome": "assessment"}]}
ALLEGATION = {"events": [{"type": "allegation_known", "date": "2026-12-24"},
                         {"type": "designated_officer_informed", "date": "2026-12-29"}]}


def write(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value))
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["obligations", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, write(tmp_path / "t.json", LATE), "--as-of", "2026-11-23")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert [(o["duty"], o["status"], o["working_days_late"]) for o in doc["obligations"]] == [
        ("referral.decision", "late", 1), ("assessment.complete", "overdue", 15)]


def test_several_files_print_one_line_each_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.json", ALLEGATION)
    b = write(tmp_path / "b.json", LATE)
    code, out, _ = run(capsys, a, b, "--as-of", "2027-01-04")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert json.loads(lines[0])["obligations"][0]["duty"] == "allegation.inform-do"
    assert json.loads(lines[1])["obligations"][0]["duty"] == "referral.decision"


def test_jsonl_gives_one_line_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "caseload.jsonl"
    path.write_text("\n".join(json.dumps(t) for t in (LATE, ALLEGATION, LATE)) + "\n")
    code, out, _ = run(capsys, str(path), "--as-of", "2027-01-04")
    assert code == 0
    docs = [json.loads(line) for line in out.splitlines()]
    assert [d["obligations"][0]["duty"] for d in docs] == [
        "referral.decision", "allegation.inform-do", "referral.decision"]


def test_as_of_defaults_to_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import time_machine

    with time_machine.travel("2026-09-01 12:00:00+01:00", tick=False):
        code, out, _ = run(capsys, write(tmp_path / "t.json", {"events": [LATE["events"][0]]}))
    assert code == 0
    assert json.loads(out)["obligations"][0]["status"] == "due"


def test_standard_input_through_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "safeguard.cli", "obligations", "-", "--as-of", "2026-11-23"],
        input=json.dumps(LATE), capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["obligations"][1]["status"] == "overdue"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("not JSON", "{not json", ["t.json", "not valid JSON", "line 1, column 2"]),
        ("unknown type", json.dumps({"events": [{"type": "nope", "date": "2026-01-01"}]}),
         ["t.json", "event 0", "'type'", "nope"]),
        ("missing field", json.dumps({"events": [{"type": "initial_conference",
                                                  "date": "2026-01-01"}]}),
         ["t.json", "event 0 (initial_conference)", "'plan'", "missing"]),
        ("bad date", json.dumps({"events": [{"type": "referral_received", "date": "2026-1-1"}]}),
         ["t.json", "event 0 (referral_received)", "'date'", "YYYY-MM-DD"]),
        ("wrong type", json.dumps({"events": [{"type": "strategy_discussion",
                                               "date": "2026-01-01", "s47": "true"}]}),
         ["t.json", "event 0 (strategy_discussion)", "'s47'", "true or false"]),
        ("NaN is not JSON", '{"events": [], "x": NaN}', ["t.json", "not valid JSON"]),
    ],
)
def test_bad_input_prints_nothing_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str,
    expected: list[str],
) -> None:
    path = tmp_path / "t.json"
    path.write_text(content)
    code, out, err = run(capsys, str(path), "--as-of", "2026-11-23")
    assert code != 0, name
    assert out == ""
    for words in expected:
        assert words in err, (name, words, err)


def test_a_bad_line_in_jsonl_names_the_line_and_nothing_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "caseload.jsonl"
    bad = {"events": [LATE["events"][0], {"type": "referral_decision", "date": "2026-09-02"}]}
    path.write_text("\n".join(json.dumps(t) for t in (LATE, ALLEGATION, bad, LATE)) + "\n")
    code, out, err = run(capsys, str(path), "--as-of", "2026-11-23")
    assert code == 1 and out == ""
    assert "caseload.jsonl line 3: event 1 (referral_decision), field 'outcome'" in err


def test_an_empty_line_in_jsonl_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "caseload.jsonl"
    path.write_text(json.dumps(LATE) + "\n\n" + json.dumps(LATE) + "\n")
    code, out, err = run(capsys, str(path), "--as-of", "2026-11-23")
    assert code == 1 and out == "" and "line 2" in err


def test_one_bad_file_among_several_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "good.json", LATE)
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    code, out, err = run(capsys, good, str(bad), "--as-of", "2026-11-23")
    assert code == 1 and out == "" and "bad.json" in err


def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(tmp_path / "absent.json"))
    assert code == 1 and out == "" and "absent.json: no such file" in err


@pytest.mark.parametrize("value", ["2026-02-30", "23/11/2026", "2026-11-23T00:00", "today"])
def test_a_bad_as_of_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["obligations", write(tmp_path / "t.json", LATE), "--as-of", value])
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "--as-of" in err


def test_the_installed_command_runs() -> None:
    exe = Path(sys.executable).with_name("safeguard")
    if not exe.exists():
        pytest.skip("the console script is not installed in this environment")
    result = subprocess.run([str(exe), "obligations", "--help"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and "--as-of" in result.stdout


def test_a_long_jsonl_is_shared_between_processes_with_the_same_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import safeguard.cli as cli

    path = tmp_path / "caseload.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in [LATE, ALLEGATION] * 30))
    code, serial, _ = run(capsys, str(path), "--as-of", "2027-01-04")
    assert code == 0
    monkeypatch.setattr(cli, "PARALLEL_FROM", 10)
    monkeypatch.setattr(cli, "CHUNK", 7)
    code, parallel, _ = run(capsys, str(path), "--as-of", "2027-01-04")
    assert code == 0 and parallel == serial and len(parallel.splitlines()) == 60
    bad = [LATE] * 40 + [{"events": [{"type": "nope", "date": "2026-01-01"}]}] + [LATE] * 5
    path.write_text("".join(json.dumps(t) + "\n" for t in bad))
    code, out, err = run(capsys, str(path), "--as-of", "2027-01-04")
    assert code == 1 and out == "" and "caseload.jsonl line 41: event 0" in err


def test_an_empty_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.json"
    path.write_text("  \n")
    code, out, err = run(capsys, str(path))
    assert code == 1 and out == "" and "t.json: empty" in err
