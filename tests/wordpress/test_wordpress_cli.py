"""``commentcare wordpress moderate`` end to end: the shipped model against a real WordPress."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from wordpress_support import Killed, KillSwitch, SeededPost, WordPress

from commentcare import Comment, Label, Review
from commentcare.cli_wordpress import register
from commentcare.moderation import Moderator

FINAL = {Label.SPAM: "spam", Label.RANT: "hold", Label.PRAISE: "approved", Label.COMPLAINT: "approved"}
REPLIES = {Label.SPAM: 0, Label.RANT: 0, Label.PRAISE: 1, Label.COMPLAINT: 1}


def cli(argv: list[str], env: dict[str, str], **seams: Any) -> tuple[int, str, str]:
    """Run the command as the main CLI would, through register() on a parser of our own."""
    parser = argparse.ArgumentParser(prog="commentcare")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    code = args.func(args, stdout=out, stderr=err, environ=env, **seams)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def model_reviewer(moderator: Moderator) -> Callable[[Iterable[Comment]], Iterator[Review]]:
    """The session's shipped model (the command itself loads it on every run)."""
    return partial(moderator.review_many, site_name="commentcare test site")


@pytest.fixture
def env(wordpress: WordPress) -> dict[str, str]:
    return {"COMMENTCARE_WP_APP_PASSWORD": wordpress.password}


def _moderate(wordpress: WordPress, post: SeededPost, *flags: str) -> list[str]:
    return [
        "wordpress",
        "moderate",
        "--site",
        wordpress.url,
        "--user",
        wordpress.user,
        "--post",
        str(post.post_id),
        *flags,
    ]


def _state(wordpress: WordPress, post: SeededPost) -> dict[Label, tuple[str, int]]:
    return {label: (status, len(replies)) for label, (status, replies) in wordpress.state(post).items()}


FINAL_STATE = {label: (FINAL[label], REPLIES[label]) for label in Label}


