"""bookvan.data."""
