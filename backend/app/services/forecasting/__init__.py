"""Forecasting as a service: train (off the event loop), store (JSON, never pickles), serve."""
