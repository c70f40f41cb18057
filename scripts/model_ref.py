"""Keep a large model wheel in the repository without making every clone carry it.

    python scripts/model_ref.py store packages/en_dataref_trf-0.3.0-py3-none-any.whl
    python scripts/model_ref.py fetch en_dataref_trf-0.3.0-py3-none-any.whl      # → packages/

`store` commits the wheel alone under `refs/models/<wheel name>`: a ref outside refs/heads and refs/tags,
which `git clone` does not fetch, so users who only want en_dataref_sm never download it. `fetch` gets that
ref from the remote (when the ref is not already here) and writes the wheel to packages/, for an offline
`pip install`. Push a stored ref with `git push origin 'refs/models/*:refs/models/*'`.
"""
import subprocess
from pathlib import Path

import typer

app = typer.Typer(add_completion=False)
ROOT = Path(__file__).resolve().parent.parent


def git(*args: str, stdin: str | None = None) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, input=stdin, capture_output=True, text=True,
                          check=True).stdout.strip()


def ref_of(name: str) -> str:
    return f"refs/models/{name}"


@app.command()
def store(wheel: Path) -> None:
    """Commit the wheel under refs/models/<name>."""
    blob = git("hash-object", "-w", str(wheel.resolve()))
    tree = git("mktree", stdin=f"100644 blob {blob}\t{wheel.name}\n")
    commit = git("commit-tree", tree, "-m", f"{wheel.name} (kept out of the branches: fetch it with "
                 "scripts/model_ref.py fetch)")
    git("update-ref", ref_of(wheel.name), commit)
    typer.echo(f"{ref_of(wheel.name)} → {commit[:12]} ({wheel.stat().st_size / 1e6:.1f} MB)")


@app.command()
def fetch(name: str, remote: str = "origin", output: Path = ROOT / "packages") -> None:
    """Write the stored wheel to packages/, fetching its ref from the remote if needed."""
    ref = ref_of(name)
    try:
        git("rev-parse", "--verify", "--quiet", ref)
    except subprocess.CalledProcessError:
        git("fetch", remote, f"{ref}:{ref}")
    target = output / name
    data = subprocess.run(["git", "show", f"{ref}:{name}"], cwd=ROOT, capture_output=True, check=True).stdout
    target.write_bytes(data)
    typer.echo(f"{target} ({len(data) / 1e6:.1f} MB): pip install {target}")


if __name__ == "__main__":
    app()
