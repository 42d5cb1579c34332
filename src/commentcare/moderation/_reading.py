"""Reading a comment before drafting a reply: what it is about and the details it gives.

Everything here is a plain rule written as data: a table of records, each a name, a pattern and
the words a reply uses for it. The first rule of a table that matches wins, so the more specific
rules come first. None of this decides the class (the model does); it decides what a reply can
say without getting the facts wrong.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = [
    "ComplaintTopic",
    "Details",
    "PostKind",
    "PraiseSubject",
    "RantTarget",
    "Reading",
    "Tried",
    "read_comment",
]

_I = re.I


class PostKind(str, enum.Enum):
    """The kind of post a comment sits under: it sets the tone of a reply and its follow-up."""

    HOWTO = "howto"
    RECIPE = "recipe"
    NEWS = "news"
    PERSONAL = "personal"  # a loss, an illness, a hard time: gentle words, no exclamation marks
    PRODUCT = "product"
    MEDIA = "media"  # a song, a video, a photo set
    GENERAL = "general"


class PraiseSubject(str, enum.Enum):
    """What a praising reader liked."""

    POST = "post"
    RECIPE = "recipe"
    PRODUCT = "product"
    PHOTO = "photo"
    MEDIA = "media"
    HELP = "help"  # help or service they received
    GENERAL = "general"


class RantTarget(str, enum.Enum):
    """Whom a rant is aimed at: it decides whether a draft is offered at all."""

    BUSINESS = "business"  # the post, the site or the business: a calm draft that invites specifics
    COMMENTER = "commenter"  # another reader: a short civility note
    THIRD_PARTY = "third_party"  # a politician, a public figure, a group: no draft
    UNCLEAR = "unclear"  # no sign of whom it is aimed at: a human reads it, no draft


class Tried(str, enum.Enum):
    """What the person already did to get help: a reply must not tell them to do it again."""

    EMAILED = "emailed"
    CALLED = "called"
    CHATTED = "chatted"
    MESSAGED = "messaged"
    TICKET = "ticket"
    WAITED = "waited"
    TECH_STEPS = "tech_steps"  # reinstalled, restarted, cleared the cache


@dataclass(frozen=True, slots=True)
class ComplaintTopic:
    """One rule of :data:`COMPLAINT_TOPICS`.

    ``kind`` names the problem in a reason ("a double charge"). ``phrase`` names it in a reply, in
    our words; ``{ref}`` in it is the reference the person gave ("order #4417") or ``default_ref``.
    ``needs`` is what we must ask for when the person did not give it ("order number").
    ``gate`` lists lower-case pieces of text of which every match of ``pattern`` contains one:
    the pattern is tried only on a comment that has one (a test checks that the gate never
    hides a match).
    """

    name: str
    pattern: str
    kind: str
    phrase: str
    default_ref: str = ""
    needs: str | None = None
    gate: tuple[str, ...] = ()


#: Complaint topics, most specific first. The patterns are matched case-insensitively.
COMPLAINT_TOPICS: tuple[ComplaintTopic, ...] = (
    ComplaintTopic(
        "double_charge",
        r"\b(?:charged|billed|charge[sd]?|paid)\b.{0,40}\b(?:twice|two times|double|2x|three times)\b"
        r"|\bdouble[- ]?(?:charged|charge|billed|payment)\b",
        "a double charge",
        "being charged twice",
        needs="order number or the e-mail on the account",
        gate=("charg", "bill", "paid", "double"),
    ),
    ComplaintTopic(
        "charge_after_cancel",
        r"\b(?:charged|billed|charging|took)\b.{0,50}\b(?:after|despite|though)\b.{0,30}\bcancel",
        "a charge after cancelling",
        "the charge after you cancelled",
        needs="e-mail on the account",
        gate=("charg", "bill", "took"),
    ),
    ComplaintTopic(
        "refund",
        r"\brefund",
        "a refund that has not arrived",
        "the refund you're still waiting for",
        needs="order number",
        gate=("refund",),
    ),
    ComplaintTopic(
        "cancel",
        r"\b(?:can'?t|cannot|couldn'?t|unable to|impossible to|won'?t let me)\s+(?:cancel|unsubscribe)"
        r"|\bunsubscrib",
        "cancelling or unsubscribing",
        "not being able to cancel",
        needs="e-mail on the account",
        gate=("cancel", "unsubscrib"),
    ),
    ComplaintTopic(
        "lost_bag",
        r"\b(?:bags?|luggage|suitcases?|baggage)\b.{0,40}\b(?:lost|missing|never|delayed|still|where)\b"
        r"|\b(?:lost|missing|delayed)\s+(?:my\s+)?(?:bags?|luggage|suitcases?|baggage)\b",
        "lost or delayed luggage",
        "your missing luggage",
        needs="bag tag or file reference",
        gate=("bag", "luggage", "suitcase"),
    ),
    ComplaintTopic(
        "flight_cancelled",
        r"\bflight\b.{0,40}\b(?:cancel+ed|cancel+ation)\b|\b(?:cancel+ed)\s+(?:my\s+|our\s+|the\s+)?flight",
        "a cancelled flight",
        "{ref} being cancelled",
        default_ref="your flight",
        needs="booking reference",
        gate=("flight",),
    ),
    ComplaintTopic(
        "flight_delayed",
        r"\bflight\b.{0,50}\b(?:delay\w*|late|missed|stuck|stranded|diverted|overbooked)\b"
        r"|\b(?:delay\w*|late|missed)\s+(?:my\s+|our\s+|the\s+)?(?:connecting\s+)?flight",
        "a delayed flight",
        "the delay to {ref}",
        default_ref="your flight",
        needs="booking reference",
        gate=("flight",),
    ),
    ComplaintTopic(
        "cancelled",
        r"\b(?:class|event|appointment|session|tour|show|gig|course|lesson|booking|reservation)\b.{0,20}"
        r"\b(?:was |got |been )?cancel+ed\b",
        "a cancellation",
        "the cancellation",
        needs="booking reference",
        gate=("cancel",),
    ),
    ComplaintTopic(
        "order_damaged",
        r"\b(?:arrived|came|delivered|turned up|showed up|received)\b.{0,40}"
        r"\b(?:broken|damaged|smashed|cracked|dented|torn|leaking|shattered|crushed)\b"
        r"|\b(?:damaged|broken|smashed)\s+(?:on arrival|in transit|in the post)\b",
        "an item that arrived damaged",
        "{ref} arriving damaged",
        default_ref="your order",
        needs="order number",
        gate=(
            "arrived",
            "came",
            "delivered",
            "turned up",
            "showed up",
            "received",
            "damaged",
            "broken",
            "smashed",
        ),
    ),
    ComplaintTopic(
        "order_wrong",
        r"\bwrong\s+(?:item|size|colou?r|order|product|book|one|thing|parcel|package)\b"
        r"|\bsent\s+(?:me\s+|us\s+)?(?:the\s+)?wrong\b|\bnot what (?:i|we) ordered\b|\bmissing from (?:my|the) (?:order|box|parcel)",
        "a wrong or incomplete order",
        "the mix-up with {ref}",
        default_ref="your order",
        needs="order number",
        gate=("wrong", "ordered", "missing from"),
    ),
    ComplaintTopic(
        "order_delay",
        r"\b(?:my|our|the|an?|this|last|first|second|whole|entire) (?:order|package|parcel|delivery|shipment)\b"
        r"|\border (?:#|no\b|number)|\b(?:tracking|courier|shipping)\b"
        r"|\b(?:never (?:arrived|came|turned up|showed up)|hasn'?t (?:arrived|come)|still not here|nothing yet)\b",
        "an order or delivery",
        "the delay with {ref}",
        default_ref="your order",
        needs="order number",
        gate=(
            "order",
            "package",
            "parcel",
            "deliver",
            "shipment",
            "tracking",
            "courier",
            "shipping",
            "arrive",
            "came",
            "come",
            "turned up",
            "showed up",
            "not here",
            "nothing yet",
        ),
    ),
    ComplaintTopic(
        "login",
        r"\b(?:log ?in|sign ?in|password|2fa|two-factor|verification code|locked out|log me in|my account)\b",
        "signing in",
        "the trouble getting into your account",
        needs="e-mail on the account",
        gate=("log", "sign", "password", "2fa", "two-factor", "verification code", "locked out", "account"),
    ),
    ComplaintTopic(
        "broken_link",
        r"\b(?:link|download|404|page not found)\b.{0,40}\b(?:broken|dead|doesn'?t work|not working|"
        r"goes nowhere|is down|404|error)\b|\b(?:broken|dead)\s+(?:link|download)\b|\b404\b",
        "a broken link or download",
        "the broken link",
        gate=("link", "download", "404", "page not found"),
    ),
    ComplaintTopic(
        "recipe_failed",
        r"\b(?:didn'?t|did not|doesn'?t|does not|never|wouldn'?t|won'?t)\s+(?:rise|set|thicken|work out|turn out)\b"
        r"|\b(?:too|way too|far too)\s+(?:salty|sweet|dry|runny|thick|thin|dense|oily|bland)\b"
        r"|\b(?:undercooked|raw in the middle|sank|curdled|too much (?:liquid|water|flour|salt|sugar)|not thick|watery)\b"
        r"|\boven temp\w*\b",
        "a recipe that did not work",
        "the recipe not turning out",
        gate=(
            "didn",
            "did not",
            "doesn",
            "does not",
            "never",
            "wouldn",
            "won",
            "too ",
            "undercooked",
            "raw in the middle",
            "sank",
            "curdled",
            "not thick",
            "watery",
            "oven temp",
        ),
    ),
    ComplaintTopic(
        "bug",
        r"\b(?:crash\w*|bug\w*|error message|error|freez\w*|not working|doesn'?t work|won'?t (?:load|open|work|play|sync)"
        r"|doesn'?t (?:load|open|play|sync)|stopped working|glitch\w*|keeps? (?:crashing|freezing|logging me out)"
        r"|logs? me out|duplicate \w+|outage|is down|went down|spinning wheel|blank screen)\b",
        "something broken",
        "{ref} not working",
        default_ref="the app",
        gate=(
            "crash",
            "bug",
            "error",
            "freez",
            "not working",
            "won",
            "doesn",
            "stopped working",
            "glitch",
            "me out",
            "duplicate",
            "outage",
            "is down",
            "went down",
            "spinning wheel",
            "blank screen",
        ),
    ),
    ComplaintTopic(
        "content_error",
        r"\b(?:typo|incorrect|inaccurate|outdated|misleading|factually|misspel\w*|the wrong date"
        r"|is wrong|are wrong|was wrong|got (?:it|this|that) wrong|mistake in|is given as|credited to"
        r"|(?:post|article|piece|column|graph|chart|intro|map|list|table|caption|headline) (?:says|said|gives|lists|claims))\b",
        "a mistake in the post",
        "the mistake in the post",
        gate=(
            "typo",
            "incorrect",
            "inaccurate",
            "outdated",
            "misleading",
            "factually",
            "misspel",
            "wrong",
            "mistake in",
            "given as",
            "credited to",
            "says",
            "said",
            "gives",
            "lists",
            "claims",
        ),
    ),
    ComplaintTopic(
        "no_reply",
        r"\b(?:no reply|no response|no answer|never (?:answered|replied|responded|heard back|got back)"
        r"|(?:nobody|no one|no-one) (?:has )?(?:answered|replied|responded|got back|gets back|called)"
        r"|ignor(?:ed|ing) (?:me|my|us|our)|still waiting (?:for|on) (?:a|an|your) (?:reply|response|answer|call))\b",
        "no answer from support",
        "nobody getting back to you",
        gate=(
            "no reply",
            "no response",
            "no answer",
            "never ",
            "nobody",
            "no one",
            "no-one",
            "ignor",
            "still waiting",
        ),
    ),
    ComplaintTopic(
        "wait",
        r"\bon hold\b|\b(?:waited|waiting|queue)\b.{0,30}\b(?:hours?|minutes?|mins|days?|weeks?)\b"
        r"|\bhold times?\b",
        "a long wait",
        "the wait you've had",
        gate=("on hold", "wait", "queue", "hold time"),
    ),
    ComplaintTopic(
        "account",
        r"\b(?:card|account) (?:was |got |is )?(?:frozen|blocked|declined|suspended|locked|closed)\b"
        r"|\bpoints\b.{0,40}\b(?:never|not|missing)\b",
        "a problem with the account",
        "the problem with your account",
        needs="e-mail on the account",
        gate=("card", "account", "points"),
    ),
    ComplaintTopic(
        "room",
        r"\b(?:room|bathroom|sheets|towels|shower|air ?con|heating|pool)\b.{0,40}"
        r"\b(?:dirty|filthy|not cleaned|wasn'?t cleaned|broken|cold|noisy|smelled|mould|mold|stained)\b"
        r"|\b(?:dirty|filthy|unclean|stained) (?:room|bathroom|sheets|towels)\b|\bno hot water\b",
        "the state of a room",
        "the state of your room",
        needs="booking reference",
        gate=(
            "room",
            "sheets",
            "towels",
            "shower",
            "air con",
            "aircon",
            "heating",
            "pool",
            "dirty",
            "filthy",
            "unclean",
            "stained",
            "hot water",
        ),
    ),
    ComplaintTopic(
        "food",
        r"\b(?:food|meal|dish|pizza|burger|fries|chips|coffee|bread|buns?|pork|chicken|steak|fish|pasta|breakfast)"
        r"\b.{0,30}\b(?:cold|dry|raw|stale|bland|greasy|undercooked|overcooked|inedible|tasteless|burnt|ran out)\b",
        "food that was not right",
        "the food you were served",
        gate=(
            "food",
            "meal",
            "dish",
            "pizza",
            "burger",
            "fries",
            "chips",
            "coffee",
            "bread",
            "bun",
            "pork",
            "chicken",
            "steak",
            "fish",
            "pasta",
            "breakfast",
        ),
    ),
    ComplaintTopic(
        "staff",
        r"\b(?:rude|unhelpful|dismissive|attitude|condescending|hung up on)\b",
        "how our staff treated them",
        "the way you were treated",
        gate=("rude", "unhelpful", "dismissive", "attitude", "condescending", "hung up on"),
    ),
    ComplaintTopic(
        "price",
        r"\b(?:overcharg\w*|over-charg\w*|hidden fees?|extra fees?|price|priced|pricing|promo code|coupon|discount code"
        r"|\d+% off)\b|[$£€]\s?\d[\d.,]*.{1,60}[$£€]\s?\d",
        "a price or discount",
        "what you were charged",
        gate=(
            "charg",
            "price",
            "pricing",
            "fee",
            "promo code",
            "coupon",
            "discount code",
            "% off",
            "$",
            "£",
            "€",
        ),
    ),
    ComplaintTopic(
        "sizing",
        r"\b(?:size|sizing|too small|too big|too tight|too loose|doesn'?t fit|didn'?t fit)\b",
        "a sizing problem",
        "the sizing",
        needs="order number",
        gate=("size", "sizing", "too small", "too big", "too tight", "too loose", "fit"),
    ),
    ComplaintTopic(
        "quality",
        r"\b(?:broke|fell apart|stopped working|ripped|tore|faded|leaks|leaking|peeling|cheaply made|poor quality)\b",
        "a product that failed",
        "{ref} letting you down",
        default_ref="it",
        needs="order number",
        gate=(
            "broke",
            "fell apart",
            "stopped working",
            "ripped",
            "tore",
            "faded",
            "leak",
            "peeling",
            "cheaply made",
            "poor quality",
        ),
    ),
    ComplaintTopic(
        "booking",
        r"\b(?:booking|reservation|rebook\w*|seat|check-in|check in|boarding|upgrade|bumped"
        r"|denied (?:boarding|getting on|entry))\b",
        "a booking",
        "the problem with your booking",
        needs="booking reference",
        gate=(
            "booking",
            "reservation",
            "rebook",
            "seat",
            "check-in",
            "check in",
            "boarding",
            "upgrade",
            "bumped",
            "denied",
        ),
    ),
    ComplaintTopic(
        "service",
        r"\b(?:customer service|customer support|support team|service|support|staff|agent|helpline)\b",
        "how support handled it",
        "how your request was handled",
        gate=("service", "support", "staff", "agent", "helpline"),
    ),
)


_TOPIC_RES = tuple((t, frozenset(t.gate), re.compile(t.pattern, _I | re.S)) for t in COMPLAINT_TOPICS)
#: Every gate piece of every topic: each is looked for once per comment.
_GATE_PIECES = tuple(sorted({g for t in COMPLAINT_TOPICS for g in t.gate}))


def _gate_pieces(low: str) -> frozenset[str]:
    """The gate pieces that occur in a lower-cased text."""
    return frozenset(p for p in _GATE_PIECES if p in low)


@dataclass(frozen=True, slots=True)
class Rule:
    """A name, the pattern that finds it, and (for some tables) the words a reply uses for it."""

    name: str
    pattern: str
    words: str = ""
    #: Lower-case pieces of text of which every match contains one (as ComplaintTopic.gate).
    gate: tuple[str, ...] = ()


#: What the person already tried, in the order a reply mentions it.
TRIED_RULES: tuple[Rule, ...] = (
    Rule(
        Tried.EMAILED.value,
        r"\b(?:e-?mailed|e-?mailing|sent (?:\w+ ){0,2}e-?mails?|wrote to (?:you|them|support))\b",
        gate=("mail", "wrote to"),
    ),
    Rule(
        Tried.CALLED.value,
        r"\b(?:called|phoned|rang|ringing|calling|on the phone|on hold)\b",
        gate=("call", "phone", "rang", "ringing", "on hold"),
    ),
    Rule(Tried.CHATTED.value, r"\b(?:live chat|chatted|the chat|chat support|chatbot)\b", gate=("chat",)),
    Rule(
        Tried.MESSAGED.value,
        r"\b(?:dm'?d|dmed|dm'ed|messaged|sent (?:you |a |you a |several )?(?:dms?|messages?)|in (?:a |your )?dms?)\b",
        gate=("dm", "messag"),
    ),
    Rule(
        Tried.TICKET.value,
        r"\b(?:opened|raised|submitted|filed|logged|put in) (?:a |another |two |three )?(?:ticket|case|complaint|claim|form|request)s?\b"
        r"|\b(?:ticket|case) (?:number|#|no)",
        gate=("ticket", "case", "complaint", "claim", "form", "request"),
    ),
    Rule(
        Tried.WAITED.value,
        r"\b(?:waited|waiting|still no|still haven'?t|still hasn'?t|still not)\b",
        gate=("wait", "still"),
    ),
    Rule(
        Tried.TECH_STEPS.value,
        r"\b(?:reinstall\w*|restart\w*|rebooted|cleared (?:the |my )?(?:cache|cookies)|updated (?:the )?app"
        r"|tried (?:another|a different) (?:browser|card|device)|reset (?:my |the )?password)\b",
        gate=("reinstall", "restart", "reboot", "cleared", "updated", "tried", "reset"),
    ),
)
_TRIED_RES = tuple((Tried(r.name), r.gate, re.compile(r.pattern, _I)) for r in TRIED_RULES)

#: The kind of post, read from its title and the comment. The first that matches wins.
POST_KIND_RULES: tuple[Rule, ...] = (
    Rule(
        PostKind.PERSONAL.value,
        r"\b(?:passed away|pass(?:ed|ing) of|died|death|funeral|grief|griev\w*|loss of|(?:lost|losing) (?:my|our|her|his|a) "
        r"(?:mum|mom|dad|father|mother|husband|wife|partner|son|daughter|child|baby|dog|cat|friend|brother|sister|parent)"
        r"|miscarriage|cancer|diagnos\w*|chemo|hospice|bereave\w*|in memory|rest in peace|condolences"
        r"|sorry for your loss|depression|mental health|divorce)\b",
    ),
    Rule(
        PostKind.RECIPE.value,
        r"\b(?:recipes?|bak(?:e|ed|ing)|cook(?:ed|ing)?|oven|dough|cake|bread|soup|stew|sauce|cookies|muffins"
        r"|pasta|curry|dinner|ingredients?|tablespoons?|teaspoons?|cups? of)\b",
    ),
    Rule(
        PostKind.MEDIA.value,
        r"\b(?:song|songs|music|video|videos|album|track|lyrics|singing|voice|cover|channel|episode|podcast"
        r"|photos?|photographs?|pictures?|pics|shots|footage|film|trailer)\b",
    ),
    Rule(
        PostKind.NEWS.value,
        r"\b(?:news|announce\w*|election|government|minister|president|policy|report(?:ed|s)?|breaking"
        r"|council|court|police|vote|votes|tax|taxes|budget|prime minister)\b",
    ),
    Rule(
        PostKind.HOWTO.value,
        r"\b(?:how to|how-to|guide|tutorial|tips|step|steps|walkthrough|instructions|setup|set up|install\w*"
        r"|tried (?:this|it|these)|worked for me|fixed (?:it|my))\b",
    ),
    Rule(
        PostKind.PRODUCT.value,
        r"\b(?:product|order(?:ed)?|bought|purchase[d]?|delivery|shop|store|brand|quality|fits?|wear|shoes"
        r"|dress|jacket|app|service|flight|hotel|staff)\b",
    ),
)
_POST_KIND_RES = tuple((PostKind(r.name), re.compile(r.pattern, _I)) for r in POST_KIND_RULES)

#: What a praising reader liked. ``words`` names it in a reply when the reader named nothing.
PRAISE_RULES: tuple[Rule, ...] = (
    Rule(
        PraiseSubject.HELP.value,
        r"\b(?:helped|help(?:ful)? (?:staff|team|support)|customer service|support team|sorted (?:it|me)"
        r"|went above|quick(?:ly)? (?:reply|response|fix)|resolved|fixed (?:it|my)|staff|crew|agent)\b",
        "",  # "the help" reads oddly in a thank-you: name what was liked only when the reader did
    ),
    Rule(
        PraiseSubject.RECIPE.value,
        r"\b(?:recipes?|made (?:this|it|these)|baked|cooked|delicious|tasty|yummy|dinner|family loved)\b",
        "the recipe",
    ),
    Rule(
        PraiseSubject.MEDIA.value,
        r"\b(?:song|songs|music|video|voice|album|track|lyrics|beat|singing|sing|dance|performance|episode|podcast)\b",
        "the music",
    ),
    Rule(
        PraiseSubject.PHOTO.value,
        r"\b(?:photos?|photographs?|pictures?|pics|shots|images?|photography)\b",
        "the photos",
    ),
    Rule(
        PraiseSubject.PRODUCT.value,
        r"\b(?:product|bought|purchase[d]?|works (?:great|perfectly|well)|quality|battery|sound|fits|comfortable"
        r"|phone|headset|case|charger|device|price|value|shoes|dress|jacket)\b",
        "it",
    ),
    Rule(
        PraiseSubject.POST.value,
        r"\b(?:post|article|blog|writing|written|read|tips|guide|tutorial|explanation|explained|story|piece)\b",
        "the post",
    ),
)
_PRAISE_RES = tuple((PraiseSubject(r.name), re.compile(r.pattern, _I), r.words) for r in PRAISE_RULES)

#: Whom a rant is aimed at: another reader (checked first), else the business when the rant names
#: the post or the site, else a third party; see :func:`rant_target`.
RANT_TARGET_RULES: tuple[Rule, ...] = (
    Rule(
        RantTarget.COMMENTER.value,
        r"\b(?:people like you|your comment|you(?:'re| are) (?:an? |such an? |the )?(?:idiot|moron|troll|fool|clown"
        r"|joke|liar|hypocrite|bigot|racist|sheep|snowflake)|get a life|troll(?:ing|s)?"
        r"|commenters?|posters?|read (?:the|my) comment|whoever (?:wrote|said)|the (?:guy|person|poster) above"
        r"|learn to read|go back to school)\b",
    ),
    Rule(
        RantTarget.THIRD_PARTY.value,
        r"\b(?:trump|obama|biden|clinton|trudeau|harper|wynne|ford|notley|putin|government|govt|liberals?"
        r"|conservatives?|tories|tory|ndp|democrats?|republicans?|politicians?|minister|premier|president"
        r"|congress|senate|parliament|mayor|council|the left|the right|leftists?|media|msm|ottawa|washington"
        r"|immigrants?|refugees?|unions?|police|cops|banks?|bankers|ceo|elites?|voters|party|regime|taxpayers?)\b",
    ),
)
_RANT_RES = {RantTarget(r.name): re.compile(r.pattern, _I) for r in RANT_TARGET_RULES}

# -- details ----------------------------------------------------------------------------------------

_REF_WORDS = (
    r"order|booking|ticket|case|reference|ref|confirmation|invoice|tracking|flight|account|reservation"
)
_REF = re.compile(
    rf"\b({_REF_WORDS})\s*(?:number|no\.?|num|id|code|ref|reference|#)?\s*[:#]?\s*(#?(?=[A-Z0-9-]*[0-9])[A-Z0-9][A-Z0-9-]{{2,}})\b",
    _I,
)
_BARE_REF = re.compile(r"(?<![\w&])#([A-Z]{0,3}[0-9][A-Z0-9-]{2,})\b", _I)
_FLIGHT_CODE = re.compile(r"\bflight\s+(?:no\.?\s*|number\s*|#\s*)?([A-Z]{2})\s?([0-9]{1,4})\b", _I)
_NUM_WORDS = r"\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several|a few|few|24|48"
_DURATION = re.compile(
    rf"\b(?:over |more than |almost |nearly |about )?(?:{_NUM_WORDS})\s+(?:more\s+)?"
    r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b",
    _I,
)
_TIMES = re.compile(
    r"\b(?:twice|three times|four times|five times|\d+ times|several times|multiple times)\b", _I
)
_DATE = re.compile(
    r"\b(?:on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday|last (?:week|month|night)"
    r"|since (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|last \w+|\d+\w*)"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?"
    r"|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\b",
    _I,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_QUESTION_WORDS = re.compile(
    r"^\s*(?:and |but |so |also |btw,? |ps,? )?(?:who|what|when|where|which|why|how|is|are|do|does|did|can|could"
    r"|will|would|should|any|has|have|was|were)\b",
    _I,
)
_RHETORICAL = re.compile(
    r"\b(?:are you (?:kidding|serious|joking)|really\?|seriously\?|what the (?:hell|heck|fuck)|wtf|who cares"
    r"|what(?:'s| is) wrong with (?:you|people)|how (?:hard|difficult) (?:is|can) it|why (?:bother|even))\b",
    _I,
)
#: The thing a comment is about, when it names one: "the X", "my X", "your X", "this X" (two words at most).
_THING = re.compile(
    r"\b(?:the|my|your|this|our|these|that)\s+((?:[a-z][a-z'-]+\s+)?(?:[a-z][a-z'-]+))\b",
    _I,
)
_NOT_A_THING_WORDS = """
a an the my your this that our these those it its i me you we they he she him her them one way time
times thing things lot bit day days week weeks month months year years hour hours minute minutes
people person guy guys company companies team staff post posts article blog site comment comments
problem problems issue issues experience service end same best worst most first last other only whole
point fact case matter reason money number phone email e-mail back help support customer
customers situation stuff worth kind sort
"""
#: Words that end a noun phrase: verbs, conjunctions and the like ("the cake sank", "the order is").
_ENDS_A_THING_WORDS = """
and or but so is are was were be been being has have had will would can could should shall may might
must do does did not never still just to of in on at for with from by as too very than then when
while if because again also even only sank broke came went fell took got made said arrived stopped
yet ever here there today now lol left lost sent gave told found kept paid put ran saw sold won wrote
brought bought caught felt heard held meant met read stood
keeps kept won't doesn't didn't isn't wasn't aren't weren't can't couldn't hasn't haven't
"""
_NOT_A_THING = frozenset(_NOT_A_THING_WORDS.split())
_ENDS_A_THING = frozenset(_ENDS_A_THING_WORDS.split())
_VERBISH = re.compile(r"(?:ed|ing|ly)$")


@dataclass(frozen=True, slots=True)
class Details:
    """The facts a comment gives that a reply can use or must not ask for again."""

    refs: tuple[str, ...] = ()  # "order #4417", "flight UA123"
    thing: str | None = None  # the product or thing named: "the blender", "the checkout page"
    #: The thing named where the comment says what is wrong ("the hex codes"), or None.
    complained_of: str | None = None
    durations: tuple[str, ...] = ()  # "5 days", "over an hour"
    times: str | None = None  # "twice", "three times"
    dates: tuple[str, ...] = ()  # "on Monday", "since March 3"
    tried: tuple[Tried, ...] = ()
    question: str | None = None  # the question asked, as a whole sentence (None when rhetorical)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a comment is about, read with the plain rules of this module."""

    topic: ComplaintTopic | None
    praise: PraiseSubject
    liked: str | None  # what was liked, in our words ("the photos of Lisbon")
    target: RantTarget
    post_kind: PostKind
    details: Details

    @property
    def problem(self) -> str | None:
        """The problem as a reply names it ("order #4417 arriving damaged"), or None.

        A complaint no topic rule reads is named by the thing it is about, when it names one
        ("the trouble with the smart TV app").
        """
        if self.topic is None:
            thing = self.details.complained_of
            return f"the trouble with {thing}" if thing else None
        ref = self.details.refs[0] if self.details.refs else ""
        if "{ref}" in self.topic.phrase:
            if not ref and self.topic.default_ref == "it" and self.details.thing:
                ref = self.details.thing
            return self.topic.phrase.replace("{ref}", ref or self.topic.default_ref or "it")
        return self.topic.phrase

    @property
    def missing(self) -> str | None:
        """What a reply should ask for because the comment did not give it, or None."""
        if self.topic is None or self.topic.needs is None or self.details.refs:
            return None
        return self.topic.needs


