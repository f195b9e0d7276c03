"""WSGI entry point: `waitress-serve wsgi:app`, `flask --app wsgi ...`, or `lms serve`."""

from lms import create_app

app = create_app()
