"""Sync between devices (issue 13): the model, with no files or git yet."""
