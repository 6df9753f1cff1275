"""Old spellings of the DDS interface, accepted for one more release with a warning."""

from __future__ import annotations

import warnings


def renamed(old_name, old_value, new_name, new_value, default):
    """The value of the keyword ``new_name``, or of its old name ``old_name`` (None when not
    given) with a DeprecationWarning pointing at the public function's caller."""
    if old_value is None:
        return new_value
    if new_value != default:
        raise TypeError(f"give {new_name}= only ({old_name}= is its deprecated name)")
    warnings.warn(f"{old_name}= is deprecated and will be removed in the next release; use "
                  f"{new_name}= (same meaning)", DeprecationWarning, stacklevel=3)
    return old_value
