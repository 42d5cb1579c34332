"""The command line: exit codes, exact columns, carried-through fields, help everywhere."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from commentcare.cli import build_parser, main
from conftest import ROOT

ROWS = [
    {
        "id": "c1",
        "text": "Thank you, this guide fixed my wifi problem!",
        "author": "Lee",
        "my_field": "keep me",
    },
    {
        "id": "c2",
        "text": "Cheap pills online at pills-now.biz, order today!",
        "author": "Pharma Deals",
        "my_field": "x",
    },
    {
        "id": "c3",
        "text": "I paid for the ebook on May 3 and never got the download link. Order #88812.",
        "author": "Ana",
    },
]


def write_csv(path, rows):
    fields = ["id", "text", "author", "my_field"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow(r)


def test_classify_csv_to_csv(tmp_path, capsys):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ROWS)
    assert main(["classify", str(src), "-o", str(out)]) == 0
    with open(out, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["c1", "c2", "c3"]
    for col in ("id", "label", "confidence", "spam", "rant", "praise", "complaint"):
        assert col in rows[0]
    assert rows[0]["my_field"] == "keep me"
    assert [r["label"] for r in rows] == ["praise", "spam", "complaint"]
    assert "3 classified" in capsys.readouterr().err


def test_classify_jsonl_with_replies(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    assert main(["classify", str(src), "-o", str(out), "--replies"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3
    for r in rows:
        assert {"action", "priority", "respond_by", "reply"} <= set(r)
    assert rows[1]["action"] == "remove" and rows[1]["reply"] == ""
    assert "Ana" in rows[2]["reply"]


def test_stdin_to_stdout():
    data = "text\nGreat post!\n"
    proc = subprocess.run(
        [sys.executable, "-m", "commentcare", "classify", "-", "-o", "-"],
        input=data,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 1 and rows[0]["label"] == "praise"


def test_bad_input_exits_2_naming_file_and_record(tmp_path, capsys):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"text": "fine"}\n{oops\n', encoding="utf-8")
    assert main(["classify", str(src), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.jsonl:2" in err[0]
    assert not (tmp_path / "o.csv").exists()  # no half-written output that looks complete


def test_errors_file_keeps_every_record_accounted_for(tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text(
        '{"text": "thanks!"}\n[1,2]\n{"text": ""}\n{"text": "refund please, order 12"}\n', encoding="utf-8"
    )
    out, errs = tmp_path / "o.jsonl", tmp_path / "e.jsonl"
    assert main(["classify", str(src), "-o", str(out), "--errors", str(errs)]) == 0
    assert len(out.read_text().splitlines()) == 2
    err_rows = [json.loads(x) for x in errs.read_text().splitlines()]
    assert [e["record"] for e in err_rows] == [2, 3]


def test_missing_file_and_bad_usage_exit_2(tmp_path, capsys):
    assert main(["classify", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err
    assert main(["classify"]) == 2
    assert main(["no-such-command"]) == 2


def test_review_prints_the_review(capsys):
    assert (
        main(
            [
                "review",
                "My order never arrived and I was charged twice",
                "--author",
                "Dana",
                "--post",
                "Spring sale",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "label:      complaint" in out and "approve_and_reply" in out and "Dana" in out


def test_info_and_evaluate_labelled(tmp_path, capsys):
    assert main(["info"]) == 0
    assert "classes: spam, rant, praise, complaint" in capsys.readouterr().out
    lab = tmp_path / "lab.csv"
    lab.write_text("text,label\nThanks a lot!,praise\nbuy pills at x-pills.biz,spam\n", encoding="utf-8")
    assert main(["evaluate", str(lab)]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "confusion" in out


def _all_parsers(parser):
    yield parser
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for sub in action.choices.values():
                yield from _all_parsers(sub)


def test_every_command_and_option_has_help():
    parser = build_parser()
    for p in _all_parsers(parser):
        for action in p._actions:
            if (
                action.dest in ("help", "command", "version")
                or action.__class__.__name__ == "_SubParsersAction"
            ):
                continue
            assert action.help, f"{p.prog}: {action.dest} has no help"
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for choice in sub._choices_actions:
        assert choice.help, choice.dest


@pytest.mark.parametrize(
    "cmd", [["--help"], ["classify", "--help"], ["review", "--help"], ["train", "--help"]]
)
def test_help_exits_0(cmd):
    assert main(cmd) == 0


def test_train_names_a_missing_file_and_says_where_the_data_comes_from(tmp_path, capsys):
    missing = tmp_path / "rows.jsonl"
    assert main(["train", "--corpus", str(ROOT / "corpus" / "corpus.jsonl"), "--public", str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "scripts/public_data.py map" in err


def test_evaluate_the_dev_split_of_a_labelled_file(tmp_path, capsys):
    lab = tmp_path / "lab.csv"
    rows = [("Great post, thank you!", "praise"), ("My order never arrived", "complaint")] * 20
    lab.write_text(
        "text,label\n" + "".join(f'"{t} {i}",{y}\n' for i, (t, y) in enumerate(rows)), encoding="utf-8"
    )
    assert main(["evaluate", str(lab), "--dev-split", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 0 < out["labelled"]["n"] < len(rows)


def test_staff_comments_get_no_draft_and_a_blank_comment_is_an_error(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(
        "id,author,author_email,text\n"
        "1,Dana,dana@x.test,My order #12 arrived broken\n"
        "2,Kirsty,k@site.test,Sorry Dana - a new one is on its way\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert main(["classify", str(src), "-o", str(out), "--replies", "--staff", "K@site.test"]) == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert rows["2"]["action"] == "approve" and rows["2"]["reply"] == ""
    assert rows["1"]["action"] == "approve_and_reply" and rows["1"]["reply"]
    capsys.readouterr()
    assert main(["review", "   "]) != 0
    err = capsys.readouterr().err
    assert "empty" in err and "Traceback" not in err