#: The characters that ``re.IGNORECASE`` takes for ASCII letters but ``str.lower`` leaves alone
#: (dotted and dotless i, long s, the Kelvin sign): with one of them, no gate is trusted.
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


def complaint_topic(text: str) -> ComplaintTopic | None:
    """The first rule of :data:`COMPLAINT_TOPICS` whose pattern the text matches."""
    present = _gate_pieces(text.lower()) if _FOLDS_TO_ASCII.search(text) is None else None
    for topic, gate, rx in _TOPIC_RES:
        if present is not None and gate and present.isdisjoint(gate):
            continue  # no match can lack all of these
        if rx.search(text):
            return topic
    return None


def tried(text: str) -> tuple[Tried, ...]:
    """What the person says they already did, in :data:`TRIED_RULES` order."""
    low = text.lower()
    trusted = _FOLDS_TO_ASCII.search(text) is None
    return tuple(
        t
        for t, gate, rx in _TRIED_RES
        if (not trusted or not gate or any(piece in low for piece in gate)) and rx.search(text)
    )


def post_kind(text: str, post_title: str | None = None) -> PostKind:
    """The kind of post, from its title when there is one, else from the comment."""
    for source in (post_title, text):
        if source:
            for kind, rx in _POST_KIND_RES:
                if rx.search(source):
                    return kind
    return PostKind.GENERAL


