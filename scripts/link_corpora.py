"""Link the local copies of the public corpora into assets/ (this machine has no internet)."""
import sys
from pathlib import Path

NAMES = ["scier", "dataset-sentences", "gsap-ner"]


def main(dest: str = "assets", source: str = "") -> None:
    root = Path(source or "../shared/corpora").resolve()
    if not root.exists():
        sys.exit(f"No corpora at {root}: set DATAREF_CORPORA to the folder holding {', '.join(NAMES)}.")
    Path(dest).mkdir(exist_ok=True)
    for name in NAMES:
        target, link = root / name, Path(dest) / name
        if not target.exists():
            print(f"skipped {name}: not under {root}")
            continue
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target, target_is_directory=True)
        print(f"{link} -> {target}")


if __name__ == "__main__":
    main(*sys.argv[1:])
