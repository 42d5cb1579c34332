"""Reply templates: every template renders without holes, comment values come out inert."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentcare import TemplateError
from commentcare.moderation._replies import PLACEHOLDERS, SITUATIONS, ReplyPack

PACK = ReplyPack.default()
ALL_TEMPLATES = [t for s in SITUATIONS for t in PACK.templates[s]]

# Values are missing (None or blank) or plain words, so that any brace, bracket or stray
# punctuation in the output can only come from a hole in the template.
plain = st.one_of(
    st.none(),
    st.just(""),
    st.just("   "),
    st.from_regex(r"[A-Za-z][a-z]{1,10}( [a-z]{2,8})?", fullmatch=True),
)
values = st.fixed_dictionaries({}, optional=dict.fromkeys(PLACEHOLDERS, plain))


def test_default_pack_has_several_variants_per_situation():
    for s in SITUATIONS:
        assert len(PACK.templates[s]) >= 4, s


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=lambda t: t.id)
@settings(max_examples=80, deadline=None)
@given(vals=values)
def test_every_template_renders_for_any_missing_fields(template, vals):
    text = PACK.render(template, vals).text
    assert text.strip()
    assert "{" not in text and "}" not in text and "[[" not in text and "]]" not in text
    assert not re.search(r"\s[,.!?;:]", text), text  # no "Hi ," or "about ."
    assert not re.search(r",\s*[,.!?]", text), text
    assert not re.search(r"\b(Hi|Thanks|Thank you|Sorry)\s*!", text) or "Thank" in text
    assert '""' not in text


@settings(max_examples=100, deadline=None)
@given(vals=st.fixed_dictionaries({}, optional={name: st.text(max_size=30) for name in PLACEHOLDERS}))
def test_any_value_renders(vals):
    for t in ALL_TEMPLATES:
        assert PACK.render(t, vals).text.strip()


@settings(max_examples=200, deadline=None)
@given(name=st.text(min_size=1, max_size=30), title=st.text(min_size=1, max_size=30))
def test_comment_supplied_values_are_escaped_in_html_and_inert_in_text(name, title):
    t = PACK.templates["praise"][1]
    evil = {
        "first_name": name + "<script>alert(1)</script>{site_name}",
        "post_title": title + '"><img src=x>',
    }
    reply = PACK.render(t, evil)
    assert "<script>" not in reply.html and "<img" not in reply.html
    assert "{site_name}" in reply.text or "{site_name}" not in evil["first_name"]  # not re-parsed
    assert html.unescape(reply.html.replace("<br>\n", "\n")) == reply.text


def test_values_are_never_formatted_twice():
    t = next(t for t in PACK.templates["complaint"] if "problem_quote" in t.placeholders)
    reply = PACK.render(
        t, {"first_name": "{contact}", "problem_quote": "{{first_name}} [[x]]", "contact": "SECRET"}
    )
    assert "{contact}" in reply.text or "SECRET" in reply.text
    assert "{{first_name}} [[x]]" in reply.text


def test_choice_is_deterministic_and_varies_between_comments():
    picks = {PACK.choose("praise", f"comment-{i}")[0].id for i in range(200)}
    assert len(picks) == len(PACK.templates["praise"])
    assert PACK.choose("praise", "abc")[0].id == PACK.choose("praise", "abc")[0].id


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[complaint]]\ntext = "Hi {nmae}"\n[[praise]]\ntext="x"\n[[rant]]\ntext="y"',
            "unknown placeholder {nmae}",
        ),
        (
            '[[complaint]]\ntext = "Hi [[{first_name}"\n[[praise]]\ntext="x"\n[[rant]]\ntext="y"',
            "without a matching",
        ),
        ('[[complaint]]\ntext = "Hi {"\n[[praise]]\ntext="x"\n[[rant]]\ntext="y"', "stray"),
        ('[[praise]]\ntext="x"\n[[rant]]\ntext="y"', "needs at least one [[complaint]]"),
        ("not = [valid toml", "not valid TOML"),
        (
            '[[complaint]]\nid="a"\ntext="x"\n[[complaint]]\nid="a"\ntext="y"\n[[praise]]\ntext="x"\n[[rant]]\ntext="y"',
            "used twice",
        ),
    ],
)
def test_broken_packs_are_clear_errors_naming_file_and_template(tmp_path, toml, message):
    path = tmp_path / "mine.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        ReplyPack.load(path)
    assert message in str(info.value)
    assert "mine.toml" in str(info.value)
    if "placeholder" in message:
        assert "[complaint.1]" in str(info.value)


def test_user_pack_loads_and_overrides_defaults(tmp_path):
    path = tmp_path / "tone.toml"
    path.write_text(
        '[defaults]\nfirst_name = "friend"\n[[complaint]]\ntext = "Hey {first_name}, sorry about {problem}."\n'
        '[[praise]]\ntext = "Cheers{{!}}"\n[[rant]]\ntext = "Tell us more[[, {first_name}]]."\n',
        encoding="utf-8",
    )
    pack = ReplyPack.load(path)
    assert pack.render(pack.templates["complaint"][0], {}).text == "Hey friend, sorry about this."
    assert pack.render(pack.templates["praise"][0], {}).text == "Cheers{!}"
    assert pack.render(pack.templates["rant"][0], {}).text == "Tell us more."
