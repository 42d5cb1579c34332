"""Medium: read responses (the export, a saved story page, the feed) and write a reply worksheet.

Medium's API only publishes posts and takes no new integrations; nothing can read responses or
post replies for you. So this adapter reads what a writer can actually get and hands them a
worksheet: per response its class, what to do, the drafted reply and a link to open it on Medium.

    from commentcare import Moderator
    from commentcare.io import read_comments
    from commentcare.adapters.medium import write_worksheet

    reviews = Moderator().review_many(read_comments("medium-export.zip"))
    write_worksheet(reviews, "worksheet.csv", "worksheet.html")

The readers (used by :func:`commentcare.io.read_comments` for the ``medium-archive``,
``medium-page`` and ``rss`` formats):

* the archive (a zip, or the folder it unpacks to): ``posts/*.html``, one ``h-entry`` per file.
  The responses the account owner wrote are exported as posts too, with nothing that marks them
  as responses, so they are told from stories by their shape (see :func:`classify_post`);
* a story page saved from the browser with its responses loaded. Medium's markup is generated and
  its class names change with every release, so the page reader keys on the few hooks that have
  stayed put: the ``source=…responses…`` parameter of the links inside each response, profile
  links (``/@name``), ``<time>`` and ``<pre>``. A page it cannot read is an error naming the
  file, never a silent empty result;
* an RSS 2.0 or Atom feed (Medium's ``/feed/@name`` among them), parsed with defusedxml.

The responder's Medium profile goes to ``extra["author_profile"]``, never to ``author_url``: that
field is the website a commenter chose to give, one of the model's strongest spam signals, and
every Medium response has a profile link (with it there, most responses were called spam).

Every reader yields ``Comment`` or ``InputError`` values and never raises for a bad record or a
bad file. One idea per module: ``_markup`` (HTML to text, URLs, dates), ``_archive``, ``_page``,
``_rss`` (the readers), ``_feed`` (fetching the feed), ``_worksheet``.
"""

from __future__ import annotations

from commentcare.adapters.medium._archive import (
    MAX_ARCHIVE_BYTES,
    MAX_MEMBER_BYTES,
    MAX_POSTS,
    MAX_RATIO,
    classify_post,
    iter_medium_archive,
)
from commentcare.adapters.medium._feed import FEED_URL, feed_url, fetch_feed
from commentcare.adapters.medium._markup import post_id_from_url
from commentcare.adapters.medium._page import MAX_PAGE_BYTES, iter_medium_page
from commentcare.adapters.medium._rss import MAX_FEED_BYTES, iter_rss
from commentcare.adapters.medium._worksheet import (
    MEDIUM_ACTIONS,
    OWN_RESPONSE,
    WORKSHEET_COLUMNS,
    needs_reply,
    response_link,
    write_worksheet,
)

__all__ = [
    "FEED_URL",
    "MAX_ARCHIVE_BYTES",
    "MAX_FEED_BYTES",
    "MAX_MEMBER_BYTES",
    "MAX_PAGE_BYTES",
    "MAX_POSTS",
    "MAX_RATIO",
    "MEDIUM_ACTIONS",
    "OWN_RESPONSE",
    "WORKSHEET_COLUMNS",
    "classify_post",
    "feed_url",
    "fetch_feed",
    "iter_medium_archive",
    "iter_medium_page",
    "iter_rss",
    "needs_reply",
    "post_id_from_url",
    "response_link",
    "write_worksheet",
]