def praise_subject(text: str) -> PraiseSubject:
    for subject, rx, _ in _PRAISE_RES:
        if rx.search(text):
            return subject
    return PraiseSubject.GENERAL


_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|youre|ur|u|yours|y'all)\b", _I)
#: Signs that a rant is about the post, the site or the business (a tweet to a brand starts "@brand").
_BUSINESS = re.compile(
    r"^\s*@\w+|\b(?:this|the|your|ur) (?:site|blog|post|article|column|piece|paper|company|business|shop"
    r"|store|service|support|staff|team|app|product|recipes?|writing|place|restaurant|hotel|airline|brand"
    r"|channel|video|content|newsletter|magazine|journalism|reporting|website|page|podcast|book|class|gym)\b"
    r"|\b(?:customer service|customer support|never (?:buying|shopping|flying|coming back|ordering|again))\b"
    r"|\b(?:worst|terrible|awful|rubbish|useless|pathetic|joke of an?) (?:site|company|service|place|app|airline|blog"
    r"|shop|store|brand|restaurant|hotel|website|business)\b",
    _I,
)


def rant_target(text: str, *, is_reply: bool = False) -> RantTarget:
    """Whom a rant attacks. A rant written as a reply to another reader, in the second person, is
    aimed at that reader; one that names no one and nothing of the site is unclear."""
    second_person = _SECOND_PERSON.search(text) is not None
    if (is_reply and second_person) or _RANT_RES[RantTarget.COMMENTER].search(text):
        return RantTarget.COMMENTER
    if _BUSINESS.search(text):  # "this paper is biased to the liberals" is about the paper
        return RantTarget.BUSINESS
    if _RANT_RES[RantTarget.THIRD_PARTY].search(text):
        return RantTarget.THIRD_PARTY
    return RantTarget.BUSINESS if second_person else RantTarget.UNCLEAR


