"""kg: knowledge graphs of machine-learning research built from paper abstracts."""

__version__ = "0.1.0"
