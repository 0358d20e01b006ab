"""Word documents (python-docx), built from data read through the services."""
