"""One writer per output: an advisory lock on a file beside it (`<output>.lock`).

`fcntl.flock` belongs to the open file, so the kernel releases it when the process ends however it ends
(kill -9 included): a lock file left behind never blocks the next run. A finished run removes it. The holder
writes its pid and start time into the file so that the refusal can name the other run."""
import os
import time
from pathlib import Path
from typing import IO, Optional

from ..errors import DatarefError, Errors

try:
    import fcntl
except ImportError:  # not POSIX: no lock, as before
    fcntl = None  # type: ignore[assignment]


def lock_path(output: Path) -> Path:
    return output.with_name(output.name + ".lock")


class OutputLock:
    """Held from before the output is read (--resume) until the run ends; `with OutputLock(path):`."""

    def __init__(self, output: Optional[Path]) -> None:
        self.output = output
        self.handle: Optional[IO[str]] = None

    def __enter__(self) -> "OutputLock":
        if self.output is None or fcntl is None or not self.output.parent.is_dir():
            return self  # stdout, or a missing folder that prepare_output refuses with its own sentence
        path = lock_path(self.output)
        while True:
            try:
                handle = open(path, "a+", encoding="utf8")
            except OSError as err:
                raise DatarefError(Errors.E019.format(path=self.output, detail=err.strerror or err)) from err
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                handle.seek(0)
                holder = handle.read().strip() or "a process that has not yet said which"
                handle.close()
                raise DatarefError(Errors.E022.format(path=self.output, holder=holder)) from err
            try:
                if os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino:
                    break
            except FileNotFoundError:
                pass
            handle.close()  # the run before removed the file as this one locked it: lock the new one
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc) -> None:
        if self.handle is not None:
            # removed before it is unlocked; a run that opened it meanwhile sees it gone and locks a new one
            lock_path(self.output).unlink(missing_ok=True)  # type: ignore[arg-type]
            self.handle.close()
            self.handle = None
