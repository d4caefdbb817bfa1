"""Real-time events: outbox relay, bus backends (in-process, Kafka, Redis fan-out), and the socket hub."""
