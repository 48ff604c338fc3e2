"""paperqueue: a keyboard-driven terminal reading queue for research papers."""

__version__ = "0.1.0"
