"""The plain rules that read a comment before a draft is written, on hand-written cases.

Every rule of every table has cases of its own here (a test checks that), so changing a pattern
changes a result some test looks at.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentcare.moderation import _reading as rd
from commentcare.moderation._reading import PostKind, PraiseSubject, RantTarget, Tried

# (comment, topic rule name or None, problem as a reply names it)
TOPICS = [
    ("I was charged twice for my subscription this month!", "double_charge", "being charged twice"),
    ("You double-billed me again", "double_charge", "being charged twice"),
    ("Still charging me after I cancelled in May", "charge_after_cancel", "the charge after you cancelled"),
    ("Where is my refund? It's been three weeks", "refund", "the refund you're still waiting for"),
    ("I can't cancel my plan anywhere in the app", "cancel", "not being able to cancel"),
    ("Trying to unsubscribe for a week now", "cancel", "not being able to cancel"),
    ("@airline my bag is still missing after 3 days", "lost_bag", "your missing luggage"),
    ("You lost my luggage on the way to Denver", "lost_bag", "your missing luggage"),
    ("Flight UA 451 cancelled and no hotel offered", "flight_cancelled", "flight UA451 being cancelled"),
    ("They cancelled our flight with an hour's notice", "flight_cancelled", "your flight being cancelled"),
    ("flight delayed again, 4 hours on the tarmac", "flight_delayed", "the delay to your flight"),
    ("I missed my connecting flight because of you", "flight_delayed", "the delay to your flight"),
    ("My order #4417 arrived broken", "order_damaged", "order #4417 arriving damaged"),
    ("The vase came completely smashed", "order_damaged", "your order arriving damaged"),
    ("You sent me the wrong size", "order_wrong", "the mix-up with your order"),
    ("Order 55812: the charger is missing from the box", "order_wrong", "the mix-up with order #55812"),
    ("My parcel still hasn't shown up", "order_delay", "the delay with your order"),
    ("Tracking has said 'out for delivery' since Monday", "order_delay", "the delay with your order"),
    ("I can't log in since the update", "login", "the trouble getting into your account"),
    ("Password reset e-mails never come, locked out", "login", "the trouble getting into your account"),
    ("The download link on step 3 is broken", "broken_link", "the broken link"),
    ("every link in the sidebar gives a 404", "broken_link", "the broken link"),
    ("Followed it exactly and the bread didn't rise at all", "recipe_failed", "the recipe not turning out"),
    ("Way too salty with two tablespoons of soy", "recipe_failed", "the recipe not turning out"),
    ("The app keeps crashing when I open settings", "bug", "the app not working"),
    ("Getting an error message at checkout", "bug", "the app not working"),
    ("There's a typo in the second heading", "content_error", "the mistake in the post"),
    ("The date in your timeline is wrong, it was 1989", "content_error", "the mistake in the post"),
    ("Nobody has answered my messages", "no_reply", "nobody getting back to you"),
    ("Still waiting for a reply from your team", "no_reply", "nobody getting back to you"),
    ("I was on hold for 50 minutes", "wait", "the wait you've had"),
    ("Waited 2 hours in the queue at the counter", "wait", "the wait you've had"),
    ("The woman at the desk was so rude to my mum", "staff", "the way you were treated"),
    ("You overcharged me for the large size", "price", "what you were charged"),
    ("My promo code isn't accepted", "price", "what you were charged"),
    ("These jeans run too small", "sizing", "the sizing"),
    ("The strap ripped on the second day", "quality", "the strap letting you down"),
    ("My kettle fell apart within a month", "quality", "the kettle letting you down"),
    ("You moved my seat without asking", "booking", "the problem with your booking"),
    ("card frozen again for 'suspicious activity'", "account", "the problem with your account"),
    ("Room was filthy and the sheets were stained", "room", "the state of your room"),
    ("Bao buns were dry and the pork was cold", "food", "the food you were served"),
    ("The yoga class was cancelled and no one told us", "cancelled", "the cancellation"),
    ("Your customer service is a maze", "service", "how your request was handled"),
    # none of the rules
    ("Great post, thank you!", None, None),
    ("my blog is great", None, None),
    ("Love the new colours", None, None),
]


@pytest.mark.parametrize(("text", "name", "problem"), TOPICS)
def test_complaint_topics(text: str, name: str | None, problem: str | None) -> None:
    r = rd.read_comment(text)
    assert (r.topic.name if r.topic else None) == name
    assert r.problem == problem


def test_every_topic_rule_has_a_case_it_alone_decides() -> None:
    decided = {name for _, name, _ in TOPICS if name}
    assert decided == {t.name for t in rd.COMPLAINT_TOPICS}


def test_a_topic_asks_only_for_what_is_missing() -> None:
    assert rd.read_comment("My parcel never came").missing == "order number"
    assert rd.read_comment("Order #A-1234 never came").missing is None
    assert rd.read_comment("The link is broken").missing is None  # nothing to look up


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I emailed twice about it", (Tried.EMAILED,)),
        ("sent you three e-mails and called the helpline", (Tried.EMAILED, Tried.CALLED)),
        ("I rang on Monday", (Tried.CALLED,)),
        ("spent an hour on live chat", (Tried.CHATTED,)),
        ("I DMed you yesterday", (Tried.MESSAGED,)),
        ("opened a ticket last week", (Tried.TICKET,)),
        ("still waiting", (Tried.WAITED,)),
        ("reinstalled the app and cleared the cache", (Tried.TECH_STEPS,)),
        ("It broke.", ()),
    ],
)
def test_what_was_tried(text: str, expected: tuple[Tried, ...]) -> None:
    assert rd.tried(text) == expected


def test_every_tried_rule_has_a_case() -> None:
    assert {t.value for t in Tried} == {r.name for r in rd.TRIED_RULES}


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("My order #4417 arrived broken", ("order #4417",)),
        ("order number 55812-B is late", ("order #55812-B",)),
        ("booking ref: XK93JD2", ("booking #XK93JD2",)),
        ("flight ua123 delayed", ("flight UA123",)),
        ("ticket #9921 still open", ("ticket #9921",)),
        ("Leak reported three weeks ago, ref KW-LK-9920.", ("reference #KW-LK-9920",)),
        ("I paid £40 for it", ()),
        ("#blessed #love", ()),
        ("Where is #88412?", ("order #88412",)),
    ],
)
def test_references(text: str, refs: tuple[str, ...]) -> None:
    assert rd.references(text) == refs


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Is there a vegan version?", "Is there a vegan version?"),
        ("Love it. which flour did you use", "Which flour did you use?"),
        ("Where is my refund? I emailed twice.", "Where is my refund?"),
        ("Are you kidding me? Third time!", None),  # rhetorical
        ("Great post!", None),
        ("Why?", None),  # too short to quote back
    ],
)
def test_the_question_asked(text: str, question: str | None) -> None:
    assert rd.question(text) == question


@pytest.mark.parametrize(
    ("text", "title", "kind"),
    [
        ("Thank you for this", "Grieving my father", PostKind.PERSONAL),
        ("So sorry for your loss", None, PostKind.PERSONAL),
        ("Made this tonight", "Lemon drizzle cake", PostKind.RECIPE),
        ("Love this song", None, PostKind.MEDIA),
        ("Great photos", None, PostKind.MEDIA),
        ("Interesting", "Council votes on the new budget", PostKind.NEWS),
        ("Worked for me", "How to fix a leaking tap", PostKind.HOWTO),
        ("My order came fast", None, PostKind.PRODUCT),
        ("Hello all", None, PostKind.GENERAL),
    ],
)
def test_post_kind(text: str, title: str | None, kind: PostKind) -> None:
    assert rd.post_kind(text, title) is kind


def test_every_post_kind_rule_has_a_case() -> None:
    assert {r.name for r in rd.POST_KIND_RULES} | {"general"} == {k.value for k in PostKind}


@pytest.mark.parametrize(
    ("text", "subject", "liked"),
    [
        ("Love this song!", PraiseSubject.MEDIA, "the song"),
        ("Your photos of Lisbon are stunning", PraiseSubject.PHOTO, "the photos of Lisbon"),
        ("Made the recipe tonight, the family loved it", PraiseSubject.RECIPE, "the recipe"),
        ("Your support team sorted it in minutes, thank you", PraiseSubject.HELP, None),
        ("Bought two, great quality", PraiseSubject.PRODUCT, "the quality"),
        ("Works perfectly, bought two", PraiseSubject.PRODUCT, None),
        ("Such a clear explanation of the tax rules", PraiseSubject.POST, "the post"),
        ("Thanks for the tips, the guide saved my weekend", PraiseSubject.POST, "the tips"),
        ("Wonderful!", PraiseSubject.GENERAL, None),
    ],
)
def test_praise_subject_and_what_was_liked(text: str, subject: PraiseSubject, liked: str | None) -> None:
    r = rd.read_comment(text)
    assert r.praise is subject
    assert r.liked == liked


@pytest.mark.parametrize(
    ("text", "is_reply", "target"),
    [
        ("You are an idiot and so are people like you", False, RantTarget.COMMENTER),
        ("@jim get a life", False, RantTarget.COMMENTER),
        ("you clearly didn't read it, genius", True, RantTarget.COMMENTER),
        ("Trudeau is a clown and the liberals are destroying this country", False, RantTarget.THIRD_PARTY),
        ("The government is full of crooks", False, RantTarget.THIRD_PARTY),
        ("This company is garbage, worst service ever", False, RantTarget.BUSINESS),
        ("Your blog is a joke", False, RantTarget.BUSINESS),
        ("@SkylarkAir useless as always", False, RantTarget.BUSINESS),
        ("Worst site ever", False, RantTarget.BUSINESS),
        ("Anyone who still defends this man is a fool", False, RantTarget.UNCLEAR),
    ],
)
def test_rant_target(text: str, is_reply: bool, target: RantTarget) -> None:
    assert rd.rant_target(text, is_reply=is_reply) is target


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("my blender stopped working", "the blender"),
        ("the checkout page keeps crashing", "the checkout page"),
        ("The download link on step 3 is broken", "the download link"),
        ("the cake sank in the middle", "the cake"),
        ("This company is garbage", None),
        ("the same thing happened", None),
    ],
)
def test_the_thing_named(text: str, thing: str | None) -> None:
    assert rd.thing_named(text) == thing


def test_details_of_a_complaint() -> None:
    d = rd.read_comment("Order #991 has been stuck for 5 days since Monday; I emailed twice.").details
    assert d.refs == ("order #991",)
    assert d.durations == ("5 days",)
    assert d.dates == ("since Monday",)
    assert d.times == "twice"
    assert d.tried == (Tried.EMAILED,)


# -- the gates in front of the topic patterns change speed, never results ----------------------------

_WORDS = sorted(
    {w for t in rd.COMPLAINT_TOPICS for w in re.findall(r"[a-z0-9%$£€#'-]+", t.pattern.replace("\\b", " "))}
    | {g for t in rd.COMPLAINT_TOPICS for g in t.gate}
)
_PIECES = st.one_of(
    st.sampled_from(_WORDS).map(lambda w: w.upper() if len(w) % 3 == 0 else w),
    st.sampled_from([t for t, _, _ in TOPICS]),
    st.sampled_from(["my", "the", "was", "is", "not", "never", "too", "$5", "£40", "20% off", "ſ", "K", "x"]),
)
_TEXTS = st.lists(_PIECES, min_size=1, max_size=12).map(" ".join)


def _ungated(text: str) -> str | None:
    for topic in rd.COMPLAINT_TOPICS:
        if re.search(topic.pattern, text, re.I | re.S):
            return topic.name
    return None


@settings(max_examples=1500, deadline=None)
@given(text=_TEXTS)
def test_the_topic_gates_never_hide_a_match(text: str) -> None:
    found = rd.complaint_topic(text)
    assert (found.name if found else None) == _ungated(text)


def test_the_topic_gates_on_the_hand_written_cases() -> None:
    for text, _, _ in TOPICS:
        for variant in (text, text.upper(), text.title()):
            found = rd.complaint_topic(variant)
            assert (found.name if found else None) == _ungated(variant)


_TRIED_WORDS = sorted(
    {w for r in rd.TRIED_RULES for w in re.findall(r"[a-z0-9#'-]+", r.pattern.replace("\\b", " "))}
    | {g for r in rd.TRIED_RULES for g in r.gate}
)


@settings(max_examples=1000, deadline=None)
@given(
    text=st.lists(st.one_of(st.sampled_from(_TRIED_WORDS), _PIECES), min_size=1, max_size=10).map(" ".join)
)
def test_the_tried_gates_never_hide_a_match(text: str) -> None:
    plain = tuple(Tried(r.name) for r in rd.TRIED_RULES if re.search(r.pattern, text, re.I))
    assert rd.tried(text) == plain


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("after the plane left the doors were closed", "the plane"),
        ("you lost my business today, the business lost is yours", "the business"),
    ],
)
def test_a_thing_never_ends_in_an_irregular_past_verb(text: str, thing: str) -> None:
    assert rd.thing_named(text) == thing
