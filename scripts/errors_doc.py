"""Write docs/errors.md from dataref's catalog of errors and warnings (dataref/errors.py): every code, its
message and where it appears / what to do. tests/test_docs.py fails when the page is out of date or a code has
no entry in errors.HELP.

    python scripts/errors_doc.py [docs/errors.md]
"""
import re
import sys
from pathlib import Path

from dataref import errors

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "errors.md"


def codes() -> dict[str, str]:
    """Every code of the catalog and its message template, warnings first, in code order."""
    found = {}
    for catalog in (errors.Warnings, errors.Errors):
        for name in sorted(vars(catalog)):
            if re.fullmatch(r"[EW]\d{3}", name):
                found[name] = getattr(catalog, name)
    return found


def _template(message: str) -> str:
    return re.sub(r"^\[[EW]\d{3}\] ", "", message).replace("|", "\\|")


def page() -> str:
    lines = ["# Errors and warnings", "",
             "Every message dataref prints or writes starts with a code: `[E…]` an error, `[W…]` a warning. An error "
             "about one paper becomes that paper's error record in the output (`\"error\": {\"code\": …, "
             "\"message\": …}`) and the run goes on; an error about the command (an option, the output, the model) "
             "is a refusal before any work, with exit status 2. Words in braces are filled in with the file, "
             "the number or the detail of the case.", "",
             "This page is generated from `pipeline/dataref/errors.py` by `python scripts/errors_doc.py`; "
             "`tests/test_docs.py` checks that it is complete.", ""]
    for kind, prefix in (("Warnings", "W"), ("Errors", "E")):
        lines += [f"## {kind}", ""]
        for code, message in codes().items():
            if code.startswith(prefix):
                lines += [f"### {code}", "", f"> {_template(message)}", "", errors.HELP[code], ""]
    return "\n".join(lines)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PAGE
    target.write_text(page(), encoding="utf8")
    print(f"{target}: {len(codes())} codes")
