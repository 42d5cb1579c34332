"""Write a large synthetic comment export (JSONL or WordPress WXR) for memory and speed checks.

    python benchmarks/make_big_export.py big.jsonl --count 1000000
    python benchmarks/make_big_export.py big.xml --size-mb 200
    /usr/bin/time -v commentcare classify big.xml -o out.csv --errors errors.jsonl

Comments are built from a few hundred seed texts (fragments of the four classes combined) with
names, numbers, products and dates mixed in, so that no two texts are equal: a reader or model
that caches by text cannot look faster than it is. The output is deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

log = logging.getLogger("make_big_export")

FIRST = (
    "Anna",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Noor",
    "Oscar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aled",
    "Bea",
    "Cian",
    "Dara",
    "Emeka",
    "Fleur",
    "Gus",
    "Hana",
    "Ivo",
    "Jess",
    "Kai",
    "Lotte",
    "Mo",
    "Nia",
)
LAST = (
    "Adams",
    "Brennan",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jones",
    "Kowalski",
    "Laurent",
    "Murphy",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quint",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Wright",
    "Xu",
    "Young",
    "Zielinski",
    "Baker",
    "Costa",
    "Doyle",
    "Ekstrom",
)
PRODUCTS = (
    "rain jacket",
    "sourdough class",
    "annual plan",
    "seed box",
    "e-book",
    "walking boots",
    "coffee grinder",
    "notes app",
    "photo course",
    "tent",
    "gift card",
    "newsletter",
    "sofa cover",
    "bike light",
)
TOPICS = (
    "backups",
    "bread",
    "tomatoes",
    "hiking",
    "budgets",
    "home offices",
    "espresso",
    "cycling",
    "houseplants",
    "photography",
    "knitting",
    "travel insurance",
    "podcasts",
    "composting",
)
SPAM_SITES = (
    "cheap-deals",
    "best-loans",
    "crypto-gains",
    "replica-shop",
    "seo-rank",
    "pharma-direct",
    "spin-bonus",
    "easy-income",
    "vpn-master",
    "follower-boost",
    "essay-help",
    "casino-royale",
)
TLDS = ("example", "example.com", "example.net", "example.org")

# Fragments per class; every seed is opener + core (+ closer). Cores carry {n} so texts stay unique.
OPENERS = {
    "complaint": [
        "Hi,",
        "Hello team,",
        "I'm sorry to say this, but",
        "Not happy:",
        "Quick problem:",
        "",
        "I love the blog, but",
        "Third time writing about this:",
    ],
    "rant": ["Wow.", "Seriously?", "Unbelievable.", "", "LOL.", "What a joke.", "Honestly,", "Oh please."],
    "praise": [
        "Thank you!",
        "Wonderful post.",
        "",
        "Just wanted to say",
        "Brilliant as always.",
        "Love this.",
        "What a read!",
        "Thanks so much,",
    ],
    "spam": [
        "Great post!",
        "Nice article admin.",
        "",
        "Very informative.",
        "Hello friends,",
        "Good content.",
        "Amazing blog!!!",
        "Thanks for sharing.",
    ],
}
CORES = {
    "complaint": [
        "I ordered the {product} on {date} (order {n}) and it still has not arrived; tracking hasn't moved in {k} days.",
        "I was charged twice for the {product}: two payments of ${price} on {date}, invoice {n}.",
        "The download link in your email for order {n} returns a 404, so I paid for a {product} I cannot get.",
        "Your post says to bake at {k}0 degrees for {k2} minutes but that burns everything; is it a typo? Recipe card {n}.",
        "I cancelled my {product} subscription on {date} (confirmation {n}) and was charged again this month.",
        "The size guide says {k}cm but the {product} I received (order {n}) is clearly smaller. Return postage was charged to me.",
        "Support ticket {n} about my {product} has had no answer for {k} days.",
        "The table in this post says {k}% but the chart below shows {k2}%. Which is right? Ref {n}.",
        "The checkout page logged me out twice and took payment {n} without creating an order for the {product}.",
        "My {product} (order {n}) stopped working after {k} days and the warranty form on your site gives an error.",
        "The map link in step {k} points to the wrong page; I wasted an afternoon on booking {n}.",
        "Your newsletter unsubscribe link (issue {n}) does nothing; I still get {k} emails a week.",
    ],
    "rant": [
        "This is the worst thing I've read in {k} years of reading blogs, comment {n} of mine you'll ignore.",
        "You people have no idea what you're doing. {n} words of garbage.",
        "Who writes this rubbish? I've seen {n} better posts from a toddler.",
        "Absolute clowns. Unsubscribing after {k} years, reader number {n} gone.",
        "Greedy, useless and smug. Nobody cares about your {product}. #{n}",
        "Every post is worse than the last. {n} reasons to never come back and you are all of them.",
        "Shut this blog down. You know NOTHING about {topic}. Strike {n}.",
        "Idiots, the lot of you. I'd rate this {k} out of {n} and that's generous.",
        "What a waste of {n} seconds of my life. Total amateurs.",
        "Pathetic. Just pathetic. You should be ashamed, all {n} of you.",
    ],
    "praise": [
        "This post about {topic} saved my weekend. I've read it {k} times now, bookmark {n}.",
        "The clearest explanation of {topic} I've found after {n} searches. Thank you!",
        "Your {product} arrived early and it's perfect; customer {n} is very happy.",
        "I've followed this blog for {k} years and this is one of the best posts yet. Cheers from reader {n}.",
        "Tried your tip on {topic} and it worked first time. {n} thanks!",
        "Lovely writing, lovely photos, and genuinely useful. Sharing with my {k} friends in club {n}.",
        "Thank you for being honest about {topic}; it's rare. Post {n} bookmarked.",
        "Great work, team! The {product} is exactly what I needed. Order {n}, five stars.",
    ],
    "spam": [
        "Visit {site} for {k}0% off today only, code SAVE{n}.",
        "I make ${price} a day from home. Start here: {site}/start/{n}",
        "Cheap {product} and more at {site}, free shipping worldwide, offer {n}.",
        "Boost your rankings to page 1 in {k} days! WhatsApp +1 555 {n}",
        "Join my Telegram @deals{n} for crypto signals, {k}x returns guaranteed.",
        "Best online casino, {k}00 free spins at {site}/spin?ref={n}",
        "Need a loan? Bad credit OK. Apply at {site}/apply/{n}",
        "Buy followers and likes cheap: {site}/pkg{n}",
    ],
}
CLOSERS = {
    "complaint": [
        "Please sort this out.",
        "Can someone help?",
        "I'd like a refund.",
        "",
        "Thanks in advance.",
    ],
    "rant": ["", "Disgusting.", "Get lost.", "Bye.", "Pathetic."],
    "praise": ["", "Keep it up!", "More please!", "Thank you!", "You're the best."],
    "spam": ["", "Thanks!", "Don't miss it!!", "Limited offer.", "Check it out."],
}
MIX = (("spam", 0.35), ("praise", 0.25), ("complaint", 0.22), ("rant", 0.18))


def seeds(rng: random.Random, per_class: int = 80) -> dict[str, list[str]]:
    """A few hundred seed templates: per class, distinct opener/core/closer combinations."""
    out: dict[str, list[str]] = {}
    for label, cores in CORES.items():
        combos = [(o, c, z) for o in OPENERS[label] for c in cores for z in CLOSERS[label]]
        rng.shuffle(combos)
        out[label] = [" ".join(p for p in combo if p) for combo in combos[:per_class]]
    return out


class Maker:
    """Turns seeds into unique comments: the running number is part of every text."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seeds = seeds(self.rng)
        self.labels = [k for k, _ in MIX]
        self.weights = [w for _, w in MIX]
        self.start = datetime(2024, 1, 1, tzinfo=timezone.utc)

    def comment(self, i: int) -> dict[str, str]:
        rng = self.rng
        label = rng.choices(self.labels, self.weights)[0]
        site = f"www.{rng.choice(SPAM_SITES)}{rng.randint(1, 999)}.{rng.choice(TLDS)}"
        when = self.start + timedelta(seconds=i * 37 + rng.randint(0, 36))
        text = rng.choice(self.seeds[label]).format(
            n=100_000 + i,
            k=rng.randint(2, 9),
            k2=rng.randint(10, 60),
            price=rng.randint(9, 499),
            product=rng.choice(PRODUCTS),
            topic=rng.choice(TOPICS),
            site=site,
            date=(when - timedelta(days=rng.randint(3, 40))).strftime("%d %B"),
        )
        first, last = rng.choice(FIRST), rng.choice(LAST)
        spammy = label == "spam"
        return {
            "id": str(i + 1),
            "label": label,
            "author": f"{first} {last}"
            if not spammy or rng.random() < 0.3
            else f"{rng.choice(SPAM_SITES)} {rng.randint(1, 99)}",
            "author_email": f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.com",
            "author_url": f"https://{site}" if spammy and rng.random() < 0.6 else "",
            "author_ip": f"198.51.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "created_at": when.strftime("%Y-%m-%d %H:%M:%S"),
            "text": text,
        }


