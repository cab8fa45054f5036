"""Plain (Prefect-free) core of the DLA pipeline: settings, storage, calendar, case files."""