_DIGIT = re.compile(r"[0-9]")


def references(text: str) -> tuple[str, ...]:
    """Order, booking, ticket and flight references, as a reply would write them ("order #4417")."""
    if _DIGIT.search(text) is None:
        return ()  # every reference has a digit
    found: list[str] = [f"flight {m.group(1).upper()}{m.group(2)}" for m in _FLIGHT_CODE.finditer(text)]
    for m in _REF.finditer(text):
        word, value = m.group(1).lower(), m.group(2)
        if word in {"ref", "confirmation"}:
            word = "reference"
        if word == "tracking":
            word = "tracking number"
        if word == "flight":
            continue  # flight codes are read above, with or without the space
        sep = " " if value.startswith("#") or word == "tracking number" else " #"
        found.append(f"{word}{sep}{value}")
    if not found:
        for m in _BARE_REF.finditer(text):
            found.append(f"order #{m.group(1)}")
    return tuple(dict.fromkeys(found))


def question(text: str) -> str | None:
    """The question the comment asks, as a whole sentence, when it is a real question."""
    for m in _SENTENCE.finditer(text):
        s = " ".join(m.group(0).split())
        if s.endswith("?") or (_QUESTION_WORDS.match(s) and not s.endswith((".", "!"))):
            if _RHETORICAL.search(s) or len(s.split()) < 2:
                continue
            s = s.rstrip("?!. ") + "?"
            return s[0].upper() + s[1:]
    return None


