"""Analytics: sales, classes, inventory health and customers, computed in the database and cached per data version."""
