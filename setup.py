"""Carries the top-level templates/ and migrations/ inside the wheel as eagov/templates and
eagov/migrations, where an installed copy looks for them. (pyproject.toml alone cannot both
discover the packages and add folders mapped from elsewhere.)"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["eagov*"], exclude=["*.__pycache__"]),
        "eagov.templates",
        "eagov.migrations",
    ],
    package_dir={"eagov.templates": "templates", "eagov.migrations": "migrations"},
)