_OWN_DETERMINERS = frozenset({"the", "my", "your", "our"})


def thing_named(text: str, determiners: frozenset[str] | None = None) -> str | None:
    """The first product or thing a comment names ("my blender" -> "the blender"), or None.

    ``determiners`` limits the words that may introduce it ("this context" is rarely a thing)."""
    for m in _THING.finditer(text):
        if determiners is not None and m.group(0).split()[0].lower() not in determiners:
            continue
        words = m.group(1).lower().split()
        if len(words) == 2 and (words[1] in _ENDS_A_THING or _VERBISH.search(words[1])):
            words = words[:1]
        if not words or words[0] in _NOT_A_THING or words[0] in _ENDS_A_THING or _VERBISH.search(words[0]):
            continue
        if words[-1] in _NOT_A_THING:
            continue
        words[-1] = words[-1].removesuffix("'s").removesuffix("’s")
        if all(w.replace("-", "").replace("'", "").isalpha() for w in words) and m.group(1)[0].islower():
            return "the " + " ".join(words)
    return None


_NEGATIVE = re.compile(
    r"\b(?:not|no|never|nothing|broken|broke|wrong|doesn'?t|didn'?t|don'?t|isn'?t|wasn'?t|aren'?t|won'?t|can'?t"
    r"|cannot|couldn'?t|too|missing|fail\w*|problem|issue|off by|down|blocks?|cracked|drift\w*|stuck|lost|late"
    r"|error|worse|useless|disappoint\w*|still)\b",
    _I,
)
_BUT = re.compile(r"\b(?:but|though|although|however|except)\b", _I)


