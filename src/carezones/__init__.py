"""carezones: plan adult social care on real road networks."""

from carezones._errors import CarezonesError, NetworkError, OfflineError, ValidationError

__version__ = "0.1.0"

__all__ = [
    "CarezonesError",
    "NetworkError",
    "OfflineError",
    "ValidationError",
    "__version__",
]
