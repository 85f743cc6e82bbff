"""envcheck: can this GPU machine run your inference stack, and how do you get there."""

__version__ = "0.1.0"
