"""ippo (一歩): a self-hosted cybersecurity program manager for small and medium businesses."""

__version__ = "0.1.0"
