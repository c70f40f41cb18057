"""Serialisation for a pipe whose learned state is one logistic regression kept as plain numbers (JSON)."""
from pathlib import Path
from typing import Iterable, Optional, Union

import srsly

from ..errors import DatarefError
from ..linking.logistic import LogisticModel


class KeepsLogisticModel:
    """to_/from_bytes, to_/from_disk and `initialize(path=…)` for the optional model in attribute `model_attr`,
    saved as `model_file`; a file that cannot be loaded raises `load_error` (a catalog message with {path} and
    {detail}). Listed before `Pipe` among the bases, so that these methods win."""
    model_attr: str
    model_file: str
    load_error: str

    def _model(self) -> Optional[LogisticModel]:
        return getattr(self, self.model_attr)

    def initialize(self, get_examples=None, *, nlp=None, path: Optional[Union[str, Path]] = None) -> None:
        """Load the model a training script wrote ([initialize.components.*] path; null: none)."""
        if path is not None:
            try:
                setattr(self, self.model_attr, LogisticModel.from_dict(srsly.read_json(path)))
            except (OSError, ValueError, TypeError) as err:
                raise DatarefError(self.load_error.format(path=path, detail=err)) from err

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        model = self._model()
        return srsly.msgpack_dumps({self.model_attr: model.to_dict() if model else None})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()):
        setattr(self, self.model_attr, LogisticModel.from_dict(srsly.msgpack_loads(data)[self.model_attr]))
        return self

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        model = self._model()
        if model is not None:
            srsly.write_json(folder / self.model_file, model.to_dict())

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()):
        file = Path(path) / self.model_file
        setattr(self, self.model_attr, LogisticModel.from_dict(srsly.read_json(file)) if file.exists() else None)
        return self
