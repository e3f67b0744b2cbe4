"""The small archive the annotate tests (tests/serve, tests/browser) write into: one article, no annotations."""
from __future__ import annotations

BODY = ("The head of the Metropolitan Police has demanded protections for officers.\n\n"
        "Officers stood down. More officers stood down today.\n")
ARCHIVE = {
    "site.yaml": "title: T\n",
    "content/entities/outlets/x.md": "---\nname: X News\ntype: outlet\ndescription: An outlet.\n---\n",
    "content/articles/a.md": f"---\ntitle: A\noutlet: x\npublished: 2023-09-25\n---\n{BODY}",
}
FILE = "content/annotations/a.md"