def write_jsonl(fh: IO[bytes], count: int, seed: int) -> int:
    maker = Maker(seed)
    for i in range(count):
        c = maker.comment(i)
        post = i // 150
        rec = {
            "id": c["id"],
            "author": c["author"],
            "author_email": c["author_email"],
            "author_url": c["author_url"] or None,
            "created_at": c["created_at"].replace(" ", "T") + "Z",
            "post_id": str(post + 1),
            "post_title": f"Post {post + 1} about {TOPICS[post % len(TOPICS)]}",
            "text": c["text"],
        }
        fh.write(json.dumps(rec, ensure_ascii=False).encode() + b"\n")
    return count


def _cdata(s: str) -> str:
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _wxr_items(maker: Maker) -> Iterator[str]:
    rng = maker.rng
    i = 0
    post = 0
    while True:
        post += 1
        topic = TOPICS[post % len(TOPICS)]
        body = " ".join(
            f"<p>Paragraph {k} of post {post} on {topic}: " + "lorem ipsum dolor sit amet " * 12 + "</p>"
            for k in range(rng.randint(2, 8))
        )
        parts = [
            "\t<item>",
            f"\t\t<title>{_cdata(f'Post {post}: notes on {topic}')}</title>",
            f"\t\t<link>https://blog.example/{post}/</link>",
            f"\t\t<dc:creator>{_cdata('editor')}</dc:creator>",
            f"\t\t<content:encoded>{_cdata(body)}</content:encoded>",
            f"\t\t<wp:post_id>{post}</wp:post_id>",
            f"\t\t<wp:post_type>{_cdata('post')}</wp:post_type>",
            f"\t\t<wp:status>{_cdata('publish')}</wp:status>",
        ]
        ids: list[str] = []
        for _ in range(rng.randint(20, 300)):
            c = maker.comment(i)
            i += 1
            ctype = "pingback" if rng.random() < 0.01 else "comment"
            parent = rng.choice(ids) if ids and rng.random() < 0.25 else "0"
            approved = (
                "spam"
                if c["label"] == "spam" and rng.random() < 0.7
                else ("1" if rng.random() < 0.9 else "0")
            )
            parts += [
                "\t\t<wp:comment>",
                f"\t\t\t<wp:comment_id>{c['id']}</wp:comment_id>",
                f"\t\t\t<wp:comment_author>{_cdata(c['author'])}</wp:comment_author>",
                f"\t\t\t<wp:comment_author_email>{_cdata(c['author_email'])}</wp:comment_author_email>",
                f"\t\t\t<wp:comment_author_url>{c['author_url']}</wp:comment_author_url>",
                f"\t\t\t<wp:comment_author_IP>{_cdata(c['author_ip'])}</wp:comment_author_IP>",
                f"\t\t\t<wp:comment_date>{_cdata(c['created_at'])}</wp:comment_date>",
                f"\t\t\t<wp:comment_date_gmt>{_cdata(c['created_at'])}</wp:comment_date_gmt>",
                f"\t\t\t<wp:comment_content>{_cdata(c['text'])}</wp:comment_content>",
                f"\t\t\t<wp:comment_approved>{_cdata(approved)}</wp:comment_approved>",
                f"\t\t\t<wp:comment_type>{_cdata(ctype)}</wp:comment_type>",
                f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>",
                "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>",
                "\t\t</wp:comment>",
            ]
            ids.append(c["id"])
        parts.append("\t</item>")
        yield "\n".join(parts) + "\n"


