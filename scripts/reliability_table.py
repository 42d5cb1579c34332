"""Run the reliability tests and write the table in docs/reliability.md from their actual results.

    python scripts/reliability_table.py

Each row names an input tried or a fault injected, what must happen, and the outcome of the tests
that check it in this run (passed/failed/skipped, with their count and time).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"

ROWS: list[tuple[str, str, str]] = [
    # (test id prefix, input or fault, what must happen)
    (
        "tests/test_readers.py::test_dtds_and_entities_are_refused_quickly",
        "XML with a DTD, entity expansion (billion laughs), external entities (WXR, Disqus)",
        "refused at once with one InputError naming file and line; bounded memory",
    ),
    (
        "tests/test_readers.py::test_truncated_xml",
        "truncated XML export",
        "every complete comment read, then one error naming the line",
    ),
    ("tests/test_readers.py::test_invalid_utf8_in_xml", "invalid UTF-8 in XML", "InputError naming the line"),
    (
        "tests/test_readers.py::test_xml_declaring_a_wrong_encoding",
        "XML declaring an unknown encoding",
        "InputError, never LookupError",
    ),
    ("tests/test_readers.py::test_nul_byte_in_xml", "NUL byte in XML", "InputError naming the line"),
    (
        "tests/test_readers.py::test_empty_file",
        "empty and blank files",
        "no comments; XML formats report one error",
    ),
    (
        "tests/test_readers.py::test_csv_ragged_rows",
        "CSV with ragged rows",
        "each ragged row reported, the rest read",
    ),
    ("tests/test_readers.py::test_csv_nul_bytes", "CSV with NUL bytes", "only that record rejected"),
    (
        "tests/test_readers.py::test_csv_invalid_utf8",
        "CSV with invalid UTF-8",
        "only that record rejected, reading goes on",
    ),
    (
        "tests/test_readers.py::test_jsonl_invalid_utf8_and_nul",
        "JSONL with invalid UTF-8 and NUL",
        "reported per line, reading goes on",
    ),
    (
        "tests/test_readers.py::test_jsonl_bad_lines",
        "JSONL lines that are not objects or not JSON",
        "reported per line, reading goes on",
    ),
    (
        "tests/test_readers.py::test_a_ten_megabyte_comment",
        "a 10 MB single comment (CSV, JSONL, WXR)",
        "read and classified in bounded time",
    ),
    (
        "tests/test_readers.py::test_random_bytes_never_raise",
        "random bytes as every format (hypothesis)",
        "only CommentCareError subclasses escape",
    ),
    (
        "tests/test_readers.py::test_mutated_exports_never_raise",
        "random mutations of valid exports (hypothesis)",
        "only CommentCareError subclasses escape",
    ),
    (
        "tests/test_medium.py",
        "Medium archives and saved pages, well-formed and malformed (zip tricks, unknown structure)",
        "comments or an InputError naming the file",
    ),
    (
        "tests/test_api.py::test_odd_text_never_fails",
        "odd comment text (empty, controls, 200k chars, emoji, bidi)",
        "classified, never an exception",
    ),
    (
        "tests/test_batch.py::test_every_record_is_a_row_or_an_error",
        "3,000 records, every 7th broken",
        "one output row or one error record per input",
    ),
    (
        "tests/test_batch.py::test_an_interrupted_run_resumes",
        "a run crashed midway, a torn last line left behind",
        "--resume yields exactly one row per comment, in order",
    ),
    (
        "tests/test_batch.py::test_a_bad_record_without_an_errors_file",
        "a bad record and no --errors file",
        "run stops naming file:record; no output that looks complete",
    ),
    (
        "tests/test_store.py::test_a_tampered_model_is_refused",
        "a model file changed after its card was written",
        "refused before unpickling (SHA-256)",
    ),
    (
        "tests/test_store.py::test_a_model_from_outside_needs_trust",
        "a model from outside the package",
        "refused unless trusted=True / --trust-model",
    ),
    (
        "tests/test_store.py::test_a_model_from_another_scikit_learn",
        "a model written by another scikit-learn",
        "refused with how to retrain",
    ),
    (
        "tests/test_replies.py::test_comment_supplied_values_are_escaped",
        "author names and post titles carrying HTML and template syntax",
        "inert in text, escaped in HTML",
    ),
    (
        "tests/test_replies.py::test_values_are_never_formatted_twice",
        "values that look like placeholders",
        "never expanded",
    ),
    (
        "tests/test_report.py::test_everything_from_comments_is_escaped",
        "hostile comment in the HTML report",
        "escaped; no script, no javascript: link",
    ),
    (
        "tests/test_wordpress_faults.py::test_429_and_500",
        "HTTP 429 and 500 from WordPress",
        "retried with backoff",
    ),
    ("tests/test_wordpress_faults.py::test_reset_connections", "reset connections", "retried"),
    ("tests/test_wordpress_faults.py::test_a_slow_answer", "timeouts", "retried, then SiteUnavailableError"),
    (
        "tests/test_wordpress_faults.py::test_a_reply_whose_answer_was_lost",
        "a reply POST whose answer was lost",
        "not posted twice",
    ),
    (
        "tests/test_wordpress_faults.py::test_wrong_password_and_missing_rights",
        "wrong Application Password, missing rights",
        "AuthenticationError, one clear line",
    ),
    (
        "tests/test_wordpress_faults.py::test_the_password_never_shows",
        "the Application Password",
        "never in logs, reprs, exceptions or the audit log",
    ),
    (
        "tests/wordpress/test_wordpress_runner.py::test_a_run_killed_midway",
        "a moderation run killed at each write (real WordPress)",
        "a second run ends in the same state, no duplicate reply",
    ),
    (
        "tests/test_hostile.py::test_csv_line_quotes_under_any_terminator",
        "a field holding a bare CR, LF, quote or comma, under LF, CRLF and CR terminators",
        "one record read back, every cell as written",
    ),
    (
        "tests/test_hostile.py::test_csv_line_always_reads_back_as_one_record",
        "any text in any CSV cell (hypothesis)",
        "one record read back; no cell a spreadsheet runs",
    ),
    (
        "tests/test_hostile.py::test_forged_rows_and_formulas_read_back_clean",
        "'Buy pills\\rFORGED-ID' and =HYPERLINK / =cmd / + - @ cells through `classify -o out.csv`",
        "no forged row; formulas prefixed with '; plain numbers kept",
    ),
    (
        "tests/test_hostile.py::test_the_worksheet_reads_back_clean",
        "the same texts in the Medium worksheet (CSV and HTML)",
        "no forged row, no formula, no live HTML",
    ),
    (
        "tests/test_hostile.py::test_run_killers_become_error_records",
        "JSON nested 1,000 deep, created_at 1e300, a lone surrogate, WXR and Disqus declaring shift_jis",
        "exit 0; one error record naming file and record; the good comments classified",
    ),
    (
        "tests/test_hostile.py::test_a_lone_surrogate_never_reaches_a_writer",
        "lone surrogates in other fields and nested values",
        "error records, never an encoding crash",
    ),
    (
        "tests/test_hostile.py::test_every_reader_and_writer_classifies_or_reports",
        "hostile records (deep nesting, huge numbers, surrogates, NULs, giant fields, multi-byte and unknown encodings) in every format (hypothesis)",
        "every record a comment or an error; only CommentCareError escapes; both writers take every comment",
    ),
    (
        "tests/test_hostile.py::test_classify_file_accounts_for_every_record",
        "the same hostile records through a whole run (hypothesis)",
        "total = classified + errors; one row or one error record each",
    ),
    (
        "tests/test_hostile.py::test_an_unclosed_quote_is_reported_where_it_opened",
        "a CSV quote that never closes",
        "reported at the line it opened; the records after it read",
    ),
    (
        "tests/test_hostile.py::test_resume_refuses_another_input_or_other_options",
        "--resume with another input file or other options",
        "refused (fingerprint); the same run resumes exactly",
    ),
    (
        "tests/test_hostile.py::test_xml_readers_release_every_element",
        "WXR and Disqus with their bulk under a non-item wrapper and inside a record",
        "every element released: traced peak under 3 MiB for 2 x 100,000 elements (9.1 MiB before)",
    ),
    (
        "tests/test_hostile.py::test_xml_nested_without_end_is_refused",
        "XML nested 100,000 deep",
        "refused past 256 levels, one error naming the line",
    ),
    (
        "tests/test_hostile.py::test_a_medium_zip_bomb_is_refused_by_its_ratio",
        "a Medium zip whose members expand 1,000 times",
        "each member refused by the ratio cap",
    ),
    (
        "tests/test_hostile.py::test_a_huge_answer_is_refused",
        "a WordPress answer larger than the body cap",
        "AdapterError before it is read whole",
    ),
    (
        "tests/test_hostile.py::test_endless_pages_stop_at_the_cap",
        "X-WP-TotalPages: 1000000",
        "stops at max_pages with AdapterError",
    ),
    (
        "tests/test_hostile.py::test_an_answer_nested_100000_deep",
        "a WordPress answer nested 100,000 deep",
        "AdapterError; the CLI exits 1 with one line",
    ),
    (
        "tests/test_hostile.py::test_plain_http_credentials_are_refused_unless_allowed",
        "an http:// site address with an Application Password",
        "refused unless allow_http; a warning on loopback",
    ),
    (
        "tests/test_hostile.py::test_worst_inputs_take_linear_time",
        "200 KB of '[url]', '[url=', '<a ' and other worst inputs",
        "classified and reviewed in under 2 s each (was 3-5 s per 100 KB)",
    ),
    (
        "tests/test_hostile.py::test_bbcode_links_are_the_patterns_matches",
        "the linear BBCode scan against its regex definition (hypothesis)",
        "the same matches",
    ),
    (
        "tests/test_hostile.py::test_has_markup_is_the_patterns_answer",
        "the linear markup test against its regex definition (hypothesis)",
        "the same answer",
    ),
    (
        "tests/test_hostile.py::test_a_model_pinned_by_its_sha256",
        "Moderator(model=path, sha256=...) with the right, a wrong and no digest",
        "loads; refused before unpickling; refused",
    ),
    (
        "tests/test_hostile.py::test_review_none_is_a_type_error",
        "review(None)",
        "TypeError, as classify(None)",
    ),
    (
        "tests/test_hostile.py::test_a_json_array_file",
        "a .json file holding an array",
        "read as records named item N",
    ),
    (
        "tests/test_hostile.py::test_bad_output_paths_are_one_line",
        "output, report or errors in a missing folder; -o out.xlsx; -o a folder",
        "exit 2, one line, no traceback",
    ),
    (
        "tests/test_hostile.py::test_empty_and_header_only_inputs",
        "empty, blank and header-only input",
        "exit 2: 'no comments in FILE'",
    ),
    (
        "tests/test_hostile.py::test_a_missing_input_is_one_line",
        "a missing input file",
        "exit 2, one line naming it",
    ),
    (
        "tests/test_hostile.py::test_declared_encodings_are_read",
        "WXR declaring Shift_JIS, EUC-JP, Big5, GBK, EUC-KR, cp1252",
        "read: decoded to UTF-8 before the XML parser",
    ),
    (
        "tests/test_hostile.py::test_lone_surrogates_from_a_site_are_replaced",
        "a WordPress answer with lone surrogates in a comment",
        "U+FFFD in their place; the comment is reviewed",
    ),
    (
        "tests/test_hostile.py::test_a_quote_never_closed_costs_linear_time",
        "an unclosed quote before 50,000 rows",
        "reported at its line, every row read, in linear time",
    ),
    (
        "tests/wordpress/test_wordpress_hostile.py::test_a_title_carrying_html_is_posted_escaped",
        "a post title stored as &lt;img src=x onerror=...&gt;, quoted in a reply (real WordPress)",
        "the reply's HTML rendering is posted: escaped, never live HTML",
    ),
]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--junitxml={junit}",
                "tests/test_readers.py",
                "tests/test_medium.py",
                "tests/test_api.py",
                "tests/test_batch.py",
                "tests/test_store.py",
                "tests/test_replies.py",
                "tests/test_report.py",
                "tests/test_wordpress_faults.py",
                "tests/test_hostile.py",
                "tests/wordpress",
            ],
            cwd=ROOT,
            check=False,
        )
        cases = []
        for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 - our own file
            path = case.get("classname", "").replace(".", "/") + ".py"
            outcome = "passed"
            if case.find("failure") is not None or case.find("error") is not None:
                outcome = "failed"
            elif case.find("skipped") is not None:
                outcome = "skipped"
            cases.append((f"{path}::{case.get('name')}", outcome, float(case.get("time", 0))))
    lines = [
        "| input tried or fault injected | what must happen | tests | result |",
        "|---|---|---|---|",
    ]
    failed = 0
    for prefix, what, must in ROWS:
        hits = [c for c in cases if c[0].startswith(prefix)]
        outcomes = {o for _, o, _ in hits}
        result = (
            "not run" if not hits else ("passed" if outcomes == {"passed"} else ", ".join(sorted(outcomes)))
        )
        failed += result != "passed"
        secs = sum(t for _, _, t in hits)
        lines.append(
            f"| {what} | {must} | {len(hits)} (`{prefix.split('::')[-1]}`) | {result}, {secs:.1f} s |"
        )
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- table:start -->", "<!-- table:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    stamp = f"Filled by `python scripts/reliability_table.py` on {date.today().isoformat()} from that run's results."
    DOC.write_text(f"{head}{start}\n{stamp}\n\n" + "\n".join(lines) + f"\n{end}{tail}", encoding="utf-8")
    print(f"{len(ROWS)} rows, {failed} not passed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
