"""dataref: the datasets a paper uses and the bibliography entries they cite."""
from .extensions import NIL, install_extensions
from .output.results import install_datasets_extension
from .readers.jats import JATSReader
from .readers.paper import PaperReader
from .readers.tei import TEIReader

install_extensions()
install_datasets_extension()

__all__ = ["NIL", "JATSReader", "PaperReader", "TEIReader", "install_extensions"]
__version__ = "0.4.3"
