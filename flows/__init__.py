"""Prefect flows: each module is one business process composing tasks over `dla`."""