def write_wxr(fh: IO[bytes], size_mb: float, seed: int) -> int:
    target = int(size_mb * 1024 * 1024)
    head = (
        b'<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"\n'
        b'\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
        b'\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        b'\txmlns:dc="http://purl.org/dc/elements/1.1/"\n\txmlns:wp="http://wordpress.org/export/1.2/">\n'
        b"<channel>\n\t<title>Synthetic blog</title>\n\t<link>https://blog.example</link>\n"
        b"\t<wp:wxr_version>1.2</wp:wxr_version>\n"
    )
    fh.write(head)
    written = len(head)
    items = 0
    for item in _wxr_items(Maker(seed)):
        data = item.encode()
        fh.write(data)
        written += len(data)
        items += 1
        if written >= target:
            break
    fh.write(b"</channel>\n</rss>\n")
    return items


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("output", help="file to write (.jsonl or .xml)")
    p.add_argument("--format", choices=["jsonl", "wxr"], help="default: from the extension")
    p.add_argument("--count", type=int, default=100_000, help="JSONL: number of comments")
    p.add_argument("--size-mb", type=float, default=200.0, help="WXR: approximate size in MB")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    fmt = args.format or ("jsonl" if Path(args.output).suffix.lower() in (".jsonl", ".ndjson") else "wxr")
    with open(args.output, "wb", buffering=1 << 20) as fh:
        if fmt == "jsonl":
            n = write_jsonl(fh, args.count, args.seed)
            log.info("wrote %d comments to %s", n, args.output)
        else:
            n = write_wxr(fh, args.size_mb, args.seed)
            log.info("wrote %d posts (%.0f MB) to %s", n, Path(args.output).stat().st_size / 1e6, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
