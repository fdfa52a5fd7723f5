"""Filled by a later issue; see DESIGN.md."""
