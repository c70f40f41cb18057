"""Write a report of the example paper and the real GROBID papers, check every page in headless Chromium,
and save the README's screenshots.

`dataref report` (the shipped model) runs on examples/tiny-transformers.tei.xml and, when present, the
papers of $DATAREF_CORPORA/grobid-tei. Chromium opens each page; for each the DOM after load is checked and
printed: DATASET mentions highlighted, markers tied to an entry, in-page links that land nowhere (must be 0),
whether the page's title is the paper's (no script changed it). The screenshots of the corpus page and of the
example's page go to docs/.

    python scripts/report_screenshots.py [--out /tmp/dataref-report] [--docs docs]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lxml.html

from dataref.run.extract import paper_id
from dataref.report import page_name, write_report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tiny-transformers.tei.xml"
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))


def chromium(*args: str, profile: Path) -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if binary is None:
        sys.exit("headless Chromium not found: apt-get install -y chromium")
    flags = ["--headless", "--disable-gpu", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium will not start its sandbox as root
    done = subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=120)
    if done.returncode:
        sys.exit(f"chromium failed: {done.stderr[-1000:]}")
    return done.stdout


def check(page: Path, profile: Path) -> dict:
    """What Chromium shows of a page after load."""
    dom = lxml.html.document_fromstring(chromium("--dump-dom", page.resolve().as_uri(), profile=profile))
    text = dom.xpath("//*[@id='paper-text']")
    ids = set(dom.xpath("//@id"))
    cites = text[0].xpath(".//mark[contains(@class, 'cite')]") if text else []
    return {
        "mentions": len(text[0].xpath(".//mark[contains(@class, 'dataset')]")) if text else 0,
        "markers": len(cites),
        "markers_resolved": sum(1 for m in cites if all(h[1:] in ids for h in m.xpath(".//a/@href"))),
        "dead_links": [h for h in dom.xpath("//a/@href") if h.startswith("#") and h[1:] not in ids],
        "title_kept": dom.xpath("//title")[0].text_content().startswith(dom.xpath("//h1")[0].text_content()),
        "scripts": len(dom.xpath("//script")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "dataref-report")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs")
    parser.add_argument("--model", default="en_dataref_sm")
    args = parser.parse_args()
    os.chdir(ROOT)  # paths in the pages as a user of the repository types them
    example = EXAMPLE.relative_to(ROOT)
    real = Path(os.path.relpath(CORPORA / "grobid-tei"))
    inputs = [example] + ([real] if real.is_dir() else [])
    if args.out.exists():
        shutil.rmtree(args.out)
    started = time.perf_counter()
    summary = write_report(inputs, args.out, model=args.model)
    print(f"{summary.line(args.out)} in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as profile:
        index = check(args.out / "index.html", Path(profile))
        print(f"index.html: dead in-page links {len(index['dead_links'])}, scripts {index['scripts']} (ours)")
        totals = {"mentions": 0, "markers": 0, "markers_resolved": 0}
        for page in sorted((args.out / "papers").glob("*.html")):
            seen = check(page, Path(profile))
            for key in totals:
                totals[key] += seen[key]
            print(f"{page.name[:70]:72} mentions {seen['mentions']:3}  markers {seen['markers']:2} "
                  f"(resolved {seen['markers_resolved']:2})  dead links {len(seen['dead_links'])}  "
                  f"title kept {seen['title_kept']}  scripts {seen['scripts']}")
        print(f"all pages: {totals['mentions']} mentions highlighted, {totals['markers']} markers tied to an entry "
              f"({totals['markers_resolved']} resolved in the page)")
        args.docs.mkdir(parents=True, exist_ok=True)
        example_page = args.out / page_name({"id": paper_id(example), "path": str(example)})
        for page, png, size in ((args.out / "index.html", "report-corpus.png", "1000,1150"),
                                (example_page, "report-paper.png", "1000,1450")):
            chromium(f"--screenshot={args.docs / png}", f"--window-size={size}", page.resolve().as_uri(),
                     profile=Path(profile))
            print(f"{args.docs / png}: {(args.docs / png).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
