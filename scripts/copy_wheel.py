"""Copy the built model wheel to packages/, where the README's install command finds it."""
import shutil
import sys
from pathlib import Path

source, dest = Path(sys.argv[1]), Path(sys.argv[2])
for wheel in source.glob("*.whl"):
    shutil.copy2(wheel, dest / wheel.name)
    print(f"{dest / wheel.name} ({wheel.stat().st_size / 1e6:.1f} MB)")
