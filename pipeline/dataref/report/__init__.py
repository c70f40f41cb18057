"""Report: static HTML pages, one per paper and one for the corpus (Jinja templates in `templates/`)."""
from .render import (ReportSummary, corpus_view, is_results_file, page_name, read_results, render_corpus,
                     render_paper, render_record, write_report)

__all__ = ["ReportSummary", "corpus_view", "is_results_file", "page_name", "read_results", "render_corpus",
           "render_paper", "render_record", "write_report"]
