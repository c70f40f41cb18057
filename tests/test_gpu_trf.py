"""scripts/gpu_trf.py without a GPU machine: the requirement check, the pack's parts across calls, and the
model's chunks back and joined."""
import json
import shutil
import sys
import tarfile
import zipfile

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import gpu_trf  # noqa: E402


def fake_wheel(folder, name, version, *requires):
    """A wheel file that holds only its METADATA."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    lines = [f"Name: {name}", f"Version: {version}", *(f"Requires-Dist: {r}" for r in requires)]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", "\n".join(lines) + "\n")
    return path


def test_unmet_requirements_name_the_missing_and_the_refused(tmp_path):
    wheels = [fake_wheel(tmp_path, "alpha", "1.0", "beta<2", "numpy>=1.19", "gamma", "delta; python_version < '3.9'",
                         "epsilon; extra == 'docs'", "Zeta_Pkg>=3"),
              fake_wheel(tmp_path, "beta", "2.1")]
    problems = gpu_trf.unmet(wheels, {"numpy": "2.5.2", "zeta-pkg": None})
    assert len(problems) == 2, problems
    assert "beta<2: 2.1 there" in problems[0] and "gamma: not in the pack" in problems[1]
    assert gpu_trf.unmet(wheels[1:], {}) == []


def test_parts_wait_on_the_machine_until_all_are_there(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src" / "corpus").mkdir(parents=True)
    (tmp_path / "src" / "corpus" / "a.spacy").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "src" / "site").mkdir()
    (tmp_path / "src" / "site" / "m.py").write_text("x = 1\n")
    archive = tmp_path / "pack.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(tmp_path / "src" / "corpus", "corpus")
        tar.add(tmp_path / "src" / "site", "site")
    parts = gpu_trf.write_parts(archive, archive.stat().st_size // 2 + 1)
    assert [p.parent.name for p in parts] == ["1", "2"]
    stage = tmp_path / "stage"
    here = tmp_path / "here"
    parts[1].parent.rename(here)  # the first call carries part 1 only
    assert gpu_trf.stage_parts(stage) is None
    shutil.rmtree(gpu_trf.PACK / "1")
    here.rename(gpu_trf.PACK / "2")  # the second call, part 2 only
    manifest = gpu_trf.stage_parts(stage)
    assert manifest is not None
    folder = gpu_trf.unpack_stage(stage, manifest, with_site=False)
    assert (folder / "corpus" / "a.spacy").read_bytes() == bytes(range(256)) * 40
    assert not (folder / "site").exists()
    with pytest.raises(SystemExit, match=f"more than {gpu_trf.MAX_PARTS}"):
        gpu_trf.write_parts(archive, archive.stat().st_size // (gpu_trf.MAX_PARTS + 1))


def test_model_goes_back_in_chunks_and_joins(tmp_path, monkeypatch):
    monkeypatch.setattr(gpu_trf, "CHUNK", 4000)
    model = tmp_path / "training" / "model-best"
    (model / "transformer").mkdir(parents=True)
    (model / "meta.json").write_text(json.dumps({"performance": {"ents_f": 0.5}}))
    (model / "transformer" / "model").write_bytes(bytes(range(256)) * 20)
    out = tmp_path / "out"
    out.mkdir()
    (out / "train.log").write_text("log\n")
    chunks = gpu_trf.send_back(model, out)
    assert len(chunks) > 1 and all(c.stat().st_size <= 4000 for c in chunks)
    with pytest.raises(SystemExit, match="exists"):
        gpu_trf.unpack(out, output=model, force=False)
    gpu_trf.unpack(out, output=tmp_path / "back", force=False)
    assert (tmp_path / "back" / "transformer" / "model").read_bytes() == bytes(range(256)) * 20
    chunks[0].write_bytes(b"x" + chunks[0].read_bytes()[1:])
    with pytest.raises(SystemExit, match="do not join"):
        gpu_trf.unpack(out, output=tmp_path / "again", force=False)
