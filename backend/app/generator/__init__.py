"""The demo data generator behind `inventory generate` and `inventory demo`: pure Python, no database."""
