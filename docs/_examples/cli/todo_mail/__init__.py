"""Mails the to-do list."""