def thing_complained_of(text: str) -> str | None:
    """The thing a complaint is about: the first one named in the first sentence that says what is
    wrong, after its "but" when it has one ("Love the blog, but the recipe card is wrong")."""
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0)
        if not _NEGATIVE.search(sentence):
            continue
        parts = _BUT.split(sentence)
        for part in (parts[-1], sentence) if len(parts) > 1 else (sentence,):
            thing = thing_named(part, determiners=_OWN_DETERMINERS)
            if thing:
                return thing
        return None
    return None


def liked_in(text: str, subject: PraiseSubject) -> str | None:
    """What was liked, in our words: a thing the comment names, else the word for its subject."""
    named = _PRAISED_THING.search(text)
    if named and named.group(1).split()[0].lower() not in _NOT_A_THING:
        return "the " + " ".join(named.group(1).split())
    thing = _LIKED_THING.search(text)
    if thing:
        words = thing.group(1).split()
        while words and words[-1].lower() in _NOT_A_THING | _ENDS_A_THING:
            words.pop()
        # a thing is a common noun: not a verb form ("making changes"), not a name ("Terry")
        head = words[0] if words else ""
        if head.islower() and head not in _NOT_A_THING | _ENDS_A_THING and not _VERBISH.search(head):
            return "the " + " ".join(words)
    for rule_subject, _, word in _PRAISE_RES:
        if rule_subject is subject and word not in ("", "it"):
            return word
    return None


