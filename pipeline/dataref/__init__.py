"""dataref: the datasets a paper uses and the bibliography entries they cite."""
from .extensions import NIL, install_extensions
from .results import install_datasets_extension
from .jats import JATSReader
from .readers import PaperReader
from .tei import TEIReader

install_extensions()
install_datasets_extension()

__all__ = ["NIL", "JATSReader", "PaperReader", "TEIReader", "install_extensions"]
__version__ = "0.3.0"
