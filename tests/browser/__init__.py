# A package, so this folder's conftest.py is imported as ``browser.conftest`` and does not
# replace tests/conftest.py as ``conftest`` (the test modules do ``from conftest import ...``).
