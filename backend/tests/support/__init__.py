"""Test support: real databases, a real server, files built through the real data paths."""
