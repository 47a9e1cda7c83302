"""Shared code of the Facebook Pages, Instagram and Threads fakes (see tests/peers/*/README.md)."""
