"""Database plumbing under the services: migrations, bulk writes, the write path's prepared statements."""
