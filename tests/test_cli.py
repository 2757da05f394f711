"""The kg command line end to end, as a user runs it (the installed console script)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from extractors.linear import MODELS_DIR

FIXTURES = Path(__file__).parent / "fixtures"
KG = shutil.which("kg") or "kg"
RECORD_KEYS = {"id", "title", "entities", "relations", "claims"}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KG, *args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_extract_writes_one_record_per_paper_in_the_eval_schema(tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    result = run("extract", str(FIXTURES / "papers.jsonl"), str(FIXTURES / "capture.txt"), "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    records = read_jsonl(out)
    assert len(records) == 6  # 3 JSONL papers, 3 distinct capture papers (one duplicate merged)
    for record in records:
        assert RECORD_KEYS <= set(record)
        names = {e["name"] for e in record["entities"]} | {a for e in record["entities"] for a in e["aliases"]}
        for entity in record["entities"]:
            assert entity["type"] in {"Method", "Model", "Dataset", "Task", "Metric"}
            assert entity["key"].startswith(entity["key"].split(":")[0] + ":")
        for relation in record["relations"]:
            assert relation["head"] in names and relation["tail"] in names
        for claim in record["claims"]:
            assert claim["direction"] in {"higher", "lower", "absolute"}
    lantern = next(r for r in records if r["id"] == "2401.00001")
    assert any(c["value"] == "1.75" and c["unit"] == "x" for c in lantern["claims"])
    capture = next(r for r in records if r["title"].startswith("Speculative Decoding: Exploiting"))
    assert {("1.4timessim2times", "x"), ("88.5", "%")} <= {(c["value"], c["unit"]) for c in capture["claims"]}


def test_build_writes_records_and_triples(tmp_path: Path) -> None:
    result = run("build", str(FIXTURES / "papers.jsonl"), "--out", str(tmp_path / "out"), "-q")
    assert result.returncode == 0, result.stderr
    assert len(read_jsonl(tmp_path / "out" / "records.jsonl")) == 3
    triples = read_jsonl(tmp_path / "out" / "triples.jsonl")
    assert {"s", "p", "o", "provenance"} <= set(triples[0])
    assert {t["p"] for t in triples} >= {"title", "mentions", "name", "evaluated_on", "reports", "value"}


def test_broken_records_are_reported_and_the_rest_is_processed(tmp_path: Path) -> None:
    bad = tmp_path / "mixed.jsonl"
    bad.write_bytes((FIXTURES / "papers.jsonl").read_bytes() + b'{"id": "x", "title": "no abstract"}\n\xff\xfe\n')
    result = run("extract", str(bad), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 3  # written, with records skipped
    assert f"{bad}:4: missing field(s) abstract" in result.stderr
    assert f"{bad}:5: invalid UTF-8" in result.stderr
    assert "2 records or files skipped" in result.stderr
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 3


def test_eval_prints_the_report(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "2401.00002", "entities": [
        {"type": "Method", "name": "Masked Token Optimization", "aliases": ["MTO"], "proposed": True}],
        "relations": [], "claims": [{"value": "50", "unit": "%", "metric": "pre-training epochs",
                                     "subject": "Masked Token Optimization", "dataset": None, "baseline": None,
                                     "direction": "lower", "evidence": "reduces the pre-training epochs by 50%"}]})
                    + "\n", encoding="utf-8")
    result = run("eval", "--abstracts", str(FIXTURES / "papers.jsonl"), "--gold", str(gold), "-q")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert {"entities_typed", "type:Method", "relations", "claims", "merge", "overall_f1"} <= set(lines)
    assert lines["claims"][4:7] == ["1", "2", "1"]  # tp, predicted, gold: the paper has the 50% and 83.1% claims
    assert "claim attribute direction" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("extract", "/nonexistent/file.jsonl", "-o", "x.jsonl"), "no readable input"),
    (("extract", str(FIXTURES / "papers.jsonl"), "-o", "x.jsonl", "--model", "no_such_model"),
     "cannot load spaCy model 'no_such_model'"),
    (("eval", "--abstracts", str(FIXTURES / "papers.jsonl"), "--gold", "/nonexistent/gold.jsonl"), "cannot read"),
])
def test_failures_exit_non_zero_with_a_one_line_reason(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("kg: error: ") and message in last


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("kg ")


@pytest.mark.parametrize(("args", "env", "message"), [
    (("build", "--processes", "0"), {}, "argument --processes: takes a whole number from 1 to 64, not '0'"),
    (("build", "--processes", "abc"), {}, "argument --processes: takes a whole number from 1 to 64, not 'abc'"),
    (("build",), {"KG_PROCESSES": "abc"}, "KG_PROCESSES takes a whole number from 1 to 64, not 'abc'"),
    (("build",), {"KG_BATCH_SIZE": "-5"}, "KG_BATCH_SIZE takes a whole number from 1 to 10000, not '-5'"),
    (("build", "--out", str(FIXTURES / "papers.jsonl")), {}, "is a file, not a directory"),
    (("build", "--out", str(FIXTURES)), {}, "holds files but no earlier build"),
    (("build", "--out", "."), {}, "is the working directory or one of its parents"),
    (("build", "--frobnicate"), {}, "unrecognized arguments: --frobnicate"),
    ((), {}, "the following arguments are required: COMMAND"),
    (("query", "most_used_datasets", "--param", "limit"), {}, "--param takes NAME=VALUE, not 'limit'"),
    (("build", "--neo4j-uri", "http://x:7474"), {}, "is not a Bolt URI"),
])
def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], env: dict[str, str],
                                              message: str) -> None:
    started = time.monotonic()
    result = subprocess.run([KG, *args], capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False,
                            env={**os.environ, **env})
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("kg: error: ") and message in result.stderr
    assert time.monotonic() - started < 30  # found before any extraction
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("damage", ["missing", "weights", "config"])
def test_a_missing_or_broken_recognizer_is_one_line_and_exit_2(tmp_path: Path, damage: str) -> None:
    models = tmp_path / "models"
    if damage == "missing":
        models.mkdir()
    else:
        shutil.copytree(MODELS_DIR, models)
        broken = models / "ner" / ("ner/model" if damage == "weights" else "config.cfg")
        broken.write_bytes(b"\x93not what was saved" * 50)
    result = subprocess.run([KG, "extract", str(FIXTURES / "papers.jsonl"), "-o", str(tmp_path / "out.jsonl")],
                            capture_output=True, text=True, timeout=600, check=False,
                            env={**os.environ, "KG_MODELS": str(models)})
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert f"kg's entity recognizer at {models / 'ner'} is missing or unreadable" in result.stderr


def test_a_build_without_any_good_record_keeps_the_previous_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", str(FIXTURES / "papers.jsonl"), "--out", str(out), "-q").returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b'{"id": "x"}\n\xff\n[1]\n')
    result = run("build", str(broken), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("kg: error: no paper could be processed")
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.jsonl", "out"]  # no staging directory left


def test_strict_makes_a_skipped_record_an_error_and_writes_nothing(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes((FIXTURES / "papers.jsonl").read_bytes() + b"[1]\n")
    result = run("build", str(mixed), "--out", str(tmp_path / "out"), "--strict")
    assert result.returncode == 1
    assert f"kg: warning: {mixed}:4: expected a JSON object" in result.stderr
    assert result.stderr.splitlines()[-1] == ("kg: error: 1 records or files skipped and --strict makes that an "
                                              "error; the outputs are left as they were")
    assert not (tmp_path / "out").exists()
    result = run("extract", str(mixed), "-o", str(tmp_path / "records.jsonl"), "--strict", "-q")
    assert result.returncode == 1 and not (tmp_path / "records.jsonl").exists()


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_ctrl_c_stops_a_two_process_build_within_5_seconds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", str(FIXTURES / "papers.jsonl"), "--out", str(out), "-q").returncode == 0
    before = (out / "records.jsonl").read_bytes()
    # A terminal's Ctrl-C sends SIGINT to the whole foreground process group: kg and its workers.
    kg = subprocess.Popen([KG, "build", "--out", str(out), "--processes", "2"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(_children(kg.pid)) < 2 and kg.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = _children(kg.pid)
    assert len(workers) == 2, "the build did not start its two worker processes"
    time.sleep(1.0)  # parsing
    interrupted = time.monotonic()
    os.killpg(kg.pid, signal.SIGINT)
    _, stderr = kg.communicate(timeout=60)
    assert time.monotonic() - interrupted < 5
    assert kg.returncode == 130
    assert stderr.splitlines()[-1] == "kg: interrupted" and "Traceback" not in stderr
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    assert (out / "records.jsonl").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
