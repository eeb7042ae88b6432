"""The preset catalogue and its gallery."""
