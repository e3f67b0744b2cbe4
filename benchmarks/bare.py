"""A build without the work Hugo does not do, for ``run.py`` to measure what that work really costs.

``without_exports()`` changes the imported ``dossier`` (in this process only, before the build: the
render workers are forked from it, so they run the changed code too) so that the build makes no search
index, no data files and no Data page, and does none of their work beside the pages:

- a report's exports' part in the render workers (its page's text read back, its search words counted,
  its ``mentions.csv`` rows, the spool) is skipped: only what the page's own part leaves is let go;
- an entity page's first words (its search record, read in the entity pages' workers) are not read
  (and no time is counted for them);
- ``pipeline.export_files`` makes nothing (no spool either).

So ``run.py``'s "a build without them" is a real build's wall-clock time, not the stage timings'
estimate: wherever the exports' work runs (in the workers, in the build process, in a forked process
beside it, in a stretch where a core would wait), the difference between the two builds is what the
build would save without it. Benchmark only: nothing in Dossier reads this module.
"""
from __future__ import annotations


def without_exports() -> None:
    from dossier import article_pages, index_pages, pipeline

    def no_exports_part(state, res, d, page_s):
        res.html, res.output = "", None  # as the exports' part leaves them: nothing else is made
        return res, d, page_s, 0.0

    real_entity_task = index_pages._render_entity_task

    def entity_page_only(state, slug):
        return (*real_entity_task(state, slug)[:-1], 0.0)  # no first words read: no time of theirs

    article_pages._exports_part = no_exports_part
    index_pages.first_words = lambda page, n: []
    index_pages._render_entity_task = entity_page_only
    pipeline.export_files = lambda *args, **kwargs: {}
    pipeline.Spool.make = classmethod(lambda cls, staging_dir: None)
