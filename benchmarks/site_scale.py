"""``backtest`` and ``train --site`` on a generated 100,000-comment WordPress export, in flat memory.

The export (written to a temporary directory, never kept) has the statuses a real site's has:
spam for most spam comments (``spam`` in 70% of the generator's spam, as a real filter misses
some), ``trash`` and ``0`` (held) now and then, ``1`` otherwise; 1% pingbacks and 2% replies by
the site's own editor (a WordPress user who is one of the export's authors). Both commands run
as child processes, each timed and its peak RSS read from the kernel (``ru_maxrss`` of the
child); memory is flat when the peak barely moves between a small and a large export.

    python benchmarks/site_scale.py [--counts 25000 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_big_export import Maker, _cdata

HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"\n'
    '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
    '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n\txmlns:wp="http://wordpress.org/export/1.2/">\n'
    "<channel>\n\t<title>Synthetic blog</title>\n\t<link>https://blog.example</link>\n"
    "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
    "\t<wp:author><wp:author_id>1</wp:author_id><wp:author_login>"
    + _cdata("editor")
    + "</wp:author_login><wp:author_display_name>"
    + _cdata("The Editor")
    + "</wp:author_display_name></wp:author>\n"
)


def write_export(fh: IO[str], count: int, seed: int = 7) -> dict[str, int]:
    """Write ``count`` comments (pingbacks and staff replies included); return the status counts."""
    maker = Maker(seed)
    rng = random.Random(seed + 1)
    fh.write(HEAD)
    tally: dict[str, int] = {}
    i = post = 0
    while i < count:
        post += 1
        fh.write(
            f"\t<item>\n\t\t<title>{_cdata(f'Post {post}')}</title>\n\t\t<link>https://blog.example/{post}/</link>\n"
            f"\t\t<wp:post_id>{post}</wp:post_id>\n\t\t<wp:post_type>{_cdata('post')}</wp:post_type>\n"
        )
        for _ in range(min(100, count - i)):
            c = maker.comment(i)
            i += 1
            r = rng.random()
            kind = "pingback" if r < 0.01 else "staff" if r < 0.03 else "comment"
            if kind == "staff":
                author, user, text = "The Editor", "1", f"Thanks for reading, reply {i}."
            else:
                author, user, text = c["author"], "0", c["text"]
            if c["label"] == "spam" and kind == "comment" and rng.random() < 0.7:
                status = "spam"
            else:
                status = rng.choices(["1", "0", "trash"], [0.92, 0.05, 0.03])[0]
            tally[status] = tally.get(status, 0) + 1
            fh.write(
                "\t\t<wp:comment>\n"
                f"\t\t\t<wp:comment_id>{i}</wp:comment_id>\n"
                f"\t\t\t<wp:comment_author>{_cdata(author)}</wp:comment_author>\n"
                f"\t\t\t<wp:comment_author_url>{c['author_url'] if kind == 'comment' else ''}</wp:comment_author_url>\n"
                f"\t\t\t<wp:comment_date_gmt>{_cdata(c['created_at'])}</wp:comment_date_gmt>\n"
                f"\t\t\t<wp:comment_content>{_cdata(text)}</wp:comment_content>\n"
                f"\t\t\t<wp:comment_approved>{_cdata(status)}</wp:comment_approved>\n"
                f"\t\t\t<wp:comment_type>{_cdata('pingback' if kind == 'pingback' else 'comment')}</wp:comment_type>\n"
                f"\t\t\t<wp:comment_user_id>{user}</wp:comment_user_id>\n"
                "\t\t</wp:comment>\n"
            )
        fh.write("\t</item>\n")
    fh.write("</channel>\n</rss>\n")
    return tally


def run(cmd: list[str]) -> dict[str, float]:
    """Run one command as a child; its wall time and peak RSS (each command in its own child)."""
    code = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.time(); p = subprocess.run(sys.argv[1:]); dt = time.time() - t\n"
        "print(json.dumps({'rc': p.returncode, 'seconds': round(dt, 1),"
        " 'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=False)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--counts", nargs="+", type=int, default=[25_000, 100_000])
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    cc = [sys.executable, "-m", "commentcare"]
    results = {}
    with tempfile.TemporaryDirectory(prefix="cc-site-scale-") as tmpdir:
        tmp = Path(tmpdir)
        for n in args.counts:
            export = tmp / f"site-{n}.xml"
            t = time.time()
            with open(export, "w", encoding="utf-8", buffering=1 << 20) as fh:
                statuses = write_export(fh, n)
            made = time.time() - t
            bt = run(
                [
                    *cc,
                    "backtest",
                    str(export),
                    "--json",
                    str(tmp / "bt.json"),
                    "--report",
                    str(tmp / "bt.html"),
                ]
            )
            summary = json.loads((tmp / "bt.json").read_text(encoding="utf-8"))
            tr = run([*cc, "train", "--site", str(export), "-o", str(tmp / f"model-{n}")])
            card = json.loads((tmp / f"model-{n}" / "model.json").read_text(encoding="utf-8"))
            results[n] = {
                "export_mb": round(export.stat().st_size / 1e6, 1),
                "statuses": statuses,
                "generate_seconds": round(made, 1),
                "backtest": bt,
                "backtest_counts": summary["counts"],
                "backtest_agreement": summary["agreement"],
                "backtest_remove_vs_site_spam": {
                    k: summary["remove_vs_site_spam"][k] for k in ("precision", "recall")
                },
                "train_site": tr,
                "train_site_rows": card["site_adaptation"]["site_data"]["rows"],
                "train_site_holdout": card["site_adaptation"]["holdout"],
            }
            print(json.dumps({n: results[n]}, indent=1), flush=True)
            export.unlink()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