@pytest.mark.wordpress
@pytest.mark.slow
def test_dry_run_then_apply_then_nothing_left(
    wordpress: WordPress, seeded: SeededPost, env: dict[str, str], tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    before = _state(wordpress, seeded)
    # the default path: the command loads the shipped model itself
    code, out, err = cli(_moderate(wordpress, seeded, "--audit-log", str(audit)), env)
    assert (code, err) == (0, "")
    assert _state(wordpress, seeded) == before
    assert not audit.exists()
    assert "Dry run, nothing changed" in out
    for label, cid in seeded.comments.items():
        block = out.split(f"#{cid} ", 1)[1]
        assert f"    {label} (" in block.splitlines()[1]
    assert "remove: hold -> spam" in out
    assert "approve_and_reply: hold -> approved" in out
    assert "reply: " in out
    assert "no reply: spam never gets a reply" in out

    code, out, err = cli(
        _moderate(wordpress, seeded, "--apply", "--post-replies", "--audit-log", str(audit)), env
    )
    assert (code, err) == (0, ""), out
    assert _state(wordpress, seeded) == FINAL_STATE
    assert "Changed 3 status(es), posted 2 repl(ies)" in out
    assert wordpress.password not in audit.read_text(encoding="utf-8")

    lines = audit.read_text(encoding="utf-8").splitlines()
    code, out, err = cli(
        _moderate(wordpress, seeded, "--apply", "--post-replies", "--audit-log", str(audit)), env
    )
    assert (code, err) == (0, "")
    assert "Changed 0 status(es), posted 0 repl(ies)" in out
    assert _state(wordpress, seeded) == FINAL_STATE
    assert audit.read_text(encoding="utf-8").splitlines() == lines


@pytest.mark.wordpress
@pytest.mark.parametrize("at", [1, 3])
def test_killed_midway_and_started_again(
    wordpress: WordPress,
    seeded: SeededPost,
    env: dict[str, str],
    tmp_path: Path,
    model_reviewer: Callable[[Iterable[Comment]], Iterator[Review]],
    at: int,
) -> None:
    argv = _moderate(wordpress, seeded, "--apply", "--post-replies", "--audit-log", str(tmp_path / "a.jsonl"))
    with pytest.raises(Killed):
        cli(argv, env, reviewer=model_reviewer, site_options={"transport": KillSwitch(at, "after")})
    assert _state(wordpress, seeded) != FINAL_STATE
    code, out, _ = cli(argv, env, reviewer=model_reviewer)
    assert code == 0, out
    assert _state(wordpress, seeded) == FINAL_STATE


@pytest.mark.wordpress
def test_replies_to_rants_only_when_asked(
    wordpress: WordPress,
    seeded: SeededPost,
    env: dict[str, str],
    tmp_path: Path,
    model_reviewer: Callable[[Iterable[Comment]], Iterator[Review]],
) -> None:
    argv = _moderate(
        wordpress, seeded, "--post-replies", "--reply-to-rants", "--audit-log", str(tmp_path / "a.jsonl")
    )
    code, out, _ = cli(argv, env, reviewer=model_reviewer)
    assert code == 0, out
    state = _state(wordpress, seeded)
    assert state[Label.RANT] == ("hold", 1)  # replied to, still held: --apply was not given
    assert state[Label.SPAM] == ("hold", 0)


@pytest.mark.wordpress
def test_wrong_password_is_one_line_and_exit_1(wordpress: WordPress, seeded: SeededPost) -> None:
    wrong = "wxyz wxyz wxyz wxyz wxyz wxyz"
    code, out, err = cli(_moderate(wordpress, seeded), {"COMMENTCARE_WP_APP_PASSWORD": wrong})
    assert code == 1
    assert err.count("\n") == 1
    assert "401" in err
    assert wrong not in err + out


def test_an_unreachable_site_is_exit_1() -> None:
    code, _, err = cli(
        ["wordpress", "moderate", "--site", "http://127.0.0.1:9", "--user", "u"],
        {"COMMENTCARE_WP_APP_PASSWORD": "secret secret"},
        site_options={"backoff": 0.0, "timeout": 2},
    )
    assert code == 1
    assert err.startswith("commentcare wordpress moderate: cannot reach http://127.0.0.1:9")
    assert err.count("\n") == 1


_URL, _USER, _PASSWORD = "COMMENTCARE_WP_URL", "COMMENTCARE_WP_USER", "COMMENTCARE_WP_APP_PASSWORD"
_FULL = {_URL: "https://blog.example", _USER: "u", _PASSWORD: "p"}


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        ([], {_USER: "u", _PASSWORD: "p"}, "give --site or set COMMENTCARE_WP_URL"),
        ([], {_URL: "https://blog.example", _PASSWORD: "p"}, "give --user or set COMMENTCARE_WP_USER"),
        ([], {_URL: "https://blog.example", _USER: "u"}, "set COMMENTCARE_WP_APP_PASSWORD"),
        (["--since", "yesterday"], _FULL, "not an ISO date"),
        (["--reply-to-rants"], _FULL, "only makes sense with --post-replies"),
        (["--site", "ftp://blog.example"], _FULL, "must start with https://"),
        (["--site", "https://u:p@blog.example"], _FULL, "not in the URL"),
    ],
)
def test_bad_usage_is_exit_2(argv: list[str], env: dict[str, str], message: str) -> None:
    code, out, err = cli(["wordpress", "moderate", *argv], env)
    assert code == 2
    assert message in err
    assert out == ""


def test_site_and_user_come_from_the_environment_too() -> None:
    code, _, err = cli(
        ["wordpress", "moderate"],
        {
            "COMMENTCARE_WP_URL": "http://127.0.0.1:9",
            "COMMENTCARE_WP_USER": "u",
            "COMMENTCARE_WP_APP_PASSWORD": "p",
        },
        site_options={"backoff": 0.0},
    )
    assert code == 1
    assert "127.0.0.1:9" in err


def test_since_reads_dates_and_zulu_times() -> None:
    from commentcare.cli_wordpress import _parse_since

    assert _parse_since("2024-05-01").isoformat() == "2024-05-01T00:00:00+00:00"
    assert _parse_since("2024-05-01T09:30Z").isoformat() == "2024-05-01T09:30:00+00:00"
    assert _parse_since("2024-05-01T09:30+02:00").utcoffset() is not None


def test_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="commentcare")
    register(parser.add_subparsers(dest="command", required=True))
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["wordpress", "moderate", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for option in ("--site", "--user", "--status", "--since", "--post", "--apply", "--post-replies",
                   "--reply-to-rants", "--audit-log", "COMMENTCARE_WP_APP_PASSWORD"):  # fmt: skip
        assert option in text