#: "Your photos of Lisbon are stunning": the thing before a verb of being, with its "of X".
_PRAISED_THING = re.compile(
    r"\b(?i:your|the|this|these|that)\s+([a-z][a-z'-]+(?:\s+(?:of|from|in|on)\s+[A-Z][\w'-]+)?)"
    r"\s+(?:is|are|was|were|looks?|sounds?)\s+(?:so\s+|really\s+|absolutely\s+|just\s+)?"
    r"(?:great|amazing|awesome|perfect|brilliant|delicious|beautiful|fantastic|gorgeous|superb|excellent|helpful"
    r"|stunning|lovely|wonderful|incredible|spot on|fire|the best)\b",
)
_LIKED_THING = re.compile(
    r"\b(?:love|loved|loving|enjoyed|adore|liked|appreciate|appreciated|thanks? (?:you )?for|great|"
    r"beautiful|amazing|awesome|brilliant|gorgeous|lovely|stunning|fantastic|excellent|wonderful|delicious|perfect"
    r"|nice)\s+(?:the |your |this |that |these |those |all the |all your )?"
    r"((?:[a-z][a-z'-]+)(?:\s+(?:of|from|in|on|at)\s+(?:the\s+|my\s+|your\s+|our\s+)?[A-Za-z][\w'-]+"
    r"(?:\s+[A-Za-z][\w'-]+){0,2}|\s+[a-z][a-z'-]+)?)\b",
    _I,
)


def read_comment(text: str, *, post_title: str | None = None, is_reply: bool = False) -> Reading:
    """Read a comment with the plain rules of this module (see :class:`Reading`)."""
    subject = praise_subject(text)
    details = Details(
        refs=references(text),
        thing=thing_named(text),
        complained_of=thing_complained_of(text),
        durations=tuple(
            dict.fromkeys(" ".join(d.group(0).lower().split()) for d in _DURATION.finditer(text))
        ),
        times=(m.group(0).lower() if (m := _TIMES.search(text)) else None),
        dates=tuple(dict.fromkeys(d.group(0) for d in _DATE.finditer(text))),
        tried=tried(text),
        question=question(text),
    )
    return Reading(
        topic=complaint_topic(text),
        praise=subject,
        liked=liked_in(text, subject),
        target=rant_target(text, is_reply=is_reply),
        post_kind=post_kind(text, post_title),
        details=details,
    )
