"""Benchmarks build on the tests' fixtures (the page tree, people)."""

pytest_plugins = ["tests.page_fixtures", "tests.user_fixtures"]
