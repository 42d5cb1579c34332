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
ALL_PHRASES = [t for keys in PACK.phrases.values() for ts in keys.values() for t in ts]

# Values are missing (None or blank) or plain words, so that any brace, bracket or stray
# punctuation in the output can only come from a hole in the template.
plain = st.one_of(
    st.none(),
    st.just(""),
    st.just("   "),
    st.from_regex(r"[A-Za-z][a-z]{1,10}( [a-z]{2,8})?", fullmatch=True),
)
values = st.fixed_dictionaries({}, optional=dict.fromkeys(PLACEHOLDERS, plain))


def test_default_pack_has_at_least_twelve_variants_per_situation():
    for s in SITUATIONS:
        assert len(PACK.templates[s]) >= 12, s
        openings = {" ".join(PACK.render_text(t, {}).split()[:3]) for t in PACK.templates[s]}
        assert len(openings) >= 10, (s, openings)  # varied openings, not one sentence re-worded


#: Words that promise a time the site has not promised (a site sets Policy.promise for that).
TIME_PROMISE = re.compile(
    r"\b(within|today|tonight|right away|straight away|immediately|asap|shortly|soon|now|hours?|minutes?)\b",
    re.I,
)


@pytest.mark.parametrize("template", ALL_TEMPLATES + ALL_PHRASES, ids=lambda t: t.id)
def test_the_default_pack_promises_no_time(template):
    text = PACK.render_text(template, {})
    assert not TIME_PROMISE.search(text), text


@pytest.mark.parametrize("template", ALL_TEMPLATES + ALL_PHRASES, ids=lambda t: t.id)
@settings(max_examples=25, deadline=None)
@given(vals=values)
def test_every_template_renders_for_any_missing_fields(template, vals):
    if template in ALL_PHRASES:  # a phrase is picked only when its required values are there
        vals = {**vals, **{n: "Is it vegan?" if n == "asked" else "order number" for n in template.required}}
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
    pack = ReplyPack.from_toml(
        '[[complaint]]\ntext = "Hi {first_name}: {problem_quote} {contact}"\n[[praise]]\ntext="x"\n[[rant]]\ntext="y"'
    )
    t = pack.templates["complaint"][0]
    reply = pack.render(
        t, {"first_name": "{contact}", "problem_quote": "{{first_name}} [[x]]", "contact": "SECRET"}
    )
    assert "{contact}" in reply.text or "SECRET" in reply.text
    assert "{{first_name}} [[x]]" in reply.text


def test_choice_is_deterministic_and_varies_between_comments():
    picks = {PACK.choose("praise", f"comment-{i}")[0].id for i in range(400)}
    assert len(picks) == len(PACK.variants("praise", "general"))
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
    # the situations and phrases it does not have come from the default pack
    assert pack.variants("question") == PACK.templates["question"]
    assert pack.phrase("steps", "emailed", "x") is not None


def test_a_variant_for_a_kind_of_post_is_used_for_that_kind_only():
    personal = PACK.variants("praise", "personal")
    assert personal and all("personal" in t.kinds for t in personal)
    assert not any("personal" in t.kinds for t in PACK.variants("praise", "recipe"))
    assert any("recipe" in t.kinds for t in PACK.variants("praise", "recipe"))


def test_phrase_tables_refuse_unknown_keys(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        '[[complaint]]\ntext="a"\n[[praise]]\ntext="b"\n[[rant]]\ntext="c"\n[steps]\nemail = ["x"]\n'
    )
    with pytest.raises(TemplateError, match="unknown keys: email"):
        ReplyPack.load(path)
